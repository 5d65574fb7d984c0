"""Alembic environment: always handed a connection by core.store.engine.upgrade."""

from __future__ import annotations

from alembic import context

from core.store.engine import ours
from core.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
    compare_type=True,
    include_name=ours,
)
with context.begin_transaction():
    context.run_migrations()

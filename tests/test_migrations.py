"""Alembic migrations: from empty and from every earlier revision, matching the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.store.engine import alembic_config, current_revision, ours, upgrade
from core.store.tables import Base
from tests.conftest import BACKENDS, fresh_engine

SCRIPTS = ScriptDirectory.from_config(alembic_config())
REVISIONS = [r.revision for r in reversed(list(SCRIPTS.walk_revisions()))]  # oldest first


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_an_empty_database_to_head(backend, tmp_path):
    engine, drop = fresh_engine(backend, tmp_path)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == SCRIPTS.get_current_head()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": ours})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], "models and migrations disagree: write a migration"
        upgrade(engine)  # idempotent
    finally:
        drop()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("start", REVISIONS)
def test_upgrade_from_every_revision(backend, start, tmp_path):
    engine, drop = fresh_engine(backend, tmp_path)
    try:
        upgrade(engine, start)
        assert current_revision(engine) == start
        upgrade(engine)
        assert current_revision(engine) == SCRIPTS.get_current_head()
    finally:
        drop()

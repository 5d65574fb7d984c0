"""failed attempts: wrong passwords and unknown codes counted in the store, so that every
process (and a restart) sees the same limits

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_failed_attempts_key_at", "failed_attempts", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_failed_attempts_key_at", table_name="failed_attempts")
    op.drop_table("failed_attempts")

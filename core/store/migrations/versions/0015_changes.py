"""changes: every correction of an account, a cohort or a trainee, field by field (who,
when, before, after)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("before", sa.String(length=400), nullable=True),
        sa.Column("after", sa.String(length=400), nullable=True),
    )
    op.create_index("ix_changes_entity", "changes", ["entity", "entity_id"])
    op.create_index("ix_changes_school_id", "changes", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_changes_school_id", table_name="changes")
    op.drop_index("ix_changes_entity", table_name="changes")
    op.drop_table("changes")

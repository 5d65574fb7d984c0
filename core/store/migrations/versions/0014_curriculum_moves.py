"""curriculum moves: each move of a cohort to another curriculum version is recorded (who,
when, from, to) and can be undone while nothing new was recorded

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "curriculum_moves",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cohort_id", sa.Integer(), sa.ForeignKey("cohorts.id"), nullable=False),
        sa.Column("from_version", sa.String(length=20), nullable=False),
        sa.Column("to_version", sa.String(length=20), nullable=False),
        sa.Column("moved_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_entry", sa.Integer(), nullable=False),
        sa.Column("undone_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_curriculum_moves_cohort_id", "curriculum_moves", ["cohort_id"])


def downgrade() -> None:
    op.drop_index("ix_curriculum_moves_cohort_id", table_name="curriculum_moves")
    op.drop_table("curriculum_moves")

"""positioning and plan_lines: each trainee's entry snapshot and individual plan

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "positioning",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("item", sa.String(120), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("trainee_id", "item", name=op.f("uq_positioning_trainee_id")),
    )
    op.create_index("ix_positioning_trainee_id", "positioning", ["trainee_id"])
    op.create_table(
        "plan_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("gesture", sa.String(120), nullable=True),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_plan_lines_trainee_id", "plan_lines", ["trainee_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_lines_trainee_id", "plan_lines")
    op.drop_table("plan_lines")
    op.drop_index("ix_positioning_trainee_id", "positioning")
    op.drop_table("positioning")

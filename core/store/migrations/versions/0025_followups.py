"""followups: the coordination's call log, each contact with a trainee at risk and its outcome

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("about", sa.String(120), nullable=False),
        sa.Column("outcome", sa.String(2000), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_followups_trainee_id", "followups", ["trainee_id"])


def downgrade() -> None:
    op.drop_index("ix_followups_trainee_id", "followups")
    op.drop_table("followups")

"""candidates: before they are trainees — prescriber, session, interview, decision

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("prescriber", sa.String(120), nullable=True),
        sa.Column("statuses", sa.String(120), nullable=True),
        sa.Column("qualification", sa.String(10), nullable=True),
        sa.Column("info_on", sa.Date(), nullable=True),
        sa.Column("interview_on", sa.Date(), nullable=True),
        sa.Column("interviewer", sa.String(200), nullable=True),
        sa.Column("assessment", sa.String(2000), nullable=True),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_candidates_school_id", "candidates", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_candidates_school_id", "candidates")
    op.drop_table("candidates")

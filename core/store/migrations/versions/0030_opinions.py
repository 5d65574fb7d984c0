"""opinions and opinion_links: questionnaires answered, and the links sent for them

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opinions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("cohort_id", sa.Integer(), sa.ForeignKey("cohorts.id"), nullable=True),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=True),
        sa.Column("questionnaire", sa.String(20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source", name=op.f("uq_opinions_source")),
    )
    op.create_index("ix_opinions_school_id", "opinions", ["school_id"])
    op.create_index("ix_opinions_trainee_id", "opinions", ["trainee_id"])
    op.create_table(
        "opinion_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("cohort_id", sa.Integer(), sa.ForeignKey("cohorts.id"), nullable=True),
        sa.Column("questionnaire", sa.String(20), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("code_hash", name=op.f("uq_opinion_links_code_hash")),
    )
    op.create_index("ix_opinion_links_school_id", "opinion_links", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_opinion_links_school_id", "opinion_links")
    op.drop_table("opinion_links")
    op.drop_index("ix_opinions_trainee_id", "opinions")
    op.drop_index("ix_opinions_school_id", "opinions")
    op.drop_table("opinions")

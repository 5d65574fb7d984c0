"""partners: each school's partner companies, their sites, contacts and requirements

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("employer_id", sa.String(120), nullable=False),
        sa.Column("based_on", sa.String(120), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("sites", sa.String(1000), nullable=False),
        sa.Column("contacts", sa.String(1000), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("school_id", "employer_id", name=op.f("uq_partners_school_id")),
    )
    op.create_index("ix_partners_school_id", "partners", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_partners_school_id", "partners")
    op.drop_table("partners")

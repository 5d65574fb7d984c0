"""audit_links: read-only links to a school's Qualiopi file, with their sample of trainees

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("code_hash", name=op.f("uq_audit_links_code_hash")),
    )
    op.create_index("ix_audit_links_school_id", "audit_links", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_links_school_id", "audit_links")
    op.drop_table("audit_links")

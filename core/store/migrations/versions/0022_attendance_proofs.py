"""attendance_entries.proof, .proof_type: a justified absence's proof (a photo, a PDF)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attendance_entries", sa.Column("proof", sa.String(length=64), nullable=True))
    op.add_column(
        "attendance_entries", sa.Column("proof_type", sa.String(length=40), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("attendance_entries", "proof_type")
    op.drop_column("attendance_entries", "proof")

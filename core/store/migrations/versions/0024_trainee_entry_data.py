"""trainees.birth_date, trainees.phone, trainees.prescriber: what an import file brings
about a trainee at entry (kept, not dropped)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column, never a batch copy: other tables refer to trainees.
    op.add_column("trainees", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column("trainees", sa.Column("phone", sa.String(30), nullable=True))
    op.add_column("trainees", sa.Column("prescriber", sa.String(120), nullable=True))


def downgrade() -> None:
    for name in ("prescriber", "phone", "birth_date"):
        op.drop_column("trainees", name)

"""trainees.statuses, trainees.qualification: the entry profile funders count (jobseeker,
long-term unemployed, RSA, QPV resident, RQTH; level of qualification)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("trainees", sa.Column("statuses", sa.String(120), nullable=True))
    op.add_column("trainees", sa.Column("qualification", sa.String(10), nullable=True))


def downgrade() -> None:
    op.drop_column("trainees", "qualification")
    op.drop_column("trainees", "statuses")

"""schools.attendance_step, schools.absence_alert: each school's attendance rules

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column, never a batch copy: other tables refer to schools.
    op.add_column("schools", sa.Column("attendance_step", sa.Integer(), nullable=True))
    op.add_column("schools", sa.Column("absence_alert", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("schools", "absence_alert")
    op.drop_column("schools", "attendance_step")

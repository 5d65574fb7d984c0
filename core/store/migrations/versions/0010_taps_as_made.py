"""taps as made: the moment and the device's own count a step tap was made at, so that the
step's value is the tap made last, whatever order the network delivers them in

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("made_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("device", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("device_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("device_seq")
        batch_op.drop_column("device")
        batch_op.drop_column("made_at")

"""exit details: an abandonment's reason, a contract's length (6 months or more: a lasting
exit) and working time

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("contract_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("full_time", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exits", schema=None) as batch_op:
        batch_op.drop_column("full_time")
        batch_op.drop_column("contract_months")
        batch_op.drop_column("reason")

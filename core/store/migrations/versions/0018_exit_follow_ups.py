"""exit follow-ups: where a trainee is 3 and 6 months after the end of the programme, kept
beside the exit at the end

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exits", schema=None) as batch_op:
        batch_op.drop_column("follow_up")

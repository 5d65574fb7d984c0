"""provisional passwords: a password someone else chose (an account made for a person, a
forgotten one replaced) is changed by its owner at the next sign-in

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (never SQLite's batch copy: every other table refers to users).
    op.add_column(
        "users", sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("users", "provisional")

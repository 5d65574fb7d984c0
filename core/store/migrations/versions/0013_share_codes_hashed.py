"""share codes hashed: the store keeps the SHA-256 of each sharing link's code, as it does for
tutors' and trainees' codes, so that a copy of the database opens no booklet

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:45:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sa.String(length=40), type_=sa.String(length=64)
        )
    links = sa.table("share_links", sa.column("code", sa.String(64)))
    connection = op.get_bind()
    for (code,) in connection.execute(sa.select(links.c.code)).all():
        hashed = hashlib.sha256(code.encode()).hexdigest()
        connection.execute(links.update().where(links.c.code == code).values(code=hashed))


def downgrade() -> None:
    # A code cannot be recovered from its hash: the earlier version could open none of these
    # links, so they are removed (a coordinator makes new ones).
    op.execute("DELETE FROM share_links")
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sa.String(length=64), type_=sa.String(length=40)
        )

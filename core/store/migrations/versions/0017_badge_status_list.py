"""badge status list: each booklet handed out gets its bit in the badges' revocation list
(W3C Bitstring Status List); the booklets already handed out are numbered in the order
they were issued

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
    table = sa.table(
        "verifications",
        sa.column("code", sa.String),
        sa.column("issued_on"),
        sa.column("status_index", sa.Integer),
    )
    connection = op.get_bind()
    codes = (
        connection.execute(sa.select(table.c.code).order_by(table.c.issued_on, table.c.code))
        .scalars()
        .all()
    )
    for index, code in enumerate(codes):
        connection.execute(table.update().where(table.c.code == code).values(status_index=index))
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_verifications_status_index", ["status_index"])


def downgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_constraint("uq_verifications_status_index", type_="unique")
        batch_op.drop_column("status_index")

"""short verification codes: each booklet handed out, behind the opaque code its cover
prints, withdrawable, with no expiry

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:49:02.558249
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=120), nullable=True),
        sa.Column("territory", sa.String(length=120), nullable=True),
        sa.Column("content", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name=op.f("fk_verifications_trainee_id_trainees")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verifications_trainee_id"), ["trainee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_trainee_id"))

    op.drop_table("verifications")

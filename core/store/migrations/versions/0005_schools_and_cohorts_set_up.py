"""schools and cohorts set up without the demo: addresses, planned hours, closing, trainee
arrivals and moves, the definitions of each curriculum version a cohort was pinned to

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=300), nullable=True))
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_hours", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("trainees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_on", sa.Date(), nullable=True))
    op.create_table(
        "trainee_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("from_cohort_id", sa.Integer(), nullable=False),
        sa.Column("to_cohort_id", sa.Integer(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),  # none: the command line
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name="fk_trainee_moves_trainee_id_trainees"
        ),
        sa.ForeignKeyConstraint(
            ["from_cohort_id"], ["cohorts.id"], name="fk_trainee_moves_from_cohort_id_cohorts"
        ),
        sa.ForeignKeyConstraint(
            ["to_cohort_id"], ["cohorts.id"], name="fk_trainee_moves_to_cohort_id_cohorts"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name="fk_trainee_moves_author_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trainee_moves"),
    )
    with op.batch_alter_table("trainee_moves", schema=None) as batch_op:
        batch_op.create_index("ix_trainee_moves_trainee_id", ["trainee_id"], unique=False)
    op.create_table(
        "curricula",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_curricula"),
        sa.UniqueConstraint("sector", "version", name="uq_curricula_sector"),
    )
    op.create_table(
        "share_links",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=120), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name="fk_share_links_trainee_id_trainees"
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_share_links_author_id_users"),
        sa.PrimaryKeyConstraint("code", name="pk_share_links"),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index("ix_share_links_trainee_id", ["trainee_id"], unique=False)


def downgrade() -> None:
    op.drop_table("share_links")
    op.drop_table("curricula")
    with op.batch_alter_table("trainee_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_trainee_moves_trainee_id")
    op.drop_table("trainee_moves")
    with op.batch_alter_table("trainees", schema=None) as batch_op:
        batch_op.drop_column("joined_on")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
        batch_op.drop_column("planned_hours")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_column("address")

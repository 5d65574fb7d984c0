"""immersion and the three-way loop: placements at host companies, links opened without an
account (tutors, trainees), and the append-only entries they and the trainers make

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:09:41.192557
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=120), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("tutor_name", sa.String(length=200), nullable=False),
        sa.Column("tutor_contact", sa.String(length=254), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("planned_hours", sa.Integer(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_placements_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name=op.f("fk_placements_trainee_id_trainees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_trainee_id"), ["trainee_id"], unique=False)

    op.create_table(
        "access_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_access_links_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placements.id"],
            name=op.f("fk_access_links_placement_id_placements"),
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name=op.f("fk_access_links_trainee_id_trainees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_links")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_access_links_code_hash")),
    )
    with op.batch_alter_table("access_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_links_trainee_id"), ["trainee_id"], unique=False
        )

    op.create_table(
        "portfolio_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_portfolio_entries_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["access_links.id"], name=op.f("fk_portfolio_entries_link_id_access_links")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placements.id"],
            name=op.f("fk_portfolio_entries_placement_id_placements"),
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name=op.f("fk_portfolio_entries_trainee_id_trainees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_entries")),
    )
    with op.batch_alter_table("portfolio_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portfolio_entries_trainee_id"), ["trainee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("portfolio_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_entries_trainee_id"))

    op.drop_table("portfolio_entries")
    with op.batch_alter_table("access_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_links_trainee_id"))

    op.drop_table("access_links")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_trainee_id"))

    op.drop_table("placements")

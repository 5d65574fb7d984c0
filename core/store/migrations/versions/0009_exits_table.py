"""exits: the table of trainees' exits takes the name the code, the URLs and the docs use
(it was ``outcomes``, a word the code keeps for an attempt's verdict)

A new table with the same columns and ids, the rows copied, the old table dropped: the same
steps on SQLite and PostgreSQL, and every constraint and index named after the new table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    'id, idempotency_key, trainee_id, kind, "on", employer, employer_name, author_id, recorded_at'
)


def _create(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("employer", sa.String(length=120), nullable=True),
        sa.Column("employer_name", sa.String(length=200), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=f"fk_{name}_author_id_users"),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name=f"fk_{name}_trainee_id_trainees"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint("idempotency_key", name=f"uq_{name}_idempotency_key"),
    )
    op.create_index(f"ix_{name}_trainee_id", name, ["trainee_id"], unique=False)


def _move(source: str, target: str) -> None:
    _create(target)
    op.execute(f"INSERT INTO {target} ({COLUMNS}) SELECT {COLUMNS} FROM {source}")
    if op.get_bind().dialect.name == "postgresql":  # the next id follows the copied ones
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{target}', 'id'), "
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {target}"
        )
    op.drop_index(f"ix_{source}_trainee_id", table_name=source)
    op.drop_table(source)


def upgrade() -> None:
    _move("outcomes", "exits")


def downgrade() -> None:
    _move("exits", "outcomes")

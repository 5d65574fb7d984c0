"""attendance: a cohort's half-day sessions and their sheets' entries, chained by hash

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cohort_id", sa.Integer(), sa.ForeignKey("cohorts.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("half", sa.String(length=12), nullable=False),
        sa.Column("starts", sa.Integer(), nullable=False),
        sa.Column("ends", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=120), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("trainer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("cohort_id", "day", "half", name="uq_attendance_half_day"),
    )
    op.create_index("ix_attendance_sessions_cohort_id", "attendance_sessions", ["cohort_id"])
    op.create_table(
        "attendance_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("attendance_sessions.id"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("trainee_id", sa.Integer(), sa.ForeignKey("trainees.id"), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device", sa.String(length=40), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("minute", sa.Integer(), nullable=True),
        sa.Column("present", sa.Boolean(), nullable=True),
        sa.Column("left_minute", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("strokes", sa.JSON(), nullable=True),
        sa.Column("previous", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("session_id", "position", name="uq_attendance_entry_position"),
        sa.UniqueConstraint("key", name=op.f("uq_attendance_entries_key")),
    )
    op.create_index("ix_attendance_entries_session_id", "attendance_entries", ["session_id"])
    op.create_index("ix_attendance_entries_trainee_id", "attendance_entries", ["trainee_id"])


def downgrade() -> None:
    op.drop_table("attendance_entries")
    op.drop_table("attendance_sessions")

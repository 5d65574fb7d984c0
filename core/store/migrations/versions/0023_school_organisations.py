"""schools.organisation_*, schools.signing_certificate: each school's legal body and its own
signing certificate (its key lives in the file store)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

COLUMNS = (
    ("organisation_name", sa.String(200)),
    ("organisation_nda", sa.String(20)),
    ("organisation_siret", sa.String(20)),
    ("organisation_qualiopi", sa.String(100)),
    ("organisation_contact", sa.String(300)),
    ("signing_certificate", sa.Text()),
)


def upgrade() -> None:
    # add_column, never a batch copy: other tables refer to schools.
    for name, kind in COLUMNS:
        op.add_column("schools", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("schools", name)

"""Booklets shared with employers through links the school can withdraw. The store keeps
each code's SHA-256 (a copy of the database opens no booklet); the code itself is given once,
when the link is made."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from core.domain import RecordError, Share
from core.store import tables as t
from core.store.database import Database
from core.store.observations import trainee_rows


class Shares:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self, trainee_id: int, employer: str | None, days: int, author_id: int | None
    ) -> Share:
        """A new link: an opaque random code (22 characters), valid ``days`` days."""
        today = dt.date.today()
        code = secrets.token_urlsafe(16)
        with self._db.write() as session:
            trainee_rows(session, trainee_id)  # an erased trainee is shared with no one
            row = t.ShareLink(
                code=share_id(code),
                trainee_id=trainee_id,
                employer=employer,
                issued_on=today,
                expires_on=today + dt.timedelta(days=days),
                author_id=author_id,
            )
            session.add(row)
            session.flush()
            return dataclasses.replace(_share(row), code=code)

    def get(self, code: str) -> Share | None:
        """The link a code opens."""
        return self.find(share_id(code))

    def find(self, share: str) -> Share | None:
        """A link by its id (the school's pages name it so)."""
        with self._db.read() as session:
            row = session.get(t.ShareLink, share)
        return _share(row) if row is not None else None

    def of(self, trainee_id: int) -> list[Share]:
        """A trainee's links, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(t.ShareLink)
                .where(t.ShareLink.trainee_id == trainee_id)
                .order_by(t.ShareLink.issued_on.desc())
            ).all()
        return [_share(row) for row in rows]

    def revoke(self, share: str) -> None:
        """Withdraw a link, by its id."""
        with self._db.write() as session:
            row = session.get(t.ShareLink, share)
            if row is None:
                raise RecordError("Lien inconnu.")
            if row.revoked_at is None:
                row.revoked_at = dt.datetime.now(dt.UTC)


def share_id(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _share(row: t.ShareLink) -> Share:
    return Share(
        row.code,
        row.trainee_id,
        row.employer,
        row.issued_on,
        row.expires_on,
        row.revoked_at is not None,
    )

"""Booklets handed out, behind the short code their cover prints (``/v/<code>``).

The code is derived from what the booklet shows (HMAC with the deployment's secret), so the
same booklet asked for again gets the same code, and the PDF cache keeps working; a booklet
whose content changed gets a new one. The first hand-out is kept: its date, and whether the
school withdrew it since.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from core.booklet.verification import Handed
from core.domain import RecordError
from core.store import tables as t
from core.store.database import Database


class Verifications:
    def __init__(self, database: Database) -> None:
        self._db = database

    def register(self, handed: Handed) -> Handed:
        """Keep ``handed`` unless its code is known: the one first handed out."""
        with self._db.write() as session:
            row = session.get(t.Verification, handed.code)
            if row is None:
                if session.bind is not None and session.bind.dialect.name == "postgresql":
                    # the next bit of the revocation list, one registration at a time
                    session.execute(text("LOCK TABLE verifications IN SHARE ROW EXCLUSIVE MODE"))
                latest = session.scalar(select(func.max(t.Verification.status_index)))
                row = t.Verification(
                    code=handed.code,
                    trainee_id=handed.trainee,
                    employer=handed.employer,
                    territory=handed.territory,
                    content=handed.content,
                    issued_on=handed.issued,
                    shown=handed.shown,
                    status_index=(latest + 1) if latest is not None else 0,
                )
                session.add(row)
                session.flush()
            return _handed(row)

    def revoked_indexes(self) -> tuple[list[int], int]:
        """The revocation list's bits set (booklets withdrawn), and the highest bit used."""
        with self._db.read() as session:
            revoked = session.scalars(
                select(t.Verification.status_index).where(
                    t.Verification.revoked_at.is_not(None),
                    t.Verification.status_index.is_not(None),
                )
            ).all()
            highest = session.scalar(select(func.max(t.Verification.status_index)))
        return [int(i) for i in revoked if i is not None], int(highest or 0)

    def get(self, code: str) -> Handed | None:
        with self._db.read() as session:
            row = session.get(t.Verification, code)
        return _handed(row) if row is not None else None

    def of(self, trainee_id: int) -> list[Handed]:
        """A trainee's booklets as handed out, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(t.Verification)
                .where(t.Verification.trainee_id == trainee_id)
                .order_by(t.Verification.issued_on.desc(), t.Verification.code)
            ).all()
        return [_handed(row) for row in rows]

    def revoke(self, code: str) -> None:
        with self._db.write() as session:
            row = session.get(t.Verification, code)
            if row is None:
                raise RecordError("Livret inconnu.")
            if row.revoked_at is None:
                row.revoked_at = dt.datetime.now(dt.UTC)


def _handed(row: t.Verification) -> Handed:
    revoked = row.revoked_at
    if revoked is not None and revoked.tzinfo is None:
        revoked = revoked.replace(tzinfo=dt.UTC)
    return Handed(
        code=row.code,
        trainee=row.trainee_id,
        employer=row.employer,
        territory=row.territory,
        content=row.content,
        issued=row.issued_on,
        revoked_at=revoked,
        shown=row.shown,
        status_index=row.status_index,
    )

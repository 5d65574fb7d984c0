"""Failed attempts counted in the store: wrong passwords per account and per address, unknown
tutor, trainee and verification codes per address. Every process of a network reads the same
counts, and a restart forgets none (in memory, two workers allowed twice the attempts).

Keys are stored as an HMAC with the deployment's secret: the table says how many times, not
who or from where."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from core.store import tables as t
from core.store.database import Database


@dataclass(frozen=True)
class Failures:
    """A key's failures within the window: how many, and when the last one was."""

    count: int = 0
    last: dt.datetime | None = None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FailureCounts:
    def __init__(self, database: Database, secret: Callable[[], bytes]) -> None:
        self._db = database
        self._secret = secret  # read when first needed: a network shares its secret first
        self.clock: Callable[[], dt.datetime] = _utc_now  # tests move time forward here

    def _hashed(self, key: str) -> str:
        return hmac.new(self._secret(), f"limit:{key}".encode(), hashlib.sha256).hexdigest()

    def recent(self, keys: Iterable[str], window: dt.timedelta) -> dict[str, Failures]:
        """How many failures each key had within ``window``, and the last one's time."""
        hashed = {self._hashed(key): key for key in keys}
        since = self.clock() - window
        with self._db.read() as session:
            rows = session.execute(
                select(t.FailedAttempt.key, func.count(), func.max(t.FailedAttempt.at))
                .where(t.FailedAttempt.key.in_(hashed), t.FailedAttempt.at >= since)
                .group_by(t.FailedAttempt.key)
            ).all()
        counts = dict.fromkeys(hashed.values(), Failures())
        for key, count, last in rows:
            # SQLite gives back a naive time (stored as UTC); PostgreSQL an aware one.
            at = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
            counts[hashed[key]] = Failures(count, at)
        return counts

    def add(self, keys: Iterable[str], window: dt.timedelta) -> None:
        """One failure for each key; what is older than ``window`` is dropped on the way."""
        now = self.clock()
        hashed = [self._hashed(key) for key in keys]
        with self._db.write() as session:
            session.execute(
                delete(t.FailedAttempt).where(
                    t.FailedAttempt.key.in_(hashed), t.FailedAttempt.at < now - window
                )
            )
            session.add_all(t.FailedAttempt(key=key, at=now) for key in hashed)

    def clear(self, keys: Iterable[str]) -> None:
        hashed = [self._hashed(key) for key in keys]
        with self._db.write() as session:
            session.execute(delete(t.FailedAttempt).where(t.FailedAttempt.key.in_(hashed)))

"""The tap writer's SQL: many live step taps in one short transaction (a group commit), and
a live attempt read back. ``core.store.tap_writer.TapWriter`` is the thread that feeds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import aliased

from core.catalog.catalog import Catalog, Catalogs
from core.domain import ERASED_MESSAGE, ObservationKind, RecordError
from core.judging.attempts import StepResult
from core.store import tables as t
from core.store.database import Database
from core.store.observations import (
    CLOSING_KINDS,
    KEY_REUSED,
    check_day,
    check_definition,
    check_open,
)
from core.store.tap_writer import LiveAttempt, RecordedTap, Tap, as_utc, live_attempts

_STEP = ObservationKind.STEP.value
VALIDATED_MESSAGE = (
    "Tentative déjà validée : cette étape n'y entre plus. Ouvrez une nouvelle tentative."
)


@dataclass(frozen=True)
class Unfinished:
    """An attempt tapped but neither validated nor abandoned."""

    attempt_key: str
    gesture_id: str
    taps: int
    last: dt.datetime
    trainee_id: int
    trainee_name: str = ""


class TapStore:
    def __init__(self, database: Database, catalogs: Catalogs) -> None:
        self._db = database
        self._catalogs = catalogs  # a cohort's pinned definitions
        self._insert = _TAP_INSERTS[database.dialect.name]

    def record_step(
        self,
        trainee_id: int,
        author_id: int,
        gesture_id: str,
        attempt_key: str,
        step: str,
        result: StepResult,
        observed_on: dt.date,
        key: str,
    ) -> RecordedTap:
        """One tap on one step during a live attempt (grouped by ``attempt_key``)."""
        tap = Tap(trainee_id, author_id, gesture_id, attempt_key, step, result, observed_on, key)
        (outcome,) = self.record_steps([tap])
        if isinstance(outcome, RecordError):
            raise outcome
        return outcome

    def record_steps(self, taps: Sequence[Tap]) -> list[RecordedTap | RecordError]:
        """Many taps in one short transaction (``core.store.tap_writer.TapWriter`` groups the
        web's).

        Each tap is checked on its own: a refused one gets its error in the list and the
        others are written. Each result carries its attempt as it stands after the batch,
        read in the same transaction, so the page can be redrawn without another query.
        """
        outcomes: dict[int, RecordedTap | RecordError] = {}
        judged: dict[int, Catalog] = {}
        wanted = {tap.attempt_key: tap.trainee_id for tap in taps}
        with self._db.write_connection() as connection:
            ids = list({tap.trainee_id for tap in taps})
            trainees = {row.id: row for row in connection.execute(_TAP_TRAINEES, {"ids": ids})}
            # An attempt validated already took its steps as they stood: a new tap is not
            # inserted (answered below as refused), a tap stored before it as stored.
            closed = set(connection.scalars(_VALIDATED, {"keys": list(wanted)}))
            rows: dict[str, dict[str, Any]] = {}  # by idempotency key: a repeat in the batch
            checked: set[str] = set()  # is answered like a repeat of a stored tap
            for n, tap in enumerate(taps):
                try:
                    cohort, judged[n] = self._check(tap, trainees.get(tap.trainee_id))
                except RecordError as error:
                    outcomes[n] = error
                    continue
                checked.add(tap.key)
                if tap.attempt_key not in closed:
                    rows.setdefault(tap.key, self._row(tap, cohort, judged[n].version))
            created: dict[str, int] = {}
            if rows:
                returned = connection.execute(self._insert, list(rows.values()))
                created = dict(returned.all())  # key -> id of each row inserted
            stored = {}
            if repeated := [key for key in checked if key not in created]:
                stored = {
                    row.idempotency_key: row
                    for row in connection.execute(_STORED_KEYS, {"keys": repeated})
                }
            attempts = _live_attempts(connection, wanted)
        first: set[str] = set()
        for n, tap in enumerate(taps):
            if n in outcomes:
                continue
            new = tap.key in created and tap.key not in first
            first.add(tap.key)
            if tap.key in created:
                row_id = created[tap.key]
            else:
                row = stored.get(tap.key)
                if row is None:  # not inserted: its attempt was validated
                    outcomes[n] = RecordError(VALIDATED_MESSAGE)
                    continue
                if row.trainee_id != tap.trainee_id or row.kind != _STEP:
                    outcomes[n] = RecordError(KEY_REUSED)
                    continue
                row_id = row.id
            outcomes[n] = RecordedTap(row_id, new, attempts[tap.attempt_key], judged[n])
        return [outcomes[n] for n in range(len(taps))]

    def validation(self, trainee_id: int, attempt_key: str) -> int | None:
        """The recorded attempt that validated this live attempt, if it was validated."""
        with self._db.read() as session:
            found = session.execute(_VALIDATION, {"key": attempt_key}).first()
        return found.id if found is not None and found.trainee_id == trainee_id else None

    def unfinished(self, trainee_id: int) -> list[Unfinished]:
        """The trainee's attempts with taps but neither validated nor abandoned, the latest
        first (at most ``UNFINISHED_SHOWN``, among the trainee's ``RECENT_TAPS`` latest
        taps): what a trainer may resume or give up."""
        with self._db.read() as session:
            rows = session.execute(_UNFINISHED, {"trainee": trainee_id}).all()
        return [_unfinished(row) for row in rows]

    def left_by(self, author_id: int, cohort_id: int) -> list[Unfinished]:
        """The attempts this trainer tapped in this cohort and neither validated nor
        abandoned (among the cohort's ``RECENT_TAPS`` latest taps by them), the latest first:
        the trainer's home lists them to resume or give up."""
        with self._db.read() as session:
            params = {"cohort": cohort_id, "author": author_id}
            return [_unfinished(row) for row in session.execute(_LEFT_BY, params)]

    def live_attempt(self, trainee_id: int, attempt_key: str) -> LiveAttempt:
        """The taps of a live attempt so far."""
        with self._db.read() as session:
            return _live_attempts(session.connection(), {attempt_key: trainee_id})[attempt_key]

    def _check(self, tap: Tap, trainee: Any) -> tuple[int, Catalog]:
        """The tap's cohort id and the definitions it is judged by, once the tap is known
        to be possible."""
        if trainee is None:
            raise RecordError(f"Stagiaire n° {tap.trainee_id} introuvable.")
        if trainee.erased_at is not None:
            raise RecordError(ERASED_MESSAGE)
        check_open(trainee)
        catalog = self._catalogs(trainee.sector, trainee.curriculum_version)
        check_definition(catalog, trainee, tap.gesture_id, "gesture")
        if tap.step not in {s.key for s in catalog.gesture(tap.gesture_id).steps}:
            raise RecordError(f"Étape « {tap.step} » inconnue pour ce geste.")
        check_day(tap.observed_on, trainee, trainee)  # the row has the cohort's dates too
        cohort: int = trainee.cohort
        return cohort, catalog

    def _row(self, tap: Tap, cohort: int, catalog_version: str) -> dict[str, Any]:
        return {
            "idempotency_key": tap.key,
            "trainee_id": tap.trainee_id,
            "cohort_id": cohort,
            "author_id": tap.author_id,
            "kind": _STEP,
            "definition": tap.gesture_id,
            "catalog_version": catalog_version,
            "observed_on": tap.observed_on,
            "attempt_key": tap.attempt_key,
            "step": tap.step,
            "result": StepResult(tap.result).value,
            # the moment it was made, or, sent without one, the moment it arrived
            "made_at": tap.made_at or dt.datetime.now(dt.UTC),
            "device": tap.device,
            "device_seq": tap.seq,
        }


def _live_attempts(connection: Connection, wanted: dict[str, int]) -> dict[str, LiveAttempt]:
    # Only attempt_key in SQL: it is random and unique per attempt, whereas with trainee_id in
    # the WHERE SQLite chose the (trainee_id, kind) index and scanned every step the trainee
    # ever had (bench/web.py). Trainee and kind are checked in Python.
    rows = connection.execute(_LIVE_TAPS, {"keys": list(wanted)})
    return live_attempts(rows, wanted, _STEP)


# The statements of the tap path, built once: building a statement cost more than running it
# (core.store.tap_writer, bench/web.py).
_TAP_TRAINEES = (
    select(t.Trainee.id, t.Trainee.erased_at, t.Trainee.joined_on, t.Cohort.id.label("cohort"))
    .add_columns(
        t.Cohort.sector,
        t.Cohort.curriculum,
        t.Cohort.curriculum_version,
        t.Cohort.starts_on,
        t.Cohort.ends_on,
        t.Cohort.closed_at,
    )
    .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
    .where(t.Trainee.id.in_(bindparam("ids", expanding=True)))
)
_STORED_KEYS = select(
    t.Observation.idempotency_key, t.Observation.id, t.Observation.trainee_id, t.Observation.kind
).where(t.Observation.idempotency_key.in_(bindparam("keys", expanding=True)))
_VALIDATED = select(t.Observation.attempt_key).where(  # validated, or abandoned
    t.Observation.attempt_key.in_(bindparam("keys", expanding=True)),
    t.Observation.kind.in_(CLOSING_KINDS),
)
_VALIDATION = select(t.Observation.id, t.Observation.trainee_id).where(
    t.Observation.attempt_key == bindparam("key"),
    t.Observation.kind == ObservationKind.ATTEMPT.value,
)
_CLOSING = aliased(t.Observation)
_CLOSED = (  # the same attempt validated or abandoned: one look-up by its indexed key
    select(_CLOSING.id)
    .where(_CLOSING.attempt_key == t.Observation.attempt_key, _CLOSING.kind.in_(CLOSING_KINDS))
    .exists()
)
# The attempts among a trainee's latest taps only: the look-up stays bounded however many taps
# a trainee has (an attempt left open further back than that is, in practice, given up).
RECENT_TAPS = 500
UNFINISHED_SHOWN = 10
_RECENT_ATTEMPTS = (
    select(t.Observation.attempt_key)
    .where(t.Observation.trainee_id == bindparam("trainee"), t.Observation.kind == _STEP)
    .order_by(t.Observation.id.desc())
    .limit(RECENT_TAPS)
    .scalar_subquery()
)
_UNFINISHED_COLUMNS = (
    t.Observation.attempt_key,
    t.Observation.definition,
    t.Observation.trainee_id,
    func.count().label("taps"),
    func.max(t.Observation.recorded_at).label("last"),
)
_UNFINISHED = (
    select(*_UNFINISHED_COLUMNS)
    .where(
        t.Observation.trainee_id == bindparam("trainee"),
        t.Observation.kind == _STEP,
        t.Observation.attempt_key.in_(_RECENT_ATTEMPTS),
        ~_CLOSED,
    )
    .group_by(t.Observation.attempt_key, t.Observation.definition, t.Observation.trainee_id)
    .order_by(func.max(t.Observation.recorded_at).desc())
    .limit(UNFINISHED_SHOWN)
)
# A trainer's own, cohort by cohort: each walks its cohort's (cohort_id, id) index backwards.
_RECENT_COHORT_ATTEMPTS = (
    select(t.Observation.attempt_key)
    .where(
        t.Observation.cohort_id == bindparam("cohort"),
        t.Observation.kind == _STEP,
        t.Observation.author_id == bindparam("author"),
    )
    .order_by(t.Observation.id.desc())
    .limit(RECENT_TAPS)
    .scalar_subquery()
)
_LEFT_BY = (
    select(*_UNFINISHED_COLUMNS, t.Trainee.first_name, t.Trainee.last_name)
    .join(t.Trainee, t.Trainee.id == t.Observation.trainee_id)
    .where(
        t.Observation.attempt_key.in_(_RECENT_COHORT_ATTEMPTS),
        t.Observation.kind == _STEP,
        t.Trainee.erased_at.is_(None),
        ~_CLOSED,
    )
    .group_by(
        t.Observation.attempt_key,
        t.Observation.definition,
        t.Observation.trainee_id,
        t.Trainee.first_name,
        t.Trainee.last_name,
    )
    .order_by(func.max(t.Observation.recorded_at).desc())
    .limit(UNFINISHED_SHOWN)
)


def _unfinished(row: Any) -> Unfinished:
    name = f"{row.first_name} {row.last_name}" if hasattr(row, "first_name") else ""
    return Unfinished(
        row.attempt_key, row.definition, row.taps, as_utc(row.last), row.trainee_id, name
    )


_LIVE_TAPS = (
    select(
        t.Observation.attempt_key,
        t.Observation.step,
        t.Observation.result,
        t.Observation.trainee_id,
        t.Observation.kind,
        t.Observation.made_at,
        t.Observation.device,
        t.Observation.device_seq,
        t.Observation.id,
        t.Observation.recorded_at,
    )
    .where(t.Observation.attempt_key.in_(bindparam("keys", expanding=True)))
    .order_by(t.Observation.id)
)
# Insert, skipping a row whose idempotency key is already stored; returns what it inserted.
_TAP_INSERTS = {
    name: dialect.insert(t.Observation)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(t.Observation.idempotency_key, t.Observation.id)
    for name, dialect in (("sqlite", sqlite_dialect), ("postgresql", postgresql_dialect))
}

"""Reading a sheet's rows: half-days and entries as the attendance views hold them, the
trainees who have a line, the school's step — shared by the sheets, the hours and the
documents (``core.store.attendance``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as Orm

from core.attendance.hours import Event, Kind
from core.attendance.sheets import STEP, Entry
from core.attendance.views import Session
from core.store import tables as t


def session_of(row: t.AttendanceSession) -> Session:
    return Session(
        row.id, row.cohort_id, row.day, row.half, row.starts, row.ends, row.module, row.phase,
        row.trainer_id, bool(row.cancelled), row.note,
    )  # fmt: skip


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives a moment back without its zone (stored in UTC); PostgreSQL with it."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC)


def entry_of(row: t.AttendanceEntry) -> Entry:
    return Entry(
        row.session_id, row.position, row.key, row.trainee_id, Kind(row.kind),
        utc(row.made_at), utc(row.received_at), row.device, row.author_id, row.minute,
        row.present, row.left_minute, row.category, row.reason, row.strokes, row.previous,
        row.hash, row.proof, row.proof_type,
    )  # fmt: skip


def entries_of(session: Orm, session_ids: list[int], trainee_id: int | None = None) -> list[Entry]:
    if not session_ids:
        return []
    query = select(t.AttendanceEntry).where(t.AttendanceEntry.session_id.in_(session_ids))
    if trainee_id is not None:
        query = query.where(t.AttendanceEntry.trainee_id == trainee_id)
    rows = session.scalars(
        query.order_by(t.AttendanceEntry.session_id, t.AttendanceEntry.position)
    ).all()
    return [entry_of(row) for row in rows]


def marks_of(
    session: Orm, session_ids: list[int], trainee_id: int | None
) -> list[tuple[int, int, Event]]:
    """The trainees' entries as events, read without their strokes (the hours never need
    them, and a cohort's months hold thousands)."""
    if not session_ids:
        return []
    e = t.AttendanceEntry
    query = select(
        e.session_id, e.trainee_id, e.kind, e.made_at, e.position, e.minute, e.present,
        e.left_minute, e.category,
    ).where(
        e.session_id.in_(session_ids), e.trainee_id.is_not(None), e.kind != Kind.COUNTERSIGNED.value
    )  # fmt: skip
    if trainee_id is not None:
        query = query.where(e.trainee_id == trainee_id)
    # Kind(value) was most of the time; moments compared as stored (one database, one form).
    kinds = {kind.value: kind for kind in Kind}
    return [
        (row.session_id, row.trainee_id, Event(
            kinds[row.kind], row.made_at, row.position, row.minute, row.present,
            row.left_minute, row.category,
        ))
        for row in session.execute(query)
    ]  # fmt: skip


def step_of(session: Orm, cohort_id: int) -> int:
    """The minutes the cohort's school counts lateness to (a quarter-hour unless set)."""
    step = session.scalar(
        select(t.School.attendance_step)
        .join(t.Cohort, t.Cohort.school_id == t.School.id)
        .where(t.Cohort.id == cohort_id)
    )
    return int(step or STEP)


def people_of(session: Orm, cohort_id: int, entries: list[Entry]) -> list[Any]:
    """The cohort's trainees, and anyone with an entry on these sheets (moved since)."""
    signed = {e.trainee_id for e in entries if e.trainee_id is not None}
    return list(
        session.execute(
            select(
                t.Trainee.id, t.Trainee.first_name, t.Trainee.last_name, t.Trainee.joined_on
            ).where((t.Trainee.cohort_id == cohort_id) | t.Trainee.id.in_(signed))
        )
    )


def names_on(people: list[Any], day: dt.date, entries: list[Entry]) -> dict[int, str]:
    """Who has a line on a sheet of ``day``: the trainees who had joined by then, and anyone
    with an entry on it; « NOM Prénom », in alphabetical order."""
    signed = {e.trainee_id for e in entries if e.trainee_id is not None}
    names = {
        trainee: f"{last.upper()} {first}"
        for trainee, first, last, joined in people
        if trainee in signed or joined is None or joined <= day
    }
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))

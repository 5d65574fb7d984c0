"""Attendance in the store: a cohort's half-day sessions, and their sheets — append-only
entries chained by hash (``core.attendance``), read back into marks and hours.

A sheet signs only on its own day: an entry made on the floor (a signature, an absence, a
departure, the countersignature) is refused ahead of its day and after it; another day is a
coordinator's correction, with its reason kept. The moment an entry was *made* is the
device's (it may arrive hours later from an outbox), checked against the moment it arrived."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as Orm

from core.attendance.chain import GENESIS, chain_hash
from core.attendance.sessions import plan_sessions
from core.attendance.sheets import Entry, build_sheet, hours_of
from core.attendance.views import HoursDone, Session, Sheet
from core.domain import RecordError
from core.french import SCHOOL_TIME
from core.store import tables as t
from core.store.attendance_checks import KEY_REUSED, NewEntry, check_entry
from core.store.attendance_rows import (
    entries_of,
    entry_of,
    marks_of,
    names_on,
    people_of,
    session_of,
    step_of,
)
from core.store.database import Database
from core.store.proofs import Proofs


class Attendance:
    def __init__(self, database: Database, catalogs: Any, proofs: Proofs | None = None) -> None:
        self._db = database
        self.proofs = proofs  # justifications' files (core.store.proofs)
        self._catalogs = catalogs  # each cohort's pinned curriculum (core.store.curricula)

    # ------------------------------------------------------------ sessions

    def plan(self, cohort_id: int) -> int:
        """The cohort's half-days from its dates and curriculum; those it already has are
        kept as they are (edited, signed). How many were added."""
        with self._db.write() as session:
            cohort = session.get(t.Cohort, cohort_id)
            if cohort is None:
                raise RecordError(f"Promotion n° {cohort_id} introuvable.")
            catalog = self._catalogs(cohort.sector, cohort.curriculum_version)
            curriculum = catalog.sectors[cohort.sector].curriculum
            have = {
                (day, half)
                for day, half in session.execute(
                    select(t.AttendanceSession.day, t.AttendanceSession.half).where(
                        t.AttendanceSession.cohort_id == cohort_id
                    )
                )
            }
            planned = plan_sessions(curriculum, cohort.starts_on, cohort.ends_on)
            trainer = session.scalar(
                select(func.min(t.CohortTrainer.user_id)).where(
                    t.CohortTrainer.cohort_id == cohort_id
                )
            )
            added = [
                t.AttendanceSession(
                    cohort_id=cohort_id,
                    day=p.day,
                    half=p.half,
                    starts=p.starts,
                    ends=p.ends,
                    module=p.module,
                    phase=p.phase.value,
                    trainer_id=trainer,
                    cancelled=False,
                    length=0,
                    head=GENESIS,
                )
                for p in planned
                if (p.day, p.half) not in have
            ]
            session.add_all(added)
            return len(added)

    def add(
        self,
        cohort_id: int,
        day: dt.date,
        half: str,
        times: tuple[int, int],
        module: str,
        trainer_id: int | None = None,
    ) -> Session:
        """One more half-day (a Saturday outing, a day caught up), beside those planned."""
        if half not in ("matin", "apres_midi") or not 0 <= times[0] < times[1] <= 24 * 60:
            raise RecordError("Demi-journée : matin ou après-midi, la fin après le début.")
        with self._db.write() as session:
            cohort = session.get(t.Cohort, cohort_id)
            if cohort is None:
                raise RecordError(f"Promotion n° {cohort_id} introuvable.")
            if not cohort.starts_on <= day <= cohort.ends_on:
                raise RecordError("Ce jour est en dehors des dates de la promotion.", "day")
            taken = session.scalar(
                select(t.AttendanceSession.id).where(
                    t.AttendanceSession.cohort_id == cohort_id,
                    t.AttendanceSession.day == day,
                    t.AttendanceSession.half == half,
                )
            )
            if taken is not None:
                raise RecordError("Cette demi-journée existe déjà : modifiez-la.", "day")
            row = t.AttendanceSession(
                cohort_id=cohort_id, day=day, half=half, starts=times[0], ends=times[1],
                module=module, phase=_phase(self._catalogs, cohort, module),
                trainer_id=trainer_id, cancelled=False, length=0, head=GENESIS,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return session_of(row)

    def sessions(self, cohort_id: int, month: tuple[int, int] | None = None) -> list[Session]:
        """The cohort's sessions in order, those of one month (year, month) if given."""
        query = select(t.AttendanceSession).where(t.AttendanceSession.cohort_id == cohort_id)
        if month is not None:
            first = dt.date(month[0], month[1], 1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            query = query.where(
                t.AttendanceSession.day >= first, t.AttendanceSession.day < following
            )
        with self._db.read() as session:
            rows = session.scalars(
                query.order_by(t.AttendanceSession.day, t.AttendanceSession.starts)
            ).all()
        return [session_of(row) for row in rows]

    def on_day(self, cohort_ids: list[int], day: dt.date) -> list[Session]:
        """The half-days of these cohorts on ``day`` (a trainer's sheets of the day)."""
        with self._db.read() as session:
            rows = session.scalars(
                select(t.AttendanceSession)
                .where(
                    t.AttendanceSession.cohort_id.in_(cohort_ids),
                    t.AttendanceSession.day == day,
                    t.AttendanceSession.cancelled.is_(False),
                )
                .order_by(t.AttendanceSession.starts, t.AttendanceSession.cohort_id)
            ).all()
        return [session_of(row) for row in rows]

    def session(self, session_id: int) -> Session | None:
        with self._db.read() as session:
            row = session.get(t.AttendanceSession, session_id)
        return session_of(row) if row is not None else None

    def edit(self, session_id: int, author_id: int | None, **changes: Any) -> Session:
        """Change a session's times, module, trainer, cancellation or note — before anyone
        signed it, or its times no longer match what was signed; each change traced."""
        allowed = {"starts", "ends", "module", "trainer_id", "cancelled", "note"}
        with self._db.write() as session:
            row = session.get(t.AttendanceSession, session_id)
            if row is None:
                raise RecordError(f"Demi-journée n° {session_id} introuvable.")
            signed = session.scalar(
                select(func.count())
                .select_from(t.AttendanceEntry)
                .where(t.AttendanceEntry.session_id == session_id)
            )
            cohort = session.get(t.Cohort, row.cohort_id)
            for name, value in changes.items():
                if name not in allowed or getattr(row, name) == value:
                    continue
                if signed and name in {"starts", "ends", "cancelled"}:
                    raise RecordError(
                        "Cette demi-journée a déjà des signatures : ses horaires ne changent "
                        "plus (corrigez la présence de chacun).",
                        name,
                    )
                session.add(
                    t.Change(
                        author_id=author_id,
                        entity="session",
                        entity_id=session_id,
                        school_id=cohort.school_id if cohort else None,
                        field=name,
                        before=None if getattr(row, name) is None else str(getattr(row, name)),
                        after=None if value is None else str(value),
                    )
                )
                setattr(row, name, value)
            if not 0 <= row.starts < row.ends <= 24 * 60:
                raise RecordError("L'heure de fin doit suivre l'heure de début.", "ends")
            return session_of(row)

    # ------------------------------------------------------------ sheets

    def record(self, session_id: int, new: NewEntry, now: dt.datetime | None = None) -> int:
        """Append one entry to a sheet (once per key); its id."""
        return self.record_many(session_id, [new], now)[0]

    def record_many(
        self, session_id: int, entries: list[NewEntry], now: dt.datetime | None = None
    ) -> list[int]:
        """Append entries to a sheet in their order, in one transaction (all or none); each
        once per key. Their ids."""
        # Kept in UTC: SQLite stores a moment without its zone.
        now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
        with self._db.write() as session:
            row = session.get(t.AttendanceSession, session_id, with_for_update=True)
            if row is None:
                raise RecordError(f"Demi-journée n° {session_id} introuvable.")
            position, previous = row.length, row.head
            stored = _stored(session, session_id, entries)
            wanted = {new.trainee_id for new in entries if new.trainee_id is not None}
            trainees = {
                tr.id: tr
                for tr in session.scalars(select(t.Trainee).where(t.Trainee.id.in_(wanted)))
            }
            rows: list[t.AttendanceEntry | int] = []
            for new in entries:
                if new.key in stored:  # a resend: answered with the stored entry
                    rows.append(stored[new.key])
                    continue
                made = (new.made_at or now).astimezone(dt.UTC).replace(microsecond=0)
                check_entry(row, new, made, now, trainees.get(new.trainee_id or 0))
                entry = _entry(session_id, position, previous, new, made, now)
                session.add(entry)
                rows.append(entry)
                stored[new.key] = entry  # the same key twice in one batch: stored once
                position, previous = position + 1, entry.hash
            row.length, row.head = position, previous
            try:
                session.flush()
            except IntegrityError as error:  # another process appended at the same place
                raise RecordError("La feuille vient de changer : renvoyez la saisie.") from error
            ids = [r if isinstance(r, int) else r.id for r in rows]
            return ids

    def sheet(self, session_id: int, today: dt.date | None = None) -> Sheet | None:
        """A sheet as stored, its chain checked, its lines and flags derived."""
        with self._db.read() as session:
            row = session.get(t.AttendanceSession, session_id)
            if row is None:
                return None
            entries = entries_of(session, [session_id])
            names = names_on(people_of(session, row.cohort_id, entries), row.day, entries)
            step = step_of(session, row.cohort_id)
        ends = (row.length, row.head)  # what the sheet's own row says its chain ends with
        return build_sheet(session_of(row), entries, names, today or _today(), ends, step)

    def sheets(
        self, cohort_id: int, first: dt.date, last: dt.date, today: dt.date | None = None
    ) -> list[Sheet]:
        """A cohort's sheets from ``first`` to ``last``, in order, read at once (a month's
        document, the dashboard's checks): the same as ``sheet`` for each."""
        a = t.AttendanceSession
        with self._db.read() as session:
            rows = session.scalars(
                select(a)
                .where(a.cohort_id == cohort_id, a.day >= first, a.day <= last)
                .order_by(a.day, a.starts)
            ).all()
            entries = entries_of(session, [row.id for row in rows])
            people = people_of(session, cohort_id, entries)
            step = step_of(session, cohort_id)
        own: dict[int, list[Entry]] = defaultdict(list)
        for entry in entries:
            own[entry.session_id].append(entry)
        return [
            build_sheet(
                session_of(row), own[row.id], names_on(people, row.day, own[row.id]),
                today or _today(), (row.length, row.head), step,
            )
            for row in rows
        ]  # fmt: skip

    def hours(
        self, cohort_id: int, today: dt.date | None = None, trainee_id: int | None = None
    ) -> dict[int, HoursDone]:
        """Each trainee's minutes attended and held per phase, from every sheet of the
        cohort — the one derivation every page, export and document reads."""
        a = t.AttendanceSession
        with self._db.read() as session:
            sessions = [
                Session(*row)  # columns in Session's order: no ORM object per half-day
                for row in session.execute(
                    select(
                        a.id, a.cohort_id, a.day, a.half, a.starts, a.ends, a.module, a.phase,
                        a.trainer_id, a.cancelled, a.note,
                    ).where(a.cohort_id == cohort_id)
                )
            ]  # fmt: skip
            marks = marks_of(session, [s.id for s in sessions], trainee_id)
            step = step_of(session, cohort_id)
            members = session.execute(
                select(t.Trainee.id, t.Trainee.joined_on).where(t.Trainee.cohort_id == cohort_id)
            ).all()
        joined = {trainee: day for trainee, day in members if trainee_id in (None, trainee)}
        return hours_of(sessions, marks, joined, today or _today(), step)

    def kept_until(self, cohort_id: int, years: int) -> dt.date | None:
        """The last day a cohort's sheets must be kept: ``years`` after the end of the year
        the cohort ended (funding evidence)."""
        with self._db.read() as session:
            cohort = session.get(t.Cohort, cohort_id)
        return dt.date(cohort.ends_on.year + years, 12, 31) if cohort else None

    def purge(self, today: dt.date, years: int) -> int:
        """Delete the sheets (entries and half-days) of cohorts whose keeping time is over;
        how many half-days went. Whole sheets: a chain is never left half-cut."""
        last_year = today.year - years - 1  # ended in or before it: kept until 31/12 passed
        with self._db.write() as session:
            ended = dt.date(last_year, 12, 31)
            cohorts = select(t.Cohort.id).where(t.Cohort.ends_on <= ended)
            sessions = select(t.AttendanceSession.id).where(
                t.AttendanceSession.cohort_id.in_(cohorts)
            )
            gone = session.scalar(select(func.count()).select_from(sessions.subquery())) or 0
            proofs = set(
                session.scalars(
                    select(t.AttendanceEntry.proof).where(
                        t.AttendanceEntry.session_id.in_(sessions),
                        t.AttendanceEntry.proof.is_not(None),
                    )
                )
            )
            session.execute(
                delete(t.AttendanceEntry).where(t.AttendanceEntry.session_id.in_(sessions))
            )
            session.execute(
                delete(t.AttendanceSession).where(t.AttendanceSession.cohort_id.in_(cohorts))
            )
            kept = set(  # the same file may prove an absence of a sheet still kept
                session.scalars(
                    select(t.AttendanceEntry.proof).where(t.AttendanceEntry.proof.in_(proofs))
                )
            )
        if self.proofs is not None:  # after the commit: a rolled-back purge keeps its files
            self.proofs.delete({p for p in proofs - kept if p})
        return int(gone)

    def proof_of(self, session_id: int, digest: str) -> str | None:
        """The media type of a proof on this sheet (None: not one of its files)."""
        with self._db.read() as session:
            return session.scalar(
                select(t.AttendanceEntry.proof_type).where(
                    t.AttendanceEntry.session_id == session_id, t.AttendanceEntry.proof == digest
                )
            )

    def roster(self, cohort_id: int) -> dict[int, str]:
        """The cohort's trainees, « NOM Prénom », in alphabetical order."""
        with self._db.read() as session:
            return names_on(people_of(session, cohort_id, []), dt.date.max, [])

    def trainee_hours(self, trainee_id: int, today: dt.date | None = None) -> HoursDone | None:
        """One trainee's hours, from their cohort's sheets (their page, their own page)."""
        with self._db.read() as session:
            trainee = session.get(t.Trainee, trainee_id)
            if trainee is None:
                return None
            cohort_id = trainee.cohort_id
        return self.hours(cohort_id, today, trainee_id).get(trainee_id)


def _phase(catalogs: Any, cohort: t.Cohort, module: str) -> str:
    catalog = catalogs(cohort.sector, cohort.curriculum_version)
    for each in catalog.sectors[cohort.sector].curriculum.modules:
        if each.id == module:
            return str(each.phase.value)
    raise RecordError("Module inconnu pour ce parcours.", "module")


def _stored(session: Orm, session_id: int, entries: list[NewEntry]) -> dict[str, Any]:
    """The entries already stored under these keys (a resend), by key; a key is its
    subject's: one used for another trainee, kind or sheet is refused."""
    wanted = {new.key: new for new in entries}
    found = session.scalars(select(t.AttendanceEntry).where(t.AttendanceEntry.key.in_(wanted)))
    stored: dict[str, Any] = {}
    for old in found:
        new = wanted[old.key]
        if (old.session_id, old.trainee_id, old.kind) != (
            session_id,
            new.trainee_id,
            new.kind.value,
        ):
            raise RecordError(KEY_REUSED)
        stored[old.key] = old.id
    return stored


def _entry(
    session_id: int,
    position: int,
    previous: str,
    new: NewEntry,
    made: dt.datetime,
    now: dt.datetime,
) -> t.AttendanceEntry:
    """The row for ``new`` at ``position``, its hash chained to ``previous``."""
    entry = t.AttendanceEntry(
        session_id=session_id,
        position=position,
        key=new.key,
        trainee_id=new.trainee_id,
        kind=new.kind.value,
        made_at=made,
        received_at=now,
        device=new.device,
        author_id=new.author_id,
        minute=new.minute,
        present=new.present,
        left_minute=new.left,
        category=new.category,
        reason=new.reason,
        strokes=new.strokes,
        proof=new.proof[0] if new.proof else None,
        proof_type=new.proof[1] if new.proof else None,
        previous=previous,
    )
    entry.hash = chain_hash(previous, entry_of(entry).fields())
    return entry


def _today() -> dt.date:
    return dt.datetime.now(SCHOOL_TIME).date()

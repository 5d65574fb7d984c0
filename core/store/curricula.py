"""Curriculum versions: each version a cohort is pinned to is kept (its sector's definitions),
compared with the installed one, and a cohort moves to the installed version only when none
of its entries points at something the new version removed — those entries are listed by
trainee, day and kind, each to be cancelled. A move is recorded (who, when, from, to) and
can be undone while nothing new was recorded in the cohort."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.catalog.catalog import Catalog
from core.catalog.change import Change, compare
from core.catalog.definitions import Sector
from core.domain import ObservationKind, RecordError
from core.store import tables as t
from core.store.database import Database
from core.store.facts import aware, current
from core.store.observations import check_open

KIND_WORDS = {
    ObservationKind.ATTEMPT.value: "tentative validée",
    ObservationKind.STEP.value: "tentative non validée",
    ObservationKind.EVALUATION.value: "épreuve",
    ObservationKind.LEVEL.value: "décision de niveau",
    ObservationKind.COMMENT.value: "commentaire",
}


@dataclass(frozen=True)
class BlockingEntry:
    """An entry of the cohort about a definition the installed version removed: whose, which
    day, what. Cancelled by its observation (an attempt takes its taps with it), or, for taps
    of an attempt never validated, by abandoning that attempt."""

    trainee_id: int
    trainee: str
    day: dt.date
    kind: str  # an ObservationKind value
    about: Change  # the removed definition
    observation_id: int | None  # None: taps of an attempt never validated
    attempt_key: str | None
    taps: int

    @property
    def ref(self) -> str:
        """How a form or a client names it: its observation, or the attempt never validated."""
        if self.observation_id is not None:
            return f"o{self.observation_id}"
        return f"a{self.trainee_id}-{self.attempt_key}"

    @property
    def label(self) -> str:
        taps = f" ({self.taps} étape{'s' if self.taps > 1 else ''})" if self.taps else ""
        return (
            f"{self.trainee}, le {self.day:%d/%m/%Y} : {KIND_WORDS[self.kind]} "
            f"« {self.about.name} »{taps}"
        )


@dataclass(frozen=True)
class Move:
    """The cohort's latest move between versions."""

    id: int
    from_version: str
    to_version: str
    by: str
    at: dt.datetime
    undone: bool
    undoable: bool  # nothing recorded in the cohort since, and not undone


@dataclass(frozen=True)
class CurriculumStatus:
    """Where a cohort stands against the installed curriculum of its sector."""

    pinned: str
    installed: str
    changes: tuple[Change, ...]
    blockers: tuple[Change, ...]  # removed definitions the cohort's entries point at
    known: bool  # whether the pinned version's definitions were kept (cohorts made since 0005)
    blocking: tuple[BlockingEntry, ...] = ()  # those entries, by trainee and day
    last_move: Move | None = None

    @property
    def behind(self) -> bool:
        return self.pinned != self.installed


class Curricula:
    def __init__(self, database: Database, catalog: Catalog) -> None:
        self._db = database
        self._catalog = catalog
        self._pinned: dict[tuple[str, str], Catalog] = {}  # a kept version never changes

    def catalog(self, sector: str, version: str) -> Catalog:
        """The definitions a cohort of ``sector`` pinned to ``version`` is judged by: the
        installed catalog when it is that version; otherwise the installed catalog with that
        version's kept definitions in place of the sector's, read once. A version never kept
        (cohorts made before migration 0005) falls back on the installed one, and ``status``
        says it is not known."""
        installed = self._catalog.sectors.get(sector)
        if installed is not None and installed.curriculum.version == version:
            return self._catalog
        found = self._pinned.get((sector, version))
        if found is None:
            with self._db.read() as session:
                kept = _kept(session, sector, version)
            where = f"parcours {sector} {version} (conservé par Gestes)"
            found = self._catalog.with_sector(kept, where) if kept else self._catalog
            self._pinned[(sector, version)] = found
        return found

    def keep(self, session: Session, sector: str) -> None:
        """Keep the installed version's definitions (once), in the caller's transaction."""
        installed = self._catalog.sectors[sector]
        exists = session.scalar(
            select(t.Curriculum.id).where(
                t.Curriculum.sector == sector,
                t.Curriculum.version == installed.curriculum.version,
            )
        )
        if exists is None:
            try:
                with session.begin_nested():
                    session.add(
                        t.Curriculum(
                            sector=sector,
                            version=installed.curriculum.version,
                            definition=installed.model_dump(mode="json"),
                        )
                    )
            except IntegrityError:  # kept meanwhile by another process: the same content
                pass

    def status(self, cohort_id: int) -> CurriculumStatus:
        with self._db.read() as session:
            return self._status(session, cohort_id)

    def upgrade(self, cohort_id: int, by: int) -> CurriculumStatus:
        """Move a cohort to its sector's installed curriculum, recorded as done by ``by``, or
        say which entries block it (whose, which day, what)."""
        with self._db.write() as session:
            status = self._status(session, cohort_id)
            if not status.behind:
                raise RecordError("La promotion suit déjà la version installée du parcours.")
            if status.blocking:
                named = "; ".join(entry.label for entry in status.blocking[:10])
                more = len(status.blocking) - 10
                rest = f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else ""
                raise RecordError(
                    "Des saisies de la promotion portent sur ce que la nouvelle version retire ; "
                    f"annulez-les d'abord : {named}{rest}.",
                    "curriculum",
                )
            cohort = session.get(t.Cohort, cohort_id)
            assert cohort is not None
            check_open(cohort)
            self.keep(session, cohort.sector)
            session.add(
                t.CurriculumMove(
                    cohort_id=cohort_id,
                    from_version=status.pinned,
                    to_version=status.installed,
                    moved_by=by,
                    latest_entry=_latest_entry(session, cohort_id),
                )
            )
            cohort.curriculum_version = status.installed
        return self.status(cohort_id)

    def undo(self, cohort_id: int, by: int) -> CurriculumStatus:
        """Take the cohort back to the version it left, while nothing was recorded since."""
        with self._db.write() as session:
            move = _last_move(session, cohort_id)
            if move is None or move.undone_at is not None:
                raise RecordError("Aucun changement de version à défaire.", "curriculum")
            if _latest_entry(session, cohort_id) != move.latest_entry:
                raise RecordError(
                    "Des saisies ont été faites depuis le changement de version : il ne peut "
                    "plus être défait.",
                    "curriculum",
                )
            cohort = session.get(t.Cohort, cohort_id)
            assert cohort is not None
            check_open(cohort)
            cohort.curriculum_version = move.from_version
            move.undone_by, move.undone_at = by, dt.datetime.now(dt.UTC)
        return self.status(cohort_id)

    def _status(self, session: Session, cohort_id: int) -> CurriculumStatus:
        cohort = session.get(t.Cohort, cohort_id)
        if cohort is None:
            raise RecordError(f"Promotion n° {cohort_id} introuvable.")
        installed = self._catalog.sectors[cohort.sector]
        kept = _kept(session, cohort.sector, cohort.curriculum_version)
        changes = () if kept is None else tuple(compare(kept, installed))
        removed = {c.id: c for c in changes if c.what == "removed"}
        blocking = _blocking(session, cohort_id, removed) if removed else ()
        used = {entry.about.id for entry in blocking}
        return CurriculumStatus(
            pinned=cohort.curriculum_version,
            installed=installed.curriculum.version,
            changes=changes,
            blockers=tuple(removed[i] for i in sorted(used)),
            known=kept is not None,
            blocking=blocking,
            last_move=_move_of(session, cohort_id),
        )


def _blocking(
    session: Session, cohort_id: int, removed: dict[str, Change]
) -> tuple[BlockingEntry, ...]:
    """The cohort's current entries about removed definitions; an attempt's taps counted in
    it, the taps of an attempt never validated as one entry."""
    rows = session.execute(
        current(t.Observation.cohort_id == cohort_id, t.Observation.definition.in_(removed))
        .with_only_columns(
            t.Observation.id,
            t.Observation.trainee_id,
            t.Observation.kind,
            t.Observation.observed_on,
            t.Observation.attempt_key,
            t.Observation.definition,
            t.Trainee.first_name,
            t.Trainee.last_name,
        )
        .join(t.Trainee, t.Trainee.id == t.Observation.trainee_id)
        .order_by(t.Trainee.last_name, t.Trainee.first_name, t.Observation.observed_on)
    ).all()
    step = ObservationKind.STEP.value
    closed = {row.attempt_key for row in rows if row.kind != step and row.attempt_key}
    taps: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        if row.kind == step:
            taps.setdefault((row.trainee_id, row.attempt_key), []).append(row)
    entries = [
        _entry(
            row,
            removed,
            row.id,
            row.attempt_key,
            len(taps.get((row.trainee_id, row.attempt_key), ())),
        )
        for row in rows
        if row.kind != step
    ]
    for (_, key), tapped in taps.items():
        if key not in closed:  # an attempt never validated: its taps, abandoned together
            entries.append(_entry(tapped[0], removed, None, key, len(tapped)))
    return tuple(sorted(entries, key=lambda e: (e.trainee, e.day, e.kind)))


def _entry(
    row: Any, removed: dict[str, Change], observation: int | None, key: str | None, taps: int
) -> BlockingEntry:
    return BlockingEntry(
        trainee_id=row.trainee_id,
        trainee=f"{row.first_name} {row.last_name}",
        day=row.observed_on,
        kind=row.kind,
        about=removed[row.definition],
        observation_id=observation,
        attempt_key=key,
        taps=taps,
    )


def _latest_entry(session: Session, cohort_id: int) -> int:
    latest = session.scalar(
        select(func.max(t.Observation.id)).where(t.Observation.cohort_id == cohort_id)
    )
    return int(latest or 0)


def _last_move(session: Session, cohort_id: int) -> t.CurriculumMove | None:
    return session.scalars(
        select(t.CurriculumMove)
        .where(t.CurriculumMove.cohort_id == cohort_id)
        .order_by(t.CurriculumMove.id.desc())
        .limit(1)
    ).first()


def _move_of(session: Session, cohort_id: int) -> Move | None:
    move = _last_move(session, cohort_id)
    if move is None:
        return None
    by = session.scalar(select(t.User.name).where(t.User.id == move.moved_by)) or "?"
    undone = move.undone_at is not None
    return Move(
        id=move.id,
        from_version=move.from_version,
        to_version=move.to_version,
        by=by,
        at=aware(move.moved_at),
        undone=undone,
        undoable=not undone and _latest_entry(session, cohort_id) == move.latest_entry,
    )


def _kept(session: Session, sector: str, version: str) -> Sector | None:
    """A kept version's definitions; None when that version was never kept, or was kept by an
    older Gestes in a form this one no longer reads."""
    kept = session.scalar(
        select(t.Curriculum.definition).where(
            t.Curriculum.sector == sector, t.Curriculum.version == version
        )
    )
    if kept is None:
        return None
    try:
        return Sector.model_validate(kept)
    except ValidationError:
        return None

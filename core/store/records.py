"""Derived views of the store: a trainee's record, a cohort's records and its grid.

Derived, never stored: every view is computed by the pure functions of ``core`` from the
catalog and the current observations (``core.store.facts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select

from core.catalog.catalog import Catalogs
from core.domain import RecordError
from core.french import sort_key
from core.judging.levels import sector_levels
from core.judging.record import CohortGrid, ExitInfo, TraineeInfo, TraineeRecord, derive_record
from core.store import tables as t
from core.store.database import Database
from core.store.facts import Facts, RowReader, Rows, authors, trainee_info

GRIDS_KEPT = 256  # cohort grids remembered per process (one per cohort, a few KB each)
RECORDS_KEPT = 2048  # trainee records remembered per process (a few KB each)


@dataclass(frozen=True)
class _CohortRows:
    cohort: t.Cohort
    trainees: list[TraineeInfo]
    rows: dict[int, Rows]
    authors: Mapping[int, str]
    exits: dict[int, t.ExitRecord]


class TraineeRecords:
    def __init__(self, database: Database, catalogs: Catalogs) -> None:
        self._db = database
        self._catalogs = catalogs  # each cohort is derived by its pinned curriculum version
        self._reader = RowReader(database.dialect)
        self._grids: dict[int, tuple[tuple[Any, ...], CohortGrid]] = {}
        self._records: dict[int, tuple[tuple[Any, ...], TraineeRecord]] = {}
        self._cohort_records: dict[int, tuple[tuple[Any, ...], list[TraineeRecord]]] = {}

    def trainee_record(self, trainee_id: int) -> TraineeRecord:
        """A trainee's levels with their evidence, gestures, progress, evaluations, exit.

        Remembered until it can have changed: the trainee's, cohort's and school's row, and
        the latest id and the count of the trainee's entries and exits (every score,
        correction, retraction or exit is a new row; the count also catches a row committed
        late under a lower id) are read first, in the same query as the trainee; the record
        is derived again only when they moved. Checked against the database on every call,
        so several processes agree."""
        with self._db.read() as session:
            row = session.execute(_TRAINEE_VERSION, {"trainee_id": trainee_id}).first()
            if row is None:
                raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
            info = trainee_info(*row[:3])
            version = (info, *row[3:])
            cached = self._records.get(trainee_id)
            if cached is not None and cached[0] == version:
                return cached[1]
            rows = self._reader.rows(session, "trainee", trainee_id)
            names = authors(session, rows.authors())
            exit_row = session.scalars(
                select(t.ExitRecord)
                .where(t.ExitRecord.trainee_id == trainee_id)
                .order_by(t.ExitRecord.on.desc(), t.ExitRecord.id.desc())
                .limit(1)
            ).first()
        record = self._derive(info, rows, names, exit_row)
        _remember(self._records, trainee_id, (version, record), RECORDS_KEPT)
        return record

    def _derive(
        self,
        info: TraineeInfo,
        rows: Rows,
        names: Mapping[int, str],
        exit_row: t.ExitRecord | None,
    ) -> TraineeRecord:
        facts = Facts.from_rows(rows, names)
        exit_info = (
            ExitInfo(
                kind=exit_row.kind,
                on=exit_row.on,
                employer=exit_row.employer,
                employer_name=exit_row.employer_name,
            )
            if exit_row is not None
            else None
        )
        sector = self._catalogs(info.sector, info.curriculum_version).sectors[info.sector]
        return derive_record(
            sector,
            info,
            facts.attempts,
            facts.evaluations,
            facts.decisions,
            facts.comments,
            exit_info,
        )

    def _cohort(self, cohort_id: int, exits: bool = True) -> _CohortRows:
        """A cohort's trainees and current observations, from one query per table."""
        with self._db.read() as session:
            cohort = session.get(t.Cohort, cohort_id)
            if cohort is None:
                raise RecordError(f"Promotion n° {cohort_id} introuvable.")
            school = session.get(t.School, cohort.school_id)
            assert school is not None
            trainees = sorted(  # as French lists sort: case and accents aside
                session.scalars(select(t.Trainee).where(t.Trainee.cohort_id == cohort_id)),
                key=lambda tr: (sort_key(tr.last_name), sort_key(tr.first_name), tr.id),
            )
            rows = self._reader.rows(session, "cohort", cohort_id)
            # A trainee who came from another cohort brings the entries made there.
            arrived = {
                trainee: self._reader.rows(session, "trainee", trainee)
                for trainee in session.scalars(
                    select(t.TraineeMove.trainee_id)
                    .join(t.Trainee, t.Trainee.id == t.TraineeMove.trainee_id)
                    .where(t.Trainee.cohort_id == cohort_id)
                    .distinct()
                )
            }
            names = authors(session, rows.authors().union(*(r.authors() for r in arrived.values())))
            exit_rows: dict[int, t.ExitRecord] = {}
            if exits:
                for exit_row in session.scalars(
                    select(t.ExitRecord)
                    .join(t.Trainee, t.Trainee.id == t.ExitRecord.trainee_id)
                    .where(t.Trainee.cohort_id == cohort_id)
                    .order_by(t.ExitRecord.on, t.ExitRecord.id)
                ):
                    exit_rows[exit_row.trainee_id] = exit_row  # the latest wins
        by_trainee = {trainee.id: arrived.get(trainee.id, Rows([], [])) for trainee in trainees}
        for attempt in rows.attempts:  # a trainee who left keeps theirs, in their new cohort
            if attempt[0] in by_trainee and attempt[0] not in arrived:
                by_trainee[attempt[0]].attempts.append(attempt)
        for other in rows.others:
            if other[0] in by_trainee and other[0] not in arrived:
                by_trainee[other[0]].others.append(other)
        infos = [trainee_info(trainee, cohort, school) for trainee in trainees]
        return _CohortRows(cohort, infos, by_trainee, names, exit_rows)

    def cohort_records(self, cohort_id: int) -> list[TraineeRecord]:
        """Every trainee's full record (levels, gestures, modules, phases) of a cohort.
        Remembered like the grid, until the cohort's entries, trainees or exits moved: the
        coordination's dashboard asks for them at every visit."""
        with self._db.read() as session:
            exits = session.execute(
                select(func.max(t.ExitRecord.id), func.count())
                .join(t.Trainee, t.Trainee.id == t.ExitRecord.trainee_id)
                .where(t.Trainee.cohort_id == cohort_id)
            ).one()
        version = (*self._cohort_version(cohort_id), *exits)
        cached = self._cohort_records.get(cohort_id)
        if cached is not None and cached[0] == version:
            return list(cached[1])
        data = self._cohort(cohort_id)
        records = [
            self._derive(info, data.rows[info.id], data.authors, data.exits.get(info.id))
            for info in data.trainees
        ]
        _remember(self._cohort_records, cohort_id, (version, records), GRIDS_KEPT)
        return list(records)

    def level_shifts(self, cohort_id: int, version: str) -> list[LevelShift]:
        """Every level that would change, trainee by trainee, were the cohort judged by
        ``version`` of its curriculum instead of its own: both derived from the same entries,
        side by side (what a coordinator reads before moving a cohort)."""
        data = self._cohort(cohort_id, exits=False)
        shifts = []
        for info in data.trainees:
            if info.erased:
                continue
            rows = data.rows[info.id]
            moved = info.model_copy(update={"curriculum_version": version})
            before = self._derive(info, rows, data.authors, None)
            after = self._derive(moved, rows, data.authors, None)
            was_sector = self._catalogs(info.sector, info.curriculum_version).sectors[info.sector]
            now_sector = self._catalogs(info.sector, version).sectors[info.sector]
            was, now = before.level_codes(), after.level_codes()
            names = {c.id: c.name for c in (*was_sector.competencies, *now_sector.competencies)}
            for competency in sorted(was.keys() | now.keys()):
                if was.get(competency) == now.get(competency):
                    continue
                named = names.get(competency, competency)
                shifts.append(
                    LevelShift(
                        trainee_id=info.id,
                        trainee=info.full_name,
                        competency=named,
                        before=_label(was_sector, was.get(competency)),
                        after=_label(now_sector, now.get(competency)),
                    )
                )
        return shifts

    def cohort_grid(self, cohort_id: int) -> CohortGrid:
        """Trainees × competencies: levels only (no module or gesture progress).

        Remembered until the cohort changes: its latest observation (every score, correction
        or comment is a new one) and its trainees (added, erased) are read first, two index
        look-ups, and the grid is derived again only when they moved. Each process keeps
        its own grids; they are checked against the database, so several processes agree."""
        version = self._cohort_version(cohort_id)  # its entries, trainees and curriculum
        cached = self._grids.get(cohort_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        grid = self._derive_grid(cohort_id)
        _remember(self._grids, cohort_id, (version, grid), GRIDS_KEPT)
        return grid

    def _cohort_version(self, cohort_id: int) -> tuple[Any, ...]:
        with self._db.read() as session:
            latest = session.execute(  # the count: a row committed late under a lower id
                select(func.max(t.Observation.id), func.count()).where(
                    t.Observation.cohort_id == cohort_id
                )
            ).one()
            pinned = session.scalar(  # a cohort moved to a new version is derived again
                select(t.Cohort.curriculum_version).where(t.Cohort.id == cohort_id)
            )
            trainees = session.execute(
                select(
                    func.count(),
                    func.sum(t.Trainee.id),  # a trainee moved in or out changes it
                    func.count(t.Trainee.erased_at),
                ).where(t.Trainee.cohort_id == cohort_id)
            ).one()
            # A correction (a trainee renamed, the cohort's dates) is drawn at once: rare,
            # so any one anywhere is enough to derive again.
            corrected = session.scalar(select(func.max(t.Change.id)))
        return (*latest, pinned, *trainees, corrected)

    def _derive_grid(self, cohort_id: int) -> CohortGrid:
        data = self._cohort(cohort_id, exits=False)
        cohort = data.cohort
        sector = self._catalogs(cohort.sector, cohort.curriculum_version).sectors[cohort.sector]
        competencies = tuple(c.id for c in sector.competencies)
        rows, decided = [], set()
        for info in data.trainees:
            facts = Facts.from_rows(data.rows[info.id], data.authors)
            levels = sector_levels(
                sector, facts.attempts, facts.evaluation_facts(), facts.decisions
            )
            rows.append((info, tuple(levels[c].level for c in competencies)))
            decided |= {(info.id, c) for c in competencies if levels[c].decision is not None}
        return CohortGrid(
            cohort_id=cohort_id,
            sector=sector.id,
            curriculum_version=cohort.curriculum_version,
            competencies=competencies,
            rows=tuple(rows),
            decided=frozenset(decided),
        )


@dataclass(frozen=True)
class LevelShift:
    """A level a move to another curriculum version would change."""

    trainee_id: int
    trainee: str
    competency: str  # its name
    before: str  # the level's label, « — » where the version has no such competency
    after: str


def _label(sector: Any, code: str | None) -> str:
    return "—" if code is None else str(sector.curriculum.scale.label(code))


def _remember(kept: dict[int, Any], key: int, value: Any, most: int) -> None:
    if key not in kept and len(kept) >= most:
        kept.pop(next(iter(kept)))  # the oldest entry goes
    kept[key] = value


def _latest_and_count(table: Any) -> tuple[Any, Any]:
    of_trainee = table.trainee_id == t.Trainee.id
    return (
        select(func.max(table.id)).where(of_trainee).scalar_subquery(),
        select(func.count()).where(of_trainee).scalar_subquery(),
    )


# Built once: building it cost more than running it (bench/web.py).
_TRAINEE_VERSION = (
    select(
        t.Trainee,
        t.Cohort,
        t.School,
        *_latest_and_count(t.Observation),
        *_latest_and_count(t.ExitRecord),
    )
    .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
    .join(t.School, t.School.id == t.Cohort.school_id)
    .where(t.Trainee.id == bindparam("trainee_id"))
)

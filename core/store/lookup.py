"""Look-ups the pages and commands make before they act: which cohorts a person sees, where
a trainee or an observation belongs, a trainee's latest entries. Domain objects out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.domain import (
    Account,
    Cohort,
    Entry,
    Located,
    ObservationKind,
    Organisation,
    Role,
    School,
    Trainee,
)
from core.store import tables as t
from core.store.database import Database
from core.store.facts import authors, aware, current


@dataclass(frozen=True)
class TraineeScope:
    cohort_id: int
    school_id: int
    sector: str


# Built once: aliasing a table rebuilds a proxy of each of its columns, 2 ms per call — it
# was the largest part of the trainee page's own queries (bench/web.py).
_ORIGIN, _TARGET = aliased(t.Cohort, name="origin"), aliased(t.Cohort, name="target")


class Lookup:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._scopes: dict[int, TraineeScope] = {}

    def cohorts(self, schools: Collection[int] | None = None) -> list[tuple[Cohort, School]]:
        """(cohort, school) of those schools (every school: ``None``), newest first, each
        cohort with its trainers."""
        with self._db.read() as session:
            query = select(t.Cohort, t.School).join(t.School).order_by(t.Cohort.starts_on.desc())
            if schools is not None:
                query = query.where(t.Cohort.school_id.in_(schools))
            rows = session.execute(query).all()
            trainers: dict[int, list[int]] = {}
            ids = [c.id for c, _ in rows]
            for cohort_id, user_id in session.execute(
                select(t.CohortTrainer.cohort_id, t.CohortTrainer.user_id)
                .where(t.CohortTrainer.cohort_id.in_(ids))
                .order_by(t.CohortTrainer.user_id)
            ):
                trainers.setdefault(cohort_id, []).append(user_id)
            return [(_cohort(c, tuple(trainers.get(c.id, ()))), _school(s)) for c, s in rows]

    def schools(self) -> list[School]:
        with self._db.read() as session:
            return [_school(s) for s in session.scalars(select(t.School).order_by(t.School.name))]

    def has_schools(self) -> bool:
        """Whether anything was set up yet (an empty store holds no school)."""
        with self._db.read() as session:
            return bool(session.scalar(select(func.count()).select_from(t.School)))

    def cohort(self, cohort_id: int) -> Cohort | None:
        """A cohort with its trainers."""
        with self._db.read() as session:
            row = session.get(t.Cohort, cohort_id)
            if row is None:
                return None
            trainers = session.scalars(
                select(t.CohortTrainer.user_id)
                .where(t.CohortTrainer.cohort_id == cohort_id)
                .order_by(t.CohortTrainer.user_id)
            ).all()
        return _cohort(row, tuple(trainers))

    def school(self, school_id: int) -> School | None:
        with self._db.read() as session:
            row = session.get(t.School, school_id)
        return _school(row) if row is not None else None

    def staff(self, school_id: int) -> list[Account]:
        """Active trainers and coordinators of a school, who may be assigned to its cohorts."""
        with self._db.read() as session:
            users = session.scalars(
                select(t.User)
                .join(t.UserSchool, t.UserSchool.user_id == t.User.id)
                .where(
                    t.UserSchool.school_id == school_id,
                    t.User.active.is_(True),
                    t.User.role.in_([Role.TRAINER.value, Role.COORDINATOR.value]),
                )
                .order_by(t.User.name)
            ).all()
        return [Account(u.id, u.email, u.name, Role(u.role), u.active, (school_id,)) for u in users]

    def has_admin(self) -> bool:
        """Whether an active administrator exists (else the first one must be created)."""
        with self._db.read() as session:
            found = session.scalar(
                select(t.User.id)
                .where(t.User.role == Role.ADMIN.value, t.User.active.is_(True))
                .limit(1)
            )
        return found is not None

    def moves(self, trainee_id: int) -> list[tuple[str, str, dt.date]]:
        """A trainee's moves between cohorts: (from, to, day), oldest first."""
        origin, target = _ORIGIN, _TARGET
        with self._db.read() as session:
            rows = session.execute(
                select(origin.name, target.name, t.TraineeMove.moved_on)
                .join(origin, origin.id == t.TraineeMove.from_cohort_id)
                .join(target, target.id == t.TraineeMove.to_cohort_id)
                .where(t.TraineeMove.trainee_id == trainee_id)
                .order_by(t.TraineeMove.id)
            ).all()
        return [(a, b, day) for a, b, day in rows]

    def cohort_school(self, cohort_id: int) -> School | None:
        with self._db.read() as session:
            row = session.scalar(select(t.School).join(t.Cohort).where(t.Cohort.id == cohort_id))
        return _school(row) if row is not None else None

    def cohort_trainees(self, cohort_id: int) -> list[Trainee]:
        """A cohort's trainees as the directory keeps them (their entry data too)."""
        with self._db.read() as session:
            rows = session.scalars(
                select(t.Trainee).where(t.Trainee.cohort_id == cohort_id).order_by(t.Trainee.id)
            )
            return [_trainee(row) for row in rows]

    def trainee(self, trainee_id: int) -> tuple[Trainee, Cohort] | None:
        with self._db.read() as session:
            row = session.execute(
                select(t.Trainee, t.Cohort).join(t.Cohort).where(t.Trainee.id == trainee_id)
            ).first()
        return (_trainee(row[0]), _cohort(row[1])) if row is not None else None

    def trainee_scope(self, trainee_id: int) -> TraineeScope | None:
        """Where a trainee belongs. Asked by every request about a trainee, and it never
        changes (a trainee stays in their cohort), so it is remembered once known."""
        scope = self._scopes.get(trainee_id)
        if scope is None:
            with self._db.read() as session:
                row = session.execute(
                    select(t.Trainee.cohort_id, t.Cohort.school_id, t.Cohort.sector)
                    .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
                    .where(t.Trainee.id == trainee_id)
                ).first()
            if row is None:
                return None
            scope = self._scopes[trainee_id] = TraineeScope(*row)
        return scope

    def submitted(self, submit_id: str) -> int | None:
        """The school of the entry a page's form stored under ``submit_id`` (a comment, a
        level decision, an exit), or None if none arrived: what a page whose answer was lost
        asks before offering to send it again."""
        keys = [f"{kind}:{submit_id}" for kind in ("comment", "level")]
        with self._db.read() as session:
            school = session.scalar(
                select(t.Cohort.school_id)
                .join(t.Observation, t.Observation.cohort_id == t.Cohort.id)
                .where(t.Observation.idempotency_key.in_(keys))
            )
            if school is None:
                school = session.scalar(
                    select(t.Cohort.school_id)
                    .join(t.Trainee, t.Trainee.cohort_id == t.Cohort.id)
                    .join(t.ExitRecord, t.ExitRecord.trainee_id == t.Trainee.id)
                    .where(t.ExitRecord.idempotency_key == f"exit:{submit_id}")
                )
        return school

    def observation(self, observation_id: int) -> Located | None:
        with self._db.read() as session:
            row = session.execute(
                select(
                    t.Observation.id,
                    t.Observation.trainee_id,
                    t.Cohort.school_id,
                    t.Observation.author_id,
                )
                .join(t.Cohort, t.Cohort.id == t.Observation.cohort_id)
                .where(t.Observation.id == observation_id)
            ).first()
        return Located(*row) if row is not None else None

    def latest_entries(self, trainee_id: int, limit: int = 15) -> list[Entry]:
        """A trainee's latest current attempts, evaluations and level decisions, by the day
        they were observed, with when they were typed, who typed them and their photos."""
        kinds = [ObservationKind.ATTEMPT, ObservationKind.EVALUATION, ObservationKind.LEVEL]
        with self._db.read() as session:
            rows = session.scalars(
                current(t.Observation.trainee_id == trainee_id, t.Observation.kind.in_(kinds))
                .order_by(t.Observation.observed_on.desc(), t.Observation.id.desc())
                .limit(limit)
            ).all()
            names = authors(session, {r.author_id for r in rows})
            attached: dict[int, list[tuple[int, bool]]] = {}
            for observation, evidence, media_type in session.execute(
                select(t.Evidence.observation_id, t.Evidence.id, t.Evidence.media_type)
                .where(t.Evidence.observation_id.in_([r.id for r in rows]))
                .order_by(t.Evidence.id)
            ):
                attached.setdefault(observation, []).append(
                    (evidence, media_type.startswith("image/"))
                )
        return [
            Entry(
                r.id,
                ObservationKind(r.kind),
                r.definition,
                r.observed_on,
                r.passed,
                recorded_at=aware(r.recorded_at),
                level=r.level,
                author=names.get(r.author_id, ""),
                photos=len(attached.get(r.id, ())),
                evidence=tuple(attached.get(r.id, ())),
            )
            for r in rows
        ]


def _school(row: t.School) -> School:
    return School(
        row.id, row.slug, row.name, row.city, row.territory, row.address,
        row.attendance_step, row.absence_alert,
        Organisation(
            row.organisation_name, row.organisation_nda, row.organisation_siret,
            row.organisation_qualiopi, row.organisation_contact,
        ),
        row.signing_certificate,
    )  # fmt: skip


def _cohort(row: t.Cohort, trainers: tuple[int, ...] = ()) -> Cohort:
    return Cohort(
        row.id,
        row.school_id,
        row.name,
        row.sector,
        row.curriculum,
        row.curriculum_version,
        row.starts_on,
        row.ends_on,
        planned_hours=tuple((row.planned_hours or {}).items()),
        closed=row.closed_at is not None,
        trainers=trainers,
    )


def _trainee(row: t.Trainee) -> Trainee:
    return Trainee(
        row.id,
        row.cohort_id,
        row.first_name,
        row.last_name,
        row.email,
        row.external_ref,
        row.erased_at is not None,
        row.joined_on,
        row.birth_date,
        row.phone,
        row.prescriber,
        tuple(s for s in (row.statuses or "").split(",") if s),
        row.qualification,
    )

"""What a school's record holds over a period, counted for the Qualiopi file
(``core.qualiopi``): one query per kind of record, all scoped to the school's cohorts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from core.domain import ExitKind, ObservationKind, Role
from core.store import tables as t
from core.store.complaints import ComplaintRow
from core.store.database import Database
from core.store.followups import FollowUpRow
from core.store.positioning import PlanRow, PositioningRow


class QualiopiCounts:
    def __init__(self, database: Database) -> None:
        self._db = database

    def trainees(self, school_id: int, start: dt.date, end: dt.date) -> list[int]:
        """The trainees the file counts: of the school's cohorts running during the period,
        the erased left out."""
        with self._db.read() as session:
            return list(session.scalars(_period(school_id, start, end)[1]))

    def counts(self, school_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
        cohorts, trainees = _period(school_id, start, end)
        observed = t.Observation.observed_on.between(start, end)

        def observations(kind: ObservationKind) -> Any:
            return select(func.count()).where(
                t.Observation.cohort_id.in_(cohorts), t.Observation.kind == kind.value, observed
            )

        queries: dict[str, Any] = {
            "cohorts": select(func.count()).select_from(cohorts.subquery()),
            "trainees": select(func.count()).select_from(trainees.subquery()),
            "profiled": select(func.count()).where(
                t.Trainee.id.in_(trainees),
                (t.Trainee.prescriber.is_not(None))
                | (t.Trainee.statuses.is_not(None))
                | (t.Trainee.qualification.is_not(None)),
            ),
            "attempts": observations(ObservationKind.ATTEMPT),
            "evaluations": observations(ObservationKind.EVALUATION),
            "level_decisions": observations(ObservationKind.LEVEL),
            "booklets": select(func.count()).where(
                t.Verification.trainee_id.in_(trainees),
                t.Verification.issued_on.between(start, end),
            ),
            "sessions": select(func.count()).where(
                t.AttendanceSession.cohort_id.in_(cohorts),
                t.AttendanceSession.day.between(start, min(end, dt.date.today())),
                t.AttendanceSession.cancelled.is_(False),
            ),
            "contacts": select(func.count()).where(
                FollowUpRow.trainee_id.in_(trainees), FollowUpRow.happened_on.between(start, end)
            ),
            "abandonments": select(func.count()).where(
                t.ExitRecord.trainee_id.in_(trainees),
                t.ExitRecord.kind == ExitKind.ABANDON.value,
                t.ExitRecord.on.between(start, end),
            ),
            "placements": select(func.count()).where(
                t.Placement.trainee_id.in_(trainees), t.Placement.starts_on.between(start, end)
            ),
            "appraisals": select(func.count()).where(
                t.PortfolioEntry.trainee_id.in_(trainees), t.PortfolioEntry.kind == "appraisal"
            ),
        }
        queries |= _staff(school_id) | _complaints(school_id, start, end)
        queries |= _entry(trainees, start, end)
        with self._db.read() as session:
            return {name: int(session.scalar(query) or 0) for name, query in queries.items()}


def _period(school_id: int, start: dt.date, end: dt.date) -> tuple[Any, Any]:
    cohorts = (
        select(t.Cohort.id)
        .where(t.Cohort.school_id == school_id)
        .where(t.Cohort.starts_on <= end, t.Cohort.ends_on >= start)
    )
    trainees = select(t.Trainee.id).where(
        t.Trainee.cohort_id.in_(cohorts), t.Trainee.erased_at.is_(None)
    )
    return cohorts, trainees


def _staff(school_id: int) -> dict[str, Any]:
    return {
        "trainers": select(func.count())
        .select_from(t.UserSchool)
        .join(t.User, t.User.id == t.UserSchool.user_id)
        .where(
            t.UserSchool.school_id == school_id,
            t.User.role == Role.TRAINER.value,
            t.User.active.is_(True),
        )
    }


def _entry(trainees: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Positioning at entry and the individual plans: trainees positioned, with a plan, and
    the plan's lines decided over the period (adaptations apart from gestures worked first)."""
    decided = PlanRow.trainee_id.in_(trainees), PlanRow.decided_on.between(start, end)
    return {
        "positioned": select(func.count(func.distinct(PositioningRow.trainee_id))).where(
            PositioningRow.trainee_id.in_(trainees)
        ),
        "planned": select(func.count(func.distinct(PlanRow.trainee_id))).where(
            PlanRow.trainee_id.in_(trainees)
        ),
        "priorities": select(func.count()).where(*decided, PlanRow.kind == "priorite"),
        "adaptations": select(func.count()).where(*decided, PlanRow.kind != "priorite"),
    }


def _complaints(school_id: int, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The register's counts over the period: received, acknowledged, answered, improved."""
    complaints = ComplaintRow.school_id == school_id, ComplaintRow.received_on.between(start, end)
    return {
        "complaints": select(func.count()).where(*complaints),
        "acknowledged": select(func.count()).where(
            *complaints, ComplaintRow.acknowledged_on.is_not(None)
        ),
        "answered": select(func.count()).where(*complaints, ComplaintRow.answered_on.is_not(None)),
        "improvements": select(func.count()).where(*complaints, ComplaintRow.action.is_not(None)),
    }

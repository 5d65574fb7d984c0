"""Observation rows turned into the inputs of the pure derivation functions.

Only current observations count: nothing supersedes them and they are not retractions.
Attempts are by far the most numerous rows (a 16-trainee cohort holds thousands), so they are
read through the driver, without SQLAlchemy's per-row type processing, only the judged ones,
without their payload; each distinct day string is parsed once. Both statements are built and
compiled once per scope: building them cost more than running them on a small cohort
(bench/web.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Dialect, Select, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from core.catalog.definitions import Autonomy
from core.domain import ObservationKind as Kind
from core.judging.evaluation import Check
from core.judging.levels import AttemptFact, EvaluationFact, LevelDecision
from core.judging.record import CommentEntry, EvaluationResult, TraineeInfo
from core.store import tables as t

Scope = Literal["trainee", "cohort"]


@dataclass
class Rows:
    """Current observation rows: attempts (trainee, gesture, day, passed, autonomy, author)
    and the few others (evaluations, level decisions, comments) with their payload."""

    attempts: list[tuple[Any, ...]]
    others: list[Any]

    def authors(self) -> set[int]:
        return {a[5] for a in self.attempts} | {o[7] for o in self.others}


@dataclass
class Facts:
    """Observation rows turned into the inputs of the pure derivation functions."""

    attempts: list[AttemptFact]
    evaluations: list[EvaluationResult]
    decisions: list[LevelDecision]
    comments: list[CommentEntry]

    @classmethod
    def from_rows(cls, rows: Rows, authors: Mapping[int, str]) -> Facts:
        facts = cls([], [], [], [])
        facts.attempts = [
            AttemptFact(definition, day, passed, _AUTONOMY[autonomy], authors.get(author, ""))
            for _trainee, definition, day, passed, autonomy, author in rows.attempts
        ]
        evaluation, level, comment = (
            Kind.EVALUATION.value,
            Kind.LEVEL.value,
            Kind.COMMENT.value,
        )
        for (
            _trainee,
            kind,
            definition,
            day,
            recorded_at,
            passed,
            level_code,
            author_id,
            payload,
        ) in rows.others:
            author = authors.get(author_id, "")
            if kind == evaluation:
                score = payload.get("score", {})
                facts.evaluations.append(
                    EvaluationResult(
                        evaluation=definition,
                        day=day,
                        passed=bool(passed),
                        score=float(score.get("score", 0)),
                        summary=str(score.get("summary", "")),
                        assessor=author,
                        checks=tuple(Check.model_validate(c) for c in score.get("checks", ())),
                    )
                )
            elif kind == level and level_code:
                facts.decisions.append(
                    LevelDecision(
                        competency=definition,
                        at=aware(recorded_at),
                        level=level_code,
                        justification=str(payload.get("justification", "")),
                        assessor=author,
                    )
                )
            elif kind == comment:
                facts.comments.append(
                    CommentEntry(
                        day=day, author=author, text=str(payload.get("text", "")), about=definition
                    )
                )
        return facts

    def evaluation_facts(self) -> list[EvaluationFact]:
        return [
            EvaluationFact(evaluation=e.evaluation, day=e.day, passed=e.passed, assessor=e.assessor)
            for e in self.evaluations
        ]


class RowReader:
    """Reads the current rows of a trainee or a cohort; compiles its statements once."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._compiled: dict[Scope, tuple[str, Any, dict[str, Any]]] = {}

    def rows(self, session: Session, scope: Scope, scope_id: int) -> Rows:
        """The current observations of a trainee or a cohort that derivation reads."""
        connection = session.connection()
        sql, parameters = self._attempts_sql(scope, scope_id)
        cursor = connection.connection.cursor()  # the DBAPI cursor: fetchall in one call
        try:
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        days: dict[Any, dt.date] = {}
        attempts = []
        for trainee, definition, day, passed, autonomy, author in fetched:
            if day not in days:
                days[day] = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
            attempts.append((trainee, definition, days[day], bool(passed), autonomy or 1, author))
        others = connection.execute(_OTHER_ROWS[scope], {"scope_id": scope_id}).all()
        return Rows(attempts, list(others))

    def _attempts_sql(self, scope: Scope, scope_id: int) -> tuple[str, Any]:
        """The attempts statement as the driver takes it, with its parameters: a list for a
        positional driver (sqlite3), a dict for a named one (psycopg)."""
        if scope not in self._compiled:
            compiled = _ATTEMPT_ROWS[scope].compile(dialect=self._dialect)
            positions = compiled.positiontup
            constants = compiled.construct_params({"scope_id": 0})  # kind, judged results
            self._compiled[scope] = (str(compiled), positions, dict(constants))
        sql, positions, constants = self._compiled[scope]
        values = {**constants, "scope_id": scope_id}
        return sql, [values[name] for name in positions] if positions else values


def current(*where: Any) -> Select[Any]:
    """Observations that nothing supersedes, retractions excluded."""
    return select(t.Observation).where(*_current(*where))


def authors(session: Session, ids: set[int]) -> dict[int, str]:
    """Authors' names by user id."""
    if not ids:
        return {}
    return dict(session.execute(select(t.User.id, t.User.name).where(t.User.id.in_(ids))).all())


def trainee_info(trainee: t.Trainee, cohort: t.Cohort, school: t.School) -> TraineeInfo:
    return TraineeInfo(
        id=trainee.id,
        first_name=trainee.first_name,
        last_name=trainee.last_name,
        cohort_id=cohort.id,
        cohort=cohort.name,
        school=school.name,
        school_id=school.id,
        school_address=", ".join(p for p in (school.address, school.city) if p),
        territory=school.territory,
        sector=cohort.sector,
        curriculum_version=cohort.curriculum_version,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        erased=trainee.erased_at is not None,
        planned_hours=tuple((cohort.planned_hours or {}).items()),
    )


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


_JUDGED = frozenset({"passed", "failed"})  # an incomplete attempt is no evidence either way
_NEWER = aliased(t.Observation, name="newer")  # built once: aliasing is costly


def _current(*where: Any) -> tuple[Any, ...]:
    """Conditions for observations that nothing supersedes, retractions excluded."""
    return (
        *where,
        t.Observation.kind != Kind.RETRACTION.value,
        ~exists().where(_NEWER.supersedes_id == t.Observation.id),
    )


_SCOPE_COLUMNS = {"trainee": t.Observation.trainee_id, "cohort": t.Observation.cohort_id}
_ATTEMPT_ROWS = {
    scope: select(
        t.Observation.trainee_id,
        t.Observation.definition,
        t.Observation.observed_on,
        t.Observation.passed,
        t.Observation.autonomy,
        t.Observation.author_id,
    ).where(
        *_current(
            column == bindparam("scope_id"),
            t.Observation.kind == Kind.ATTEMPT,
            # OR, not IN: an IN list is rendered at execution, and this is compiled once
            or_(*(t.Observation.result == result for result in sorted(_JUDGED))),
        )
    )
    for scope, column in _SCOPE_COLUMNS.items()
}
_OTHER_ROWS = {
    scope: select(
        t.Observation.trainee_id,
        t.Observation.kind,
        t.Observation.definition,
        t.Observation.observed_on,
        t.Observation.recorded_at,
        t.Observation.passed,
        t.Observation.level,
        t.Observation.author_id,
        t.Observation.payload,
    ).where(
        *_current(
            column == bindparam("scope_id"),
            t.Observation.kind.in_([Kind.EVALUATION, Kind.LEVEL, Kind.COMMENT]),
        )
    )
    for scope, column in _SCOPE_COLUMNS.items()
}
_AUTONOMY = {int(a): a for a in Autonomy}

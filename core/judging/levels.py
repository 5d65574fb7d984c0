"""The level of each competency, from what trainers observed, under a curriculum's rule.

Inputs are plain facts (an attempt passed on a day with some autonomy, an evaluation passed,
a level a trainer decided); the store turns its rows into these facts. Nothing here reads a
database or a clock, so the same facts always give the same levels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from core.catalog.definitions import AggregationRule, Autonomy, LevelCondition, LevelScale, Sector


class AttemptFact(NamedTuple):
    """A judged gesture attempt (see ``core.judging.attempts.attempt_outcome``).

    A named tuple, not a model: a cohort's grid reads thousands of them per request.
    """

    gesture: str
    day: dt.date
    passed: bool
    autonomy: Autonomy
    assessor: str = ""


class EvaluationFact(BaseModel):
    """A scored practical evaluation (see ``core.judging.evaluation.score_evaluation``)."""

    model_config = ConfigDict(frozen=True)

    evaluation: str
    day: dt.date
    passed: bool
    assessor: str = ""


class LevelDecision(BaseModel):
    """A level a trainer set directly, with a justification. The latest one stands."""

    model_config = ConfigDict(frozen=True)

    competency: str
    at: dt.datetime
    level: str
    justification: str
    assessor: str = ""


class CompetencyLevel(BaseModel):
    """A competency's level and the evidence behind it, as an employer reads it."""

    model_config = ConfigDict(frozen=True)

    competency: str
    level: str
    attempts: int
    successes: int
    autonomous_successes: int
    success_days: tuple[dt.date, ...]
    last_day: dt.date | None
    autonomous_days: tuple[dt.date, ...] = ()  # the days of the successes in autonomy only
    evaluation_passed: bool
    assessors: tuple[str, ...] = ()  # who saw the successes, in order of first appearance
    autonomous_assessors: tuple[str, ...] = ()  # who saw the successes in autonomy
    evaluations: tuple[EvaluationFact, ...] = ()
    decision: LevelDecision | None = None


def meets(
    condition: LevelCondition,
    attempts: Iterable[AttemptFact],
    evaluations: Iterable[EvaluationFact],
) -> bool:
    """Whether the evidence satisfies one rung of the rule."""
    floor = Autonomy.from_key(condition.min_autonomy)
    qualifying = [a for a in attempts if a.passed and a.autonomy >= floor]
    if len(qualifying) < condition.min_successes:
        return False
    if condition.min_successes and len({a.day for a in qualifying}) < condition.min_days:
        return False
    return not condition.evaluation_passed or any(e.passed for e in evaluations)


def competency_level(
    competency: str,
    rule: AggregationRule,
    scale: LevelScale,
    attempts: Iterable[AttemptFact] = (),
    evaluations: Iterable[EvaluationFact] = (),
    decisions: Iterable[LevelDecision] = (),
) -> CompetencyLevel:
    """Apply the rule: the highest condition met wins; a trainer's latest decision overrides.

    With no observation at all the level is the scale's first ("non évalué"); with some but no
    condition met it is the rule's ``observed_floor``. Failed attempts never lower a level:
    a trainer who sees a regression records a decision, with its justification.
    """
    attempts = list(attempts)
    evaluations = sorted(evaluations, key=lambda e: e.day)
    decision = max(decisions, key=lambda d: d.at, default=None)
    # One pass: the days of the successes at each autonomy; every condition then reads these.
    success_days: dict[Autonomy, list[dt.date]] = {}
    assessors, autonomous = [], []
    for attempt in attempts:
        if attempt.passed:
            success_days.setdefault(attempt.autonomy, []).append(attempt.day)
            assessors.append(attempt.assessor)
            if attempt.autonomy >= Autonomy.AUTONOME:
                autonomous.append(attempt.assessor)
    evaluation_passed = any(e.passed for e in evaluations)
    if decision is not None:
        level = decision.level
    elif not attempts and not evaluations:
        level = scale.levels[0].code
    else:
        level = next(
            (c.level for c in rule.conditions if _met(c, success_days, evaluation_passed)),
            rule.observed_floor,
        )
    every_day = [day for days in success_days.values() for day in days]
    assessors += [e.assessor for e in evaluations if e.passed]
    return CompetencyLevel(
        competency=competency,
        level=level,
        attempts=len(attempts),
        successes=len(every_day),
        autonomous_successes=sum(
            len(days) for autonomy, days in success_days.items() if autonomy >= Autonomy.AUTONOME
        ),
        success_days=tuple(sorted(set(every_day))),
        autonomous_days=_days(success_days, Autonomy.AUTONOME),
        last_day=max((a.day for a in attempts), default=None),
        evaluation_passed=evaluation_passed,
        assessors=tuple(name for name in dict.fromkeys(assessors) if name),
        autonomous_assessors=tuple(name for name in dict.fromkeys(autonomous) if name),
        evaluations=tuple(evaluations),
        decision=decision,
    )


def _days(success_days: Mapping[Autonomy, list[dt.date]], floor: Autonomy) -> tuple[dt.date, ...]:
    """The different days with a success at ``floor`` autonomy or more."""
    return tuple(sorted({d for a, days in success_days.items() if a >= floor for d in days}))


def _met(
    condition: LevelCondition, success_days: Mapping[Autonomy, list[dt.date]], evaluated: bool
) -> bool:
    """``meets`` on the one-pass summary: same rule, without rescanning the attempts."""
    floor = Autonomy.from_key(condition.min_autonomy)
    days = [day for autonomy, found in success_days.items() if autonomy >= floor for day in found]
    if len(days) < condition.min_successes:
        return False
    if condition.min_successes and len(set(days)) < condition.min_days:
        return False
    return not condition.evaluation_passed or evaluated


def sector_levels(
    sector: Sector,
    attempts: Iterable[AttemptFact] = (),
    evaluations: Iterable[EvaluationFact] = (),
    decisions: Iterable[LevelDecision] = (),
) -> dict[str, CompetencyLevel]:
    """Every competency of a sector, each fed the attempts of the gestures that evidence it."""
    gestures = {g.id: g.competencies for g in sector.gestures}
    tests = {e.id: e.competencies for e in sector.evaluations}
    by_competency: dict[str, tuple[list[AttemptFact], list[EvaluationFact], list[LevelDecision]]]
    by_competency = {c.id: ([], [], []) for c in sector.competencies}
    for attempt in attempts:
        for competency in gestures.get(attempt.gesture, ()):
            by_competency[competency][0].append(attempt)
    for evaluation in evaluations:
        for competency in tests.get(evaluation.evaluation, ()):
            by_competency[competency][1].append(evaluation)
    for decision in decisions:
        if decision.competency in by_competency:
            by_competency[decision.competency][2].append(decision)
    curriculum = sector.curriculum
    return {
        competency: competency_level(competency, curriculum.rule, curriculum.scale, *facts)
        for competency, facts in by_competency.items()
    }

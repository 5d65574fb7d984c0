"""A trainee's record, derived from facts by pure functions: never stored as truth.

``core.store`` reads the rows and calls ``derive_record``; the booklet and the web pages
render the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.catalog.definitions import Frozen, Phase, Sector
from core.judging.evaluation import Check
from core.judging.levels import (
    AttemptFact,
    CompetencyLevel,
    EvaluationFact,
    LevelDecision,
    sector_levels,
)


class TraineeInfo(Frozen):
    id: int
    first_name: str
    last_name: str
    cohort_id: int
    cohort: str
    school: str
    school_id: int = 0  # whose partner companies its booklets read (core.store.partners)
    territory: str
    school_address: str = ""  # where an employer reaches the school (address, city)
    sector: str
    curriculum_version: str
    starts_on: dt.date
    ends_on: dt.date
    erased: bool = False
    # (phase, hours) the coordinator set for the cohort; empty: the curriculum's
    planned_hours: tuple[tuple[str, int], ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class GestureProgress(Frozen):
    gesture: str
    attempts: int
    passed: int
    autonomous_passed: int
    last_day: dt.date | None
    autonomous_days: int = 0  # different days with a success in autonomy


class EvaluationResult(Frozen):
    evaluation: str
    day: dt.date
    passed: bool
    score: float
    summary: str
    assessor: str = ""
    checks: tuple[Check, ...] = ()  # what was measured against what: booklets show them


class ModuleProgress(Frozen):
    module: str
    phase: Phase
    hours: int
    done: float  # 0..1


class CommentEntry(Frozen):
    day: dt.date
    text: str
    author: str
    about: str | None = None


class ExitInfo(Frozen):
    kind: str
    on: dt.date
    employer: str | None = None
    employer_name: str | None = None


class TraineeRecord(Frozen):
    trainee: TraineeInfo
    levels: dict[str, CompetencyLevel]
    gestures: dict[str, GestureProgress]
    evaluations: dict[str, EvaluationResult]  # the latest result of each evaluation
    modules: tuple[ModuleProgress, ...]
    phases: dict[Phase, float]  # hours-weighted progress of each phase, 0..1
    comments: tuple[CommentEntry, ...] = ()
    exit: ExitInfo | None = None

    def level_codes(self) -> dict[str, str]:
        return {competency: level.level for competency, level in self.levels.items()}


def derive_record(
    sector: Sector,
    trainee: TraineeInfo,
    attempts: Iterable[AttemptFact] = (),
    evaluations: Iterable[EvaluationResult] = (),
    decisions: Iterable[LevelDecision] = (),
    comments: Iterable[CommentEntry] = (),
    exit_info: ExitInfo | None = None,
) -> TraineeRecord:
    """Levels under the curriculum's rule, gesture counts, module and phase progress.

    A module is done in the share of its gestures passed in autonomy at least once, its
    evaluations passed, and its listed competencies acquired; an immersion module with only
    competencies is judged by them alone.
    """
    attempts = list(attempts)
    evaluations = sorted(evaluations, key=lambda e: e.day)
    latest = {e.evaluation: e for e in evaluations}
    facts = [
        EvaluationFact(evaluation=e.evaluation, day=e.day, passed=e.passed, assessor=e.assessor)
        for e in evaluations
    ]
    levels = sector_levels(sector, attempts, facts, decisions)
    gestures = _gesture_progress(sector, attempts)
    scale = sector.curriculum.scale
    acquired = scale.acquired_rank

    modules = []
    for module in sector.curriculum.modules:
        marks = [gestures[g].autonomous_passed > 0 for g in module.gestures]
        marks += [latest[e].passed if e in latest else False for e in module.evaluations]
        marks += [scale.rank(levels[c].level) >= acquired for c in module.competencies]
        done = sum(marks) / len(marks) if marks else 0.0
        modules.append(
            ModuleProgress(module=module.id, phase=module.phase, hours=module.hours, done=done)
        )
    return TraineeRecord(
        trainee=trainee,
        levels=levels,
        gestures=gestures,
        evaluations=latest,
        modules=tuple(modules),
        phases=_phase_progress(modules),
        comments=tuple(sorted(comments, key=lambda c: c.day)),
        exit=exit_info,
    )


def _gesture_progress(sector: Sector, attempts: list[AttemptFact]) -> dict[str, GestureProgress]:
    from core.catalog.definitions import Autonomy

    progress = {}
    for gesture in sector.gestures:
        mine = [a for a in attempts if a.gesture == gesture.id]
        progress[gesture.id] = GestureProgress(
            gesture=gesture.id,
            attempts=len(mine),
            passed=sum(a.passed for a in mine),
            autonomous_passed=sum(a.passed and a.autonomy >= Autonomy.AUTONOME for a in mine),
            last_day=max((a.day for a in mine), default=None),
            autonomous_days=len(
                {a.day for a in mine if a.passed and a.autonomy >= Autonomy.AUTONOME}
            ),
        )
    return progress


def _phase_progress(modules: Iterable[ModuleProgress]) -> dict[Phase, float]:
    hours: Mapping[Phase, list[tuple[int, float]]] = {phase: [] for phase in Phase}
    for module in modules:
        hours[module.phase].append((module.hours, module.done))
    return {
        phase: sum(h * d for h, d in items) / sum(h for h, _ in items) if items else 0.0
        for phase, items in hours.items()
    }


@dataclass(frozen=True)
class CohortGrid:
    """Trainees × competencies of a cohort: level codes only."""

    cohort_id: int
    sector: str
    competencies: tuple[str, ...]
    rows: tuple[tuple[TraineeInfo, tuple[str, ...]], ...]
    decided: frozenset[tuple[int, str]] = frozenset()  # (trainee, competency) set by decision
    curriculum_version: str = ""  # the version the cohort is pinned to, which derived it

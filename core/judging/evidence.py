"""What a competency's level rests on, counted once and said in one vocabulary.

Every output that states evidence — the booklet's grid and employer pages, the Open Badges'
evidence, the trainee's and the trainer's pages — takes it from ``evidence_of`` and words it
with ``evidence_words`` (or ``short_words`` where a line is short), so that no two outputs
count differently: « réussites en autonomie » are successes at *En autonomie* or above, and
the days beside them are the different days of those successes, never of any success.

Nothing in here is free text: a level decision is said with its date, never with its
justification (written for the training team, it may hold health or private matters).
"""

from __future__ import annotations

import datetime as dt

from core.catalog.definitions import Frozen
from core.french import counted, school_day
from core.judging.levels import CompetencyLevel


class Evidence(Frozen):
    autonomous_successes: int
    autonomous_days: int  # different days with a success in autonomy
    first_day: dt.date | None  # the first and last of those days
    last_day: dt.date | None
    observers: tuple[str, ...]  # who saw the successes in autonomy: no one else
    guided_successes: int  # successes with help or under control
    evaluation_passed_on: dt.date | None  # the latest practical evaluation passed
    evaluators: tuple[str, ...]  # who assessed the evaluations passed
    decided_on: dt.date | None  # the level was set by the training team that day

    @property
    def rests_on_nothing(self) -> bool:
        return not (
            self.autonomous_successes
            or self.guided_successes
            or self.evaluation_passed_on
            or self.decided_on
        )


NO_EVIDENCE = Evidence(
    autonomous_successes=0,
    autonomous_days=0,
    first_day=None,
    last_day=None,
    observers=(),
    guided_successes=0,
    evaluation_passed_on=None,
    evaluators=(),
    decided_on=None,
)  # a competency of another curriculum the record has no level for


def evidence_of(level: CompetencyLevel) -> Evidence:
    days = level.autonomous_days
    passed = [e for e in level.evaluations if e.passed]
    return Evidence(
        autonomous_successes=level.autonomous_successes,
        autonomous_days=len(days),
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        observers=level.autonomous_assessors,
        guided_successes=level.successes - level.autonomous_successes,
        evaluation_passed_on=max((e.day for e in passed), default=None),
        evaluators=tuple(dict.fromkeys(e.assessor for e in passed if e.assessor)),
        decided_on=school_day(level.decision.at) if level.decision is not None else None,
    )


def short_words(evidence: Evidence) -> str:
    """A grid line's evidence: the decision that set the level, if any, then
    ``autonomy_words``."""
    autonomy = autonomy_words(evidence)
    if evidence.decided_on:
        return f"{_decided(evidence.decided_on)} ; {autonomy}"
    return autonomy


def _decided(day: dt.date) -> str:
    return f"niveau fixé par l'équipe pédagogique le {day:%d/%m/%Y}"


def autonomy_words(evidence: Evidence) -> str:
    """« 3 réussites en autonomie sur 2 jours différents », or « pas encore de réussite en
    autonomie »."""
    n = evidence.autonomous_successes
    if not n:
        return "pas encore de réussite en autonomie"
    days = counted(evidence.autonomous_days, "jour différent", "jours différents")
    return f"{counted(n, 'réussite', 'réussites')} en autonomie sur {days}"


def evidence_words(evidence: Evidence) -> str:
    """Everything the level rests on, in the order a reader weighs it: a decision of the
    team, the successes in autonomy (when, seen by whom), the successes with help, the
    practical evaluation passed."""
    said = []
    if evidence.decided_on:
        said.append(_decided(evidence.decided_on))
    autonomy = autonomy_words(evidence)
    if evidence.autonomous_successes:
        first, last = evidence.first_day, evidence.last_day
        if first and last and first != last:
            autonomy += f", du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
        elif last:
            autonomy += f", le {last:%d/%m/%Y}"
        if evidence.observers:
            seen = "observée" if evidence.autonomous_successes == 1 else "observées"
            autonomy += f", {seen} par {', '.join(evidence.observers)}"
    said.append(autonomy)
    if evidence.guided_successes:
        guided = counted(
            evidence.guided_successes, "réussite accompagnée", "réussites accompagnées"
        )
        said.append(f"{guided} (avec aide ou sous contrôle)")
    if evidence.evaluation_passed_on:
        passed = f"épreuve pratique réussie le {evidence.evaluation_passed_on:%d/%m/%Y}"
        if evidence.evaluators:
            passed += f", évaluée par {', '.join(evidence.evaluators)}"
        said.append(passed)
    return " ; ".join(said)

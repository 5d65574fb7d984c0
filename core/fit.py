"""How well a trainee fits an employer's requirements."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict

from core.models import AggregationRule, Employer, LevelScale, Requirement


class Status(enum.StrEnum):
    """What an employer reads next to each requirement."""

    ACQUIS = "acquis"
    EN_COURS = "en_cours"
    NON_ACQUIS = "non_acquis"

    @property
    def label(self) -> str:
        return {"acquis": "Acquis", "en_cours": "En cours"}.get(self.value, "Non acquis")


class RequirementStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    requirement: Requirement
    level: str
    status: Status

    @property
    def met(self) -> bool:
        return self.status is Status.ACQUIS


class EmployerFit(BaseModel):
    model_config = ConfigDict(frozen=True)

    employer: str
    met: int
    total: int
    percent: int  # share of requirements met, rounded down: never overstates a fit
    essentials_met: bool
    requirements: tuple[RequirementStatus, ...]  # most important first, in the employer's order

    @property
    def missing(self) -> tuple[RequirementStatus, ...]:
        return tuple(r for r in self.requirements if not r.met)


# Where a competency's level scale and rule come from (its sector's curriculum).
GradingLookup = Callable[[str], tuple[LevelScale, AggregationRule]]


def requirement_status(
    requirement: Requirement, level: str, scale: LevelScale, rule: AggregationRule
) -> Status:
    """Met at or above the minimum level; *en cours* above the rule's "observed" floor."""
    if scale.rank(level) >= scale.rank(requirement.min_level):
        return Status.ACQUIS
    if scale.rank(level) > scale.rank(rule.observed_floor):
        return Status.EN_COURS
    return Status.NON_ACQUIS


def employer_fit(
    employer: Employer, levels: Mapping[str, str], grading: GradingLookup
) -> EmployerFit:
    """Compare a trainee's levels (competency id -> level code) with an employer's needs.

    A competency absent from ``levels`` (another sector, never observed) is at its scale's
    first level. The percentage is the plain share of requirements met: an employer can check
    it by counting the lines of the booklet.
    """
    statuses = []
    for requirement in employer.requirements:
        scale, rule = grading(requirement.competency)
        level = levels.get(requirement.competency, scale.levels[0].code)
        status = requirement_status(requirement, level, scale, rule)
        statuses.append(RequirementStatus(requirement=requirement, level=level, status=status))
    statuses.sort(key=lambda s: s.requirement.priority.rank)  # stable: keeps the employer's order
    met = sum(s.met for s in statuses)
    total = len(statuses)
    return EmployerFit(
        employer=employer.id,
        met=met,
        total=total,
        percent=met * 100 // total if total else 0,
        essentials_met=all(s.met for s in statuses if s.requirement.priority.rank == 0),
        requirements=tuple(statuses),
    )

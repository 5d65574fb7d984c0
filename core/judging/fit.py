"""How well a trainee fits an employer's requirements."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict

from core.catalog.definitions import AggregationRule, Employer, LevelScale, Requirement


class Status(enum.StrEnum):
    """What an employer reads next to each requirement: words of their own, never a level's
    name (a requirement « atteint » beside « niveau atteint : En cours d'acquisition » would
    say two things at once)."""

    ACQUIS = "acquis"
    EN_COURS = "en_cours"
    NON_ACQUIS = "non_acquis"

    @property
    def label(self) -> str:
        return {"acquis": "Atteint", "en_cours": "En progression"}.get(self.value, "Pas encore")


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
    other_trades: tuple[Requirement, ...] = ()  # asked of other trades: listed, never counted
    essentials_missing: int = 0
    essentials_total: int = 0

    @property
    def rank(self) -> tuple[int, int, float]:
        """Best fit first: employers with essential requirements in this trade (one asking only
        « appréciée » skills of it does not really hire for it), then the fewest essentials
        missing, then the share met."""
        share = self.met / self.total if self.total else 0.0
        return (0 if self.essentials_total else 1, self.essentials_missing, -share)

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


def can_progress(requirement: Requirement, scale: LevelScale, rule: AggregationRule) -> bool:
    """Whether ``requirement`` can ever be « en progression » (``requirement_status``): some
    level lies above the rule's observed floor and below the level asked. A pass/fail scale
    (« non validé », « validé ») has none: its requirements are met or not yet."""
    if requirement.min_level not in scale.codes:  # refused when the catalog loads
        return False
    return scale.rank(rule.observed_floor) + 1 < scale.rank(requirement.min_level)


def employer_fit(
    employer: Employer,
    levels: Mapping[str, str],
    grading: GradingLookup,
    in_trade: Callable[[str], bool] | None = None,
) -> EmployerFit:
    """Compare a trainee's levels (competency id -> level code) with an employer's needs.

    ``in_trade`` says which competencies belong to the trainee's trade: an employer hiring in
    several trades is judged on all its requirements in that trade, and the others are
    returned apart (``other_trades``), so the reader is told they exist and were not counted.
    A competency absent from ``levels`` (never observed) is at its scale's first level. The
    share is the plain count of requirements met: a reader checks it by counting the lines.
    """
    own = [r for r in employer.requirements if in_trade is None or in_trade(r.competency)]
    other = [r for r in employer.requirements if r not in own]
    if not own:  # no requirement in the trade at all: judged on everything, nothing hidden
        own, other = list(employer.requirements), []
    statuses = []
    for requirement in own:
        scale, rule = grading(requirement.competency)
        level = levels.get(requirement.competency, scale.levels[0].code)
        status = requirement_status(requirement, level, scale, rule)
        statuses.append(RequirementStatus(requirement=requirement, level=level, status=status))
    statuses.sort(key=lambda s: s.requirement.priority.rank)  # stable: keeps the employer's order
    met = sum(s.met for s in statuses)
    total = len(statuses)
    essentials = [s for s in statuses if s.requirement.priority.rank == 0]
    missing = sum(not s.met for s in essentials)
    return EmployerFit(
        employer=employer.id,
        met=met,
        total=total,
        percent=met * 100 // total if total else 0,
        essentials_met=missing == 0,
        requirements=tuple(statuses),
        other_trades=tuple(other),
        essentials_missing=missing,
        essentials_total=len(essentials),
    )

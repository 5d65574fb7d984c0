"""How the booklet words a sector's own scale and rule: the rule in sentences, when a
gesture counts as mastered, and what an employer's requirement statuses mean — never the
default scale's words for a sector with its own, and never a status the scale cannot give."""

from __future__ import annotations

from collections.abc import Iterable

from core.catalog.definitions import Autonomy, Employer, Sector
from core.french import counted
from core.judging.fit import can_progress
from core.judging.record import TraineeRecord


def rule_text(sector: Sector) -> tuple[str, ...]:
    """The sector's own aggregation rule in words, highest level first (never the default
    rule's words for a sector that has its own scale)."""
    scale, rule = sector.curriculum.scale, sector.curriculum.rule
    sentences = []
    for condition in rule.conditions:
        label = scale.label(condition.level)
        needs = []
        if condition.min_successes:
            floor = Autonomy.from_key(condition.min_autonomy)
            how = "" if floor is Autonomy.AVEC_AIDE else f" {floor.label.lower()} au moins"
            if floor is Autonomy.AUTONOME:
                how = " en autonomie"
            needs.append(
                f"{counted(condition.min_successes, 'réussite', 'réussites')}{how}"
                + (
                    f", observées {counted(condition.min_days, 'jour', 'jours')} différents"
                    if condition.min_days > 1
                    else ""
                )
            )
        if condition.evaluation_passed:
            needs.append("une épreuve pratique réussie")
        sentences.append(f"« {label} » demande {' et '.join(needs) or 'une observation'}")
    return tuple(sentences)


def mastered(sector: Sector, autonomous: int, days: int) -> bool:
    """A gesture is listed as mastered under the curriculum's own rule for the acquired level
    (by default: two successes in autonomy on two different days), never after one success."""
    scale, rule = sector.curriculum.scale, sector.curriculum.rule
    acquired = scale.codes[scale.acquired_rank]
    condition = next((c for c in rule.conditions if c.level == acquired), None)
    successes, needed_days = (condition.min_successes, condition.min_days) if condition else (2, 2)
    return autonomous >= max(1, successes) and days >= needed_days


def printable(record: TraineeRecord) -> TraineeRecord:
    """The record as a booklet may print it, for the plugins that write into one: trainers'
    comments, the exit and level decisions' justifications (health, private life) never
    reach a plugin's section of a signed booklet."""
    levels = {
        competency: level.model_copy(
            update={"decision": level.decision.model_copy(update={"justification": ""})}
        )
        if level.decision is not None
        else level
        for competency, level in record.levels.items()
    }
    return record.model_copy(update={"comments": (), "exit": None, "levels": levels})


def status_legend(sector: Sector, readers: Iterable[Employer]) -> str:
    """What the statuses beside an employer's requirements mean, for this sector: « en
    progression » only where one of these requirements can have it (a level between the
    rule's observed floor and the level asked; a pass/fail scale has none)."""
    scale, rule = sector.curriculum.scale, sector.curriculum.rule
    asked = [r for e in readers for r in e.requirements if r.competency in sector_ids(sector)]
    if any(can_progress(r, scale, rule) for r in asked):
        return (
            "Une exigence est «\u00a0atteinte\u00a0» quand le niveau attendu est atteint, "
            "«\u00a0en progression\u00a0» quand le geste a été observé sans l'atteindre encore, "
            "«\u00a0pas encore\u00a0» sinon."
        )
    return (
        "Une exigence est «\u00a0atteinte\u00a0» quand le niveau attendu est atteint, "
        "«\u00a0pas encore\u00a0» sinon."
    )


def sector_ids(sector: Sector) -> set[str]:
    return {c.id for c in sector.competencies}

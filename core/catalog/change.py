"""What changed between two versions of a sector's curriculum: definitions added, removed or
renamed, and everything that changes how a trainee is judged — the scale and its pass mark,
the level rule, a gesture's steps (added, removed, made critical) and pass rule, an
evaluation's thresholds, criteria and evaluator, a module's hours and content. A pure
function: the store keeps each pinned version's definitions and asks it when a coordinator
looks at moving a cohort to the installed one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from core.catalog.definitions import (
    AggregationRule,
    Autonomy,
    Evaluation,
    Gesture,
    LevelScale,
    Module,
    Sector,
    Threshold,
)
from core.french import decimal

KINDS = {
    "competency": "compétence",
    "gesture": "geste",
    "evaluation": "épreuve",
    "module": "module",
}
WHOLE = {"scale": "échelle des niveaux", "rule": "règle des niveaux"}


@dataclass(frozen=True)
class Change:
    kind: str  # competency, gesture, evaluation, module; scale, rule (the curriculum's)
    id: str
    what: str  # added, removed, renamed, changed
    name: str  # the new name (the old one for a removal)
    old_name: str | None = None
    detail: str | None = None  # what changed in it, before → after (``changed``)

    @property
    def label(self) -> str:
        if self.kind in WHOLE:
            return f"{WHOLE[self.kind]} : {self.detail}"
        kind = KINDS[self.kind]
        if self.what == "added":
            return f"{kind} ajouté·e : {self.name}"
        if self.what == "removed":
            return f"{kind} retiré·e : {self.name} ({self.id})"
        if self.what == "changed":
            return f"{kind} « {self.name} » : {self.detail}"
        return f"{kind} renommé·e : « {self.old_name} » devient « {self.name} »"

    @property
    def judgement(self) -> bool:
        """Whether it can change a level already reached (not a name or a new definition)."""
        return self.what in ("removed", "changed")


def _names(sector: Sector) -> dict[str, dict[str, str]]:
    return {
        "competency": {c.id: c.name for c in sector.competencies},
        "gesture": {g.id: g.name for g in sector.gestures},
        "evaluation": {e.id: e.name for e in sector.evaluations},
        "module": {m.id: m.name for m in sector.curriculum.modules},
    }


def compare(old: Sector, new: Sector) -> list[Change]:
    """Every definition added, removed or renamed from ``old`` to ``new``, by kind then id;
    then every change to how trainees are judged (``changed``)."""
    changes = []
    before, after = _names(old), _names(new)
    for kind in KINDS:
        was, now = before[kind], after[kind]
        for definition in sorted(was.keys() | now.keys()):
            if definition not in was:
                changes.append(Change(kind, definition, "added", now[definition]))
            elif definition not in now:
                changes.append(Change(kind, definition, "removed", was[definition]))
            elif was[definition] != now[definition]:
                changes.append(
                    Change(kind, definition, "renamed", now[definition], was[definition])
                )
    return changes + list(judgement_changes(old, new))


def judgement_changes(old: Sector, new: Sector) -> Iterator[Change]:
    """What changes how a trainee is judged, in words a coordinator reads."""
    scale = new.curriculum.scale
    names = {
        i: n for kind in (_names(old), _names(new)) for by in kind.values() for i, n in by.items()
    }
    for detail in _scale(old.curriculum.scale, scale):
        yield Change("scale", scale.id, "changed", scale.name, detail=detail)
    for detail in _rule(old.curriculum.rule, new.curriculum.rule, scale):
        yield Change("rule", new.curriculum.id, "changed", new.curriculum.title, detail=detail)
    gestures = {g.id: g for g in old.gestures}
    for gesture in new.gestures:
        if gesture.id in gestures:
            for detail in _gesture(gestures[gesture.id], gesture, names):
                yield Change("gesture", gesture.id, "changed", gesture.name, detail=detail)
    evaluations = {e.id: e for e in old.evaluations}
    for evaluation in new.evaluations:
        if evaluation.id in evaluations:
            for detail in _evaluation(evaluations[evaluation.id], evaluation):
                yield Change("evaluation", evaluation.id, "changed", evaluation.name, detail=detail)
    modules = {m.id: m for m in old.curriculum.modules}
    for module in new.curriculum.modules:
        if module.id in modules:
            for detail in _module(modules[module.id], module, names):
                yield Change("module", module.id, "changed", module.name, detail=detail)


def _scale(old: LevelScale, new: LevelScale) -> Iterator[str]:
    was = {level.code: level.label for level in old.levels}
    now = {level.code: level.label for level in new.levels}
    for code, label in now.items():
        if code not in was:
            yield f"niveau ajouté : « {label} »"
        elif was[code] != label:
            yield f"niveau « {was[code]} » renommé « {label} »"
    for code, label in was.items():
        if code not in now:
            yield f"niveau retiré : « {label} »"
    if old.codes[old.acquired_rank] != new.codes[new.acquired_rank]:
        before, after = old.levels[old.acquired_rank], new.levels[new.acquired_rank]
        yield f"acquis à partir de « {before.label} » → « {after.label} »"


def _level(scale: LevelScale, code: str) -> str:
    return f"« {scale.label(code)} »" if code in scale.codes else f"« {code} »"


def _rule(old: AggregationRule, new: AggregationRule, scale: LevelScale) -> Iterator[str]:
    was = {c.level: c for c in old.conditions}
    now = {c.level: c for c in new.conditions}
    for level, condition in now.items():
        name = _level(scale, level)
        before = was.get(level)
        if before is None:
            yield f"{name} s'obtient désormais par une condition nouvelle"
            continue
        if before.min_successes != condition.min_successes:
            yield (
                f"{name} : réussites demandées {before.min_successes} → {condition.min_successes}"
            )
        if before.min_days != condition.min_days:
            yield f"{name} : jours différents demandés {before.min_days} → {condition.min_days}"
        if before.min_autonomy != condition.min_autonomy:
            was_autonomy = Autonomy.from_key(before.min_autonomy).label.lower()
            now_autonomy = Autonomy.from_key(condition.min_autonomy).label.lower()
            yield f"{name} : autonomie demandée « {was_autonomy} » → « {now_autonomy} »"
        if before.evaluation_passed != condition.evaluation_passed:
            asked = "demandée" if condition.evaluation_passed else "plus demandée"
            yield f"{name} : une épreuve réussie est {asked}"
    for level in was.keys() - now.keys():
        yield f"{_level(scale, level)} ne s'obtient plus par la règle"
    if old.observed_floor != new.observed_floor:
        yield (
            f"niveau d'une compétence observée sans condition remplie "
            f"{_level(scale, old.observed_floor)} → {_level(scale, new.observed_floor)}"
        )


def _gesture(old: Gesture, new: Gesture, names: dict[str, str]) -> Iterator[str]:
    was = {step.key: step for step in old.steps}
    now = {step.key: step for step in new.steps}
    for key, step in now.items():
        if key not in was:
            critical = " (critique)" if step.critical else ""
            yield f"étape ajoutée : « {step.label} »{critical}"
        elif was[key].critical != step.critical:
            yield f"étape « {step.label} » " + (
                "devient critique" if step.critical else "n'est plus critique"
            )
    for key, step in was.items():
        if key not in now:
            yield f"étape retirée : « {step.label} »"
    if old.pass_rule.min_ratio != new.pass_rule.min_ratio:
        yield (
            f"part des étapes à réussir {_percent(old.pass_rule.min_ratio)} → "
            f"{_percent(new.pass_rule.min_ratio)}"
        )
    if old.pass_rule.max_seconds != new.pass_rule.max_seconds:
        yield (
            f"temps maximal {_seconds(old.pass_rule.max_seconds)} → "
            f"{_seconds(new.pass_rule.max_seconds)}"
        )
    if set(old.competencies) != set(new.competencies):
        yield "compétences visées : " + _listed(new.competencies, names)


def _evaluation(old: Evaluation, new: Evaluation) -> Iterator[str]:
    if old.evaluator != new.evaluator:
        yield f"correcteur {old.evaluator} → {new.evaluator}"
    for key in sorted(old.params.keys() | new.params.keys()):
        if old.params.get(key) != new.params.get(key):
            yield f"paramètre {key} : {_value(old.params.get(key))} → {_value(new.params.get(key))}"
    if old.min_ratio != new.min_ratio:
        yield f"part des critères à remplir {_percent(old.min_ratio)} → {_percent(new.min_ratio)}"
    criteria = {c.key: c for c in old.criteria}
    for criterion in new.criteria:
        if criterion.key not in criteria:
            yield f"critère ajouté : « {criterion.label} »"
        elif criteria[criterion.key].critical != criterion.critical:
            turned = "devient critique" if criterion.critical else "n'est plus critique"
            yield f"critère « {criterion.label} » {turned}"
    for key in criteria.keys() - {c.key for c in new.criteria}:
        yield f"critère retiré : « {criteria[key].label} »"
    measurements = {m.key: m for m in old.measurements}
    for measurement in new.measurements:
        before = measurements.get(measurement.key)
        if before is None:
            yield f"mesure ajoutée : « {measurement.label} »"
            continue
        if before.threshold != measurement.threshold or before.unit != measurement.unit:
            yield (
                f"seuil de « {measurement.label} » : {_threshold(before.threshold, before.unit)}"
                f" → {_threshold(measurement.threshold, measurement.unit)}"
            )
        if before.count != measurement.count:
            yield f"nombre de « {measurement.label} » : {before.count} → {measurement.count}"
    for key in measurements.keys() - {m.key for m in new.measurements}:
        yield f"mesure retirée : « {measurements[key].label} »"


def _module(old: Module, new: Module, names: dict[str, str]) -> Iterator[str]:
    if old.hours != new.hours:
        yield f"heures {old.hours} → {new.hours}"
    for field, words in (("gestures", "gestes"), ("evaluations", "épreuves")):
        if set(getattr(old, field)) != set(getattr(new, field)):
            yield f"{words} du module : " + _listed(getattr(new, field), names)


def _listed(ids: tuple[str, ...], names: dict[str, str]) -> str:
    return ", ".join(f"« {names.get(i, i)} »" for i in ids) or "aucun"


def _percent(ratio: float) -> str:
    return f"{decimal(round(ratio * 100, 1))} %"


def _seconds(seconds: int | None) -> str:
    return "aucun" if seconds is None else f"{seconds} s"


def _threshold(threshold: Threshold | None, unit: str) -> str:
    return "aucun" if threshold is None else threshold.describe(unit)


def _value(value: object) -> str:
    return "—" if value is None else str(value)

"""Cross-checks of an assembled catalog: every reference resolves (with a "did you mean"),
the aggregation rule speaks of the scale's levels, the hours fit, and warnings for what no
gesture evidences or no module teaches. ``core.catalog.loading`` runs them before any plugin's own
``gestes_validate``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from core.catalog.catalog import KIND_LABELS, Entry, Kind
from core.catalog.definitions import Employer, Sector
from core.catalog.hints import did_you_mean, one_of
from core.catalog.sources import FieldPath, Location, Problem
from core.judging.evaluation import Evaluator
from core.units import CORE_UNITS, Unit

Locate = Callable[[FieldPath], Location]


# ---------------------------------------------------------------- indexing and checks


@dataclass
class Contribution:
    """A definition a plugin contributed, with how to find its fields in the source."""

    plugin: str
    definition: BaseModel
    locate: Locate


@dataclass
class Index:
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        previous = self.entries.get(entry.id)
        if previous is not None:
            message = f"identifiant « {entry.id} » déjà défini en {previous.location}"
            self.problems.append(Problem(message, entry.location))
            return
        self.entries[entry.id] = entry

    def add_definition(
        self,
        definition_id: str,
        kind: Kind,
        definition: BaseModel,
        contribution: Contribution,
        path: FieldPath,
        sector: str | None = None,
    ) -> Location:
        location: Location = contribution.locate((*path, "id"))
        self.add(
            Entry(
                definition_id,
                kind,
                definition,
                location,
                contribution.plugin,
                sector,
                path,
                contribution.locate,
            )
        )
        return location

    def ids(self, kind: Kind) -> list[str]:
        return [i for i, e in self.entries.items() if e.kind == kind]

    def reference(self, ref: str, kind: Kind, location: Location) -> bool:
        """Check that ``ref`` names a definition of ``kind``; report it where it is written."""
        entry = self.entries.get(ref)
        if entry is not None and entry.kind == kind:
            return True
        label = KIND_LABELS[kind]
        if entry is not None:
            message = f"« {ref} » désigne : {KIND_LABELS[entry.kind]}, pas : {label}"
            self.problems.append(Problem(message, location))
        else:
            hint = did_you_mean(ref, self.ids(kind))
            message = f"{label} introuvable : « {ref} »"
            self.problems.append(Problem(message, location, hint))
        return False


def check_sector(
    index: Index,
    evaluators: dict[str, Evaluator],
    sector: Sector,
    locate: Locate,
    units: Mapping[str, Unit] = CORE_UNITS,
) -> None:
    from core.catalog.measures import check_measurements

    _check_references(index, evaluators, sector, locate)
    _check_rule(index.problems, sector, locate)
    _check_coverage(index.problems, sector, locate)
    check_measurements(index.problems, sector, locate, units)


def _check_references(
    index: Index, evaluators: dict[str, Evaluator], sector: Sector, locate: Locate
) -> None:
    """Every id a gesture, evaluation or module names, and every evaluator, exists."""
    problems = index.problems
    for i, gesture in enumerate(sector.gestures):
        for j, ref in enumerate(gesture.competencies):
            index.reference(ref, "competency", locate(("gestures", i, "competencies", j)))
    for i, evaluation in enumerate(sector.evaluations):
        base: FieldPath = ("evaluations", i)
        for j, ref in enumerate(evaluation.competencies):
            index.reference(ref, "competency", locate((*base, "competencies", j)))
        evaluator = evaluators.get(evaluation.evaluator)
        if evaluator is None:
            hint = did_you_mean(evaluation.evaluator, evaluators)
            message = f"évaluateur inconnu : « {evaluation.evaluator} »"
            problems.append(Problem(message, locate((*base, "evaluator")), hint))
        else:
            for path, message in evaluator.check(evaluation):
                problems.append(Problem(message, locate((*base, *path))))

    curriculum = sector.curriculum
    for i, module in enumerate(curriculum.modules):
        base = ("curriculum", "modules", i)
        for field_name, kind in (
            ("gestures", "gesture"),
            ("evaluations", "evaluation"),
            ("competencies", "competency"),
        ):
            for j, ref in enumerate(getattr(module, field_name)):
                index.reference(ref, kind, locate((*base, field_name, j)))  # type: ignore[arg-type]
    taught = {g for m in curriculum.modules for g in m.gestures}
    for j, ref in enumerate(curriculum.positioning.gestures if curriculum.positioning else ()):
        where = locate(("curriculum", "positioning", "gestures", j))
        if index.reference(ref, "gesture", where) and ref not in taught:
            message = f"geste de positionnement « {ref} » : aucun module du parcours ne l'enseigne"
            problems.append(Problem(message, where))


def _check_rule(problems: list[Problem], sector: Sector, locate: Locate) -> None:
    """The aggregation rule speaks of the scale's levels, highest first; the hours fit."""
    curriculum = sector.curriculum
    scale = curriculum.scale
    rule = curriculum.rule
    ranks = []
    for i, condition in enumerate(rule.conditions):
        where = locate(("curriculum", "rule", "conditions", i, "level"))
        if condition.level not in scale.codes:
            hint = one_of(condition.level, scale.codes)
            message = f"le niveau « {condition.level} » n'est pas dans l'échelle"
            problems.append(Problem(message, where, hint))
        else:
            ranks.append(scale.rank(condition.level))
    if rule.observed_floor not in scale.codes:
        where = locate(("curriculum", "rule", "observed_floor"))
        hint = one_of(rule.observed_floor, scale.codes)
        message = f"le niveau « {rule.observed_floor} » n'est pas dans l'échelle"
        problems.append(Problem(message, where, hint))
    elif ranks and (
        ranks != sorted(ranks, reverse=True)
        or len(set(ranks)) != len(ranks)
        or ranks[-1] <= scale.rank(rule.observed_floor)
    ):
        message = (
            "les conditions vont du niveau le plus haut au plus bas, chacune au-dessus de "
            "observed_floor"
        )
        problems.append(Problem(message, locate(("curriculum", "rule", "conditions"))))

    available = curriculum.weeks * curriculum.hours_per_week
    if curriculum.total_hours > available:
        message = (
            f"les modules totalisent {curriculum.total_hours} h, plus que {curriculum.weeks} "
            f"semaines de {curriculum.hours_per_week} h ({available} h)"
        )
        problems.append(Problem(message, locate(("curriculum", "modules"))))


def _check_coverage(problems: list[Problem], sector: Sector, locate: Locate) -> None:
    """Warnings: a competency nothing evidences, a gesture no module teaches."""
    curriculum = sector.curriculum
    evidenced = {c for g in sector.gestures for c in g.competencies}
    evidenced |= {c for e in sector.evaluations for c in e.competencies}
    for i, block in enumerate(sector.blocks):
        for j, competency in enumerate(block.competencies):
            if competency.id not in evidenced:
                where = locate(("blocks", i, "competencies", j, "id"))
                message = f"compétence « {competency.id} » : aucun geste ni épreuve ne l'évalue"
                problems.append(Problem(message, where, severity="warning"))
    taught = {g for m in curriculum.modules for g in m.gestures}
    for i, gesture in enumerate(sector.gestures):
        if gesture.id not in taught:
            message = f"geste « {gesture.id} » : aucun module ne l'enseigne"
            problems.append(Problem(message, locate(("gestures", i, "id")), severity="warning"))


def check_employer(
    index: Index, sectors: dict[str, Sector], employer: Employer, locate: Locate, base: FieldPath
) -> None:
    for j, territory in enumerate(employer.territories):
        index.reference(territory, "territory", locate((*base, "territories", j)))
    for j, requirement in enumerate(employer.requirements):
        path = (*base, "requirements", j)
        if not index.reference(requirement.competency, "competency", locate((*path, "competency"))):
            continue
        sector = sectors[index.entries[requirement.competency].sector or ""]
        scale = sector.curriculum.scale
        if requirement.min_level not in scale.codes:
            index.problems.append(_unknown_min_level(requirement, sector, locate, path))


def _unknown_min_level(
    requirement: Any, sector: Sector, locate: Locate, path: FieldPath
) -> Problem:
    """A required level the competency's scale lacks; when ``min_level`` was left out, the
    message says the default was taken, not a word the designer never wrote."""
    codes = sector.curriculum.scale.codes
    hint = one_of(requirement.min_level, codes)
    if "min_level" not in requirement.model_fields_set:
        message = (
            f"min_level absent : sa valeur par défaut, « {requirement.min_level} », n'est pas "
            f"dans l'échelle de la filière {sector.id} ; écrivez min_level"
        )
        return Problem(message, locate(path), "niveaux : " + ", ".join(f"« {c} »" for c in codes))
    message = (
        f"le niveau « {requirement.min_level} » n'est pas dans l'échelle de la filière {sector.id}"
    )
    return Problem(message, locate((*path, "min_level")), hint)

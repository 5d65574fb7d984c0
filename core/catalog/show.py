"""Readable text for one definition (``gestes show ID``), in the trainers' French."""

from __future__ import annotations

import difflib
from typing import Any

from core.catalog.catalog import KIND_LABELS, Catalog
from core.catalog.definitions import (
    Competency,
    CompetencyBlock,
    Curriculum,
    Employer,
    Evaluation,
    Gesture,
    Module,
    Sector,
    Territory,
)


def suggest(catalog: Catalog, definition_id: str) -> str:
    close = difflib.get_close_matches(definition_id, catalog.ids(), n=3, cutoff=0.6)
    return f" Did you mean: {', '.join(close)}?" if close else ""


def describe(catalog: Catalog, definition_id: str) -> str:
    entry = catalog.entry(definition_id)
    definition = entry.definition
    title = getattr(definition, "name", None) or getattr(definition, "title", "")
    if isinstance(definition, Sector):
        title = definition.sector.name
    lines = [
        f"{KIND_LABELS[entry.kind].capitalize()} {definition_id} — {title}",
        f"  défini dans {entry.location.file}:{entry.location.line} (plugin {entry.plugin})",
    ]
    description = getattr(definition, "description", None)
    if description:
        lines.append(f"  {description}")
    lines.append("")
    lines.extend(_body(catalog, definition))
    return "\n".join(lines).rstrip()


def _body(catalog: Catalog, d: object) -> list[str]:
    """The lines that describe a definition, by its kind."""
    for kind, describe in _DESCRIBERS:
        if isinstance(d, kind):
            lines: list[str] = describe(catalog, d)
            return lines
    return []


def _sector_lines(catalog: Catalog, d: Sector) -> list[str]:
    lines: list[str] = []
    c = d.curriculum
    lines.append(f"Parcours {c.id} v{c.version} : {c.total_hours} h sur {c.weeks} semaines")
    lines.extend(f"  {phase.label} : {hours} h" for phase, hours in c.hours_by_phase().items())
    lines.append(
        f"{len(d.blocks)} blocs, {len(d.competencies)} compétences, "
        f"{len(d.gestures)} gestes, {len(d.evaluations)} épreuves"
    )
    for block in d.blocks:
        lines.append(f"  {block.id} — {block.name}")
    return lines


def _curriculum_lines(catalog: Catalog, d: Curriculum) -> list[str]:
    lines: list[str] = []
    lines.append(
        f"Version {d.version}, {d.weeks} semaines de {d.hours_per_week} h, "
        f"échelle « {d.scale.name} »"
    )
    for module in d.modules:
        lines.append(f"  [{module.phase.label}] {module.id} — {module.name} ({module.hours} h)")
    return lines


def _competency_block_lines(catalog: Catalog, d: CompetencyBlock) -> list[str]:
    lines: list[str] = []
    lines.extend(f"  {c.id} — {c.name}" for c in d.competencies)
    return lines


def _competency_lines(catalog: Catalog, d: Competency) -> list[str]:
    lines: list[str] = []
    gestures = catalog.gestures_for(d.id)
    evaluations = catalog.evaluations_for(d.id)
    lines.append("Gestes qui la travaillent :")
    lines.extend(f"  {g.id} — {g.name}" for g in gestures)
    lines.append("Épreuves qui l'évaluent :")
    lines.extend(f"  {e.id} — {e.name}" for e in evaluations)
    employers = [
        e for e in catalog.employers.values() if any(r.competency == d.id for r in e.requirements)
    ]
    if employers:
        lines.append("Employeurs qui la demandent :")
        lines.extend(f"  {e.id} — {e.name}" for e in employers)
    return lines


def _gesture_lines(catalog: Catalog, d: Gesture) -> list[str]:
    lines: list[str] = []
    lines.append("Compétences : " + ", ".join(d.competencies))
    rule = d.pass_rule
    limit = f", {rule.max_seconds} s au plus" if rule.max_seconds else ""
    share = f"{rule.min_ratio:.0%}".replace("%", " %")
    lines.append(f"Réussite : étapes critiques réussies et {share} des étapes{limit}")
    for number, step in enumerate(d.steps, start=1):
        mark = "⚠ " if step.critical else "  "
        lines.append(f" {mark}{number}. {step.label}")
        if step.why:
            lines.append(f"       pourquoi : {step.why}")
    return lines


def _evaluation_lines(catalog: Catalog, d: Evaluation) -> list[str]:
    lines: list[str] = []
    lines.append(f"Évaluateur : {d.evaluator} — {catalog.evaluators[d.evaluator].description}")
    lines.append("Compétences : " + ", ".join(d.competencies))
    for criterion in d.criteria:
        mark = "⚠ " if criterion.critical else "  "
        lines.append(f" {mark}[critère] {criterion.label}")
    for m in d.measurements:
        threshold = f", seuil {m.threshold.describe(m.unit)}" if m.threshold else ""
        series = f" × {m.count}" if m.count > 1 else ""
        lines.append(f"   [mesure] {m.label} ({m.unit or m.type}{series}{threshold})")
    for key, value in d.params.items():
        lines.append(f"   [paramètre] {key} = {value}")
    return lines


def _module_lines(catalog: Catalog, d: Module) -> list[str]:
    lines: list[str] = []
    lines.append(f"{d.phase.label}, {d.hours} h")
    lines.extend(f"  geste {g}" for g in d.gestures)
    lines.extend(f"  épreuve {e}" for e in d.evaluations)
    return lines


def _employer_lines(catalog: Catalog, d: Employer) -> list[str]:
    lines: list[str] = []
    lines.append("Territoires : " + ", ".join(catalog.territories[t].name for t in d.territories))
    for r in d.requirements:
        name = catalog.competency(r.competency).name
        lines.append(f"  [{r.priority.label}] {name} — niveau {r.min_level} ({r.competency})")
    return lines


def _territory_lines(catalog: Catalog, d: Territory) -> list[str]:
    lines: list[str] = []
    lines.append(f"{d.region} : {', '.join(d.cities)}")
    lines.extend(f"  {e.id} — {e.name}" for e in catalog.employers_in(d.id))
    return lines


_DESCRIBERS: tuple[tuple[type, Any], ...] = (
    (Sector, _sector_lines),
    (Curriculum, _curriculum_lines),
    (CompetencyBlock, _competency_block_lines),
    (Competency, _competency_lines),
    (Gesture, _gesture_lines),
    (Evaluation, _evaluation_lines),
    (Module, _module_lines),
    (Employer, _employer_lines),
    (Territory, _territory_lines),
)

"""Fibre-optic (FTTH) installer: the sector, its evaluators, its employers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only hookimpl at the top: what the hooks need is imported when they are called, so that
# registering this plugin costs the command line nothing (`gestes --help`).
from core.plugin_api import hookimpl

if TYPE_CHECKING:
    from core.plugin_api import BookletSection, Catalog, Evaluator, Problem

HERE = Path(__file__).parent


@hookimpl
def gestes_sectors() -> list[Path]:
    return [HERE / "sector"]


@hookimpl
def gestes_evaluators() -> list[Evaluator]:
    from plugins.fibre.evaluators import EVALUATORS

    return EVALUATORS


@hookimpl
def gestes_employers() -> list[Path]:
    return [HERE / "employers.yaml"]


@hookimpl
def gestes_validate(catalog: Catalog) -> list[Problem]:
    """A connector evaluation must name a grade the evaluator knows."""
    from core.plugin_api import Problem
    from plugins.fibre.evaluators import CONNECTOR_GRADES

    problems = []
    for sector in catalog.sectors.values():
        for evaluation in sector.evaluations:
            grade = evaluation.params.get("grade")
            if evaluation.evaluator == "fibre.connector_losses" and grade not in CONNECTOR_GRADES:
                known = ", ".join(CONNECTOR_GRADES)
                message = f"unknown connector grade {grade!r} (known: {known})"
                location = catalog.locate(evaluation.id, "params", "grade")
                problems.append(Problem(message, location))
    return problems


@hookimpl
def gestes_appraisal_criteria(sector: str) -> list[tuple[str, str]]:
    """What a fibre tutor watches on site beyond the core's four criteria."""
    if sector != "fibre":
        return []
    return [("hauteur", "Travail en hauteur et en chambre, en sécurité")]


MEASURED = ("pertes_db", "insertion_db", "retour_db")  # keys of the measured checks


@hookimpl
def gestes_booklet_sections(record: Any) -> list[BookletSection]:
    """Splice and connector losses of the latest evaluations, against their thresholds."""
    from core.plugin_api import BookletSection, SectionRow

    if record.trainee.sector != "fibre":
        return []
    sections = []
    for evaluation_id, title in (
        ("fibre.e.epissures", "Pertes d'épissure mesurées"),
        ("fibre.e.connecteurs", "Connecteurs SC/APC mesurés"),
    ):
        result = record.evaluations.get(evaluation_id)
        if result is None:
            continue
        rows = tuple(
            SectionRow(
                cells=(
                    check.label,
                    check.found,
                    check.expected,
                    "conforme" if check.ok else "non conforme",
                ),
                ok=check.ok,
            )
            for check in result.checks
            if check.key.startswith(MEASURED)
        )
        if rows:
            intro = f"Épreuve du {result.day.strftime('%d/%m/%Y')} : {result.summary}"
            sections.append(
                BookletSection(
                    title=title,
                    intro=intro,
                    rows=rows,
                    order=10,
                    columns=("Mesure", "Valeur", "Seuil", "Verdict"),
                )
            )
    return sections

"""Fibre-optic (FTTH) installer: the sector, its evaluators, its employers."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.catalog import Catalog
from core.evaluation import Evaluator
from core.sources import Problem
from plugins.fibre.evaluators import CONNECTOR_GRADES, EVALUATORS

HERE = Path(__file__).parent


@hookimpl
def gestes_sectors() -> list[Path]:
    return [HERE / "sector"]


@hookimpl
def gestes_evaluators() -> list[Evaluator]:
    return EVALUATORS


@hookimpl
def gestes_employers() -> list[Path]:
    return [HERE / "employers.yaml"]


@hookimpl
def gestes_validate(catalog: Catalog) -> list[Problem]:
    """A connector evaluation must name a grade the evaluator knows."""
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

"""Datacenter technician: the sector, its evaluators, its employers."""

from __future__ import annotations

from pathlib import Path

from core.plugin_api import Evaluator, hookimpl
from plugins.datacenter.evaluators import EVALUATORS

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
def gestes_appraisal_criteria(sector: str) -> list[tuple[str, str]]:
    """A datacenter host watches how a newcomer follows its access and change procedures."""
    if sector != "datacenter":
        return []
    return [("procedures", "Respect des procédures d'accès et d'intervention en salle")]

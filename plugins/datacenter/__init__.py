"""Datacenter technician: the sector, its evaluators, its employers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# Only hookimpl at the top: what the hooks need is imported when they are called, so that
# registering this plugin costs the command line nothing (`gestes --help`).
from core.plugin_api import hookimpl

if TYPE_CHECKING:
    from core.plugin_api import Evaluator

HERE = Path(__file__).parent


@hookimpl
def gestes_sectors() -> list[Path]:
    return [HERE / "sector"]


@hookimpl
def gestes_evaluators() -> list[Evaluator]:
    from plugins.datacenter.evaluators import EVALUATORS

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

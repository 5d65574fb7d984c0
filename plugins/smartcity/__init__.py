"""Smart-city / low-voltage technician: the sector, its evaluators, its employers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# Only hookimpl at the top: what the hooks need is imported when they are called, so that
# registering this plugin costs the command line nothing (`gestes --help`).
from core.plugin_api import hookimpl

if TYPE_CHECKING:
    from core.plugin_api import Catalog, Evaluator, Problem

HERE = Path(__file__).parent


@hookimpl
def gestes_sectors() -> list[Path]:
    return [HERE / "sector"]


@hookimpl
def gestes_evaluators() -> list[Evaluator]:
    from plugins.smartcity.evaluators import EVALUATORS

    return EVALUATORS


@hookimpl
def gestes_employers() -> list[Path]:
    return [HERE / "employers.yaml"]


@hookimpl
def gestes_validate(catalog: Catalog) -> list[Problem]:
    """A camera evaluation's ``purpose`` must be one of the four DORI levels."""
    from core.plugin_api import Problem
    from plugins.smartcity.evaluators import DORI_PX_PER_M

    problems = []
    for sector in catalog.sectors.values():
        for evaluation in sector.evaluations:
            purpose = evaluation.params.get("purpose")
            if (
                evaluation.evaluator == "smartcity.camera_commissioning"
                and purpose not in DORI_PX_PER_M
            ):
                known = ", ".join(DORI_PX_PER_M)
                location = catalog.locate(evaluation.id, "params", "purpose")
                problems.append(
                    Problem(f"unknown DORI purpose {purpose!r} (known: {known})", location)
                )
    return problems

"""The core's own contributions, made through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.judging.evaluation import Evaluator


@hookimpl(trylast=True)
def gestes_evaluators() -> list[Evaluator]:
    # Imported here: registering the core's hooks costs the command line nothing.
    from core.judging.evaluation import BUILTIN_EVALUATORS

    return list(BUILTIN_EVALUATORS)


@hookimpl(trylast=True)
def gestes_employers() -> list[Path]:
    return [Path(__file__).parent / "data" / "territories.yaml"]

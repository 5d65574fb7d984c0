"""The core's own contributions, made through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl
from core.judging.evaluation import BUILTIN_EVALUATORS, Evaluator


@hookimpl(trylast=True)
def gestes_evaluators() -> list[Evaluator]:
    return list(BUILTIN_EVALUATORS)


@hookimpl(trylast=True)
def gestes_employers() -> list[Path]:
    return [Path(__file__).parent / "data" / "territories.yaml"]

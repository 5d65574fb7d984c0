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

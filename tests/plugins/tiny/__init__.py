"""A minimal sector plugin for tests: two competencies, two gestures, one evaluation."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl

HERE = Path(__file__).parent


@hookimpl
def gestes_sectors() -> list[Path]:
    return [HERE / "sector.yaml"]


@hookimpl
def gestes_employers() -> list[Path]:
    return [HERE / "employers.yaml"]

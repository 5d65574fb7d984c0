"""What a sector plugin may import: every name here is kept stable for plugins; anything else
in ``core`` may change without notice. The in-tree plugins import only this module
(``tests/test_architecture.py`` checks it), so they prove the contract every day.

    from core.plugin_api import hookimpl, Evaluator, EvaluationScore, Threshold, ...

Names are imported when first used (PEP 562): a plugin module that imports only ``hookimpl``
at its top costs the command line nothing, so ``gestes --help`` stays fast with every plugin
registered (``bench/catalog.py`` measures it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.booklet.sections import BookletSection, SectionRow
    from core.catalog.catalog import Catalog
    from core.catalog.definitions import (
        Competency,
        Employer,
        EmployerDocument,
        Evaluation,
        Gesture,
        Sector,
        Threshold,
    )
    from core.catalog.sources import Location, Problem
    from core.context import Gestes
    from core.french import counted, decimal, plural, quantity
    from core.judging.attempts import StepResult
    from core.judging.evaluation import (
        Check,
        EvaluationScore,
        Evaluator,
        Submission,
        criteria_checks,
        missing_check,
        score_evaluation,
        value_check,
    )
    from core.judging.record import TraineeRecord
    from core.units import Unit


class OpenGestes(Protocol):
    """What ``gestes_commands`` receives as ``open_gestes``: call it inside a command for the
    application context (``migrate``: upgrade the store first)."""

    def __call__(self, migrate: bool = False) -> Gestes: ...


# Where each name lives; imported on first use.
_HOMES = {
    "BookletSection": "core.booklet.sections",
    "Catalog": "core.catalog.catalog",
    "Check": "core.judging.evaluation",
    "Competency": "core.catalog.definitions",
    "Employer": "core.catalog.definitions",
    "EmployerDocument": "core.catalog.definitions",
    "Evaluation": "core.catalog.definitions",
    "EvaluationScore": "core.judging.evaluation",
    "Evaluator": "core.judging.evaluation",
    "Gestes": "core.context",
    "Gesture": "core.catalog.definitions",
    "Location": "core.catalog.sources",
    "Problem": "core.catalog.sources",
    "SectionRow": "core.booklet.sections",
    "Sector": "core.catalog.definitions",
    "StepResult": "core.judging.attempts",
    "Submission": "core.judging.evaluation",
    "Threshold": "core.catalog.definitions",
    "TraineeRecord": "core.judging.record",
    "Unit": "core.units",
    "counted": "core.french",
    "criteria_checks": "core.judging.evaluation",
    "decimal": "core.french",
    "missing_check": "core.judging.evaluation",
    "plural": "core.french",
    "quantity": "core.french",
    "score_evaluation": "core.judging.evaluation",
    "value_check": "core.judging.evaluation",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'core.plugin_api' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value


__all__ = [
    "BookletSection",
    "Catalog",
    "Check",
    "Competency",
    "Employer",
    "EmployerDocument",
    "Evaluation",
    "EvaluationScore",
    "Evaluator",
    "Gestes",
    "Gesture",
    "Location",
    "OpenGestes",
    "Problem",
    "SectionRow",
    "Sector",
    "StepResult",
    "Submission",
    "Threshold",
    "TraineeRecord",
    "Unit",
    "counted",
    "criteria_checks",
    "decimal",
    "hookimpl",
    "missing_check",
    "plural",
    "quantity",
    "score_evaluation",
    "value_check",
]

"""What a sector plugin may import: every name here is kept stable for plugins; anything else
in ``core`` may change without notice. The in-tree plugins import only this module
(``tests/test_architecture.py`` checks it), so they prove the contract every day.

    from core.plugin_api import hookimpl, Evaluator, EvaluationScore, Threshold, ...
"""

from __future__ import annotations

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
from core.hookspecs import hookimpl
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
    "Gesture",
    "Location",
    "Problem",
    "SectionRow",
    "Sector",
    "StepResult",
    "Submission",
    "Threshold",
    "TraineeRecord",
    "criteria_checks",
    "hookimpl",
    "missing_check",
    "score_evaluation",
    "value_check",
]

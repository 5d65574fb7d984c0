"""The outcome of one gesture attempt, from the result of each of its steps."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from core.catalog.definitions import Gesture
from core.french import counted, duration, plural


class StepResult(enum.StrEnum):
    """What the trainer ticked for a step: one tap each."""

    REUSSI = "reussi"
    A_REPRENDRE = "a_reprendre"
    NON_OBSERVE = "non_observe"

    @property
    def label(self) -> str:
        return {"reussi": "Réussi", "a_reprendre": "À reprendre"}.get(self.value, "Non observé")


class Outcome(enum.StrEnum):
    PASSED = "passed"  # réussie
    FAILED = "failed"  # à reprendre
    INCOMPLETE = "incomplete"  # not enough observed to decide

    @property
    def label(self) -> str:
        return {"passed": "Réussie", "failed": "À reprendre"}.get(self.value, "Incomplète")


class AttemptOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    passed_steps: int
    failed_steps: int
    unobserved_steps: int
    needed_steps: int
    reasons: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED


def attempt_outcome(
    gesture: Gesture, steps: Mapping[str, StepResult], seconds: int | None = None
) -> AttemptOutcome:
    """Judge an attempt.

    1. A critical step *à reprendre* fails the attempt, whatever else happened.
    2. Over the time limit (``pass_rule.max_seconds``) fails it.
    3. Fewer than ``pass_rule.min_ratio`` of the steps passed even counting every unobserved
       step as a success: failed, nothing left to see could save it.
    4. A critical step not observed leaves it *incomplete*: nobody saw the safety step done.
    5. Otherwise it passes when enough steps passed, and is *incomplete* if not yet.

    So *incomplete* always means "could still pass once the rest is observed".
    Steps missing from ``steps`` count as not observed; keys that are not steps of the gesture
    raise ``KeyError`` (the store refuses them before this is reached).
    """
    unknown = set(steps) - {step.key for step in gesture.steps}
    if unknown:
        raise KeyError(f"not steps of {gesture.id}: {', '.join(sorted(unknown))}")
    results = [steps.get(step.key, StepResult.NON_OBSERVE) for step in gesture.steps]
    passed = results.count(StepResult.REUSSI)
    failed = results.count(StepResult.A_REPRENDRE)
    unobserved = results.count(StepResult.NON_OBSERVE)
    needed = math.ceil(gesture.pass_rule.min_ratio * len(gesture.steps) - 1e-9)

    def verdict(outcome: Outcome, *reasons: str) -> AttemptOutcome:
        return AttemptOutcome(
            outcome=outcome,
            passed_steps=passed,
            failed_steps=failed,
            unobserved_steps=unobserved,
            needed_steps=needed,
            reasons=reasons,
        )

    critical = [
        (step, result) for step, result in zip(gesture.steps, results, strict=True) if step.critical
    ]
    failed_critical = [step.label for step, result in critical if result is StepResult.A_REPRENDRE]
    if failed_critical:
        return verdict(
            Outcome.FAILED, *(f"Étape critique à reprendre : {s}" for s in failed_critical)
        )
    limit = gesture.pass_rule.max_seconds
    if limit is not None and seconds is not None and seconds > limit:
        # In minutes, as the trainer typed it and the rule is read (« 45 min au plus »).
        said = f"Temps dépassé : {duration(seconds)} pour {duration(limit)} au plus"
        return verdict(Outcome.FAILED, said)
    if passed + unobserved < needed:
        return verdict(Outcome.FAILED, _steps_passed(passed, needed))
    unseen_critical = [step.label for step, result in critical if result is StepResult.NON_OBSERVE]
    if unseen_critical:
        return verdict(
            Outcome.INCOMPLETE, *(f"Étape critique non observée : {s}" for s in unseen_critical)
        )
    if passed >= needed:
        return verdict(Outcome.PASSED)
    return verdict(Outcome.INCOMPLETE, _steps_passed(passed, needed))


def _steps_passed(passed: int, needed: int) -> str:
    steps = counted(passed, "étape réussie", "étapes réussies")
    return f"{steps} sur {needed} {plural(needed, 'requise', 'requises')}"

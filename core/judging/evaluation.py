"""Practical evaluations: parse what the assessor typed, then score it with a named evaluator.

An evaluator is a pure function ``(Evaluation, Submission) -> EvaluationScore`` registered
under a dotted id. Core ships ``core.checklist``, ``core.thresholds`` and ``core.standard``
(both); plugins add their own through the ``gestes_evaluators`` hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from core.catalog.definitions import Evaluation, Measurement, Threshold
from core.french import counted, decimal
from core.units import CORE_UNITS, Unit, convert, resolve, typed_value


class Submission(BaseModel):
    """What an assessor recorded: criteria met or not, and measured values (always series)."""

    model_config = ConfigDict(frozen=True)

    criteria: dict[str, bool] = {}
    measurements: dict[str, tuple[float, ...]] = {}
    # Values typed in another unit and converted, said on the page (« 0,2 kPa → 200 Pa »);
    # never stored: the values above are what was judged.
    conversions: tuple[str, ...] = Field(default=(), exclude=True)

    def values(self, key: str) -> tuple[float, ...]:
        return self.measurements.get(key, ())

    def value(self, key: str) -> float | None:
        values = self.values(key)
        return values[0] if values else None


class Check(BaseModel):
    """One line of a score: what was checked, what was found, against what, and whether ok."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    ok: bool
    found: str = ""
    expected: str = ""
    critical: bool = False
    message: str | None = None


class EvaluationScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    evaluation: str
    evaluator: str
    passed: bool
    score: float  # 0..1, share of checks passed
    checks: tuple[Check, ...]
    summary: str

    @classmethod
    def from_checks(
        cls, evaluation: Evaluation, evaluator: str, checks: Sequence[Check], min_ratio: float = 1
    ) -> EvaluationScore:
        """The usual verdict: every critical check ok and at least ``min_ratio`` of all ok."""
        total = len(checks)
        ok = sum(check.ok for check in checks)
        ratio = ok / total if total else 0.0
        critical_failed = [check for check in checks if check.critical and not check.ok]
        passed = total > 0 and not critical_failed and ratio >= min_ratio - 1e-9
        if critical_failed:
            summary = "Point critique non satisfait : " + ", ".join(
                c.label for c in critical_failed
            )
        else:
            summary = f"{counted(ok, 'point satisfait', 'points satisfaits')} sur {total}"
        return cls(
            evaluation=evaluation.id,
            evaluator=evaluator,
            passed=passed,
            score=round(ratio, 4),
            checks=tuple(checks),
            summary=summary,
        )


ScoreFunction = Callable[[Evaluation, Submission], EvaluationScore]


@dataclass(frozen=True)
class Evaluator:
    """A named way of scoring a practical evaluation.

    ``needs_measurements`` / ``needs_criteria`` / ``needs_params`` list the keys an evaluation
    must define to use this evaluator; the catalog checks them at load time, so a plugin's
    ``score`` function may rely on them.
    """

    id: str
    score: ScoreFunction
    description: str = ""
    needs_measurements: tuple[str, ...] = ()
    needs_criteria: tuple[str, ...] = ()
    needs_params: tuple[str, ...] = ()
    plugin: str = field(default="", compare=False)

    def check(self, evaluation: Evaluation) -> list[tuple[tuple[str | int, ...], str]]:
        """Problems with an evaluation's definition, as (field path, message) pairs."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        measured = {m.key for m in evaluation.measurements}
        for key in self.needs_measurements:
            if key not in measured:
                problems.append(
                    (
                        ("measurements",),
                        f"le correcteur {self.id} demande la mesure « {key} » : ajoutez-la "
                        "sous measurements",
                    )
                )
        criteria = {c.key for c in evaluation.criteria}
        for key in self.needs_criteria:
            if key not in criteria:
                problems.append(
                    (
                        ("criteria",),
                        f"le correcteur {self.id} demande le critère « {key} » : ajoutez-le "
                        "sous criteria",
                    )
                )
        for key in self.needs_params:
            if key not in evaluation.params:
                problems.append(
                    (
                        ("params",),
                        f"le correcteur {self.id} demande le paramètre « {key} » : ajoutez "
                        f"« {key}: <valeur> » sous params",
                    )
                )
        return problems


# ---------------------------------------------------------------- parsing typed input


@dataclass(frozen=True)
class FieldError:
    """A message for one form field, in French, to show next to that field."""

    field: str
    message: str
    index: int | None = None  # which value of a series (from 0); None: the whole field


def parse_submission(
    evaluation: Evaluation,
    criteria: Mapping[str, object],
    measurements: Mapping[str, str | Sequence[str]],
    units: Mapping[str, Unit] = CORE_UNITS,
) -> Submission | list[FieldError]:
    """Turn raw form values into a Submission, or list every field that is wrong.

    Accepts a decimal comma (``0,15``) as trainers type it on a French keyboard, and a value
    typed with its unit (« 33 °C »), or with another unit of the same dimension (« 0,2 kPa »
    for Pa, « 91 °F » for °C), converted and said (``conversions``); a unit of another
    dimension is refused saying which unit to type. A value outside the measurement's
    physical ``range`` is a typing mistake and is refused; a value outside its pass
    ``threshold`` is accepted (it is a result, scored later).
    """
    errors: list[FieldError] = []
    values: dict[str, tuple[float, ...]] = {}
    conversions: list[str] = []
    for measurement in evaluation.measurements:
        raw = measurements.get(measurement.key, ())
        typed = [raw] if isinstance(raw, str) else list(raw)
        typed = [text.strip() if text is not None else "" for text in typed]
        found = _series(measurement, typed, _Reader(units, conversions))
        if isinstance(found, list):
            errors.extend(found)
        else:
            values[measurement.key] = found
    unknown = sorted(set(measurements) - {m.key for m in evaluation.measurements})
    errors.extend(FieldError(key, "Mesure inconnue pour cette épreuve.") for key in unknown)
    checked = {c.key: _truthy(criteria.get(c.key)) for c in evaluation.criteria}
    if errors:
        return errors
    return Submission(criteria=checked, measurements=values, conversions=tuple(conversions))


@dataclass(frozen=True)
class _Reader:
    """How typed values are read: the known units, and where conversions are noted."""

    units: Mapping[str, Unit]
    conversions: list[str]


def _series(
    measurement: Measurement, typed: list[str], reader: _Reader
) -> tuple[float, ...] | list[FieldError]:
    """The values of one measurement, or what is wrong with them. When a form sent every
    box of a series (one per splice), each problem names its box (« n° 3 ») and only that
    one is flagged; a list of another length is judged as a whole."""
    key, label = measurement.key, measurement.label
    if not any(typed):
        return [FieldError(key, f"{label} : valeur manquante.")]
    if measurement.count > 1 and len(typed) == measurement.count:
        errors, parsed = [], []
        for index, text in enumerate(typed):
            named = f"{label} n° {index + 1}"
            if not text:
                errors.append(FieldError(key, f"{named} : valeur manquante.", index))
                continue
            number, problem = _parse_number(text, measurement, named, reader)
            if problem:
                errors.append(FieldError(key, problem, index))
            parsed.append(number)
        return errors or tuple(parsed)
    texts = [text for text in typed if text]
    if len(texts) != measurement.count:
        expected = counted(measurement.count, "valeur attendue", "valeurs attendues")
        said = counted(len(texts), "saisie", "saisies")
        return [FieldError(key, f"{label} : {expected}, {said}.")]
    parsed = []
    for text in texts:
        number, problem = _parse_number(text, measurement, label, reader)
        if problem:
            return [FieldError(key, problem)]
        parsed.append(number)
    return tuple(parsed)


def _parse_number(
    text: str, measurement: Measurement, label: str, reader: _Reader
) -> tuple[float, str | None]:
    unit = f" {measurement.unit}" if measurement.unit else ""
    found = typed_value(text)
    if found is None:
        return 0.0, f"{label} : « {text} » n'est pas un nombre."
    number, typed_unit = found
    if typed_unit:
        number, problem = _in_unit(number, typed_unit, measurement, label, reader, text)
        if problem:
            return 0.0, problem
        text = quantity_text(number)
    if measurement.type == "int" and not number.is_integer():
        return 0.0, f"{label} : un nombre entier est attendu."
    if measurement.range is not None and not measurement.range.admits(number):
        expected = measurement.range.describe(measurement.unit)
        return 0.0, f"{label} : {text}{unit} est impossible (attendu {expected})."
    return number, None


def _in_unit(
    number: float, typed: str, measurement: Measurement, label: str, reader: _Reader, text: str
) -> tuple[float, str | None]:
    """A value typed with a unit, in the measurement's own: as is, converted (and noted), or
    refused saying which unit to type."""
    wanted = reader.units.get(measurement.unit) if measurement.unit else None
    if wanted is None:
        return 0.0, f"{label} : tapez un nombre seul (sans « {typed} »)."
    said = resolve(typed, reader.units)
    converted = convert(number, said, wanted) if said is not None else None
    if said is None or converted is None:
        return 0.0, f"{label} : « {text} » — tapez la valeur en {wanted.symbol}."
    if said != wanted:
        after = f"{quantity_text(converted)} {wanted.symbol}"
        reader.conversions.append(f"{label} : {decimal(number)} {said.symbol} → {after}")
    return round(converted, 9), None


def quantity_text(number: float) -> str:
    return decimal(round(number, 6))


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "oui", "yes", "ok"}
    return bool(value)


# ---------------------------------------------------------------- built-in evaluators


def criteria_checks(evaluation: Evaluation, submission: Submission) -> list[Check]:
    """One check per criterion; an unanswered criterion is not met."""
    return [
        Check(
            key=criterion.key,
            label=criterion.label,
            ok=submission.criteria.get(criterion.key, False),
            found="oui" if submission.criteria.get(criterion.key, False) else "non",
            expected="oui",
            critical=criterion.critical,
        )
        for criterion in evaluation.criteria
    ]


def threshold_checks(evaluation: Evaluation, submission: Submission) -> list[Check]:
    """One check per measured value that has a threshold (each value of a series)."""
    checks = []
    for measurement in evaluation.measurements:
        if measurement.threshold is None:
            continue
        values = submission.values(measurement.key)
        if not values:
            checks.append(missing_check(measurement))
        for index, value in enumerate(values):
            label = measurement.label if len(values) == 1 else f"{measurement.label} n° {index + 1}"
            checks.append(value_check(measurement, value, measurement.threshold, label=label))
    return checks


def value_check(
    measurement: Measurement,
    value: float,
    threshold: Threshold,
    *,
    label: str | None = None,
    key: str | None = None,
    critical: bool = True,
    message: str | None = None,
) -> Check:
    """A measured value against a threshold; plugins use it to build their own checks."""
    unit = f" {measurement.unit}" if measurement.unit else ""
    return Check(
        key=key or measurement.key,
        label=label or measurement.label,
        ok=threshold.admits(value),
        found=f"{value:g}{unit}".replace(".", ","),
        expected=threshold.describe(measurement.unit),
        critical=critical,
        message=None if threshold.admits(value) else message,
    )


def missing_check(measurement: Measurement) -> Check:
    """A failed, critical check for a measurement the assessor did not enter."""
    return Check(
        key=measurement.key, label=measurement.label, ok=False, found="non mesuré", critical=True
    )


def score_checklist(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    checks = criteria_checks(evaluation, submission)
    return EvaluationScore.from_checks(evaluation, "core.checklist", checks, evaluation.min_ratio)


def score_thresholds(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    checks = threshold_checks(evaluation, submission)
    return EvaluationScore.from_checks(evaluation, "core.thresholds", checks)


def score_standard(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    """Criteria (with the evaluation's min_ratio) and every threshold must pass."""
    criteria = criteria_checks(evaluation, submission)
    measured = threshold_checks(evaluation, submission)
    by_criteria = EvaluationScore.from_checks(evaluation, "", criteria, evaluation.min_ratio)
    checks = criteria + measured
    score = EvaluationScore.from_checks(evaluation, "core.standard", checks, 0)
    passed = (not criteria or by_criteria.passed) and all(check.ok for check in measured)
    return score.model_copy(update={"passed": passed and bool(checks)})


BUILTIN_EVALUATORS = (
    Evaluator(
        "core.checklist",
        score_checklist,
        "Critères oui/non : tous les critères critiques et la part min_ratio des autres.",
    ),
    Evaluator(
        "core.thresholds",
        score_thresholds,
        "Mesures : chaque valeur doit respecter le seuil de sa mesure.",
    ),
    Evaluator(
        "core.standard",
        score_standard,
        "Critères (comme core.checklist) et mesures (comme core.thresholds).",
    ),
)


def score_evaluation(
    evaluators: Mapping[str, Evaluator], evaluation: Evaluation, submission: Submission
) -> EvaluationScore:
    """Score with the evaluator the evaluation names (the catalog guarantees it exists)."""
    scored = evaluators[evaluation.evaluator].score(evaluation, submission)
    return scored.model_copy(update={"checks": aligned(scored.checks)})


_MEASURED = re.compile(r"(-?\d+)(?:,(\d+))?((?: \S+)?)")


def aligned(checks: Sequence[Check]) -> tuple[Check, ...]:
    """Values read in the same unit written with the same number of decimals (« 0,20 dB »
    beside « 0,22 dB », never « 0,2 »): zeros added, never a digit taken away, so nothing is
    rounded across a threshold."""
    decimals: dict[str, int] = {}
    for check in checks:
        if found := _MEASURED.fullmatch(check.found):
            unit = found.group(3)
            decimals[unit] = max(decimals.get(unit, 0), len(found.group(2) or ""))
    result = []
    for check in checks:
        found = _MEASURED.fullmatch(check.found)
        if found is None or not decimals[found.group(3)]:
            result.append(check)
            continue
        places = decimals[found.group(3)]
        digits = (found.group(2) or "").ljust(places, "0")
        padded = f"{found.group(1)},{digits}{found.group(3)}"
        result.append(check.model_copy(update={"found": padded}))
    return tuple(result)

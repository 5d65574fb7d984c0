"""Checks of a sector's measurements a designer gets wrong without noticing: a unit written
another way than usual (« degre C » for °C), an example or a pass threshold outside the
physical range the measurement declares, a measurement nobody ever judges."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.catalog.definitions import Measurement, Sector, Threshold
from core.catalog.hints import did_you_mean
from core.catalog.sources import FieldPath, Location, Problem
from core.units import CORE_UNITS, Unit, resolve

# Evaluators that judge a measurement only against its threshold.
THRESHOLD_EVALUATORS = frozenset({"core.thresholds", "core.standard"})

Locate = Callable[[FieldPath], Location]


def check_measurements(
    problems: list[Problem],
    sector: Sector,
    locate: Locate,
    units: Mapping[str, Unit] = CORE_UNITS,
) -> None:
    for i, evaluation in enumerate(sector.evaluations):
        for j, measurement in enumerate(evaluation.measurements):
            base: FieldPath = ("evaluations", i, "measurements", j)
            problems.extend(_unit(measurement, locate((*base, "unit")), units))
            problems.extend(_physical(measurement, base, locate, units))
            problems.extend(_within_range(measurement, base, locate))
            if measurement.threshold is None and evaluation.evaluator in THRESHOLD_EVALUATORS:
                message = (
                    f"mesure « {measurement.key} » jamais jugée : sans « threshold », "
                    f"l'évaluateur {evaluation.evaluator} ne la compare à rien"
                )
                problems.append(Problem(message, locate(base), severity="warning"))


def _unit(measurement: Measurement, where: Location, units: Mapping[str, Unit]) -> list[Problem]:
    """A unit the core or a plugin (``gestes_units``) knows, written as it is printed."""
    unit = measurement.unit
    if not unit or unit in units:
        return []
    known = resolve(unit, units)
    if known is not None:
        return [Problem(f"unité « {unit} » : écrivez « {known.symbol} »", where)]
    hint = did_you_mean(unit, units) or (
        "unités connues : " + ", ".join(sorted(units)) + " ; une autre se déclare avec le "
        "hook gestes_units du plugin"
    )
    return [Problem(f"unité « {unit} » inconnue", where, hint)]


def _physical(
    measurement: Measurement, base: FieldPath, locate: Locate, units: Mapping[str, Unit]
) -> list[Problem]:
    """No bound, example or threshold beyond what the unit itself allows (below 0 K, above
    100 %)."""
    unit = units.get(measurement.unit)
    if unit is None or (unit.minimum is None and unit.maximum is None):
        return []
    found = []
    values = [("example", measurement.example)]
    for name, bounds in (("range", measurement.range), ("threshold", measurement.threshold)):
        if bounds is not None:
            values += [(f"{name}.min", bounds.min), (f"{name}.max", bounds.max)]
    for name, value in values:
        if value is None:
            continue
        if (unit.minimum is not None and value < unit.minimum) or (
            unit.maximum is not None and value > unit.maximum
        ):
            limits = [f"≥ {unit.minimum:g}" if unit.minimum is not None else ""]
            limits += [f"≤ {unit.maximum:g}" if unit.maximum is not None else ""]
            said = " et ".join(x for x in limits if x)
            message = f"{name} {value:g} {unit.symbol} impossible : en {unit.symbol}, {said}"
            found.append(Problem(message, locate((*base, *name.split(".")))))
    return found


def _within_range(measurement: Measurement, base: FieldPath, locate: Locate) -> list[Problem]:
    """The example and the pass bounds must be values the measurement can physically take."""
    span = measurement.range
    if span is None:
        return []
    found = []
    if measurement.example is not None and not span.admits(measurement.example):
        message = (
            f"exemple {measurement.example:g} hors de la plage physique "
            f"({_bounds(span, measurement.unit)})"
        )
        found.append(Problem(message, locate((*base, "example"))))
    threshold = measurement.threshold
    if threshold is not None:
        for name, value in (("min", threshold.min), ("max", threshold.max)):
            if value is not None and not span.admits(value):
                message = (
                    f"seuil {name} {value:g} hors de la plage physique "
                    f"({_bounds(span, measurement.unit)}) : jamais atteignable"
                )
                found.append(Problem(message, locate((*base, "threshold", name))))
    return found


def _bounds(span: Threshold, unit: str) -> str:
    low = "—" if span.min is None else f"{span.min:g}"
    high = "—" if span.max is None else f"{span.max:g}"
    return f"de {low} à {high} {unit}".strip()

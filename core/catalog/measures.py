"""Checks of a sector's measurements a designer gets wrong without noticing: a unit written
another way than usual (« degre C » for °C), an example or a pass threshold outside the
physical range the measurement declares, a measurement nobody ever judges."""

from __future__ import annotations

from collections.abc import Callable

from core.catalog.definitions import Measurement, Sector, Threshold
from core.catalog.sources import FieldPath, Location, Problem

# Units of the trades, as the booklet prints them. Another unit is a warning (a sector may
# need one), a known one spelt differently an error saying how to write it.
# fmt: off
UNITS = frozenset((
    "m", "cm", "mm", "µm", "nm", "km", "s", "ms", "min", "h", "%", "°C", "K",
    "Pa", "hPa", "kPa", "MPa", "bar", "mbar", "V", "mV", "kV", "A", "mA", "W", "kW",
    "Hz", "kHz", "Ω", "kΩ", "MΩ", "dB", "dBm", "lx", "N", "N·m", "kg", "g", "m/s", "px/m",
))
ALIASES = {
    "degre c": "°C", "degré c": "°C", "degres c": "°C", "degrés c": "°C", "deg c": "°C",
    "°c": "°C", "celsius": "°C", "kelvin": "K", "ohm": "Ω", "ohms": "Ω", "kohm": "kΩ",
    "mohm": "MΩ", "sec": "s", "secondes": "s", "seconde": "s", "minutes": "min", "mn": "min",
    "metre": "m", "mètre": "m", "metres": "m", "mètres": "m", "n.m": "N·m", "n m": "N·m",
    "newton metre": "N·m", "volts": "V", "volt": "V", "watts": "W", "watt": "W",
    "pourcent": "%", "lux": "lx", "db": "dB", "dbm": "dBm",
}
# fmt: on
# Evaluators that judge a measurement only against its threshold.
THRESHOLD_EVALUATORS = frozenset({"core.thresholds", "core.standard"})

Locate = Callable[[FieldPath], Location]


def check_measurements(problems: list[Problem], sector: Sector, locate: Locate) -> None:
    for i, evaluation in enumerate(sector.evaluations):
        for j, measurement in enumerate(evaluation.measurements):
            base: FieldPath = ("evaluations", i, "measurements", j)
            problems.extend(_unit(measurement, locate((*base, "unit"))))
            problems.extend(_within_range(measurement, base, locate))
            if measurement.threshold is None and evaluation.evaluator in THRESHOLD_EVALUATORS:
                message = (
                    f"mesure « {measurement.key} » jamais jugée : sans « threshold », "
                    f"l'évaluateur {evaluation.evaluator} ne la compare à rien"
                )
                problems.append(Problem(message, locate(base), severity="warning"))


def _unit(measurement: Measurement, where: Location) -> list[Problem]:
    unit = measurement.unit
    if not unit or unit in UNITS:
        return []
    usual = ALIASES.get(unit.strip().lower())
    if usual is not None and usual != unit:
        return [Problem(f"unité « {unit} » : écrivez « {usual} »", where)]
    known = ", ".join(sorted(UNITS))
    message = f"unité « {unit} » inconnue (unités connues : {known})"
    return [Problem(message, where, severity="warning")]


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

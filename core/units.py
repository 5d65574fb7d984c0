"""Units of measurement, as the trades write them: each unit's dimension and how it converts
to the others of that dimension, the spellings people use for it, and the physical bounds no
value can cross. The core knows the trades' usual units; a plugin declares more with
``gestes_units``. Pure data and functions: the catalog checks a measurement's unit against
them, and a value typed with its unit on the floor (« 0,2 kPa », « 18 °F », « 45 min ») is
converted to the unit the measurement is judged in — or refused saying which unit to type."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """``symbol`` as the booklet prints it; a value in this unit is ``value * factor +
    offset`` in its dimension's base unit (°C: base K, offset 273.15). ``minimum`` and
    ``maximum``: what no value can cross (0 K, 100 %), in this unit."""

    symbol: str
    dimension: str  # in French: « température », « pression »…
    factor: float = 1.0
    offset: float = 0.0
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()  # other spellings, as typed (case and spaces aside)


def _family(dimension: str, *units: tuple[str, float], minimum: float | None = None) -> list[Unit]:
    return [Unit(symbol, dimension, factor, minimum=minimum) for symbol, factor in units]


# fmt: off
CORE_UNITS: dict[str, Unit] = {u.symbol: u for u in [
    *_family("longueur", ("m", 1), ("cm", 1e-2), ("mm", 1e-3), ("µm", 1e-6), ("nm", 1e-9),
             ("km", 1e3), minimum=0),
    *_family("durée", ("s", 1), ("ms", 1e-3), ("min", 60), ("h", 3600), minimum=0),
    Unit("K", "température", minimum=0, aliases=("kelvin",)),
    Unit("°C", "température", offset=273.15, minimum=-273.15,
         aliases=("degre c", "degré c", "degres c", "degrés c", "deg c", "degc", "celsius", "c")),
    Unit("°F", "température", factor=5 / 9, offset=273.15 - 32 * 5 / 9, minimum=-459.67,
         aliases=("degf", "fahrenheit", "f")),
    *_family("pression", ("Pa", 1), ("hPa", 1e2), ("kPa", 1e3), ("MPa", 1e6), ("bar", 1e5),
             ("mbar", 1e2)),
    *_family("tension", ("V", 1), ("mV", 1e-3), ("kV", 1e3)),
    *_family("intensité", ("A", 1), ("mA", 1e-3)),
    *_family("puissance", ("W", 1), ("kW", 1e3)),
    *_family("fréquence", ("Hz", 1), ("kHz", 1e3), minimum=0),
    *_family("résistance", ("Ω", 1), ("kΩ", 1e3), ("MΩ", 1e6), minimum=0),
    *_family("masse", ("kg", 1), ("g", 1e-3), minimum=0),
    Unit("%", "part", minimum=0, maximum=100, aliases=("pourcent", "pour cent")),
    Unit("dB", "atténuation"), Unit("dBm", "puissance optique"), Unit("lx", "éclairement",
         minimum=0, aliases=("lux",)),
    Unit("N", "force"), Unit("N·m", "couple", aliases=("n.m", "n m", "newton metre")),
    Unit("m/s", "vitesse"), Unit("px/m", "résolution", minimum=0),
]}
ALIASES = {
    "sec": "s", "seconde": "s", "secondes": "s", "mn": "min", "minute": "min",
    "minutes": "min", "heure": "h", "heures": "h", "metre": "m", "mètre": "m", "metres": "m",
    "mètres": "m", "ohm": "Ω", "ohms": "Ω", "kohm": "kΩ", "mohm": "MΩ", "volt": "V",
    "volts": "V", "watt": "W", "watts": "W", "pascal": "Pa", "pascals": "Pa",
}
# fmt: on


def _said(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).casefold()


def resolve(text: str, units: Mapping[str, Unit] = CORE_UNITS) -> Unit | None:
    """The unit ``text`` names: its symbol, or a spelling of it (« kpa », « degC »)."""
    if text in units:
        return units[text]
    said = _said(text)
    for unit in units.values():
        if said == unit.symbol.casefold() or said in unit.aliases:
            return unit
    symbol = ALIASES.get(said)
    return units.get(symbol) if symbol else None


def convert(value: float, source: Unit, target: Unit) -> float | None:
    """``value`` in ``source`` expressed in ``target``; None across dimensions."""
    if source.dimension != target.dimension:
        return None
    if source == target:
        return value
    return (value * source.factor + source.offset - target.offset) / target.factor


_TYPED = re.compile(r"^\s*([+-]?\d[\d\s\u202f\u00a0]*(?:[.,]\d*)?|[+-]?[.,]\d+)\s*(.*?)\s*$")


def typed_value(text: str) -> tuple[float, str] | None:
    """« 0,2 kPa » → (0.2, "kPa"); « 33 » → (33.0, ""); None when no number leads."""
    found = _TYPED.match(text)
    if found is None:
        return None
    digits = re.sub(r"[\s\u202f\u00a0]", "", found.group(1)).replace(",", ".")
    try:
        number = float(digits)
    except ValueError:
        return None
    return (number, found.group(2)) if math.isfinite(number) else None

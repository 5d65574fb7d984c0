"""French agreement of counted words, for every text Gestes writes in French (booklets,
verdicts, messages): the singular for 0 and 1, the plural from 2 — not English's rule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SCHOOL_TIME = ZoneInfo("Europe/Paris")  # every school of the network is in metropolitan France


def plural(number: float, one: str, many: str) -> str:
    """``one`` or ``many``, agreeing with ``number``."""
    return one if abs(number) < 2 else many


def counted(number: int, one: str, many: str) -> str:
    """``1 réussite``, ``0 réussite``, ``3 réussites``. The number and its word are never
    split across two lines (a no-break space between them)."""
    return f"{number}\u00a0{plural(number, one, many)}"


def decimal(value: float) -> str:
    """``31,5``, ``210``: a number as French writes it (decimal comma, no trailing zeros)."""
    return f"{value:g}".replace(".", ",")


def clock(minutes: int) -> str:
    """``9:05``: a time of day, from minutes after midnight."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def hours_minutes(minutes: int) -> str:
    """``2 h 45``, ``3 h``: minutes attended as a sheet counts them — never rounded up to a
    tenth, which would overstate them."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def quantity(value: float, unit: str = "") -> str:
    """``33,5 °C``, ``0,04 dB``, ``12 %``: a measured value as French prints it, the unit
    after a no-break space (never alone at the start of a line)."""
    return f"{decimal(value)}\u00a0{unit}" if unit else decimal(value)


def duration(seconds: int) -> str:
    """``50 min``, ``7 min 30 s``, ``45 s``: a duration as a trainer says it."""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest}\u00a0s"
    return f"{minutes}\u00a0min" + (f" {rest}\u00a0s" if rest else "")


def slugify(text: str) -> str:
    """``E2C Rhône — Lyon`` → ``e2c-rhone-lyon``: ASCII, safe in a URL, a file or a header."""
    import re
    import unicodedata

    # Letters that do not decompose into a base letter and an accent (Ł, æ, ø, ß…) are
    # written out first: « Łukasz » is « lukasz », never « ukasz ».
    spelt = text.translate(_SPELT_OUT)
    ascii_text = unicodedata.normalize("NFKD", spelt).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_SPELT_OUT = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
        "Ð": "D",
        "ð": "d",
    }
)


def sort_key(text: str) -> str:
    """How French lists sort names: case and accents aside (« Da Silva » before « DUPONT »,
    « Élodie » among the E)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELT_OUT))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def school_day(moment: dt.datetime) -> dt.date:
    """The day a moment falls on at the schools (a moment read back without its zone was
    stored in UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(SCHOOL_TIME).date()

"""Working days in France: weekends and the eleven public holidays (jours fériés) of
metropolitan France, Easter's moving ones included. The demo schedules its sessions on them,
and nothing else of the program needs more."""

from __future__ import annotations

import datetime as dt
from functools import cache


def easter(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous « Meeus/Jones/Butcher » method)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * leap) // 433
    month = (h + leap - 7 * m + 90) // 25
    day = (h + leap - 7 * m + 33 * month + 19) % 32
    return dt.date(year, month, day)


@cache
def public_holidays(year: int) -> frozenset[dt.date]:
    sunday = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [sunday + dt.timedelta(days=n) for n in (1, 39, 50)]  # Monday, Ascension, Whit Monday
    return frozenset([dt.date(year, m, d) for m, d in fixed] + moving)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day

"""A cohort's half-day sessions planned from its dates and its curriculum.

Every working day (weekends and French public holidays skipped: a sheet dated on a holiday is
one courts reject) between the cohort's start and end has a morning and an afternoon; they
take the curriculum's modules in order, each module as many half-days as its hours need,
until the modules of the floor (remise à niveau, apprentissage du geste) are all placed. The
immersion's weeks are not sessions: they come from placements, signed by the tutor. The
coordinator then edits what differs (a day off, an outing, a changed timetable)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.calendar_fr import is_working_day
from core.catalog.definitions import Curriculum, Phase

MORNING = (9 * 60, 12 * 60 + 30)  # 9:00–12:30, in minutes from midnight
AFTERNOON = (13 * 60 + 30, 17 * 60)  # 13:30–17:00: seven hours a day, 35 a week


@dataclass(frozen=True)
class PlannedSession:
    day: dt.date
    half: str  # "matin" or "apres_midi"
    starts: int  # minutes from midnight
    ends: int
    module: str
    phase: Phase

    @property
    def minutes(self) -> int:
        return self.ends - self.starts


def plan_sessions(
    curriculum: Curriculum, starts_on: dt.date, ends_on: dt.date
) -> list[PlannedSession]:
    """The half-days the floor's modules need, from ``starts_on``, never past ``ends_on``."""
    # Each floor module with the minutes it still needs, in the curriculum's order.
    left = [
        (module.id, module.phase, module.hours * 60)
        for module in curriculum.modules
        if module.phase is not Phase.IMMERSION
    ]
    planned: list[PlannedSession] = []
    day = starts_on
    while left and day <= ends_on:
        if is_working_day(day):
            for half, (starts, ends) in (("matin", MORNING), ("apres_midi", AFTERNOON)):
                if not left:
                    break
                module, phase, minutes = left[0]
                planned.append(PlannedSession(day, half, starts, ends, module, phase))
                minutes -= ends - starts
                left[0] = (module, phase, minutes)
                if minutes <= 0:
                    left.pop(0)
        day += dt.timedelta(days=1)
    return planned


def planned_hours(
    curriculum: Curriculum, cohort_hours: tuple[tuple[str, int], ...]
) -> dict[str, int]:
    """Hours planned per phase: the cohort's own where its coordinator set them, else the
    curriculum's (as the booklet prints them)."""
    planned = {phase.value: hours for phase, hours in curriculum.hours_by_phase().items()}
    return planned | dict(cohort_hours)


def parse_clock(text: str) -> int | None:
    """Minutes from midnight for « 9:05 », « 09h05 », « 9 h 05 », « 9h »; None if not a time."""
    cleaned = text.strip().lower().replace(" ", "").replace("h", ":")
    if cleaned.endswith(":"):
        cleaned += "00"
    hours, _, minutes = cleaned.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(hours) < 24 and int(minutes) < 60 else None

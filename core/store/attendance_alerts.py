"""What the coordination must look at in its cohorts' attendance, said on the dashboard and
never hidden: trainees whose unjustified absences reached the school's threshold (stipends
are docked pro rata for them, and drop-out starts there), and recent sheets an auditor would
question (not countersigned, a signature out of its half-day, a batch in one minute, a
chain broken)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.attendance.views import Session
from core.store.attendance import Attendance


@dataclass(frozen=True)
class AbsenceAlert:
    cohort: str
    trainee_id: int
    name: str
    unjustified: int  # half-days


@dataclass(frozen=True)
class SheetAlert:
    cohort: str
    session: Session
    words: tuple[str, ...]


def attendance_alerts(
    attendance: Attendance,
    cohorts: list[tuple[int, str, int]],
    today: dt.date,
    days: int = 14,
) -> tuple[list[AbsenceAlert], list[SheetAlert]]:
    """For these (cohort id, name, its school's threshold in half-days): the absences at or
    past the threshold, and the flagged sheets of the last ``days`` days, latest first."""
    absences, sheets = [], []
    for cohort, name, threshold in cohorts:
        names = attendance.roster(cohort)
        for trainee, hours in attendance.hours(cohort, today).items():
            if hours.unjustified >= threshold and trainee in names:
                absences.append(AbsenceAlert(name, trainee, names[trainee], hours.unjustified))
        for sheet in attendance.sheets(cohort, today - dt.timedelta(days=days), today, today):
            if sheet.flags:
                words = tuple(flag.words for flag in sheet.flags)
                sheets.append(SheetAlert(name, sheet.session, words))
    absences.sort(key=lambda a: -a.unjustified)
    sheets.sort(key=lambda s: (s.session.day, s.session.starts), reverse=True)
    return absences, sheets

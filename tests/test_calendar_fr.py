"""French working days, and a demo that schedules none of its sessions on a holiday."""

from __future__ import annotations

import datetime as dt

from core.calendar_fr import easter, is_working_day, public_holidays, working_day


def test_easter_and_the_holidays_it_moves():
    assert [easter(y) for y in (2024, 2025, 2026, 2027)] == [
        dt.date(2024, 3, 31),
        dt.date(2025, 4, 20),
        dt.date(2026, 4, 5),
        dt.date(2027, 3, 28),
    ]
    holidays = public_holidays(2026)
    assert len(holidays) == 11
    assert {dt.date(2026, 4, 6), dt.date(2026, 5, 14), dt.date(2026, 5, 25)} <= holidays
    assert {dt.date(2026, 7, 14), dt.date(2026, 11, 11)} <= holidays


def test_working_days_skip_weekends_and_holidays():
    assert not is_working_day(dt.date(2026, 7, 14)) and not is_working_day(dt.date(2026, 11, 28))
    assert working_day(dt.date(2026, 5, 14)) == dt.date(2026, 5, 15)  # Ascension, a Thursday
    assert working_day(dt.date(2026, 12, 25)) == dt.date(2026, 12, 28)  # Friday → Monday


def test_the_demo_never_works_on_a_holiday(gestes):
    from core.demo.seed import seed_demo

    seed_demo(gestes, today=dt.date(2026, 11, 30))
    with gestes.store.database.read() as session:
        from sqlalchemy import select

        from core.store import tables as t

        days = set(session.scalars(select(t.Observation.observed_on).distinct()))
        starts = set(session.scalars(select(t.Cohort.starts_on)))
    assert days and all(is_working_day(day) for day in days | starts)
    # Its attendance too: half-days on working days only, those held signed (the sheets
    # intact), absences and lateness as a floor has them, one absence justified per cohort, and the
    # day's own sheets left for the demo's trainer to sign.
    attendance = gestes.store.attendance
    with gestes.store.database.read() as session:
        cohorts = list(session.scalars(select(t.Cohort.id)))
    sessions = [s for c in cohorts for s in attendance.sessions(c)]
    assert sessions and all(is_working_day(s.day) for s in sessions)
    hours = [h for c in cohorts for h in attendance.hours(c, dt.date(2026, 11, 30)).values()]
    assert sum(h.unjustified for h in hours) > 0 and sum(h.justified for h in hours) == len(cohorts)
    assert sum(h.late for h in hours) > 0
    held = [s for s in sessions if s.day < dt.date(2026, 11, 30)][-3:]
    assert all(
        attendance.sheet(s.id).intact and attendance.sheet(s.id).countersigned_at for s in held
    )

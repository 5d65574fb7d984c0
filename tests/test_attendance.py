"""Attendance in the store (SQLite and PostgreSQL): half-days planned from the calendar, sheets
signed only on their day, marks folded in the order entries were made, hours that never
overstate, and a chain of hashes that shows any entry changed afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update

from core.attendance.hours import Kind
from core.calendar_fr import public_holidays
from core.domain import RecordError
from core.french import SCHOOL_TIME
from core.store import NewEntry
from core.store import tables as t

PEN = [[100, 100, 200, 150, 300, 120]]  # a short stroke on the pad


def at(day: dt.date, clock: str) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), SCHOOL_TIME)


@pytest.fixture
def planned(world):
    attendance = world.gestes.store.attendance
    assert attendance.plan(world.cohort) > 0
    return attendance


def first_morning(attendance, cohort):
    return attendance.sessions(cohort)[0]


def test_half_days_are_planned_on_working_days_for_the_floors_modules(world, planned):
    sessions = planned.sessions(world.cohort)
    days = {s.day for s in sessions}
    assert all(day.weekday() < 5 for day in days)
    assert not days & public_holidays(2026)  # Easter Monday, 6 April 2026, has no sheet
    assert {s.half for s in sessions} == {"matin", "apres_midi"}
    curriculum = world.gestes.definitions.catalog.sectors["fibre"].curriculum
    floor = [m for m in curriculum.modules if m.phase.value != "immersion"]
    assert sessions[0].module == floor[0].id
    assert {s.phase for s in sessions} <= {"remise_a_niveau", "geste"}  # immersion: placements
    needed = sum(-(-m.hours * 60 // 210) for m in floor)  # half-days of 3 h 30 each module needs
    assert len(sessions) == needed
    assert planned.plan(world.cohort) == 0  # planned again: nothing added, nothing moved


def test_lateness_and_early_departure_count_to_the_quarter_hour_never_more(world, planned):
    morning = first_morning(planned, world.cohort)
    awa, lucas, nour = world.trainees
    day = morning.day
    sign = planned.record
    sign(
        morning.id,
        NewEntry("a1", Kind.SIGNED, world.trainer, awa, at(day, "9:10"), "t1", 550, strokes=PEN),
        now=at(day, "9:10"),
    )
    sign(
        morning.id,
        NewEntry("l1", Kind.SIGNED, world.trainer, lucas, at(day, "8:58"), "t1", strokes=PEN),
        now=at(day, "8:58"),
    )
    sign(
        morning.id,
        NewEntry("l2", Kind.LEFT, world.trainer, lucas, at(day, "11:50"), "t1", 710),
        now=at(day, "11:50"),
    )
    sign(
        morning.id,
        NewEntry("n1", Kind.ABSENT, world.trainer, nour, at(day, "9:30"), "t1"),
        now=at(day, "9:30"),
    )
    sheet = planned.sheet(morning.id, today=day)
    lines = {line.trainee_id: line for line in sheet.lines}
    assert lines[awa].mark.status == "retard" and lines[awa].minutes == 195  # from 9:15
    assert lines[lucas].mark.status == "depart" and lines[lucas].minutes == 165  # to 11:45
    assert lines[nour].mark.status == "absent" and lines[nour].minutes == 0
    assert lines[awa].strokes == PEN and sheet.intact


def test_the_mark_made_last_wins_whatever_order_it_arrives_in(world, planned):
    morning = first_morning(planned, world.cohort)
    day, awa = morning.day, world.trainees[0]
    # Marked absent at 9:20 on the trainer's tablet (offline); Awa signs at 9:40 on another.
    # The signature reaches the server first, the absence an hour later.
    planned.record(
        morning.id,
        NewEntry("s", Kind.SIGNED, world.trainer, awa, at(day, "9:40"), "t2", 580, strokes=PEN),
        now=at(day, "9:41"),
    )
    planned.record(
        morning.id,
        NewEntry("x", Kind.ABSENT, world.trainer, awa, at(day, "9:20"), "t1"),
        now=at(day, "10:45"),
    )
    [line] = [li for li in planned.sheet(morning.id, today=day).lines if li.trainee_id == awa]
    assert line.mark.status == "retard" and line.minutes == 165  # from 9:45: came late


def test_a_resent_entry_is_stored_once_and_a_key_is_its_subjects(world, planned):
    morning = first_morning(planned, world.cohort)
    day, (awa, lucas, _) = morning.day, world.trainees
    entry = NewEntry("k", Kind.SIGNED, world.trainer, awa, at(day, "9:00"), "t1", strokes=PEN)
    first = planned.record(morning.id, entry, now=at(day, "9:00"))
    assert planned.record(morning.id, entry, now=at(day, "9:05")) == first  # the answer lost
    other = NewEntry("k", Kind.SIGNED, world.trainer, lucas, at(day, "9:01"), "t1", strokes=PEN)
    with pytest.raises(RecordError, match="Clé d'envoi déjà utilisée"):
        planned.record(morning.id, other, now=at(day, "9:01"))
    with world.gestes.store.database.read() as session:
        assert session.query(t.AttendanceEntry).count() == 1


def test_a_sheet_signs_only_on_its_day_and_with_a_signature(world, planned):
    morning = first_morning(planned, world.cohort)
    day, awa = morning.day, world.trainees[0]
    sign = planned.record
    later = day + dt.timedelta(days=3)
    with pytest.raises(RecordError, match="le jour même"):  # a past day, signed afterwards
        sign(
            morning.id,
            NewEntry("p", Kind.SIGNED, world.trainer, awa, at(later, "9:00"), strokes=PEN),
            now=at(later, "9:00"),
        )
    with pytest.raises(RecordError, match="le jour même"):  # ahead of its day
        sign(
            morning.id,
            NewEntry(
                "a",
                Kind.SIGNED,
                world.trainer,
                awa,
                at(day, "9:00") - dt.timedelta(days=1),
                strokes=PEN,
            ),
            now=at(day, "9:00") - dt.timedelta(days=1),
        )
    afternoon = planned.sessions(world.cohort)[1]  # never ahead of its half-day
    with pytest.raises(RecordError, match="elle se signe à partir de 13:00"):
        sign(
            afternoon.id,
            NewEntry("m", Kind.SIGNED, world.trainer, awa, at(day, "10:00"), strokes=PEN),
            now=at(day, "10:00"),
        )
    with pytest.raises(RecordError, match="en avance"):  # a device's clock set forward
        sign(
            morning.id,
            NewEntry("c", Kind.SIGNED, world.trainer, awa, at(day, "11:00"), strokes=PEN),
            now=at(day, "9:00"),
        )
    with pytest.raises(RecordError, match="Signez dans le cadre") as empty:
        sign(
            morning.id,
            NewEntry("e", Kind.SIGNED, world.trainer, awa, at(day, "9:00"), strokes=[]),
            now=at(day, "9:00"),
        )
    assert empty.value.field == "strokes"
    other = world.directory.add_trainees(world.other_cohort, [_trainee()])[0]
    with pytest.raises(RecordError, match="pas sur cette feuille"):  # another cohort's trainee
        sign(
            morning.id,
            NewEntry("o", Kind.SIGNED, world.trainer, other, at(day, "9:00"), strokes=PEN),
            now=at(day, "9:00"),
        )
    # Another day is a coordinator's correction, with its reason.
    with pytest.raises(RecordError, match="motif"):
        sign(
            morning.id,
            NewEntry("r0", Kind.CORRECTED, world.coordinator, awa, present=True),
            now=at(later, "10:00"),
        )
    sign(
        morning.id,
        NewEntry(
            "r1",
            Kind.CORRECTED,
            world.coordinator,
            awa,
            present=True,
            reason="Feuille papier du jour (panne de tablette)",
        ),
        now=at(later, "10:00"),
    )
    [line] = [li for li in planned.sheet(morning.id, today=later).lines if li.trainee_id == awa]
    assert line.mark.present and line.mark.corrected and line.minutes == 210


def test_an_entry_changed_afterwards_breaks_the_chain_and_says_where(world, planned):
    morning = first_morning(planned, world.cohort)
    day = morning.day
    for n, trainee in enumerate(world.trainees):
        planned.record(
            morning.id,
            NewEntry(
                f"s{n}",
                Kind.SIGNED,
                world.trainer,
                trainee,
                at(day, "9:00"),
                "t1",
                600,
                strokes=PEN,
            ),
            now=at(day, "9:00"),
        )
    assert planned.sheet(morning.id, today=day).intact
    with world.gestes.store.database.write() as session:  # someone with the database's keys
        session.execute(
            update(t.AttendanceEntry).where(t.AttendanceEntry.position == 1).values(minute=None)
        )
    sheet = planned.sheet(morning.id, today=day)
    assert sheet.broken_at == 1
    assert any("modifiée après coup" in flag.words for flag in sheet.flags)
    with world.gestes.store.database.write() as session:  # put back, then drop the last one
        session.execute(
            update(t.AttendanceEntry).where(t.AttendanceEntry.position == 1).values(minute=600)
        )
    assert planned.sheet(morning.id, today=day).intact
    with world.gestes.store.database.write() as session:
        session.execute(delete(t.AttendanceEntry).where(t.AttendanceEntry.position == 2))
    cut = planned.sheet(morning.id, today=day)
    assert cut.broken_at == 2
    assert any("des entrées manquent à sa fin" in flag.words for flag in cut.flags)


def test_what_an_auditor_would_question_is_flagged(world, planned):
    morning = first_morning(planned, world.cohort)
    day = morning.day
    directory = world.directory
    many = directory.add_trainees(world.cohort, [_trainee(n) for n in range(7)])
    for n, trainee in enumerate([*world.trainees, *many]):  # ten in one minute, one tablet
        planned.record(
            morning.id,
            NewEntry(
                f"m{n}", Kind.SIGNED, world.trainer, trainee, at(day, "13:05"), "t1", strokes=PEN
            ),
            now=at(day, "13:05"),
        )
    words = [flag.words for flag in planned.sheet(morning.id, today=day).flags]
    assert any("hors de la demi-journée" in w for w in words)  # 13:05 for a morning ending at 12:30
    assert any("10 signatures dans la même minute" in w for w in words)
    later = [f.words for f in planned.sheet(morning.id, today=day + dt.timedelta(1)).flags]
    assert "Feuille non contresignée par la formatrice ou le formateur." in later
    planned.record(
        morning.id,
        NewEntry(
            "cs", Kind.COUNTERSIGNED, world.trainer, None, at(day, "12:30"), "t1", strokes=PEN
        ),
        now=at(day, "12:30"),
    )
    sheet = planned.sheet(morning.id, today=day + dt.timedelta(1))
    assert sheet.countersigned_by == world.trainer
    assert "Feuille non contresignée par la formatrice ou le formateur." not in [
        f.words for f in sheet.flags
    ]


def test_hours_done_per_phase_count_what_was_signed_and_nothing_else(world, planned):
    sessions = planned.sessions(world.cohort)[:4]  # two days
    awa, lucas, nour = world.trainees
    for n, s in enumerate(sessions):
        start = at(s.day, f"{s.starts // 60}:{s.starts % 60:02d}")
        planned.record(
            s.id,
            NewEntry(f"a{n}", Kind.SIGNED, world.trainer, awa, start, "t1", strokes=PEN),
            now=start,
        )
        if n < 2:
            planned.record(
                s.id,
                NewEntry(f"l{n}", Kind.SIGNED, world.trainer, lucas, start, "t1", strokes=PEN),
                now=start,
            )
    planned.record(
        sessions[2].id,
        NewEntry("j", Kind.JUSTIFIED, world.coordinator, lucas, category="maladie"),
        now=at(sessions[3].day, "18:00"),
    )
    hours = planned.hours(world.cohort, today=sessions[3].day)
    phase = sessions[0].phase
    assert hours[awa].done == {phase: 4 * 210} and hours[awa].held == {phase: 4 * 210}
    assert hours[lucas].done == {phase: 2 * 210}
    # Today's afternoon is still being signed: not yet an absence.
    assert (hours[lucas].justified, hours[lucas].unjustified) == (1, 0)
    assert (hours[nour].done, hours[nour].unjustified) == ({phase: 0}, 2)  # nothing signed


def _trainee(n: int = 0):
    from core.domain import NewTrainee

    return NewTrainee(f"Prénom{n}", f"Nom{n}")


def test_a_trial_cohort_goes_with_its_planned_half_days_but_not_once_signed(world, planned):
    corrections = world.gestes.store.corrections
    morning = first_morning(planned, world.cohort)
    awa = world.trainees[0]
    entry = NewEntry("z", Kind.SIGNED, world.trainer, awa, at(morning.day, "9:00"), strokes=PEN)
    planned.record(morning.id, entry, now=at(morning.day, "9:00"))
    with pytest.raises(RecordError, match="Des saisies existent"):
        corrections.delete_cohort(world.cohort, world.coordinator)
    with pytest.raises(RecordError):  # nor the trainee who signed
        corrections.delete_trainee(awa, world.coordinator)
    planned.plan(world.other_cohort)  # planned, never signed: deleted with it
    corrections.delete_cohort(world.other_cohort, world.coordinator)
    assert planned.sessions(world.other_cohort) == []


def test_an_erased_trainees_sheets_stay_pseudonymised_until_their_keeping_time_ends(world, planned):
    """Funding evidence: erasure keeps the sheets (names pseudonymised, the chain whole);
    the export holds them; once the keeping time is over, whole sheets go."""
    morning = first_morning(planned, world.cohort)
    awa = world.trainees[0]
    entry = NewEntry("e1", Kind.SIGNED, world.trainer, awa, at(morning.day, "9:00"), strokes=PEN)
    planned.record(morning.id, entry, now=at(morning.day, "9:00"))
    exported = world.gestes.store.rgpd.export_trainee(awa)
    assert [e["kind"] for e in exported["attendance"]] == ["signed"]
    world.gestes.store.rgpd.erase_trainee(awa)
    sheet = planned.sheet(morning.id, today=morning.day)
    [line] = [li for li in sheet.lines if li.trainee_id == awa]
    assert line.mark.signed and "DIALLO" not in line.name and sheet.intact
    assert planned.kept_until(world.cohort, 3) == dt.date(2029, 12, 31)  # ended in 2026
    assert planned.purge(dt.date(2029, 12, 31), 3) == 0  # still kept on its last day
    held = len(planned.sessions(world.cohort)) + len(planned.sessions(world.other_cohort))
    assert planned.purge(dt.date(2030, 1, 1), 3) == held > 0
    assert planned.sessions(world.cohort) == []


def test_a_cohorts_sheets_read_at_once_are_each_sheet_as_read_alone(world, planned):
    sessions = planned.sessions(world.cohort)[:3]
    for n, s in enumerate(sessions):
        start = at(s.day, f"{s.starts // 60}:{s.starts % 60:02d}")
        for trainee in world.trainees[: n + 1]:
            entry = NewEntry(
                f"x{n}{trainee}", Kind.SIGNED, world.trainer, trainee, start, "t", strokes=PEN
            )
            planned.record(s.id, entry, now=start)
    day = sessions[-1].day
    together = planned.sheets(world.cohort, sessions[0].day, day, today=day)
    alone = [s for s in planned.sessions(world.cohort) if sessions[0].day <= s.day <= day]
    assert together == [planned.sheet(s.id, today=day) for s in alone]
    assert (
        len(together) == 4
        and sum(len([li for li in sh.lines if li.mark.signed]) for sh in together) == 6
    )

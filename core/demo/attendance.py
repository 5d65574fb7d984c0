"""The demo's attendance: every half-day of each cohort planned, and those already held
signed as a floor would sign them — most trainees on time, some late, some absent (one
absence justified), the trainer's countersignature at the end. Today's sheets are left to
sign: the demo's trainer signs them on the tablet."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from core.attendance.hours import Kind
from core.attendance.views import Session
from core.french import SCHOOL_TIME
from core.store import NewEntry

if TYPE_CHECKING:
    from core.context import Gestes


DEVICE = "tablette-demo"


def seed_attendance(
    gestes: Gestes,
    rng: random.Random,
    cohort: int,
    trainees: list[int],
    trainer: int,
    today: dt.date,
    coordinator: int,
) -> None:
    attendance = gestes.store.attendance
    attendance.plan(cohort)
    # Each trainee's habits: how often absent, how often late.
    habits = {
        t: (rng.choice((0.0, 0.02, 0.04, 0.12)), rng.choice((0.0, 0.03, 0.08))) for t in trainees
    }
    justified = False  # one absence of the cohort is justified, with its reason
    for session in attendance.sessions(cohort):
        if session.day >= today:
            break
        start = dt.datetime.combine(session.day, dt.time(), SCHOOL_TIME) + dt.timedelta(
            minutes=session.starts
        )
        entries = []
        for n, trainee in enumerate(trainees):
            made = start + dt.timedelta(seconds=20 * n + rng.randint(0, 15))
            mark = _mark(rng, session, trainee, habits[trainee], made, trainer)
            entries.append(mark)
            if mark.kind is Kind.ABSENT and not justified and n % 3 == 0:
                entries.append(
                    NewEntry(
                        f"{mark.key}-j",
                        Kind.JUSTIFIED,
                        coordinator,
                        trainee,
                        category="maladie",
                        reason="Arrêt de travail reçu",
                    )
                )
                justified = True
        end = start + dt.timedelta(minutes=session.minutes - 5)
        countersign = NewEntry(
            f"att:demo-{session.id}-cs", Kind.COUNTERSIGNED, trainer, None, end, DEVICE,
            strokes=_signature(rng),
        )  # fmt: skip
        entries.append(countersign)
        attendance.record_many(session.id, entries, now=end + dt.timedelta(minutes=1))


def _mark(
    rng: random.Random,
    session: Session,
    trainee: int,
    habits: tuple[float, float],
    made: dt.datetime,
    trainer: int,
) -> NewEntry:
    """A trainee's line: absent, late, or signed on time, as their habits have it."""
    absent, late = habits
    key = f"att:demo-{session.id}-{trainee}"
    if rng.random() < absent:
        return NewEntry(key, Kind.ABSENT, trainer, trainee, made, DEVICE)
    minute = None
    if rng.random() < late:
        minute = session.starts + rng.choice((10, 20, 35))
        made += dt.timedelta(minutes=minute - session.starts)
    strokes = _signature(rng)
    return NewEntry(key, Kind.SIGNED, trainer, trainee, made, DEVICE, minute, strokes=strokes)


def _signature(rng: random.Random) -> list[list[int]]:
    """A plausible scribble: a loop and a tail, different each time."""
    x, y = rng.randint(60, 200), rng.randint(180, 260)
    stroke = [x, y]
    for _ in range(rng.randint(5, 9)):
        x = min(990, x + rng.randint(40, 110))
        y = max(20, min(380, y + rng.randint(-120, 120)))
        stroke += [x, y]
    return [stroke]

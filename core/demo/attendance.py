"""The demo's attendance: every half-day of each cohort planned, and those already held
signed as a floor would sign them — most trainees on time, some late, some absent (one
absence justified), the trainer's countersignature at the end. Today's sheets are left to
sign: the demo's trainer signs them on the tablet."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from core.attendance.hours import Kind
from core.french import SCHOOL_TIME
from core.store import NewEntry

if TYPE_CHECKING:
    from core.context import Gestes


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
    justified = False
    for session in attendance.sessions(cohort):
        if session.day >= today:
            break
        start = dt.datetime.combine(session.day, dt.time(), SCHOOL_TIME) + dt.timedelta(
            minutes=session.starts
        )
        entries = []
        for n, trainee in enumerate(trainees):
            absent, late = habits[trainee]
            made = start + dt.timedelta(seconds=20 * n + rng.randint(0, 15))
            key = f"att:demo-{session.id}-{trainee}"
            if rng.random() < absent:
                entries.append(NewEntry(key, Kind.ABSENT, trainer, trainee, made, "tablette-demo"))
                if not justified and n % 3 == 0:
                    why = NewEntry(
                        f"{key}-j", Kind.JUSTIFIED, coordinator, trainee,
                        category="maladie", reason="Arrêt de travail reçu",
                    )  # fmt: skip
                    entries.append(why)
                    justified = True
                continue
            minute = None
            if rng.random() < late:
                minute = session.starts + rng.choice((10, 20, 35))
                made = start + dt.timedelta(minutes=minute - session.starts)
            entries.append(
                NewEntry(
                    key,
                    Kind.SIGNED,
                    trainer,
                    trainee,
                    made,
                    "tablette-demo",
                    minute,
                    strokes=_signature(rng),
                )
            )
        end = start + dt.timedelta(minutes=session.minutes - 5)
        entries.append(
            NewEntry(
                f"att:demo-{session.id}-cs",
                Kind.COUNTERSIGNED,
                trainer,
                None,
                end,
                "tablette-demo",
                strokes=_signature(rng),
            )
        )
        attendance.record_many(session.id, entries, now=end + dt.timedelta(minutes=1))


def _signature(rng: random.Random) -> list[list[int]]:
    """A plausible scribble: a loop and a tail, different each time."""
    x, y = rng.randint(60, 200), rng.randint(180, 260)
    stroke = [x, y]
    for _ in range(rng.randint(5, 9)):
        x = min(990, x + rng.randint(40, 110))
        y = max(20, min(380, y + rng.randint(-120, 120)))
        stroke += [x, y]
    return [stroke]

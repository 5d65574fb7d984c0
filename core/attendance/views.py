"""What the store hands out about attendance: a session, a sheet with its lines, a trainee's
hours — plain data that pages, API, CLI and documents read alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.attendance.hours import Mark

# A signature made this long before its session begins or after it ends is flagged.
MARGIN = 30  # minutes


@dataclass(frozen=True)
class Session:
    id: int
    cohort_id: int
    day: dt.date
    half: str  # matin, apres_midi
    starts: int  # minutes from midnight
    ends: int
    module: str
    phase: str
    trainer_id: int | None
    cancelled: bool = False
    note: str | None = None

    @property
    def minutes(self) -> int:
        return 0 if self.cancelled else self.ends - self.starts

    @property
    def label(self) -> str:
        return "Matin" if self.half == "matin" else "Après-midi"


@dataclass(frozen=True)
class Line:
    """A trainee's line on a sheet: their mark and the minutes it proves."""

    trainee_id: int
    name: str
    mark: Mark
    minutes: int
    strokes: list[list[int]] | None = None  # their last signature's strokes
    signed_at: dt.datetime | None = None
    proof: str | None = None  # their justification's file (SHA-256), for the coordination


@dataclass(frozen=True)
class Flag:
    """Something an auditor would question, said in words (never hidden)."""

    entry_position: int | None
    words: str


@dataclass(frozen=True)
class Sheet:
    session: Session
    lines: list[Line]
    countersigned_at: dt.datetime | None = None
    countersigned_by: int | None = None
    countersign_strokes: list[list[int]] | None = None
    broken_at: int | None = None  # the first entry whose hash does not hold
    flags: list[Flag] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


@dataclass(frozen=True)
class HoursDone:
    """A trainee's minutes attended and planned, per phase and per module; the planned ones
    are those of sessions already held (up to today), and the curriculum's whole."""

    trainee_id: int
    done: dict[str, int]  # phase -> minutes attended
    held: dict[str, int]  # phase -> minutes of the sessions held so far
    done_by_module: dict[str, int]
    unjustified: int  # half-days absent without a justification
    justified: int
    late: int  # half-days arrived late or left early

    @property
    def total_done(self) -> int:
        return sum(self.done.values())

    @property
    def total_held(self) -> int:
        return sum(self.held.values())

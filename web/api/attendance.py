"""JSON API for attendance (the same store functions as the pages and the CLI): a cohort's
half-days, planned or added; a sheet as stored (each trainee's mark and the minutes it proves,
the flags, whether its chain holds); an entry appended to a sheet, once per key; and every
trainee's hours. A trainer writes only on their cohorts' sheets; corrections and
justifications are the coordination's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from core.attendance.hours import Kind
from core.attendance.views import HoursDone, Session, Sheet
from core.domain import RecordError, Role
from core.store import NewEntry
from web.actions import writable_session
from web.deps import Id, User, cohort_of, require_coordinator, store_of

router = APIRouter(prefix="/api", tags=["api"])
Minute = Annotated[int, Field(ge=0, le=24 * 60, description="Minutes from midnight")]


class SessionOut(BaseModel):
    id: int
    day: dt.date
    half: Literal["matin", "apres_midi"]
    starts: Minute
    ends: Minute
    module: str
    phase: str
    trainer_id: int | None
    cancelled: bool
    note: str | None


class NewSession(BaseModel):
    day: dt.date
    half: Literal["matin", "apres_midi"]
    starts: Minute
    ends: Minute
    module: str = Field(max_length=120)
    trainer_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class Planned(BaseModel):
    added: int = Field(description="Half-days added (those already there are kept)")


class LineOut(BaseModel):
    trainee_id: int
    name: str
    status: str = Field(description="vide, present, absent, retard, depart or retard_depart")
    arrived: Minute | None
    left: Minute | None
    signed: bool
    signed_at: dt.datetime | None
    corrected: bool
    justified: str | None = Field(
        description="An absence's reason category for the coordination (« maladie »…); "
        "« justifiee » for a trainer: why is not theirs to read"
    )
    minutes: int = Field(description="Minutes this half-day proves attended")


class SheetOut(BaseModel):
    session: SessionOut
    lines: list[LineOut]
    countersigned_at: dt.datetime | None
    countersigned_by: int | None
    intact: bool = Field(description="Whether every entry's hash follows from the one before")
    broken_at: int | None
    flags: list[str]


class EntryIn(BaseModel):
    key: str = Field(min_length=8, max_length=70, pattern=r"^[A-Za-z0-9-]+$")
    kind: Literal["signed", "absent", "left", "corrected", "justified", "countersigned"]
    trainee_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    made_at: dt.datetime | None = Field(default=None, description="On the device; now if unset")
    device: str | None = Field(default=None, max_length=40)
    minute: Minute | None = Field(default=None, description="A late arrival or a departure")
    present: bool | None = Field(default=None, description="A correction's verdict")
    left: Minute | None = Field(default=None, description="A correction's departure")
    category: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    strokes: list[list[int]] | None = Field(default=None, description="0–1000 × 0–400 points")


class EntryOut(BaseModel):
    id: int


class HoursOut(BaseModel):
    trainee_id: int
    done: dict[str, int] = Field(description="Minutes attended per phase")
    held: dict[str, int] = Field(description="Minutes of the half-days held so far per phase")
    done_by_module: dict[str, int]
    unjustified: int
    justified: int
    late: int


@router.get("/cohorts/{cohort_id}/sessions", response_model=list[SessionOut])
def list_sessions(
    request: Request,
    user: User,
    cohort_id: Id,
    month: Annotated[str | None, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")] = None,
) -> list[SessionOut]:
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    chosen = (int(month[:4]), int(month[5:])) if month else None
    return [_session(s) for s in store.attendance.sessions(cohort_id, chosen)]


@router.post("/cohorts/{cohort_id}/sessions/plan", response_model=Planned)
def plan_sessions(request: Request, user: User, cohort_id: Id) -> Planned:
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    require_coordinator(user)
    return Planned(added=store.attendance.plan(cohort_id))


@router.post("/cohorts/{cohort_id}/sessions", response_model=SessionOut)
def add_session(request: Request, user: User, cohort_id: Id, body: NewSession) -> SessionOut:
    store = store_of(request)
    cohort = cohort_of(store, user, cohort_id)
    require_coordinator(user)
    staff = {a.id for a in store.lookup.staff(cohort.school_id)}
    if body.trainer_id is not None and body.trainer_id not in staff:
        raise RecordError("Ce formateur ou cette formatrice n'est pas de l'école.", "trainer_id")
    times = (body.starts, body.ends)
    added = store.attendance.add(
        cohort_id, body.day, body.half, times, body.module, body.trainer_id
    )
    return _session(added)


@router.get("/sessions/{session_id}/attendance", response_model=SheetOut)
def read_sheet(request: Request, user: User, session_id: Id) -> SheetOut:
    store = store_of(request)
    session = store.attendance.session(session_id)
    if session is None:
        raise HTTPException(status_code=404, detail="Demi-journée introuvable.")
    cohort_of(store, user, session.cohort_id)
    sheet = store.attendance.sheet(session_id)
    assert sheet is not None
    return _sheet(sheet, staff=user.role is not Role.TRAINER)


@router.post("/sessions/{session_id}/attendance", response_model=EntryOut)
def append_entry(request: Request, user: User, session_id: Id, body: EntryIn) -> EntryOut:
    """One entry on the sheet, stored once per ``key`` (a resend answers the same id)."""
    kind = Kind(body.kind)
    writable_session(request, user, session_id, staff=kind in (Kind.CORRECTED, Kind.JUSTIFIED))
    new = NewEntry(
        key=f"att:{body.key}",
        kind=kind,
        author_id=user.id,
        trainee_id=body.trainee_id,
        made_at=body.made_at if kind not in (Kind.CORRECTED, Kind.JUSTIFIED) else None,
        device=body.device,
        minute=body.minute,
        present=body.present,
        left=body.left,
        category=body.category,
        reason=body.reason,
        strokes=body.strokes,
    )
    return EntryOut(id=store_of(request).attendance.record(session_id, new))


@router.get("/cohorts/{cohort_id}/hours", response_model=list[HoursOut])
def cohort_hours(request: Request, user: User, cohort_id: Id) -> list[HoursOut]:
    """Every trainee's hours, from the sheets: the figures the pages and documents show."""
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    return [_hours(h) for h in store.attendance.hours(cohort_id).values()]


def _session(s: Session) -> SessionOut:
    return SessionOut(
        id=s.id, day=s.day, half=s.half, starts=s.starts, ends=s.ends, module=s.module,
        phase=s.phase, trainer_id=s.trainer_id, cancelled=s.cancelled, note=s.note,
    )  # fmt: skip


def _sheet(sheet: Sheet, staff: bool) -> SheetOut:
    lines = [
        LineOut(
            trainee_id=line.trainee_id,
            name=line.name,
            status=line.mark.status,
            arrived=line.mark.arrived,
            left=line.mark.left,
            signed=line.mark.signed,
            signed_at=line.signed_at,
            corrected=line.mark.corrected,
            justified=line.mark.justified if staff or not line.mark.justified else "justifiee",
            minutes=line.minutes,
        )
        for line in sheet.lines
    ]
    return SheetOut(
        session=_session(sheet.session),
        lines=lines,
        countersigned_at=sheet.countersigned_at,
        countersigned_by=sheet.countersigned_by,
        intact=sheet.intact,
        broken_at=sheet.broken_at,
        flags=[flag.words for flag in sheet.flags],
    )


def _hours(h: HoursDone) -> HoursOut:
    return HoursOut(
        trainee_id=h.trainee_id, done=h.done, held=h.held, done_by_module=h.done_by_module,
        unjustified=h.unjustified, justified=h.justified, late=h.late,
    )  # fmt: skip

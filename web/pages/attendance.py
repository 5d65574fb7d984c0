"""Attendance pages: a cohort's half-days and hours, and the sheet a trainer opens on the
floor's tablet — each trainee signs with a finger, or is marked absent or gone early; the
trainer countersigns. Every entry goes through the device's outbox (static/outbox.js), so a
sheet signed without network is kept on the tablet and sent when the network is back.

A trainer signs only the sheets of their cohorts; corrections (another day, with a reason)
and justifications are the coordination's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from core.attendance.hours import JUSTIFICATIONS, Kind
from core.attendance.sessions import parse_clock
from core.attendance.views import Session
from core.domain import Cohort, RecordError, Role
from core.french import SCHOOL_TIME, clock
from core.store import STEPS, NewEntry
from web.actions import receive_proof, writable_session
from web.contract import served_as
from web.deps import Id, User, cohort_of, gestes_of, require_coordinator, store_of
from web.rendering import render
from web.security import CurrentUser

router = APIRouter(tags=["pages"])

# What a form on the sheet records, by the last part of its address.
KINDS = {
    "signature": Kind.SIGNED,
    "absence": Kind.ABSENT,
    "depart": Kind.LEFT,
    "correction": Kind.CORRECTED,
    "justification": Kind.JUSTIFIED,
}
STAFF_KINDS = {Kind.CORRECTED, Kind.JUSTIFIED}
Month = Annotated[str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")]
Field = Annotated[str, Form(max_length=500)]


@router.get("/cohorts/{cohort_id}/attendance")
def cohort_attendance(request: Request, user: User, cohort_id: Id, mois: Month = "") -> Response:
    """The cohort's half-days of one month (the current one, or its first), and everyone's
    hours done so far."""
    store = store_of(request)
    cohort = cohort_of(store, user, cohort_id)
    sessions = store.attendance.sessions(cohort_id)
    months = sorted({(s.day.year, s.day.month) for s in sessions})
    today = dt.datetime.now(SCHOOL_TIME).date()
    chosen = (int(mois[:4]), int(mois[5:])) if mois else (today.year, today.month)
    if months and chosen not in months:
        chosen = months[0] if (today.year, today.month) < months[0] else months[-1]
    shown = [s for s in sessions if (s.day.year, s.day.month) == chosen]
    view = {
        "cohort": cohort,
        "sessions": shown,
        "months": months,
        "month": chosen,
        "today": today,
        "modules": _module_names(request, cohort),
        "hours": store.attendance.hours(cohort_id, today),
        "names": store.attendance.roster(cohort_id),
        "staff": {a.id: a.name for a in store.lookup.staff(cohort.school_id)},
        "can_plan": user.role is not Role.TRAINER and not cohort.closed,
        "school": store.lookup.school(cohort.school_id),
        "default_alert": gestes_of(request).settings.absence_alert,
        "steps": STEPS,
    }
    return render(request, "attendance.html", view)


@router.post("/cohorts/{cohort_id}/attendance/plan")
def plan_attendance(request: Request, user: User, cohort_id: Id) -> Response:
    store = store_of(request)
    cohort_of(store, user, cohort_id)  # another school's cohort: 404, before the role's 403
    require_coordinator(user)
    added = store.attendance.plan(cohort_id)
    return RedirectResponse(f"/cohorts/{cohort_id}/attendance?planifiees={added}", status_code=303)


@router.post("/cohorts/{cohort_id}/attendance/rules")
def attendance_rules(
    request: Request,
    user: User,
    cohort_id: Id,
    step: Annotated[int, Form(ge=1, le=30)],
    alert: Annotated[int, Form(ge=1, le=100)],
) -> Response:
    """The school's own rules: lateness counted to ``step`` minutes, the coordination told
    from ``alert`` unjustified half-days absent (each change in the corrections' history)."""
    store = store_of(request)
    cohort = cohort_of(store, user, cohort_id)
    require_coordinator(user)
    store.directory.set_attendance_rules(cohort.school_id, step, alert, user.id)
    return RedirectResponse(f"/cohorts/{cohort_id}/attendance#regles", status_code=303)


@router.get("/sessions/{session_id}")
def sheet_page(request: Request, user: User, session_id: Id) -> Response:
    return render(request, "sheet.html", _sheet_view(request, user, session_id))


@router.post("/sessions/{session_id}/trainees/{trainee_id}/{what}")
async def mark_trainee(
    request: Request,
    user: User,
    session_id: Id,
    trainee_id: Id,
    what: Annotated[str, Path(pattern="^(signature|absence|depart|correction|justification)$")],
) -> Response:
    """One trainee's line: their signature, an absence, a departure (the trainer), or a
    correction or justification (the coordination)."""
    kind = KINDS[what]
    session, _ = writable_session(request, user, session_id, staff=kind in STAFF_KINDS)
    form = await request.form()
    try:
        new = _entry_from(form, user, kind, trainee_id, session)
        if kind is Kind.JUSTIFIED:
            new = dataclasses.replace(new, proof=await receive_proof(request, form))
        store_of(request).attendance.record(session_id, new)
    except RecordError as error:
        errors = {f"t{trainee_id}": str(error)}
        view = _sheet_view(request, user, session_id, errors=errors)
        return render(request, "sheet.html", view, status_code=400)
    return RedirectResponse(f"/sessions/{session_id}#t{trainee_id}", status_code=303)


@router.get(
    "/sessions/{session_id}/proofs/{digest}",
    response_class=Response,
    responses=served_as(
        ("image/jpeg", "image/png", "image/webp", "application/pdf"), "A justification's proof"
    ),
)
def proof(
    request: Request,
    user: User,
    session_id: Id,
    digest: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
) -> Response:
    """A justified absence's proof, for the coordination of its school only (a sick note is
    nobody else's business)."""
    writable_session(request, user, session_id, staff=True)
    attendance = store_of(request).attendance
    media_type = attendance.proof_of(session_id, digest)
    data = attendance.proofs.read(digest) if media_type and attendance.proofs else None
    if media_type is None or data is None:
        raise HTTPException(status_code=404, detail="Pièce introuvable.")
    return Response(
        data,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"},
    )


@router.post("/sessions/{session_id}/countersign")
async def countersign(request: Request, user: User, session_id: Id) -> Response:
    """The trainer's signature under the whole sheet."""
    session, _ = writable_session(request, user, session_id)
    form = await request.form()
    try:
        new = _entry_from(form, user, Kind.COUNTERSIGNED, None, session)
        store_of(request).attendance.record(session_id, new)
    except RecordError as error:
        view = _sheet_view(request, user, session_id, errors={"contresignature": str(error)})
        return render(request, "sheet.html", view, status_code=400)
    return RedirectResponse(f"/sessions/{session_id}#contresignature", status_code=303)


@router.post("/sessions/{session_id}/edit")
def edit_session(
    request: Request,
    user: User,
    session_id: Id,
    starts: Annotated[str, Form(max_length=10)],
    ends: Annotated[str, Form(max_length=10)],
    module: Annotated[str, Form(max_length=120)],
    trainer: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    cancelled: Annotated[str, Form(max_length=3)] = "",
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A day off, an outing, a changed timetable: the coordination edits the half-day."""
    session, cohort = writable_session(request, user, session_id, staff=True)
    store = store_of(request)
    try:
        begin, end = parse_clock(starts), parse_clock(ends)
        if begin is None or end is None:
            raise RecordError("Heure illisible : écrivez-la comme 9:00 ou 13h30.", "starts")
        if module not in _module_names(request, cohort):
            raise RecordError("Module inconnu pour ce parcours.", "module")
        staff = {a.id for a in store.lookup.staff(cohort.school_id)}
        if trainer and trainer not in staff:
            raise RecordError("Ce formateur ou cette formatrice n'est pas de l'école.", "trainer")
        store.attendance.edit(
            session.id, user.id, starts=begin, ends=end, module=module,
            trainer_id=trainer or None, cancelled=cancelled == "oui", note=note.strip() or None,
        )  # fmt: skip
    except RecordError as error:
        view = _sheet_view(request, user, session_id, errors={error.field or "edit": str(error)})
        return render(request, "sheet.html", view, status_code=400)
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


# ---------------------------------------------------------------- helpers


def _entry_from(
    form: Any, user: CurrentUser, kind: Kind, trainee_id: int | None, session: Session
) -> NewEntry:
    """The entry a sheet's form describes; what the device says (its moment, its name)
    is read as given and checked by the store."""

    def text(name: str, limit: int = 500) -> str:
        value = form.get(name)
        return value.strip()[:limit] if isinstance(value, str) else ""

    key = text("submit_id", 80)
    if not 8 <= len(key) <= 80 or not key.replace("-", "").isalnum():
        raise RecordError("Formulaire incomplet : rechargez la page.")
    made = text("made_at", 20)
    made_at = (
        dt.datetime.fromtimestamp(int(made) / 1000, dt.UTC)
        if made.isdigit() and len(made) <= 15
        else None
    )
    minute = _minute(text("minute", 10), "minute")
    left = _minute(text("left", 10), "left")
    strokes = None
    if kind in (Kind.SIGNED, Kind.COUNTERSIGNED):
        try:
            strokes = json.loads(text("strokes", 60_000) or "[]")
        except ValueError:
            strokes = None
        if not isinstance(strokes, list):
            raise RecordError("Signature illisible : effacez et signez de nouveau.", "strokes")
    if kind is Kind.LEFT and minute is None:
        raise RecordError("Heure de départ : écrivez-la comme 15:30.", "minute")
    return NewEntry(
        key=f"att:{key}",
        kind=kind,
        author_id=user.id,
        trainee_id=trainee_id,
        made_at=None if kind in STAFF_KINDS else made_at,
        device=text("device", 40) or None,
        minute=minute,
        present=text("present", 3) == "oui" if kind is Kind.CORRECTED else None,
        left=left,
        category=text("category", 20) or None,
        reason=text("reason") or None,
        strokes=strokes,
    )


def _minute(value: str, field: str) -> int | None:
    if not value:
        return None
    minute = parse_clock(value)
    if minute is None:
        raise RecordError("Heure illisible : écrivez-la comme 9:20 ou 15h30.", field)
    return minute


def _sheet_view(
    request: Request, user: CurrentUser, session_id: int, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    store = store_of(request)
    session = store.attendance.session(session_id)
    if session is None:
        raise HTTPException(status_code=404, detail="Demi-journée introuvable.")
    cohort = cohort_of(store, user, session.cohort_id)
    sheet = store.attendance.sheet(session_id)
    today = dt.datetime.now(SCHOOL_TIME).date()
    staff = user.role is not Role.TRAINER
    may_sign = not cohort.closed and (staff or user.id in cohort.trainers)
    return {
        "cohort": cohort,
        "session": session,
        "sheet": sheet,
        "today": today,
        "on_the_day": session.day == today and not session.cancelled and may_sign,
        "staff": staff,
        "people": {a.id: a.name for a in store.lookup.staff(cohort.school_id)},
        "modules": _module_names(request, cohort),
        "justifications": JUSTIFICATIONS,
        "errors": errors or {},
        "clock": clock,
        "submit": uuid.uuid4().hex,  # each form's key without the script (it makes fresh ones)
    }


def _module_names(request: Request, cohort: Cohort) -> dict[str, str]:
    catalog = store_of(request).curricula.catalog(cohort.sector, cohort.curriculum_version)
    return {m.id: m.name for m in catalog.sectors[cohort.sector].curriculum.modules}

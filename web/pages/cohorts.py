"""What trainers read: their cohorts, a cohort's grid, a trainee's page; and what they add
to a trainee's record besides scores: comments, evidence photos, corrections."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from core.catalog.catalog import Catalog
from core.catalog.definitions import Sector
from core.domain import RecordError, Role
from core.french import SCHOOL_TIME
from core.store import UNFINISHED_SHOWN
from web import forms
from web.actions import receive_evidence
from web.contract import served_as
from web.deps import (
    Id,
    User,
    cohort_of,
    gestes_of,
    is_htmx,
    observation_of,
    require_author_or_coordinator,
    store_of,
    trainee_of,
    valid_key,
    visible_cohorts,
)
from web.pages.trainee import opened_at, refused_on_page
from web.rendering import render

GESTURE_ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")  # a catalog id: never a way elsewhere

router = APIRouter(tags=["pages"])


# ---------------------------------------------------------------- cohorts


@router.get("/")
def home(user: User) -> Response:
    """Coordinators and admins start from the dashboard, trainers from their cohorts."""
    start = "/cohorts" if user.role is Role.TRAINER else "/dashboard"
    return RedirectResponse(start, status_code=303)


def _competency_name(catalog: Catalog, competency: str) -> str:
    return catalog.competency(competency).name if competency in catalog.entries else competency


@router.get("/cohorts")
def cohorts(request: Request, user: User) -> Response:
    gestes = gestes_of(request)
    store, catalog = gestes.store, gestes.catalog
    rows = visible_cohorts(store, user)
    items = [
        {
            "cohort": cohort,
            "school": school,
            "sector": catalog.sectors[cohort.sector].sector.name,
        }
        for cohort, school in rows
    ]
    left = [
        (u, gestes.catalog_for(cohort))
        for cohort, _ in rows
        if not cohort.closed
        for u in store.taps.left_by(user.id, cohort.id)
    ]
    left.sort(key=lambda pair: pair[0].last, reverse=True)
    # Today's sheets of the cohorts this person signs: a trainer's first tap of the day.
    signs = [
        c
        for c, _ in rows
        if not c.closed and (user.role is not Role.TRAINER or user.id in c.trainers)
    ]
    names = {c.id: c.name for c in signs}
    today = dt.datetime.now(SCHOOL_TIME).date()
    sheets = [(s, names[s.cohort_id]) for s in store.attendance.on_day(list(names), today)]
    waiting = store.placements.waiting_confirmation(list(names))
    view = {"items": items, "left": left[:UNFINISHED_SHOWN], "sheets": sheets}
    view["waiting"] = [
        (t, name, said, catalog.entries.get(said.competency)) for t, name, said in waiting
    ]
    return render(request, "cohorts.html", view)


@router.get("/cohorts/{cohort_id}")
def cohort_grid(
    request: Request,
    user: User,
    cohort_id: Id,
    block: str = "",
    module: str = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Trainees × competencies, filtered by competency block and/or by module, and by a few
    letters of a name (``q``, accents and case ignored)."""
    gestes = gestes_of(request)
    store = gestes.store
    cohort = cohort_of(store, user, cohort_id)
    catalog = gestes.catalog_for(cohort)  # its pinned curriculum's
    sector = catalog.sectors[cohort.sector]
    grid = store.records.cohort_grid(cohort_id)
    shown = [c.id for b in sector.blocks if not block or b.id == block for c in b.competencies]
    if module:
        taught = module_competencies(catalog, sector, module)
        shown = [c for c in shown if c in taught]
    columns = [grid.competencies.index(c) for c in shown]
    wanted = _folded(q)
    rows = [
        (info, [(levels[i], (info.id, grid.competencies[i]) in grid.decided) for i in columns])
        for info, levels in grid.rows
        if wanted in _folded(info.full_name)
    ]
    return render(
        request,
        "cohort.html",
        {
            "cohort": cohort,
            "sector": sector,
            "blocks": sector.blocks,
            "block": block,
            "modules": [
                m for m in sector.curriculum.modules if module_competencies(catalog, sector, m.id)
            ],
            "module": module,
            "q": q,
            "competencies": [catalog.competency(c) for c in shown],
            "rows": rows,
            "scale": sector.curriculum.scale,
        },
        blocks=["grid"] if is_htmx(request) else None,
    )


def _folded(text: str) -> str:
    """Lower case without accents: « inès » finds « Inès », « ines » too."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def module_competencies(catalog: Catalog, sector: Sector, module_id: str) -> set[str]:
    """What a module works on: its own competencies and those its gestures and evaluations
    evidence. An unknown module id works on nothing (an empty grid, not an error page)."""
    found = [m for m in sector.curriculum.modules if m.id == module_id]
    if not found:
        return set()
    module = found[0]
    competencies = set(module.competencies)
    for gesture in module.gestures:
        competencies.update(catalog.gesture(gesture).competencies)
    for evaluation in module.evaluations:
        competencies.update(catalog.evaluation(evaluation).competencies)
    return competencies


# ---------------------------------------------------------------- decisions, comments


@router.post("/trainees/{trainee_id}/levels")
async def decide_level(request: Request, user: User, trainee_id: Id) -> Response:
    """A trainer's direct decision on a competency's level, with its justification; the
    latest decision stands (it supersedes nothing: each one is kept in the history)."""
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    competency = forms.text(form, "competency", errors, limit=120)
    level = forms.text(form, "level", errors, limit=40)
    justification = forms.text(form, "justification", errors, limit=2000)
    observed_on = forms.day(form, "observed_on", errors, default=dt.date.today())
    submit = str(form.get("submit_id") or "")
    if not valid_key(submit):
        errors[""] = "Formulaire invalide : rechargez la page."
    if not errors:
        try:
            store.observations.record_level(
                trainee_id,
                user.id,
                competency,
                level,
                justification,
                observed_on,
                f"level:{submit}",
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, "decision")
    return RedirectResponse(opened_at(trainee_id, "historique"), status_code=303)


@router.post("/trainees/{trainee_id}/comments")
async def add_comment(request: Request, user: User, trainee_id: Id) -> Response:
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    text = forms.text(form, "text", errors, limit=4000)
    observed_on = forms.day(form, "observed_on", errors, default=dt.date.today())
    submit = str(form.get("submit_id") or "")
    if not valid_key(submit):
        errors[""] = "Formulaire invalide : rechargez la page."
    if not errors:
        try:
            store.observations.record_comment(
                trainee_id, user.id, text, observed_on, f"comment:{submit}"
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, "commentaires")
    return RedirectResponse(opened_at(trainee_id, "commentaires"), status_code=303)


# ---------------------------------------------------------------- evidence, corrections


@router.post("/observations/{observation_id}/evidence")
async def add_evidence(request: Request, user: User, observation_id: Id) -> Response:
    """A photo (or PDF report) for an observation; size and type checked by the store."""
    observation = observation_of(store_of(request), user, observation_id)
    try:
        await receive_evidence(request, user, observation_id)
    except RecordError as error:  # the page again, the reason beside that entry's field
        errors = {f"photo-{observation_id}": str(error)}
        return refused_on_page(request, user, observation.trainee_id, errors, {}, "historique")
    gesture = str((await request.form()).get("geste") or "")  # sent from the gesture page
    if GESTURE_ID.fullmatch(gesture):  # back to it, on a new attempt, saying it is attached
        back = f"/trainees/{observation.trainee_id}/gestures/{gesture}"
        return RedirectResponse(f"{back}?attempt={uuid.uuid4().hex}&photo=1", status_code=303)
    return RedirectResponse(opened_at(observation.trainee_id, "historique"), status_code=303)


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses=served_as(
        ("image/jpeg", "image/png", "image/webp", "application/pdf"), "The file, as stored"
    ),
)
def evidence_file(request: Request, user: User, evidence_id: Id) -> Response:
    """A photo or report attached to an entry, for the staff of the trainee's school only.
    Photos were re-encoded when stored (nothing hidden in them); a PDF is downloaded, never
    shown inside the page."""
    from urllib.parse import quote

    store = gestes_of(request).store
    attached = store.evidence.get(evidence_id)
    if attached is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    trainee_of(store, user, attached.trainee_id)
    content = store.evidence.content(attached)
    if content is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    disposition = "inline" if attached.is_image else "attachment"
    return Response(
        content,
        media_type=attached.media_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=utf-8''{quote(attached.filename)}",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.post("/observations/{observation_id}/retract")
def retract(
    request: Request,
    user: User,
    observation_id: Id,
    reason: Annotated[str, Form(max_length=500)],
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Cancel a mistaken entry: a new observation supersedes it; nothing is erased. Never
    one tap: the page asks for the reason and a ticked confirmation."""
    store = store_of(request)
    observation = observation_of(store, user, observation_id)
    require_author_or_coordinator(user, observation)
    try:
        if confirm != "oui":
            raise RecordError("Cochez la case pour confirmer l'annulation.")
        store.observations.retract(observation_id, user.id, reason, f"retract:{observation_id}")
    except RecordError as error:
        errors = {f"motif-{observation_id}": str(error)}
        kept = {"reason": reason}
        return refused_on_page(request, user, observation.trainee_id, errors, kept, "historique")
    return RedirectResponse(opened_at(observation.trainee_id, "historique"), status_code=303)

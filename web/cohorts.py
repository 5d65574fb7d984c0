"""What trainers read: their cohorts, a cohort's grid, a trainee's page; and what they add
to a trainee's record besides scores: comments, evidence photos, corrections."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.catalog import Catalog
from core.domain import ExitKind, Located, RecordError, Role
from core.models import Phase, Sector
from web.app import gestes_of, is_htmx, render, store_of
from web.scope import Id, User, cohort_of, observation_of, trainee_of, valid_key, visible_cohorts
from web.security import CurrentUser

router = APIRouter(tags=["pages"])


# ---------------------------------------------------------------- cohorts


@router.get("/")
def home(user: User) -> Response:
    """Coordinators and admins start from the dashboard, trainers from their cohorts."""
    start = "/cohorts" if user.role is Role.TRAINER else "/dashboard"
    return RedirectResponse(start, status_code=303)


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
    return render(request, "cohorts.html", {"items": items})


@router.get("/cohorts/{cohort_id}")
def cohort_grid(
    request: Request, user: User, cohort_id: Id, block: str = "", module: str = ""
) -> Response:
    """Trainees × competencies, filtered by competency block and/or by module."""
    gestes = gestes_of(request)
    store, catalog = gestes.store, gestes.catalog
    cohort = cohort_of(store, user, cohort_id)
    sector = catalog.sectors[cohort.sector]
    grid = store.records.cohort_grid(cohort_id)
    shown = [c.id for b in sector.blocks if not block or b.id == block for c in b.competencies]
    if module:
        taught = module_competencies(catalog, sector, module)
        shown = [c for c in shown if c in taught]
    columns = [grid.competencies.index(c) for c in shown]
    rows = [(info, [levels[i] for i in columns]) for info, levels in grid.rows]
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
            "competencies": [catalog.competency(c) for c in shown],
            "rows": rows,
            "scale": sector.curriculum.scale,
        },
        blocks=["grid"] if is_htmx(request) else None,
    )


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


# ---------------------------------------------------------------- trainee


@router.get("/trainees/{trainee_id}")
def trainee_page(request: Request, user: User, trainee_id: Id) -> Response:
    gestes = gestes_of(request)
    store, catalog = gestes.store, gestes.catalog
    _, cohort = trainee_of(store, user, trainee_id)
    record = store.records.trainee_record(trainee_id)
    sector = catalog.sectors[cohort.sector]
    history = store.lookup.latest_entries(trainee_id)
    return render(
        request,
        "trainee.html",
        {
            "record": record,
            "sector": sector,
            "catalog": catalog,
            "phases": list(Phase),
            "scale": sector.curriculum.scale,
            "history": history,
            "exits": list(ExitKind),
            "exits_by_code": {e.value: e for e in ExitKind},
            "employers": catalog.employers_in(
                record.trainee.territory, sector=record.trainee.sector
            ),
            "submit": uuid.uuid4().hex,
            "today": dt.date.today(),
        },
    )


# ---------------------------------------------------------------- comments, evidence, corrections


@router.post("/trainees/{trainee_id}/comments")
def add_comment(
    request: Request,
    user: User,
    trainee_id: Id,
    text: Annotated[str, Form(max_length=4000)],
    submit_id: Annotated[str, Form(max_length=40)],
) -> Response:
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    if not valid_key(submit_id):
        raise HTTPException(status_code=400, detail="Formulaire invalide.")
    store.observations.record_comment(
        trainee_id, user.id, text, dt.date.today(), f"comment:{submit_id}"
    )
    return RedirectResponse(f"/trainees/{trainee_id}#commentaires", status_code=303)


@router.post("/observations/{observation_id}/evidence")
async def add_evidence(request: Request, user: User, observation_id: Id) -> Response:
    """A photo (or PDF report) for an observation; size and type checked by the store."""
    observation = await receive_evidence(request, user, observation_id)
    return RedirectResponse(f"/trainees/{observation.trainee_id}#historique", status_code=303)


async def receive_evidence(request: Request, user: CurrentUser, observation_id: Id) -> Located:
    """Store the file posted as ``photo`` (page or API). An announced body over the limit is
    refused before it is read, and no more than the limit is ever read."""
    gestes = gestes_of(request)
    store = gestes.store
    observation = observation_of(store, user, observation_id)
    limit = gestes.settings.evidence_max_bytes
    if int(request.headers.get("content-length", "0")) > limit + 64 * 1024:
        raise RecordError(f"Fichier trop lourd : {limit // (1024 * 1024)} Mo au maximum.")
    form = await request.form()
    upload = form.get("photo")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise RecordError("Choisissez une photo.")
    data = await upload.read(limit + 1)
    store.evidence.add(observation_id, data, upload.filename, upload.content_type)
    return observation


@router.post("/observations/{observation_id}/retract")
def retract(
    request: Request,
    user: User,
    observation_id: Id,
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    """Cancel a mistaken entry: a new observation supersedes it; nothing is erased."""
    store = store_of(request)
    observation = observation_of(store, user, observation_id)
    store.observations.retract(observation_id, user.id, reason, f"retract:{observation_id}")
    return RedirectResponse(f"/trainees/{observation.trainee_id}#historique", status_code=303)

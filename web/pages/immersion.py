"""Immersion, for the school's staff: placements at host companies, the tutor's link, the
trainee's code, confirming self-assessments and signing the booklet.

Coordinators (and admins) record placements and send tutors their link; trainers and
coordinators give trainees their code, answer their self-assessments and sign. Links and codes
are shown once, when made: the store keeps only their hash.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.catalog.definitions import Phase
from core.domain import RecordError
from core.immersion.placements import (
    Placement,
    appraisal_criteria,
    default_objectives,
)
from core.immersion.record import immersion
from web.actions import (
    answer_self_assessment,
    issue_trainee_code,
    issue_tutor_link,
    placement_of,
    record_placement,
    sign_booklet,
    withdraw_link,
)
from web.deps import Id, User, gestes_of, require_coordinator, trainee_of
from web.pages.trainee import opened_at
from web.rendering import render
from web.security import CurrentUser

router = APIRouter(tags=["pages"])

Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=300)]


# ---------------------------------------------------------------- placements


@router.get("/trainees/{trainee_id}/placements/new")
def new_placement(request: Request, user: User, trainee_id: Id, employer: str = "") -> Response:
    """The placement form; choosing a catalog employer proposes its requirements as
    objectives (a plain GET: works without JavaScript)."""
    require_coordinator(user)
    return render(request, "placement_new.html", _form_view(request, user, trainee_id, employer))


def _form_view(
    request: Request, user: CurrentUser, trainee_id: int, employer: str, **extra: Any
) -> dict[str, Any]:
    gestes = gestes_of(request)
    trainee, cohort = trainee_of(gestes.store, user, trainee_id)
    record = gestes.store.records.trainee_record(trainee_id)
    catalog = gestes.definitions_for(record.trainee).catalog  # the school's profiles too
    employers = catalog.employers_in(record.trainee.territory, sector=cohort.sector)
    chosen = catalog.employers.get(employer) if employer else None
    objectives = default_objectives(catalog, cohort.sector, chosen)
    curriculum = catalog.sectors[cohort.sector].curriculum
    planned = (
        dict(cohort.planned_hours).get(Phase.IMMERSION)
        or curriculum.hours_by_phase()[Phase.IMMERSION]
    )
    form = {
        "employer": chosen.id if chosen else "",
        "company": chosen.name if chosen else "",
        "planned_hours": planned or 140,
        "starts_on": max(dt.date.today(), cohort.starts_on).isoformat(),
        "objectives": "\n".join(o.label for o in objectives),
    }
    return {
        "trainee": trainee,
        "employers": employers,
        "form": {**form, **extra.pop("form", {})},
        "errors": {},
        **extra,
    }


@router.post("/trainees/{trainee_id}/placements")
def create_placement(
    request: Request,
    user: User,
    trainee_id: Id,
    company: Short,
    tutor_name: Short,
    starts_on: Annotated[dt.date, Form()],
    ends_on: Annotated[dt.date, Form()],
    planned_hours: Annotated[int, Form(ge=0, le=100_000)],
    objectives: Annotated[str, Form(max_length=20_000)],
    employer: Short = "",
    tutor_contact: Short = "",
) -> Response:
    require_coordinator(user)
    new = Placement(
        0,
        trainee_id,
        company,
        employer or None,
        tutor_name,
        tutor_contact or None,
        starts_on,
        ends_on,
        planned_hours,
        (),
    )
    try:
        placement = record_placement(request, user, new, objectives)
    except RecordError as error:
        form = {**vars(new), "objectives": objectives, "employer": employer}
        view = _form_view(request, user, trainee_id, employer, form=form)
        view["errors"] = {error.field or "": str(error)}
        return render(request, "placement_new.html", view, status_code=400)
    return RedirectResponse(f"/placements/{placement.id}", status_code=303)


@router.get("/placements/{placement_id}")
def placement_page(request: Request, user: User, placement_id: Id) -> Response:
    return render(request, "placement.html", _placement_view(request, user, placement_id))


def _placement_view(
    request: Request, user: CurrentUser, placement_id: int, **extra: Any
) -> dict[str, Any]:
    gestes = gestes_of(request)
    placement = placement_of(request, user, placement_id)
    trainee, cohort = trainee_of(gestes.store, user, placement.trainee_id)
    criteria = appraisal_criteria(gestes.plugins, cohort.sector)
    entries = gestes.store.placements.entries(trainee.id)
    links = [
        link
        for link in gestes.store.placements.links_of(trainee.id)
        if link.placement_id == placement.id
    ]
    return {
        "trainee": trainee,
        "found": immersion(placement, entries, criteria),
        "links": links,
        "today": dt.date.today(),
        **extra,
    }


@router.post("/placements/{placement_id}/links")
def create_tutor_link(request: Request, user: User, placement_id: Id) -> Response:
    """A new link for the tutor, shown once on the placement page."""
    require_coordinator(user)
    url = issue_tutor_link(request, user, placement_of(request, user, placement_id))
    view = _placement_view(request, user, placement_id, new_link=url)
    return render(request, "placement.html", view)


@router.post("/links/{link_id}/revoke")
def revoke_link(request: Request, user: User, link_id: Id) -> Response:
    link = withdraw_link(request, user, link_id)
    if link.placement_id is not None:
        return RedirectResponse(f"/placements/{link.placement_id}#liens", status_code=303)
    return RedirectResponse(opened_at(link.trainee_id, "suivi"), status_code=303)


# ---------------------------------------------------------------- the trainee in the loop


@router.post("/trainees/{trainee_id}/access-code")
def create_trainee_code(request: Request, user: User, trainee_id: Id) -> Response:
    """A code the trainer hands the trainee (on paper): opens their own page, no e-mail."""
    from web.pages.trainee import trainee_view

    trainee_of(gestes_of(request).store, user, trainee_id)
    code, where = issue_trainee_code(request, user, trainee_id)
    extra = {"new_code": code, "new_code_url": where}
    view = trainee_view(request, user, trainee_id, ("suivi",), **extra)
    return render(request, "trainee.html", view)


@router.post("/trainees/{trainee_id}/confirmations")
def confirm_self_assessment(
    request: Request,
    user: User,
    trainee_id: Id,
    competency: Annotated[str, Form(max_length=120)],
    answers: Annotated[int, Form(ge=1, le=2**31 - 1)],
    confirmed: Annotated[bool, Form()],
) -> Response:
    answer_self_assessment(request, user, trainee_id, competency, answers, confirmed)
    return RedirectResponse(opened_at(trainee_id, "suivi"), status_code=303)


@router.post("/trainees/{trainee_id}/signature")
def sign_as_trainer(
    request: Request,
    user: User,
    trainee_id: Id,
    consent: Annotated[bool, Form()] = False,
) -> Response:
    sign_booklet(request, user, trainee_id, consent)
    return RedirectResponse(opened_at(trainee_id, "suivi"), status_code=303)

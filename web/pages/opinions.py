"""Questionnaires answered (``core.followup.opinions``) and read: a trainee's on their own page
(at the end, and three months after), a tutor's beside their appraisal, an employer's or a
funder's through the link the school sent (``/avis/<code>``); each form kept on the device
until the server has it (``static/outbox.js``), the latest answer replacing the earlier.
The coordination reads the results — and the words, the school's alone — on ``/opinions``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from core.domain import RecordError
from core.followup.opinions import BY_LINK, QUESTIONNAIRES, SCALE, checked, due
from core.followup.satisfaction import school_results
from core.immersion.placements import LinkKind
from web.deps import Id, User, gestes_of, require_coordinator, served_at
from web.forms import period, today
from web.pages.links import UNKNOWN, check_token, my_code, opened_link, opened_or_refused
from web.rendering import render
from web.security import require_school

router = APIRouter(tags=["pages"])


def _answers(form: FormData) -> tuple[dict[str, str], str]:
    fields = {str(k)[2:]: str(v)[:2] for k, v in form.multi_items() if str(k).startswith("q_")}
    return fields, str(form.get("text") or "")[:1001]


@router.post("/moi/avis/{kind}")
async def trainee_opinion(request: Request, kind: str) -> Response:
    """The trainee's answer to a questionnaire open for their cohort today."""
    code = my_code(request)
    link = opened_link(request, code, LinkKind.TRAINEE)
    form = await request.form()
    check_token(request, code, str(form.get("token") or ""))
    store = gestes_of(request).store
    found = store.lookup.trainee(link.trainee_id)
    if found is None or kind not in due(found[1].ends_on, today()):
        raise HTTPException(status_code=404, detail="Ce questionnaire n'est pas ouvert.")
    trainee, cohort = found
    try:
        answers, text = checked(kind, *_answers(form))
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    store.opinions.answer(
        f"trainee:{trainee.id}:{kind}", cohort.school_id, kind, answers, text, cohort.id, trainee.id
    )
    return RedirectResponse("/moi?ok=avis#avis", status_code=303)


@router.post("/tuteur/{code}/avis")
async def tutor_opinion(request: Request, code: str) -> Response:
    """The tutor's opinion, beside their appraisal: one per placement, the latest kept."""
    link = opened_link(request, code, LinkKind.TUTOR)
    form = await request.form()
    check_token(request, code, str(form.get("token") or ""))
    store = gestes_of(request).store
    found = store.lookup.trainee(link.trainee_id)
    if found is None or link.placement_id is None:
        raise HTTPException(status_code=404, detail=UNKNOWN)
    trainee, cohort = found
    try:
        answers, text = checked("tuteur", *_answers(form))
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    source = f"tutor:{link.placement_id}"
    store.opinions.answer(source, cohort.school_id, "tuteur", answers, text, cohort.id, trainee.id)
    return RedirectResponse(f"/tuteur/{code}?ok=avis#avis", status_code=303)


def _outside(request: Request, code: str) -> Any:
    link = gestes_of(request).store.opinions.open_link(code[:64])
    return opened_or_refused(request, link, today())


@router.get("/avis/{code}")
def outside_opinion_page(request: Request, code: str) -> Response:
    """An employer's or a funder's questionnaire, opened from the link the school sent."""
    link = _outside(request, code)
    school = gestes_of(request).store.lookup.school(link.school_id)
    given = gestes_of(request).store.opinions.given(f"link:{link.id}")
    view = {
        "code": code,
        "link": link,
        "school": school,
        "questionnaire": QUESTIONNAIRES[link.questionnaire],
        "scale": SCALE,
        "given": given,
        "saved": request.query_params.get("ok") == "1",
    }
    return render(request, "opinion.html", view)


@router.post("/avis/{code}")
async def outside_opinion(request: Request, code: str) -> Response:
    link = _outside(request, code)
    form = await request.form()
    try:
        answers, text = checked(link.questionnaire, *_answers(form))
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    gestes_of(request).store.opinions.answer(
        f"link:{link.id}", link.school_id, link.questionnaire, answers, text, link.cohort_id
    )
    return RedirectResponse(f"/avis/{code}?ok=1", status_code=303)


# ---------------------------------------------------------------- the coordination's page

Day = Annotated[dt.date | None, Query()]


@router.get("/opinions")
def opinions_page(
    request: Request, user: User, ecole: Annotated[int | None, Query(ge=1)] = None,
    du: Day = None, au: Day = None, cohorte: Annotated[int | None, Query(ge=1)] = None,
) -> Response:  # fmt: skip
    """Each questionnaire's results over a period, for the school or one of its cohorts."""
    require_coordinator(user)
    store = gestes_of(request).store
    schools = [s for s in store.lookup.schools() if user.can_see_school(s.id)]
    if not schools:
        raise HTTPException(status_code=404, detail="Introuvable.")
    school_id = ecole or schools[0].id
    require_school(user, school_id)
    start, end = period(du, au)
    view = _view(request, schools, school_id, start, end, cohorte)
    return render(request, "opinions.html", view)


def _view(
    request: Request,
    schools: Any,
    school_id: int,
    start: dt.date,
    end: dt.date,
    cohort: int | None = None,
) -> dict[str, Any]:
    gestes = gestes_of(request)
    words = gestes.store.opinions.of_school(school_id, start, end)
    return {
        "cohort_id": cohort,
        "schools": schools,
        "school_id": school_id,
        "start": start,
        "end": end,
        "results": school_results(gestes, school_id, start, end, cohort),
        "words": [o for o in words if o.text and cohort in (None, o.cohort_id)],
        "questionnaires": QUESTIONNAIRES,
        "by_link": BY_LINK,
        "links": gestes.store.opinions.links_of(school_id),
        "cohorts": [c for c, _ in gestes.store.lookup.cohorts([school_id])],
        "today": today(),
        "made": None,
    }


@router.post("/opinions/links")
def make_opinion_link(
    request: Request,
    user: User,
    ecole: Annotated[int, Form(ge=1)],
    questionnaire: Annotated[str, Form(max_length=20)],
    who: Annotated[str, Form(max_length=201)],
    jours: Annotated[int, Form(ge=1, le=90)] = 30,
    cohort: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """A link for an employer or a funder to answer (shown once: only its hash is kept)."""
    require_coordinator(user)
    require_school(user, ecole)
    gestes = gestes_of(request)
    if questionnaire not in BY_LINK:
        raise HTTPException(status_code=400, detail="Questionnaire : entreprise ou financeur.")
    if cohort is not None and cohort not in {c.id for c, _ in gestes.store.lookup.cohorts([ecole])}:
        raise HTTPException(status_code=404, detail="Introuvable.")
    try:
        _, code = gestes.store.opinions.create_link(
            ecole, questionnaire, who, jours, today(), user.id, cohort
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    schools = [s for s in gestes.store.lookup.schools() if user.can_see_school(s.id)]
    end = today()
    view = _view(request, schools, ecole, end - dt.timedelta(days=365), end)
    view["made"] = f"{gestes.settings.address(served_at(request))}/avis/{code}"
    return render(request, "opinions.html", view)


@router.post("/opinions/links/{link_id}/revoke")
def revoke_opinion_link(
    request: Request, user: User, link_id: Id, ecole: Annotated[int, Form(ge=1)]
) -> Response:
    require_coordinator(user)
    require_school(user, ecole)
    try:
        gestes_of(request).store.opinions.revoke_link(ecole, link_id)
    except RecordError:
        raise HTTPException(status_code=404, detail="Introuvable.") from None
    return RedirectResponse(f"/opinions?ecole={ecole}#liens", status_code=303)

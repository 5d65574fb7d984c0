"""The trainee page's *Positionnement et plan* part, written to: the diagnostic at entry
(each gesture seen, each question answered), and the individual plan's lines (added, or
ended when no longer needed), each dated and signed by who made it. Trainers of the cohort
and the coordination; refused beside the field, the part open again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import RecordError
from core.followup import plans
from web import forms
from web.deps import Id, User, gestes_of, trainee_of
from web.pages.trainee import opened_at, refused_on_page

router = APIRouter(tags=["pages"])
PART = "positionnement"


@router.post("/trainees/{trainee_id}/positioning")
async def record_positioning(request: Request, user: User, trainee_id: Id) -> Response:
    """The diagnostic's observations and answers (fields ``item:<gesture or question>``)."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    day = forms.day(form, "observed_on", errors)
    answers = {
        str(name).removeprefix("item:"): str(value)[:301]
        for name, value in form.multi_items()
        if str(name).startswith("item:")
    }
    if not errors:
        try:
            plans.observe(gestes, trainee_id, answers, day, user.id)
        except RecordError as error:
            errors = forms.refusal(error, prefix="item:")
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, PART)
    return RedirectResponse(opened_at(trainee_id, PART), status_code=303)


@router.post("/trainees/{trainee_id}/plan")
async def add_plan_line(request: Request, user: User, trainee_id: Id) -> Response:
    """A line of the individual plan: a gesture to work first, or an adaptation."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    day = forms.day(form, "decided_on", errors, default=forms.today())
    if not errors:
        try:
            plans.add_plan_line(
                gestes,
                trainee_id,
                str(form.get("kind") or ""),
                str(form.get("text") or "")[:501],
                day,
                user.id,
                gesture=str(form.get("gesture") or "") or None,
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, PART)
    return RedirectResponse(opened_at(trainee_id, PART), status_code=303)


@router.post("/trainees/{trainee_id}/plan/{line_id}/end")
async def end_plan_line(request: Request, user: User, trainee_id: Id, line_id: Id) -> Response:
    """A plan line no longer needed: ended today (or on the date given), kept in the plan."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    day = forms.day(form, "ended_on", errors, default=forms.today())
    if not errors:
        try:
            gestes.store.positioning.end_line(trainee_id, line_id, day, user.id)
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, PART)
    return RedirectResponse(opened_at(trainee_id, PART), status_code=303)

"""Candidates before they are trainees (``core.store.candidates``), kept by the coordination:
the list of the school's candidates with where each is, a candidate sent by a prescriber
added, their information session, motivation interview and decision recorded (each change
traced), and the admitted entering a cohort in one step. Not admitted, a candidate's data is
erased on a fixed delay after the decision, said on their page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import ENTRY_STATUSES, QUALIFICATIONS, NewTrainee, RecordError
from core.store import DECISIONS, Candidate
from web import forms
from web.actions import candidate_of, coordinated_school
from web.deps import Id, User, gestes_of
from web.rendering import render

router = APIRouter(tags=["pages"])


def _list_view(request: Request, school: Any, **extra: Any) -> dict[str, Any]:
    store = gestes_of(request).store
    store.candidates.erase_due(forms.today())  # the RGPD delay, kept whenever the list is read
    return {
        "school": school,
        "candidates": store.candidates.of_school(school.id),
        "statuses": ENTRY_STATUSES,
        "qualifications": QUALIFICATIONS,
        "errors": {},
        "form": {},
        **extra,
    }


@router.get("/candidates")
def candidates_page(
    request: Request, user: User, ecole: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    school = coordinated_school(request, user, ecole)
    return render(request, "candidates.html", _list_view(request, school))


@router.post("/candidates")
async def add_candidate(request: Request, user: User) -> Response:
    """A candidate sent by a prescriber (France Travail, Mission Locale, an association…)."""
    form = await request.form()
    school = coordinated_school(request, user, forms.whole(form, "ecole", {}, low=1, high=10**9))
    errors: forms.Errors = {}
    born = forms.day(form, "birth_date", errors, default=dt.date(1, 1, 1))
    new = NewTrainee(
        str(form.get("first_name") or "")[:100], str(form.get("last_name") or "")[:100],
        str(form.get("email") or "")[:200] or None, birth_date=None if born.year == 1 else born,
        phone=str(form.get("phone") or "")[:30] or None,
        prescriber=str(form.get("prescriber") or "")[:120] or None,
        statuses=tuple(str(s) for s in form.getlist("statuses") if str(s) in ENTRY_STATUSES),
        qualification=str(form.get("qualification") or "") or None,
    )  # fmt: skip
    if not errors:
        try:
            made = gestes_of(request).store.candidates.add(school.id, new, user.id)
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = _list_view(request, school, errors=errors, form=forms.values(form))
        return render(request, "candidates.html", view, status_code=400)
    return RedirectResponse(f"/candidates/{made}", status_code=303)


def _view(request: Request, found: Candidate, **extra: Any) -> dict[str, Any]:
    store = gestes_of(request).store
    return {
        "candidate": found,
        "decisions": DECISIONS,
        "cohorts": [c for c, _ in store.lookup.cohorts([found.school_id]) if not c.closed],
        "history": store.corrections.history("candidate", [found.id]),
        "statuses": ENTRY_STATUSES,
        "qualifications": QUALIFICATIONS,
        "errors": {},
        "form": {},
        **extra,
    }


@router.get("/candidates/{candidate_id}")
def candidate_page(request: Request, user: User, candidate_id: Id) -> Response:
    found = candidate_of(request, user, candidate_id)
    return render(request, "candidate.html", _view(request, found))


@router.post("/candidates/{candidate_id}")
async def candidate_steps(request: Request, user: User, candidate_id: Id) -> Response:
    """The information session, the interview and the decision, each change traced."""
    found = candidate_of(request, user, candidate_id)
    form = await request.form()
    errors: forms.Errors = {}
    new: dict[str, Any] = {
        name: forms.day(form, name, errors, default=dt.date(1, 1, 1))
        for name in ("info_on", "interview_on", "decided_on")
    }
    new = {k: (None if v.year == 1 else v) for k, v in new.items()}
    for name, limit in (("interviewer", 200), ("assessment", 2000), ("reason", 500)):
        new[name] = forms.text(form, name, errors, limit=limit, required=False) or None
    new["decision"] = str(form.get("decision") or "") or None
    if not errors:
        try:
            gestes_of(request).store.candidates.update(
                candidate_id, found.school_id, user.id, **new
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = _view(request, found, errors=errors, form=forms.values(form))
        return render(request, "candidate.html", view, status_code=400)
    return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)


@router.post("/candidates/{candidate_id}/admit")
async def admit_candidate(request: Request, user: User, candidate_id: Id) -> Response:
    """The admitted candidate becomes a trainee of the cohort chosen, in one step."""
    found = candidate_of(request, user, candidate_id)
    form = await request.form()
    cohort = forms.whole(form, "cohort", {}, low=1, high=10**9)
    store = gestes_of(request).store
    if cohort not in {c.id for c, _ in store.lookup.cohorts([found.school_id]) if not c.closed}:
        view = _view(request, found, errors={"cohort": "Choisissez une promotion de l'école."})
        return render(request, "candidate.html", view, status_code=400)
    try:
        trainee = store.candidates.admit(candidate_id, found.school_id, cohort, user.id)
    except RecordError as error:
        view = _view(request, found, errors=forms.refusal(error))
        return render(request, "candidate.html", view, status_code=400)
    return RedirectResponse(f"/trainees/{trainee}", status_code=303)

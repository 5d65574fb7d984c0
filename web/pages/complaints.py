"""The complaints register of the coordination's schools (Qualiopi indicators 31 and 32):
each complaint received, then acknowledged, answered and the improvement it led to, with
its dates and the delays between them; every step a traced change. The same store as the
API (``web.api.followups``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import RecordError
from core.store import SOURCES
from web import forms
from web.deps import Id, User, require_coordinator, store_of
from web.rendering import render
from web.security import CurrentUser, require_school

router = APIRouter(tags=["pages"])


def _view(request: Request, user: CurrentUser, **extra: Any) -> dict[str, Any]:
    store = store_of(request)
    schools = [s for s in store.lookup.schools() if user.can_see_school(s.id)]
    return {
        "complaints": store.complaints.of(None if user.is_admin else user.schools),
        "schools": {s.id: s.name for s in schools},
        "sources": SOURCES,
        "today": dt.date.today(),
        "form": {},
        "errors": {},
        "row_errors": {},
        **extra,
    }


@router.get("/complaints")
def complaints_page(request: Request, user: User) -> Response:
    require_coordinator(user)
    return render(request, "complaints.html", _view(request, user))


@router.post("/complaints")
async def add_complaint(request: Request, user: User) -> Response:
    require_coordinator(user)
    form = await request.form()
    errors: forms.Errors = {}
    school = forms.whole(form, "school", errors, high=10**9)
    received = forms.day(form, "received_on", errors)
    if school is None or not user.can_see_school(school):
        errors["school"] = "Choisissez l'école."
    if not errors and school is not None:
        try:
            summary = str(form.get("summary") or "")[:2001]
            source = str(form.get("source") or "")
            store_of(request).complaints.add(school, received, source, summary, user.id)
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = _view(request, user, form=forms.values(form), errors=errors)
        return render(request, "complaints.html", view, status_code=400)
    return RedirectResponse("/complaints", status_code=303)


@router.post("/complaints/{complaint_id}")
async def update_complaint(request: Request, user: User, complaint_id: Id) -> Response:
    require_coordinator(user)
    store = store_of(request)
    found = store.complaints.get(complaint_id)
    if found is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    require_school(user, found.school_id)
    form = await request.form()
    errors: forms.Errors = {}
    days = {
        name: forms.day(form, name, errors) if form.get(name) else None
        for name in ("acknowledged_on", "answered_on")
    }
    if not errors:
        try:
            store.complaints.update(
                complaint_id, user.id, **days,
                answer=str(form.get("answer") or "")[:2000] or None,
                action=str(form.get("action") or "")[:2000] or None,
            )  # fmt: skip
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = _view(request, user, row_errors={complaint_id: errors})
        return render(request, "complaints.html", view, status_code=400)
    return RedirectResponse(f"/complaints#reclamation-{complaint_id}", status_code=303)

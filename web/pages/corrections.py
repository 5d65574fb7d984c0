"""Correcting the year's set-up from the pages, with a trace: a cohort's name, dates and
hours (its settings page), a trainee's identity and entry date (the trainee page), an
account's name, role and schools (the accounts page); deleting a cohort or a trainee while
nothing is recorded for them. Each change is kept (who, when, before, after) and listed
where it was made. The same store functions as the JSON API and the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.catalog.definitions import Phase
from core.domain import RecordError, Role
from web import forms
from web.actions import account_of, manages
from web.deps import Id, User, cohort_of, require_coordinator, store_of, trainee_of
from web.pages.schools import settings_view
from web.pages.trainee import opened_at, refused_on_page
from web.rendering import render

router = APIRouter(tags=["pages"])
Confirm = Annotated[str, Form(max_length=10)]


# ---------------------------------------------------------------- cohorts


@router.post("/cohorts/{cohort_id}/edit")
async def edit_cohort(request: Request, user: User, cohort_id: Id) -> Response:
    """Name, dates and hours per phase; refused (beside the field) when entries would fall
    outside the new dates."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    form = await request.form()
    errors: forms.Errors = {}
    name = forms.text(form, "name", errors)
    starts = forms.day(form, "starts_on", errors)
    ends = forms.day(form, "ends_on", errors)
    hours = {phase.value: forms.whole(form, f"hours_{phase.value}", errors) for phase in Phase}
    if not errors:
        try:
            store_of(request).corrections.edit_cohort(
                cohort_id,
                user.id,
                name=name,
                starts_on=starts,
                ends_on=ends,
                planned_hours={k: v for k, v in hours.items() if v is not None},
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = settings_view(request, user, cohort_id, errors=errors, form=forms.values(form))
        return render(request, "cohort_settings.html", view, status_code=400)
    return RedirectResponse(f"/cohorts/{cohort_id}/settings#modifier", status_code=303)


@router.post("/cohorts/{cohort_id}/delete")
def delete_cohort(request: Request, user: User, cohort_id: Id, confirm: Confirm = "") -> Response:
    """A trial or mistaken cohort, while nothing is recorded for it."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    try:
        if confirm != "oui":
            raise RecordError("Cochez la case pour confirmer la suppression.", "confirm-delete")
        store_of(request).corrections.delete_cohort(cohort_id, user.id)
    except RecordError as error:
        errors = {error.field or "delete": str(error)}
        view = settings_view(request, user, cohort_id, errors=errors)
        return render(request, "cohort_settings.html", view, status_code=400)
    return RedirectResponse("/cohorts", status_code=303)


# ---------------------------------------------------------------- trainees


@router.post("/trainees/{trainee_id}/identity")
async def edit_trainee(request: Request, user: User, trainee_id: Id) -> Response:
    require_coordinator(user)
    trainee_of(store_of(request), user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    joined = str(form.get("joined_on") or "").strip()
    joined_on = forms.day(form, "joined_on", errors) if joined else None
    born = forms.day(form, "birth_date", errors) if form.get("birth_date") else None
    if not errors:
        try:
            store_of(request).corrections.edit_trainee(
                trainee_id,
                user.id,
                first_name=str(form.get("first_name") or "")[:100],
                last_name=str(form.get("last_name") or "")[:100],
                email=str(form.get("email") or "")[:254] or None,
                external_ref=str(form.get("external_ref") or "")[:60] or None,
                joined_on=joined_on,
                entry=(
                    born,
                    str(form.get("phone") or "")[:30] or None,
                    str(form.get("prescriber") or "")[:120] or None,
                ),
                profile=(
                    tuple(str(s)[:30] for s in form.getlist("statuses")[:10]),
                    str(form.get("qualification") or "")[:10] or None,
                ),
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, "identite")
    return RedirectResponse(opened_at(trainee_id, "identite"), status_code=303)


@router.post("/trainees/{trainee_id}/delete")
def delete_trainee(request: Request, user: User, trainee_id: Id, confirm: Confirm = "") -> Response:
    """A trainee added by mistake, while nothing is recorded for them."""
    require_coordinator(user)
    _, cohort = trainee_of(store_of(request), user, trainee_id)
    try:
        if confirm != "oui":
            raise RecordError("Cochez la case pour confirmer la suppression.", "confirm-delete")
        store_of(request).corrections.delete_trainee(trainee_id, user.id)
    except RecordError as error:
        errors = {error.field or "": str(error)}
        return refused_on_page(request, user, trainee_id, errors, {}, "identite")
    return RedirectResponse(f"/cohorts/{cohort.id}", status_code=303)


# ---------------------------------------------------------------- accounts


def _account_view(request: Request, user: Any, user_id: int, **extra: Any) -> dict[str, Any]:
    store = store_of(request)
    account = next((a for a in store.accounts.all() if a.id == user_id), None)
    if account is None:
        raise RecordError("Compte inconnu.")
    return {
        "account": account,
        "schools": [s for s in store.lookup.schools() if user.can_see_school(s.id)],
        "roles": list(Role) if user.is_admin else [Role.TRAINER],
        "history": store.corrections.history("account", [user_id]),
        "errors": {},
        "form": {},
        **extra,
    }


@router.get("/admin/users/{user_id}")
def account_page(request: Request, user: User, user_id: Id) -> Response:
    account_of(request, user, user_id)
    return render(request, "account.html", _account_view(request, user, user_id))


@router.post("/admin/users/{user_id}")
async def edit_account(request: Request, user: User, user_id: Id) -> Response:
    """Name, role and schools (at least one for a trainer or a coordinator); a coordinator
    corrects the trainers of their own schools, who stay trainers of their schools."""
    account_of(request, user, user_id)
    form = await request.form()
    errors: forms.Errors = {}
    try:
        role = Role(str(form.get("role") or ""))
        schools = [int(str(value)) for value in form.getlist("schools")]
        if not manages(user, role, schools):
            raise RecordError("Un compte de formation de vos écoles seulement.", "schools")
        store_of(request).corrections.edit_account(
            user_id, user.id, name=str(form.get("name") or "")[:200], role=role, schools=schools
        )
    except ValueError:
        errors = {"role": "Rôle ou école invalide."}
    except RecordError as error:
        errors = forms.refusal(error)
    if errors:
        view = _account_view(request, user, user_id, errors=errors, form=forms.values(form))
        return render(request, "account.html", view, status_code=400)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)

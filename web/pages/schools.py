"""Setting a school up from a fresh install: the first administrator (a one-time link printed
by ``gestes serve``), schools, cohorts of any installed sector, their trainers, closing a
cohort, moving a trainee; a cohort's curriculum version is ``web.pages.curriculum``. The
same store functions as the JSON API and the CLI."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.catalog.definitions import Phase
from core.domain import RecordError, Role
from core.followup.entry import entry_profile
from web import forms
from web.deps import (
    Id,
    User,
    cohort_of,
    gestes_of,
    require_admin,
    require_coordinator,
    store_of,
    trainee_of,
)
from web.rendering import render

router = APIRouter(tags=["pages"])


# ---------------------------------------------------------------- first administrator


def _setup_open(request: Request, token: str) -> None:
    """The set-up page exists only with the token printed at start-up, while no admin does."""
    expected: str | None = request.app.state.setup_token
    if not expected or not hmac.compare_digest(token, expected):
        raise HTTPException(status_code=404, detail="Introuvable.")
    if store_of(request).lookup.has_admin():
        request.app.state.setup_token = None  # nothing is left open afterwards
        raise HTTPException(status_code=404, detail="Introuvable.")


@router.get("/setup/{token}", include_in_schema=False)
def setup_form(request: Request, token: str) -> Response:
    _setup_open(request, token)
    return render(request, "setup.html", {"token": token, "form": {}, "errors": {}})


@router.post("/setup/{token}", include_in_schema=False)
async def setup(request: Request, token: str) -> Response:
    _setup_open(request, token)
    form = await request.form()
    errors: forms.Errors = {}
    name = forms.text(form, "name", errors)
    email = forms.text(form, "email", errors, limit=254)
    password = str(form.get("password") or "")
    if password != str(form.get("password2") or ""):
        errors["password2"] = "Les deux mots de passe diffèrent."
    if not errors:
        try:
            directory = store_of(request).directory
            directory.create_user(email, name, password, Role.ADMIN, first_admin=True)
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        context = {"token": token, "form": forms.values(form), "errors": errors}
        return render(request, "setup.html", context, status_code=400)
    request.app.state.setup_token = None
    return RedirectResponse("/login?cree=1&next=/admin/schools", status_code=303)


# ---------------------------------------------------------------- schools


def _schools_view(request: Request, **extra: Any) -> dict[str, Any]:
    gestes = gestes_of(request)
    territories = sorted(gestes.catalog.territories.values(), key=lambda t: t.name)
    return {
        "schools": gestes.store.lookup.schools(),
        "territories": [(t.id, t.name) for t in territories],
        "form": {},
        "errors": {},
        **extra,
    }


@router.get("/admin/schools")
def schools_page(request: Request, user: User) -> Response:
    require_admin(user)
    return render(request, "schools.html", _schools_view(request))


@router.post("/admin/schools")
async def create_school(request: Request, user: User) -> Response:
    require_admin(user)
    form = await request.form()
    errors = _save_school(request, None, form)
    if errors:
        view = _schools_view(request, form=forms.values(form), errors=errors)
        return render(request, "schools.html", view, status_code=400)
    return RedirectResponse("/admin/schools", status_code=303)


@router.get("/admin/schools/{school_id}")
def school_page(request: Request, user: User, school_id: Id) -> Response:
    require_admin(user)
    school = store_of(request).lookup.school(school_id)
    if school is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    view = _schools_view(request, school=school, form=school.__dict__)
    return render(request, "school.html", view)


@router.post("/admin/schools/{school_id}")
async def update_school(request: Request, user: User, school_id: Id) -> Response:
    require_admin(user)
    school = store_of(request).lookup.school(school_id)
    if school is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    form = await request.form()
    errors = _save_school(request, school_id, form)
    if errors:
        view = _schools_view(request, school=school, form=forms.values(form), errors=errors)
        return render(request, "school.html", view, status_code=400)
    return RedirectResponse("/admin/schools", status_code=303)


def _save_school(request: Request, school_id: int | None, form: Any) -> forms.Errors:
    errors: forms.Errors = {}
    name = forms.text(form, "name", errors)
    city = forms.text(form, "city", errors, limit=100)
    territory = forms.text(form, "territory", errors, limit=120)
    address = forms.text(form, "address", errors, limit=300, required=False)
    if errors:
        return errors
    directory = store_of(request).directory
    try:
        if school_id is None:
            directory.create_school(None, name, city, territory, address)
        else:
            directory.update_school(school_id, name, city, territory, address)
    except RecordError as error:
        return forms.refusal(error)
    return {}


# ---------------------------------------------------------------- cohorts


def _new_cohort_view(request: Request, user: Any, **extra: Any) -> dict[str, Any]:
    gestes = gestes_of(request)
    schools = [s for s in gestes.store.lookup.schools() if user.can_see_school(s.id)]
    sectors = [gestes.catalog.sectors[s] for s in sorted(gestes.catalog.sectors)]
    return {
        "schools": [(s.id, s.name) for s in schools],
        "sectors": sectors,
        "phases": list(Phase),
        "form": {},
        "errors": {},
        **extra,
    }


@router.get("/cohorts/new")
def new_cohort_page(request: Request, user: User) -> Response:
    require_coordinator(user)
    return render(request, "cohort_new.html", _new_cohort_view(request, user))


@router.post("/cohorts/new")
async def create_cohort(request: Request, user: User) -> Response:
    require_coordinator(user)
    form = await request.form()
    errors: forms.Errors = {}
    name = forms.text(form, "name", errors)
    sector = forms.text(form, "sector", errors, limit=60)
    school = forms.whole(form, "school", errors, low=1, high=2**31 - 1)
    if school is None or not user.can_see_school(school):
        errors.setdefault("school", "Choisissez une de vos écoles.")
    starts_on = forms.day(form, "starts_on", errors)
    ends_on = forms.day(form, "ends_on", errors)
    hours = {p.value: forms.whole(form, f"hours_{p.value}", errors) for p in Phase}
    if not errors:
        planned = {phase: h for phase, h in hours.items() if h is not None}
        try:
            assert school is not None
            cohort = store_of(request).directory.create_cohort(
                school, sector, name, starts_on, ends_on, (), planned
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = _new_cohort_view(request, user, form=forms.values(form), errors=errors)
        return render(request, "cohort_new.html", view, status_code=400)
    return RedirectResponse(f"/cohorts/{cohort}/settings", status_code=303)


@router.get("/cohorts/{cohort_id}/settings")
def cohort_settings(request: Request, user: User, cohort_id: Id) -> Response:
    require_coordinator(user)
    return render(request, "cohort_settings.html", settings_view(request, user, cohort_id))


def settings_view(request: Request, user: Any, cohort_id: int, **extra: Any) -> dict[str, Any]:
    gestes = gestes_of(request)
    cohort = cohort_of(gestes.store, user, cohort_id)
    sector = gestes.catalog_for(cohort).sectors[cohort.sector]
    status = gestes.store.curricula.status(cohort_id)
    return {
        "cohort": cohort,
        "sector": sector,
        "school": gestes.store.lookup.school(cohort.school_id),
        "staff": gestes.store.lookup.staff(cohort.school_id),
        "phases": {p.value: p.label for p in Phase},
        "curriculum": status,
        # Before moving: every level that would change, trainee by trainee (derived with both
        # versions); only once nothing blocks the move (entries about removed definitions).
        "shifts": gestes.store.records.level_shifts(cohort_id, status.installed)
        if status.behind and status.known and not status.blocking
        else [],
        "corrections": _corrections(gestes, cohort_id),
        "profile": entry_profile(gestes.store.lookup.cohort_trainees(cohort_id), cohort.starts_on),
        "form": {},
        "errors": {},
        **extra,
    }


def _corrections(gestes: Any, cohort_id: int) -> list[Any]:
    """What was corrected in the cohort and its trainees, the latest first."""
    return list(gestes.store.corrections.of_cohort(cohort_id))


@router.post("/cohorts/{cohort_id}/trainers")
async def set_trainers(request: Request, user: User, cohort_id: Id) -> Response:
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    form = await request.form()
    errors: forms.Errors = {}
    trainers = forms.ids(form, "trainers", errors)
    if not errors:
        try:
            store_of(request).directory.set_trainers(cohort_id, trainers)
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = settings_view(request, user, cohort_id, errors=errors)
        return render(request, "cohort_settings.html", view, status_code=400)
    return RedirectResponse(f"/cohorts/{cohort_id}/settings", status_code=303)


@router.post("/cohorts/{cohort_id}/close")
async def close_cohort(request: Request, user: User, cohort_id: Id) -> Response:
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    form = await request.form()
    if form.get("confirm") != "oui":
        errors = {"confirm": "Cochez la case pour confirmer la clôture."}
        view = settings_view(request, user, cohort_id, errors=errors)
        return render(request, "cohort_settings.html", view, status_code=400)
    store_of(request).directory.close_cohort(cohort_id)
    return RedirectResponse(f"/cohorts/{cohort_id}/settings", status_code=303)


# ---------------------------------------------------------------- moving a trainee


@router.post("/trainees/{trainee_id}/move")
async def move_trainee(request: Request, user: User, trainee_id: Id) -> Response:
    """Into another cohort of the same sector, in one of the coordinator's schools."""
    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    target = forms.whole(form, "cohort", errors, low=1, high=2**31 - 1)
    if target is None:
        raise RecordError("Choisissez la promotion d'arrivée.", "cohort")
    cohort_of(store, user, target)  # the coordinator's own schools only
    store.directory.move_trainee(trainee_id, target, dt.date.today(), user.id)
    return RedirectResponse(f"/trainees/{trainee_id}", status_code=303)

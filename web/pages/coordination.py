"""Coordinators and admins: the dashboard, trainee import, exits, user accounts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import ExitDetails, ExitKind, RecordError, Role
from core.followup.derive import at_risk
from core.french import SCHOOL_TIME
from core.store import Store, attendance_alerts
from web import forms
from web.actions import manages, replace_forgotten_password, set_account_active
from web.deps import (
    Id,
    User,
    gestes_of,
    require_coordinator,
    store_of,
    trainee_of,
    valid_key,
    visible_cohorts,
)
from web.pages.trainee import opened_at, refused_on_page
from web.rendering import render

router = APIRouter(tags=["pages"])


# ---------------------------------------------------------------- coordinators


@router.get("/dashboard")
def dashboard(
    request: Request,
    user: User,
    added: Annotated[int | None, Query(ge=0)] = None,
    updated: Annotated[int, Query(ge=0, le=500)] = 0,
) -> Response:
    """Cohorts of the user's schools with their exits, the import and outcome forms.
    ``added``, ``updated``: what an import just did (counts, never text from the URL)."""
    require_coordinator(user)
    store = store_of(request)
    cohorts = visible_cohorts(store, user)
    stats = {int(s.key): s for s in store.exit_stats("cohort")}
    items = [{"cohort": c, "school": s, "stats": stats.get(c.id)} for c, s in cohorts]
    default = gestes_of(request).settings.absence_alert
    today = dt.datetime.now(SCHOOL_TIME).date()
    recent = today - dt.timedelta(days=14)  # an ended cohort's absences call for nothing now
    running = [
        (c.id, c.name, s.absence_alert or default)
        for c, s in cohorts
        if not c.closed and c.ends_on >= recent
    ]
    absences, sheets = attendance_alerts(store.attendance, running, today)
    watched = at_risk(gestes_of(request), [cohort for cohort, _, _ in running], today)
    return render(
        request,
        "dashboard.html",
        {
            "items": items,
            "exits": list(ExitKind),
            "added": added,
            "updated": updated,
            "due": store.follow_ups_due(None if user.is_admin else user.schools),
            "absences": absences,
            "sheets": sheets,
            "at_risk": watched,
        },
    )


@router.post("/trainees/{trainee_id}/followups")
async def log_followup(request: Request, user: User, trainee_id: Id) -> Response:
    """A contact with a trainee (a call, a meeting) and what came of it: the call log."""

    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    form = await request.form()
    errors: forms.Errors = {}
    day = forms.day(form, "happened_on", errors)
    if not errors:
        try:
            store.followups.add(
                trainee_id,
                str(form.get("kind") or ""),
                str(form.get("outcome") or "")[:2001],
                day,
                user.id,
                about=str(form.get("about") or "")[:120],
            )
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        return refused_on_page(request, user, trainee_id, errors, form, "accompagnement")
    return RedirectResponse(opened_at(trainee_id, "accompagnement"), status_code=303)


@router.post("/trainees/{trainee_id}/exit")
def record_exit(
    request: Request,
    user: User,
    trainee_id: Id,
    kind: Annotated[ExitKind, Form()],
    on: Annotated[dt.date, Form()],
    submit_id: Annotated[str, Form(max_length=40)],
    employer_name: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=40)] = "",
    contract_months: Annotated[str, Form(max_length=4)] = "",
    working_time: Annotated[str, Form(max_length=10)] = "",
    follow_up: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """A trainee's exit (sortie): CDI, CDD (its length), intérim, alternance, formation, sans
    solution, or an abandonment with its reason; never in the future. Refused beside its
    field, on the trainee page."""
    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    if not valid_key(submit_id):
        raise HTTPException(status_code=400, detail="Formulaire invalide.")
    months = contract_months.strip()
    try:
        if months and not months.isdigit():
            raise RecordError("Durée du contrat : un nombre de mois.", "contract_months")
        details = ExitDetails(
            reason=(reason or None) if kind is ExitKind.ABANDON else None,
            contract_months=int(months) if months and kind.has_length else None,
            full_time={"plein": True, "partiel": False}.get(working_time),
            follow_up={"3": 3, "6": 6}.get(follow_up),
        )
        store.observations.record_exit(
            trainee_id,
            user.id,
            kind,
            on,
            f"exit:{submit_id}",
            employer_name=employer_name.strip() or None,
            details=details,
        )
    except RecordError as error:
        return refused_on_page(request, user, trainee_id, forms.refusal(error), {}, "sortie")
    return RedirectResponse(opened_at(trainee_id, "sortie"), status_code=303)


# ---------------------------------------------------------------- user administration


def _users_view(store: Store, user: Any) -> dict[str, Any]:
    """The accounts the user manages: every one for an administrator; for a coordinator,
    the staff of their schools (they manage its trainers)."""
    users = [a for a in store.accounts.all() if user.is_admin or set(a.schools) & set(user.schools)]
    schools = [s for s in store.lookup.schools() if user.can_see_school(s.id)]
    names = {school.id: school.name for school in schools}
    scopes = {u.id: [names[s] for s in u.schools] for u in users}
    return {
        "users": users,
        "schools": schools,
        "scopes": scopes,
        "roles": list(Role) if user.is_admin else [Role.TRAINER],
        "manageable": {a.id for a in users if manages(user, a.role, a.schools)},
        "error": None,
        "form": {},
        "reset_for": None,
        "reset_error": None,
    }


@router.get("/admin/users")
def users_page(request: Request, user: User) -> Response:
    require_coordinator(user)
    view = _users_view(store_of(request), user)
    view["reset_done"] = request.query_params.get("nouveau_mot_de_passe")
    return render(request, "users.html", view)


@router.post("/admin/users")
async def create_user(request: Request, user: User) -> Response:
    require_coordinator(user)
    store = store_of(request)
    form = await request.form()
    fields = {key: str(form.get(key, "")).strip() for key in ("email", "name", "password", "role")}
    try:
        role = Role(fields["role"])
        schools = [int(str(value)) for value in form.getlist("schools")]
        if not manages(user, role, schools):
            raise RecordError("Vous créez des comptes de formation de vos écoles seulement.")
        store.directory.create_user(
            fields["email"], fields["name"], fields["password"], role, schools, provisional=True
        )
    except (ValueError, RecordError) as error:
        view = _users_view(store, user)
        message = str(error) if isinstance(error, RecordError) else "Rôle ou école invalide."
        view.update(error=message, form=fields)
        return render(request, "users.html", view, status_code=400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active")
def toggle_user(
    request: Request,
    user: User,
    user_id: Id,
    active: Annotated[bool, Form()],
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if not active and confirm != "oui":  # the page's box: a deactivation is never one click
        raise HTTPException(status_code=400, detail="Cochez la case pour confirmer.")
    set_account_active(request, user, user_id, active)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/password")
async def reset_password(request: Request, user: User, user_id: Id) -> Response:
    """A forgotten password replaced by an administrator, to hand over in person: the
    account's sessions end everywhere. The owner then chooses their own at /account/password."""
    form = await request.form()
    try:
        replace_forgotten_password(request, user, user_id, str(form.get("password") or ""))
    except RecordError as error:
        view = _users_view(store_of(request), user)
        view.update(reset_for=user_id, reset_error=str(error))
        return render(request, "users.html", view, status_code=400)
    return RedirectResponse(f"/admin/users?nouveau_mot_de_passe={user_id}", status_code=303)

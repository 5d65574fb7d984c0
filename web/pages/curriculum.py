"""Moving a cohort to a new version of its curriculum, as a reviewed migration: the settings
page lists what changes judgement and, trainee by trainee, the levels that would change; the
move asks for a ticked confirmation, is recorded (who, when, from, to) and can be undone
while nothing new was recorded; the entries that block it are listed by trainee, day and
kind, each with « Annuler » (an attempt cancelled takes its taps with it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import RecordError
from web.deps import Id, User, cohort_of, require_coordinator, store_of
from web.pages.schools import settings_view
from web.rendering import render

router = APIRouter(tags=["pages"])
Confirm = Annotated[str, Form(max_length=10)]


def _refused(request: Request, user: User, cohort_id: int, error: RecordError) -> Response:
    view = settings_view(request, user, cohort_id, errors={error.field or "curriculum": str(error)})
    return render(request, "cohort_settings.html", view, status_code=400)


def _back(cohort_id: int) -> Response:
    return RedirectResponse(f"/cohorts/{cohort_id}/settings#version", status_code=303)


@router.post("/cohorts/{cohort_id}/curriculum")
def upgrade_curriculum(
    request: Request, user: User, cohort_id: Id, confirm: Confirm = ""
) -> Response:
    """Move the cohort to its sector's installed curriculum once the coordinator has read the
    levels that would change and ticked the confirmation, or say what blocks it."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    try:
        if confirm != "oui":
            raise RecordError(
                "Cochez la case pour confirmer le changement de version.", "confirm-version"
            )
        store_of(request).curricula.upgrade(cohort_id, user.id)
    except RecordError as error:
        return _refused(request, user, cohort_id, error)
    return _back(cohort_id)


@router.post("/cohorts/{cohort_id}/curriculum/undo")
def undo_curriculum(request: Request, user: User, cohort_id: Id) -> Response:
    """Back to the version the cohort left, while nothing was recorded since the move."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    try:
        store_of(request).curricula.undo(cohort_id, user.id)
    except RecordError as error:
        return _refused(request, user, cohort_id, error)
    return _back(cohort_id)


@router.post("/cohorts/{cohort_id}/curriculum/cancel")
def cancel_blocking(
    request: Request,
    user: User,
    cohort_id: Id,
    entry: Annotated[str, Form(max_length=80)],
    confirm: Confirm = "",
) -> Response:
    """Cancel one entry that blocks the move (only those the page lists): an entry is
    retracted (an attempt with its taps), an attempt never validated is abandoned."""
    require_coordinator(user)
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    status = store.curricula.status(cohort_id)
    found = [e for e in status.blocking if e.ref == entry]
    try:
        if not found:
            raise RecordError("Cette saisie ne bloque pas le changement de version.")
        if confirm != "oui":
            raise RecordError("Cochez la case pour confirmer l'annulation.", f"annuler-{entry}")
        blocking = found[0]
        reason = f"Retirée de la version {status.installed} du parcours."
        if blocking.observation_id is not None:
            key = f"retract:{blocking.observation_id}"
            store.observations.retract(blocking.observation_id, user.id, reason, key)
        else:
            assert blocking.attempt_key is not None
            store.observations.abandon_attempt(blocking.trainee_id, blocking.attempt_key, user.id)
    except RecordError as error:
        return _refused(request, user, cohort_id, error)
    return _back(cohort_id)

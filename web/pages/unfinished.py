"""What is not finished on the floor: what this tablet still keeps for the server (the
« En attente sur cette tablette » page, drawn from its outbox by ``scoring.js``), and the
attempts tapped but never validated, given up from the trainee page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import RecordError
from web.deps import Id, User, store_of, trainee_of, valid_key
from web.pages.trainee import refused_on_page
from web.rendering import render

router = APIRouter(tags=["pages"])


@router.get("/en-attente")
def waiting_page(request: Request, user: User) -> Response:
    """What this tablet still keeps for the server, attempt by attempt, each with a link to
    its own page (drawn by ``scoring.js`` from the tablet's outbox)."""
    return render(request, "waiting.html", {})


@router.post("/trainees/{trainee_id}/attempts/{attempt}/abandon")
def abandon_attempt(
    request: Request,
    user: User,
    trainee_id: Id,
    attempt: str,
    confirm: Annotated[str, Form(max_length=10)] = "",
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Give up an attempt left unvalidated (the trainee page and the trainer's home list
    them): its taps are kept, superseded, and it can no longer be validated. Never one tap:
    the list asks for a ticked confirmation."""
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    if not valid_key(attempt):
        raise HTTPException(status_code=404, detail="Introuvable.")
    try:
        if confirm != "oui":
            raise RecordError("Cochez « Je confirme l'abandon » pour abandonner la tentative.")
        store.observations.abandon_attempt(trainee_id, attempt, user.id)
    except RecordError as error:
        return refused_on_page(request, user, trainee_id, {"": str(error)}, {}, "")
    where = "/cohorts" if back == "accueil" else f"/trainees/{trainee_id}"
    return RedirectResponse(where, status_code=303)

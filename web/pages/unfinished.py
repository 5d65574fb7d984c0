"""What is not finished on the floor: what this tablet still keeps for the server (the
« En attente sur cette tablette » page, drawn from its outbox by ``scoring.js``), and the
attempts tapped but never validated, given up from the trainee page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from web.deps import Id, User, store_of, trainee_of, valid_key
from web.rendering import render

router = APIRouter(tags=["pages"])


@router.get("/en-attente")
def waiting_page(request: Request, user: User) -> Response:
    """What this tablet still keeps for the server, attempt by attempt, each with a link to
    its own page (drawn by ``scoring.js`` from the tablet's outbox)."""
    return render(request, "waiting.html", {})


@router.post("/trainees/{trainee_id}/attempts/{attempt}/abandon")
def abandon_attempt(request: Request, user: User, trainee_id: Id, attempt: str) -> Response:
    """Give up an attempt left unvalidated (the trainee page lists them): its taps are kept,
    superseded, and it can no longer be validated."""
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    if not valid_key(attempt):
        raise HTTPException(status_code=404, detail="Introuvable.")
    store.observations.abandon_attempt(trainee_id, attempt, user.id)
    return RedirectResponse(f"/trainees/{trainee_id}", status_code=303)

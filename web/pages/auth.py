"""Signing in and out, and the display language."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import RecordError
from web.actions import change_own_password
from web.deps import User, store_of
from web.i18n import LANGUAGES
from web.rendering import render
from web.security import COOKIE, SESSION_HOURS, in_words

router = APIRouter(tags=["pages"])


@router.get("/login")
def login_form(request: Request, next: str = "/", cree: str = "") -> Response:
    """``cree``: the account was just made (the set-up link): said so, not « session
    ended »."""
    view = {"next": _safe_next(next), "error": None, "created": cree == "1"}
    return render(request, "login.html", view)


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    if _cross_site(request):  # login CSRF: no one signs a victim into another account
        raise HTTPException(
            status_code=403, detail="Connexion refusée : formulaire d'un autre site."
        )
    accounts = store_of(request).accounts
    limiter = request.app.state.limiter
    account = f"email:{email.strip().lower()}"  # as the account is looked up: no bypass by case
    keys = (f"ip:{request.client.host if request.client else '?'}", account)
    wait = limiter.wait(*keys)
    if wait > dt.timedelta(0):
        message = f"Trop de tentatives : réessayez {in_words(wait)}."
        refused = render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": message, "email": email},
            status_code=429,
        )
        refused.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
        return refused
    user = accounts.authenticate(email, password)
    if user is None or not user.active:
        limiter.failed(*keys)
        error = (
            "Adresse ou mot de passe incorrect."
            if user is None
            else "Ce compte est désactivé : adressez-vous à la coordination de votre école."
        )
        context = {"next": _safe_next(next), "email": email, "error": error}
        return render(request, "login.html", context, status_code=401)
    limiter.succeeded(account)  # one's own success never wipes the address's failures
    previous = request.cookies.get(COOKIE)
    token = accounts.open_session(user.id, previous)
    if previous:
        request.app.state.sessions.forget(previous)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, user: User) -> Response:
    token = request.cookies.get(COOKIE, "")
    store_of(request).accounts.close_session(token)
    request.app.state.sessions.forget(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/account/password")
def password_form(request: Request, user: User, provisoire: str = "") -> Response:
    """``provisoire``: sent here at sign-in, the password being one someone else chose."""
    view = {"errors": {}, "done": False, "provisional": user.provisional}
    return render(request, "password.html", view)


@router.post("/account/password")
def change_password(
    request: Request,
    user: User,
    current: Annotated[str, Form(max_length=200)],
    new: Annotated[str, Form(max_length=200)],
    confirm: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        change_own_password(request, user, current, new, confirm)
    except RecordError as refused:
        errors = {refused.field or "new": str(refused)}
        return render(request, "password.html", {"errors": errors, "done": False}, status_code=400)
    return render(request, "password.html", {"errors": {}, "done": True})


@router.get("/lang/{language}")
def choose_language(language: str, request: Request) -> Response:
    """A display preference kept in the browser, not a change of server state."""
    if language not in LANGUAGES:
        raise HTTPException(status_code=404, detail="Langue inconnue.")
    back = _safe_next(request.headers.get("referer", "/").split(str(request.base_url))[-1])
    response = RedirectResponse(back if back.startswith("/") else "/", status_code=303)
    response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _safe_next(target: str) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _cross_site(request: Request) -> bool:
    """Whether the browser says this form came from another site (Sec-Fetch-Site, or an
    Origin that is not this address). Clients that send neither (scripts) are let through:
    they carry no victim's cookies."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    from urllib.parse import urlsplit

    return urlsplit(origin).netloc != request.url.netloc

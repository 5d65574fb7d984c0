"""How refusals answer: a JSON body under /api/ (one shape, ``web.contract``), a French page
elsewhere; an anonymous visitor is sent to the login form and brought back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Route

from core.domain import RecordError
from web.deps import LoginRequired, ProvisionalPassword
from web.rendering import render


def install_error_handlers(app: FastAPI) -> None:
    """How refusals answer: a JSON body under /api/, a French page elsewhere."""
    app.add_exception_handler(LoginRequired, login_required)  # type: ignore[arg-type]
    app.add_exception_handler(ProvisionalPassword, provisional)  # type: ignore[arg-type]
    # Starlette's class, which FastAPI's extends: FastAPI raises Starlette's own for a body it
    # cannot read, and it must answer like every other refusal (a page, or JSON under /api/).
    app.add_exception_handler(StarletteHTTPException, http_refusal)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_input)  # type: ignore[arg-type]
    app.add_exception_handler(RecordError, store_refusal)  # type: ignore[arg-type]


async def login_required(request: Request, _error: LoginRequired) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "Connexion requise."}, status_code=401)
    target = _back_after_login(request)
    if request.headers.get("hx-request"):  # htmx: ask the browser to load the login page
        return Response(status_code=401, headers={"HX-Redirect": f"/login?next={target}"})
    return RedirectResponse(f"/login?next={target}", status_code=303)


# Starlette's own refusals (an unknown address, a method a route does not take), in French.
_FRENCH = {
    "Not Found": "Introuvable : cette adresse ne mène à aucune page.",
    "Method Not Allowed": "Cette adresse ne s'ouvre pas ainsi : revenez à la page précédente.",
}


async def provisional(request: Request, _error: ProvisionalPassword) -> Response:
    """A password someone else chose: the page to choose one's own, before anything else."""
    said = "Mot de passe provisoire : choisissez le vôtre d'abord (POST /api/me/password)."
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": said}, status_code=403)
    if request.headers.get("hx-request"):
        return Response(status_code=403, headers={"HX-Redirect": "/account/password?provisoire=1"})
    return RedirectResponse("/account/password?provisoire=1", status_code=303)


async def http_refusal(request: Request, error: StarletteHTTPException) -> Response:
    detail = _FRENCH.get(str(error.detail), error.detail)
    if request.url.path.startswith("/api/"):
        answer: Response = JSONResponse({"detail": detail}, status_code=error.status_code)
    else:
        answer = render(
            request,
            "error.html",
            {"status": error.status_code, "message": str(detail)},
            status_code=error.status_code,
        )
    # The exception's own headers are part of the answer: a 405's Allow, for one.
    answer.headers.update(error.headers or {})
    if error.status_code == 405:
        answer.headers["Allow"] = ", ".join(allowed_methods(request))
    return answer


async def invalid_input(request: Request, error: RequestValidationError) -> Response:
    """A form a page posted with a missing or malformed field: said in the page."""
    if request.url.path.startswith("/api/"):
        # One shape for every refusal of a field, in French (as the evaluation's own).
        fields = [
            {
                "field": str(problem["loc"][-1]) if problem.get("loc") else "",
                "message": _field_message(problem),
                "loc": jsonable_encoder(problem.get("loc", ())),
            }
            for problem in error.errors()
        ]
        return JSONResponse({"detail": fields}, status_code=422)
    if any(problem.get("loc", ("",))[0] == "path" for problem in error.errors()):
        # An id no row can have (web.deps.Id): for a person, a page that does not exist.
        return render(
            request, "error.html", {"status": 404, "message": "Introuvable."}, status_code=404
        )
    said = "; ".join(_field_problem(problem) for problem in error.errors())
    return render(
        request,
        "error.html",
        {"status": 400, "message": f"Formulaire invalide : {said}."},
        status_code=400,
    )


async def store_refusal(request: Request, error: RecordError) -> Response:
    """The store refused a write (bad value, unknown id): nothing was stored."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": str(error), "field": error.field}, status_code=400)
    return render(request, "error.html", {"status": 400, "message": str(error)}, status_code=400)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts at this path. Starlette names only the first route's
    (``GET`` for ``/login``, though another route takes its ``POST``)."""
    path = request.url.path
    methods = {
        method
        for route in _flat(request.app.router.routes)
        if isinstance(route, APIRoute | Route) and route.path_regex.match(path)
        for method in route.methods or ()
    }
    return sorted(methods)


def _flat(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Routes in order, those of included routers in their place."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


# What was wrong with a form field, by pydantic error type (the rest: "valeur invalide").
FIELD_PROBLEMS = {
    "missing": "champ obligatoire",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "int_parsing": "nombre entier attendu",
    "bool_parsing": "oui ou non attendu",
    "enum": "choix non proposé",
    "string_too_long": "texte trop long",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "greater_than": "valeur trop petite",
    "less_than": "valeur trop grande",
    "string_too_short": "texte trop court",
    "string_pattern_mismatch": "format non reconnu",
    "json_invalid": "JSON illisible",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "int_type": "nombre entier attendu",
    "string_type": "texte attendu",
    "bool_type": "oui ou non attendu",
    "value_error": "valeur invalide",
}


def _field_message(problem: Any) -> str:
    """What is wrong with a field, in French; a list's cap says itself (« 500 au plus »)."""
    limits = problem.get("ctx") or {}
    if problem.get("type") == "too_long" and "max_length" in limits:
        return f"{limits['max_length']} au plus"
    if problem.get("type") == "too_short" and "min_length" in limits:
        return f"{limits['min_length']} au moins"
    return FIELD_PROBLEMS.get(problem.get("type", ""), "valeur invalide")


def _back_after_login(request: Request) -> str:
    """Where to come back after signing in: the page asked for, or, for a form posted when
    the session had expired (a tap), the page it was posted from: never the POST-only URL."""
    from urllib.parse import quote, urlsplit

    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return quote(here, safe="/")
    page = request.headers.get("hx-current-url") or request.headers.get("referer") or "/"
    parts = urlsplit(page)
    if parts.netloc and parts.netloc != request.url.netloc:
        return "/"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return quote(path if path.startswith("/") else "/", safe="/")


def _field_problem(problem: dict[str, Any]) -> str:
    field = str(problem["loc"][-1]) if problem.get("loc") else "?"
    return f"« {field} » : {FIELD_PROBLEMS.get(problem.get('type', ''), 'valeur invalide')}"

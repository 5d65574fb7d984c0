"""The web app factory: ``create_app(gestes)`` builds a fresh app over an application context
(tests build their own); ``uvicorn web:create_app --factory`` opens one from the settings."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.context import Gestes, open_gestes
from core.domain import SESSIONS_CHANNEL, RecordError
from core.french import decimal
from core.jobs import finish_here
from core.store import Store
from core.taps import TapWriter
from web import i18n
from web.security import (
    COOKIE,
    BodyLimit,
    CurrentUser,
    LoginLimiter,
    SecurityHeaders,
    SessionCache,
    check_csrf,
)

HERE = Path(__file__).parent
SCHOOL_TIME = ZoneInfo("Europe/Paris")  # every school of the network is in metropolitan France


# Swagger UI, vendored under web/static/swagger/ and started by a script file (strict CSP).
API_DOCS = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gestes — API</title>
<link rel="icon" href="/static/swagger/favicon-32x32.png">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/api/openapi.json"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/swagger/init.js"></script>
</body>
</html>
"""


class LoginRequired(Exception):
    """Raised by ``user_of`` for an anonymous request: the page redirects to the login form."""


def create_app(gestes: Gestes | None = None, setup_token: str | None = None) -> FastAPI:
    """The app over ``gestes`` (or over a context opened from the environment's settings).
    ``setup_token``: opens ``/setup/<token>`` to create the first administrator, while the
    store has none (``gestes serve`` prints the link)."""
    gestes = gestes or open_gestes()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.taps.close()  # the taps still queued are written before the process ends
        finish_here(gestes, timeout=20)  # a cohort's booklets: finished, or said interrupted
        app.state.listener.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Gestes",
        docs_url=None,  # served below from vendored files: no CDN, no inline script
        redoc_url=None,
        openapi_url="/api/openapi.json",
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.gestes = gestes
    app.state.setup_token = setup_token
    app.state.limiter = LoginLimiter()
    # Unknown tutor links and trainee codes, per address: guessing codes is throttled.
    app.state.link_limiter = LoginLimiter(attempts=20, address_attempts=20)
    app.state.sessions = SessionCache()
    # Sessions another process ended (sign-out, deactivation, new password) are forgotten
    # here at once (PostgreSQL LISTEN/NOTIFY); on SQLite this process is the only one.
    app.state.listener = gestes.store.database.listen(
        SESSIONS_CHANNEL, lambda payload: _forget(app.state.sessions, payload)
    )
    # Live step taps go through one writer thread that commits them in groups (core.taps).
    app.state.taps = TapWriter(gestes.store.taps)
    # One environment per language, translations installed once: requests in different
    # languages never share mutable template state.
    app.state.templates = {language: _templates(language) for language in i18n.LANGUAGES}
    _middleware(app, gestes)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS)

    @app.get("/sw.js", include_in_schema=False)
    def service_worker() -> FileResponse:
        """The service worker, from the root so that it may serve every page (web/static)."""
        return FileResponse(HERE / "static" / "sw.js", media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    _routes(app)
    _error_pages(app)
    # Everything built so far (catalog, templates, routes, plugins) lives as long as the
    # process: moved out of the collector's reach, a full collection no longer rescans it —
    # those scans were 100 ms pauses in the taps' p99 (bench/web.py: 1,100 -> 1,430 taps/s).
    gc.freeze()
    return app


def _middleware(app: FastAPI, gestes: Gestes) -> None:
    """Plain ASGI middleware, the last added outermost."""
    from web.operations import RequestLog, log_requests

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)  # before routing, sessions or parsing
    app.add_middleware(RequestLog)  # outermost: every answer logged, a 413 too
    log_requests(gestes.settings.request_log)


def _forget(sessions: SessionCache, payload: str) -> None:
    if payload.isdigit():
        sessions.forget_user(int(payload))
    else:  # an announcement this version does not know: forget everything, to be safe
        sessions.clear()


def _routes(app: FastAPI) -> None:
    """The pages, then the JSON API. Scoring first: routes are matched one by one in this
    order, and a tap, the hottest request, was matched ninth (40 µs of a 0.7 ms tap).
    Nothing earlier may shadow a later route (``/cohorts/new`` before ``/cohorts/{id}``):
    ``tests/test_web.py`` checks that each route's own path reaches it."""
    from web import (
        api,
        api_placements,
        api_setup,
        auth,
        booklets,
        cohorts,
        coordination,
        links,
        operations,
        placements,
        scoring,
        setup,
        trainee_page,
    )
    from web.contract import API_RESPONSES, PAGE_RESPONSES

    pages_in_order = (scoring, auth, setup, cohorts, trainee_page, coordination, booklets)
    for pages in (*pages_in_order, placements, links, operations):
        app.include_router(
            pages.router, default_response_class=HTMLResponse, responses=PAGE_RESPONSES
        )
    for json_api in (api, api_setup, api_placements):
        app.include_router(json_api.router, responses=API_RESPONSES)
    app.description = api.__doc__ or ""


def _error_pages(app: FastAPI) -> None:
    """How refusals answer: a JSON body under /api/, a French page elsewhere."""

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _error: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Connexion requise."}, status_code=401)
        target = _back_after_login(request)
        if request.headers.get("hx-request"):  # htmx: ask the browser to load the login page
            return Response(status_code=401, headers={"HX-Redirect": f"/login?next={target}"})
        return RedirectResponse(f"/login?next={target}", status_code=303)

    # Starlette's class, which FastAPI's extends: FastAPI raises Starlette's own for a body it
    # cannot read, and it must answer like every other refusal (a page, or JSON under /api/).
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        return render(
            request,
            "error.html",
            {"status": error.status_code, "message": str(error.detail)},
            status_code=error.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
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
            # An id no row can have (web.scope.Id): for a person, a page that does not exist.
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

    @app.exception_handler(RecordError)
    async def _refused(request: Request, error: RecordError) -> Response:
        """The store refused a write (bad value, unknown id): nothing was stored."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error), "field": error.field}, status_code=400)
        return render(
            request, "error.html", {"status": 400, "message": str(error)}, status_code=400
        )


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


def _templates(language: str) -> Jinja2Blocks:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),  # every value is escaped unless marked safe
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the package: no stat() per render
        trim_blocks=True,  # no blank lines where tags were: smaller htmx swaps
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["languages"] = i18n.LANGUAGES
    # Moments are stored in UTC; people read them on the schools' clock.
    env.filters["local"] = lambda moment: moment.astimezone(SCHOOL_TIME)
    # Hours as people write them: 210, 31,5 (31.5 in English).
    env.filters["hours"] = lambda value: (
        decimal(round(float(value), 1)) if language == "fr" else f"{round(float(value), 1):g}"
    )
    return Jinja2Blocks(env=env)


def gestes_of(request: Request) -> Gestes:
    """The application context the app was built with."""
    gestes: Gestes = request.app.state.gestes
    return gestes


def served_at(request: Request) -> str:
    """The address this request reached the app at (behind a proxy: the public one, when the
    proxy is trusted, ``GESTES_TRUSTED_PROXIES``): where links are sent unless
    ``GESTES_PUBLIC_URL`` says otherwise."""
    return str(request.base_url)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.gestes.store
    return store


async def user_of(request: Request) -> CurrentUser:
    """The signed-in user; checks the CSRF token of every state-changing request."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired()
    sessions: SessionCache = request.app.state.sessions
    user = sessions.get(token)
    if user is None:  # the store is asked off the event loop
        user = await run_in_threadpool(store_of(request).accounts.signed_in, token)
        if user is None:
            raise LoginRequired()
        sessions.put(token, user)
    await check_csrf(request, user)
    request.state.user = user
    return user


def is_htmx(request: Request) -> bool:
    """One place that knows how htmx announces itself."""
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    blocks: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page, or only some of its named blocks (htmx swaps): same template either way."""
    language = i18n.pick_language(request.cookies.get("lang"))
    templates: Jinja2Blocks = request.app.state.templates[language]
    context = {"user": getattr(request.state, "user", None), "lang": language, **context}
    if blocks:
        response = templates.TemplateResponse(
            request, template, context, status_code=status_code, block_names=blocks
        )
    else:
        response = templates.TemplateResponse(request, template, context, status_code=status_code)
    assert isinstance(response, HTMLResponse)
    return response

"""The web app factory: ``create_app(gestes)`` builds a fresh app over an application context
(tests build their own); ``uvicorn web:create_app --factory`` opens one from the settings."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
)
from fastapi.staticfiles import StaticFiles

from core.booklet.jobs import finish_here
from core.context import Gestes, open_gestes
from core.domain import SESSIONS_CHANNEL
from core.store import TapWriter
from web import api, i18n, operations
from web.api import attendance as api_attendance
from web.api import corrections as api_corrections
from web.api import curriculum as api_curriculum
from web.api import followups as api_followups
from web.api import immersion as api_immersion
from web.api import partners as api_partners
from web.api import positioning as api_positioning
from web.api import records as api_records
from web.api import schools as api_schools
from web.api import scoring as api_scoring
from web.contract import API_RESPONSES, PAGE_RESPONSES
from web.errors import install_error_handlers
from web.operations import RequestLog, log_requests
from web.outbox import OutboxAnswers
from web.pages import (
    attendance,
    audit,
    auth,
    booklets,
    candidates,
    certificates,
    cohorts,
    complaints,
    coordination,
    corrections,
    curriculum,
    evaluations,
    exits,
    immersion,
    imports,
    links,
    opinions,
    organisations,
    partners,
    positioning,
    qualiopi,
    results,
    schools,
    scoring,
    trainee,
    unfinished,
)
from web.rendering import templates
from web.security import (
    BodyLimit,
    LoginLimiter,
    SecurityHeaders,
    SessionCache,
)

HERE = Path(__file__).parent
# The set-up link's token, handed by `gestes serve --workers N` to its workers (not a setting:
# it lives as long as that server, and no GESTES_ name, which the settings would read).
SETUP_TOKEN = "_GESTES_SETUP_TOKEN"
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
    # Several workers learn the set-up link's token from their supervisor (web.commands).
    app.state.setup_token = setup_token or os.environ.get(SETUP_TOKEN) or None
    failures = gestes.store.failures
    app.state.limiter = LoginLimiter(failures)
    # Unknown tutor links and trainee codes, per address: guessing codes is throttled.
    app.state.link_limiter = LoginLimiter(failures, "link", attempts=20, address_attempts=20)
    app.state.sessions = SessionCache()
    # Sessions another process ended (sign-out, deactivation, new password) are forgotten
    # here at once (PostgreSQL LISTEN/NOTIFY); on SQLite this process is the only one.
    app.state.listener = gestes.store.database.listen(
        SESSIONS_CHANNEL, lambda payload: _forget(app.state.sessions, payload)
    )
    # Live step taps go through one writer thread that commits them in groups
    # (core.store.tap_writer).
    app.state.taps = TapWriter(gestes.store.taps)
    # One environment per language, translations installed once: requests in different
    # languages never share mutable template state.
    app.state.templates = {language: templates(language) for language in i18n.LANGUAGES}
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
    install_error_handlers(app)
    # Everything built so far (catalog, templates, routes, plugins) lives as long as the
    # process: moved out of the collector's reach, a full collection no longer rescans it —
    # those scans were 100 ms pauses in the taps' p99 (bench/web.py: 1,100 -> 1,430 taps/s).
    gc.freeze()
    return app


def _middleware(app: FastAPI, gestes: Gestes) -> None:
    """Plain ASGI middleware, the last added outermost."""

    app.add_middleware(OutboxAnswers)  # innermost: a form from an outbox answered in JSON
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
    pages_in_order = (scoring, evaluations, auth, schools, cohorts, trainee, coordination, booklets)
    later = (curriculum, corrections, imports, exits, unfinished, immersion, links, attendance)
    extra = (certificates, organisations, results, complaints, qualiopi, positioning, audit)
    for pages in (*pages_in_order, *later, *extra, opinions, partners, candidates, operations):
        app.include_router(
            pages.router, default_response_class=HTMLResponse, responses=PAGE_RESPONSES
        )
    apis = (api_scoring, api_records, api_schools, api_curriculum, api_corrections, api_immersion)
    for json_api in (*apis, api_attendance, api_followups, api_positioning, api_partners):
        app.include_router(json_api.router, responses=API_RESPONSES)
    app.description = api.__doc__ or ""

"""What the people who run Gestes need: a liveness and a readiness answer for the load
balancer or the supervisor, and one line per request in the log.

The log line names the route, never the request: ``GET /trainees/{trainee_id} 200 12.3 ms``
— no query string, no id, no address, no account — so the log holds no personal data and
can be kept and shipped like any system log.
"""

from __future__ import annotations

import logging
import os
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.deps import store_of

router = APIRouter(tags=["operations"])
LOG = logging.getLogger("gestes.requests")


@router.get("/health", include_in_schema=False, response_class=JSONResponse)
def health() -> dict[str, str]:
    """The process answers (liveness): nothing else is checked."""
    return {"status": "ok"}


@router.get("/ready", include_in_schema=False, response_class=JSONResponse)
def ready(request: Request) -> JSONResponse:
    """The process can serve (readiness): its database answers, at the schema this version
    runs. 503 otherwise, so that a balancer sends requests elsewhere meanwhile."""
    try:
        store_of(request).check()
    except Exception:  # what failed is for the server's log, not for whoever asks
        logging.getLogger("gestes").exception("not ready")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ready"})


def route_of(scope: Scope) -> str:
    """The route's template (``/trainees/{trainee_id}``), rebuilt from the path and the path
    parameters the router found; a path no route matched is logged as ``-``."""
    params = scope.get("path_params") or {}
    if "endpoint" not in scope:
        return "-"
    parts = scope["path"].split("/")
    names = {str(value): name for name, value in params.items()}
    return "/".join(f"{{{names[part]}}}" if part in names else part for part in parts)


def log_requests(destination: str) -> None:
    """Send the request lines to standard error ("-"), a file, or nowhere (""); once per
    process (every app a process makes shares the logger)."""
    if LOG.handlers or not destination:
        return
    handler = logging.StreamHandler() if destination == "-" else logging.FileHandler(destination)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


class RequestLog:
    """One line per request (INFO on ``gestes.requests``), static files left out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = os.getpid()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if LOG.isEnabledFor(logging.INFO):
                elapsed = (time.perf_counter() - started) * 1000
                LOG.info(
                    "%s %s %d %.1f ms pid %d",
                    scope["method"],
                    route_of(scope),
                    status[0],
                    elapsed,
                    self.pid,
                )

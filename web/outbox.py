"""The answer a device's outbox reads: a form a page posts from its outbox (static/outbox.js)
is acknowledged in JSON, never by a redirect to a page.

A page's form answers a success with ``303`` to the page that shows it — fine for a person,
useless for an outbox: a redirect to ``/login`` (the session ended) and one to the trainee's
page (stored) look alike once followed, and a queue that took the first for the second threw
taps away. A request that says it comes from an outbox (``X-Gestes-Outbox: <its key>``) gets
instead ``200 {"saved": true, "location": …}`` with ``X-Gestes-Saved: <the same key>`` — the
only answer that lets the entry leave the device — or ``401`` when the redirect leads to the
login form. Every other answer (a refusal's page with its reasons, a server error) passes
unchanged: the outbox keeps the entry, or shows the refusal.

A plain ASGI middleware, like the others (web.security): it only reads the response's start.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-gestes-outbox"


class OutboxAnswers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _outbox_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        replaced = False

        async def acknowledged(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] in (302, 303):
                headers = dict(message.get("headers", []))
                location = headers.get(b"location", b"").decode("latin-1")
                replaced = True
                await _answer(send, location, key)
                return
            if replaced:  # the redirect's own body: the JSON answer replaced it
                return
            await send(message)

        await self.app(scope, receive, acknowledged)


def _outbox_key(scope: Scope) -> bytes | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    for name, value in scope.get("headers") or []:
        if name == HEADER and 0 < len(value) <= 80 and value.isascii():
            return bytes(value)
    return None


async def _answer(send: Send, location: str, key: bytes) -> None:
    body: dict[str, object]
    # The session ended: the entry waits on the device for the trainer to sign in again.
    if location.startswith("/login"):
        status, body, extra = 401, {"detail": "Connexion requise."}, []
    else:
        status, body, extra = 200, {"saved": True, "location": location}, [(b"x-gestes-saved", key)]
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

"""Sessions, CSRF, roles and school scope, login rate limiting, security headers."""

from __future__ import annotations

import datetime as dt
import hmac
import math
import time
from typing import ClassVar

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.domain import SESSION_HOURS, SignedIn
from core.store import FailureCounts

__all__ = ["COOKIE", "SESSION_HOURS", "CurrentUser"]

COOKIE = "gestes_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


CurrentUser = SignedIn  # who a request is from (``core.domain``), under the web's name


class SessionCache:
    """Signed-in users by session token, for a few seconds.

    Every request asks who is signed in and the answer rarely changes; reading it from the
    store each time was a third of a tap's cost (bench/web.py). Sign-out and changes made in
    the admin pages take effect at once in this process (``forget``, ``clear``); another
    process (a second worker, the CLI) is seen within ``ttl`` seconds. Only signed-in users
    are kept: an unknown token always asks the store.
    """

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._users: dict[str, tuple[float, CurrentUser]] = {}

    def get(self, token: str) -> CurrentUser | None:
        entry = self._users.get(token)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, token: str, user: CurrentUser) -> None:
        now = time.monotonic()
        if len(self._users) >= self.size:  # bounded: drop what has expired, else everything
            self._users = {k: v for k, v in self._users.items() if v[0] >= now}
            if len(self._users) >= self.size:
                self._users = {}
        self._users[token] = (now + self.ttl, user)

    def forget(self, token: str) -> None:
        self._users.pop(token, None)

    def forget_user(self, user_id: int) -> None:
        """Every session of one account: another process ended them (``Database.listen``)."""
        self._users = {k: v for k, v in self._users.items() if v[1].id != user_id}

    def clear(self) -> None:
        self._users = {}


def require_school(user: CurrentUser, school_id: int | None) -> None:
    """Outside the user's schools: 404, so that ids of other schools reveal nothing."""
    if school_id is None or not user.can_see_school(school_id):
        raise HTTPException(status_code=404, detail="Introuvable.")


async def check_csrf(request: Request, user: CurrentUser) -> None:
    """Every state change must carry the session's token: the htmx header or a form field."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, user.csrf_token):
        message = "Jeton de sécurité manquant ou périmé : rechargez la page."
        raise HTTPException(status_code=403, detail=message)


class LoginLimiter:
    """Failed sign-ins throttled per account and per network address, with a gradual
    back-off: the first ``attempts`` failures within ``window`` are free, then each further
    try waits twice as long as the one before (30 s, 1 min, 2 min… up to the window). A
    trainer who mistyped five times waits half a minute, not a quarter of an hour; a guesser
    gets a handful of tries per quarter of an hour. The address's free attempts are ten times
    more: a school's trainers share one address, and a few failures with random e-mails must
    not lock them all out, while guessing many accounts from one place is still throttled.
    Keys are ``ip:…`` and ``email:…`` with the address normalised as login reads it. Counted
    in the store (``core.store.limits``): every worker sees the same counts, a restart
    forgets none."""

    FIRST_WAIT = dt.timedelta(seconds=30)

    def __init__(
        self,
        counts: FailureCounts,
        name: str = "login",
        attempts: int = 5,
        window: float = 15 * 60,
        address_attempts: int = 50,
    ) -> None:
        self.attempts, self.address_attempts = attempts, address_attempts
        self.window = dt.timedelta(seconds=window)
        self._counts, self._name = counts, name  # its own counts: a wrong code is no password

    def wait(self, *keys: str) -> dt.timedelta:
        """How long until the next try is allowed (zero: now)."""
        named = self._named(keys)
        counts = self._counts.recent(named, self.window)
        now, longest = self._counts.clock(), dt.timedelta(0)
        for key, name in zip(keys, named, strict=True):
            failures = counts[name]
            beyond = failures.count - self._limit(key)
            if beyond < 0 or failures.last is None:
                continue
            delay = min(self.window, self.FIRST_WAIT * 2 ** min(beyond, 16))
            longest = max(longest, failures.last + delay - now)
        return longest

    def blocked(self, *keys: str) -> bool:
        return self.wait(*keys) > dt.timedelta(0)

    def refuse_if_blocked(self, *keys: str) -> None:
        """A 429 saying how long to wait (in words and in ``Retry-After``), when it must."""
        wait = self.wait(*keys)
        if wait > dt.timedelta(0):
            raise HTTPException(
                status_code=429,
                detail=f"Trop d'essais : réessayez {in_words(wait)}.",
                headers={"Retry-After": str(math.ceil(wait.total_seconds()))},
            )

    def count(self, key: str) -> int:
        """The failures ``key`` had within the window."""
        name = f"{self._name}:{key}"
        return self._counts.recent([name], self.window)[name].count

    def _limit(self, key: str) -> int:
        return self.address_attempts if key.startswith("ip:") else self.attempts

    def _named(self, keys: tuple[str, ...]) -> list[str]:
        return [f"{self._name}:{key}" for key in keys]

    def failed(self, *keys: str) -> None:
        self._counts.add(self._named(keys), self.window)

    def succeeded(self, *keys: str) -> None:
        self._counts.clear(self._named(keys))


def in_words(wait: dt.timedelta) -> str:
    """« dans 30 secondes », « dans 4 minutes »: rounded up, never « dans 0 seconde »."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"dans {seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"dans {minutes} minute{'s' if minutes > 1 else ''}"


class SecurityHeaders:
    """Security headers on every response. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware re-streams each response and cost more than the headers themselves
    (bench/web.py)."""

    STATIC: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cache = [] if scope["path"].startswith("/static/") else [(b"cache-control", b"no-store")]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A route that says how long its answer keeps (a photo: private, an hour)
                # keeps its word: one Cache-Control, never two contradicting each other.
                own = any(name.lower() == b"cache-control" for name, _ in headers)
                message["headers"] = [*headers, *self.STATIC, *([] if own else cache)]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """One request-size limit for every route, enforced before anything reads the body: an
    announced length over the limit is answered 413 at once, and a body sent without a length
    is cut off as soon as it passes the limit. Uploads (evidence photos, trainee lists) get
    room for their own limits (checked again by the store); everything else is small."""

    def __init__(self, app: ASGIApp, default: int = 1 << 20, uploads: int = 12 << 20) -> None:
        self.app, self.default, self.uploads = app, default, uploads

    def limit(self, path: str) -> int:
        uploads = ("/evidence", "/trainees", "/justification")  # a justification's proof too
        return self.uploads if path.endswith(uploads) else self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        headers = dict(scope.get("headers") or [])
        announced = headers.get(b"content-length", b"0")
        if announced.isdigit() and int(announced) > limit:
            await _too_large(send)
            return
        seen, refused = 0, False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # answered now; the app sees a client that went away
                    refused = True
                    await _too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:  # whatever the app says after the refusal goes nowhere
                await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if not refused:
                raise


async def _too_large(send: Send) -> None:
    body = '{"detail": "Requête trop volumineuse."}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), *SecurityHeaders.STATIC],
        }
    )
    await send({"type": "http.response.body", "body": body})

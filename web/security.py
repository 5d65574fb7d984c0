"""Sessions, CSRF, roles and school scope, login rate limiting, security headers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from fastapi import HTTPException, Request
from sqlalchemy import delete, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.records import Records
from core.store import tables as t

COOKIE = "gestes_session"
SESSION_HOURS = 12  # a training day, with margin; then sign in again
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    email: str
    role: t.Role
    schools: frozenset[int]
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role is t.Role.ADMIN

    def can_see_school(self, school_id: int) -> bool:
        return self.is_admin or school_id in self.schools


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(records: Records, user_id: int, previous_token: str | None = None) -> str:
    """A new session for a user who just signed in; the previous one (if any) is dropped, so
    a session id planted before login is worthless after it (rotation)."""
    token = secrets.token_urlsafe(32)
    with records._write() as session:
        if previous_token:
            stale = t.WebSession.token_hash == _hash(previous_token)
            session.execute(delete(t.WebSession).where(stale))
        session.add(
            t.WebSession(
                token_hash=_hash(token),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=SESSION_HOURS),
            )
        )
    return token


def close_session(records: Records, token: str) -> None:
    with records._write() as session:
        session.execute(delete(t.WebSession).where(t.WebSession.token_hash == _hash(token)))


def session_user(records: Records, token: str | None) -> CurrentUser | None:
    if not token:
        return None
    with records._read() as session:
        row = session.execute(
            select(t.WebSession, t.User)
            .join(t.User, t.User.id == t.WebSession.user_id)
            .where(t.WebSession.token_hash == _hash(token))
        ).first()
        if row is None:
            return None
        web_session, user = row
        expires = web_session.expires_at
        if expires.tzinfo is None:  # SQLite hands back naive UTC
            expires = expires.replace(tzinfo=dt.UTC)
        if expires < dt.datetime.now(dt.UTC) or not user.active:
            return None
        schools = frozenset(
            session.scalars(select(t.UserSchool.school_id).where(t.UserSchool.user_id == user.id))
        )
    return CurrentUser(
        user.id, user.name, user.email, t.Role(user.role), schools, web_session.csrf_token
    )


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

    def clear(self) -> None:
        self._users = {}


def require_role(user: CurrentUser, roles: Iterable[t.Role]) -> None:
    if user.role not in set(roles) and not user.is_admin:
        raise HTTPException(status_code=403, detail="Accès réservé.")


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
    """At most ``attempts`` failed sign-ins per address and per account in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 15 * 60) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] < now - self.window:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(key, now)) >= self.attempts for key in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


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
                message["headers"] = [*message.get("headers", []), *self.STATIC, *cache]
            await send(message)

        await self.app(scope, receive, with_headers)

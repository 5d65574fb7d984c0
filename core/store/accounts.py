"""Signing in: accounts, their passwords and their browser sessions.

A session cookie holds a random token; only its hash is stored, so a leaked database does not
hand out live sessions. Sessions rotate at login and are deleted at logout and deactivation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.domain import SESSION_HOURS, SESSIONS_CHANNEL, Account, RecordError, Role, SignedIn
from core.store import tables as t
from core.store.database import Database
from core.store.passwords import hash_password, password_problem, verify_password

_DUMMY_HASH = hash_password("not a real password, only for timing")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, database: Database) -> None:
        self._db = database

    def authenticate(self, email: str, password: str) -> Account | None:
        """The account with that address and password, or None (in the same time either way).
        Check ``active`` before opening a session."""
        with self._db.read() as session:
            user = session.scalar(select(t.User).where(t.User.email == email.strip().lower()))
        if user is None:
            verify_password(_DUMMY_HASH, password)  # same time whether the account exists or not
            return None
        if not verify_password(user.password_hash, password):
            return None
        # A deactivated account is returned (active=False) only to whoever knows its password,
        # so the page can say why it cannot sign in without revealing that it exists.
        return Account(user.id, user.email, user.name, Role(user.role), user.active)

    def open_session(self, user_id: int, previous_token: str | None = None) -> str:
        """A new session for a user who just signed in; the previous one (if any) is dropped,
        so a session id planted before login is worthless after it (rotation)."""
        token = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        with self._db.write() as session:
            session.execute(delete(t.WebSession).where(t.WebSession.expires_at < now))  # purged
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

    def change_password(self, user_id: int, current: str, new: str, keep_token: str) -> None:
        """A new password for a signed-in user who proves the current one. Every other session
        of the account ends (a stolen one with it); the one in use, ``keep_token``, stays."""
        with self._db.write() as session:
            user = session.get(t.User, user_id)
            if user is None or not verify_password(user.password_hash, current):
                raise RecordError("Mot de passe actuel incorrect.", field="current")
            if new == current:
                raise RecordError("Choisissez un mot de passe différent de l'actuel.", field="new")
            _replace_password(session, user, new, "new", keep=_hash(keep_token))
            user.provisional = False  # chosen by its owner now
            self._db.announce(session, SESSIONS_CHANNEL, str(user_id))

    def reset_password(self, who: str | int, new: str) -> None:
        """A forgotten password replaced by an administrator (``gestes user password``, the
        accounts page, the API), by address or id: the policy applies and every session of
        the account ends, so whoever knew the old one is signed out everywhere."""
        with self._db.write() as session:
            if isinstance(who, int):
                user = session.get(t.User, who)
            else:
                user = session.scalar(select(t.User).where(t.User.email == who.strip().lower()))
            if user is None:
                known = "Ce compte n'existe pas." if isinstance(who, int) else None
                raise RecordError(known or f"Aucun compte n'a l'adresse « {who} ».", "email")
            _replace_password(session, user, new, "password")
            user.provisional = True  # handed over by someone else: its owner changes it
            self._db.announce(session, SESSIONS_CHANNEL, str(user.id))

    def close_session(self, token: str) -> None:
        with self._db.write() as session:
            ended = session.scalar(
                select(t.WebSession.user_id).where(t.WebSession.token_hash == _hash(token))
            )
            session.execute(delete(t.WebSession).where(t.WebSession.token_hash == _hash(token)))
            if ended is not None:
                self._db.announce(session, SESSIONS_CHANNEL, str(ended))

    def signed_in(self, token: str | None) -> SignedIn | None:
        """Who holds this session token, while the session lives and the account is active."""
        if not token:
            return None
        with self._db.read() as session:
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
                session.scalars(
                    select(t.UserSchool.school_id).where(t.UserSchool.user_id == user.id)
                )
            )
        role = Role(user.role)
        return SignedIn(
            user.id,
            user.name,
            user.email,
            role,
            schools,
            web_session.csrf_token,
            bool(user.provisional),
        )

    def exists(self, user_id: int) -> bool:
        with self._db.read() as session:
            return session.get(t.User, user_id) is not None

    def set_active(self, user_id: int, active: bool) -> None:
        """Deactivate (or reactivate) an account; its sessions stop working at once."""
        with self._db.write() as session:
            user = session.get(t.User, user_id)
            if user is None:
                raise RecordError(f"Compte n° {user_id} introuvable.")
            user.active = active
            if not active:
                session.execute(delete(t.WebSession).where(t.WebSession.user_id == user_id))
                self._db.announce(session, SESSIONS_CHANNEL, str(user_id))

    def all(self) -> list[Account]:
        """Every account with its schools, by name."""
        with self._db.read() as session:
            users = session.scalars(select(t.User).order_by(t.User.name)).all()
            links = session.execute(select(t.UserSchool.user_id, t.UserSchool.school_id)).all()
        schools: dict[int, list[int]] = {}
        for user_id, school_id in links:
            schools.setdefault(user_id, []).append(school_id)
        return [
            Account(
                u.id, u.email, u.name, Role(u.role), u.active, tuple(sorted(schools.get(u.id, [])))
            )
            for u in users
        ]


def _replace_password(
    session: Session, user: t.User, new: str, field: str, keep: str | None = None
) -> None:
    """The policy checked, the hash replaced, and every session of the account ended but the
    one whose token hash is ``keep`` (the one asking, when it is the account's owner)."""
    problem = password_problem(new, user.email)
    if problem:
        raise RecordError(problem, field=field)
    user.password_hash = hash_password(new)
    ended = t.WebSession.user_id == user.id
    if keep is not None:
        ended = ended & (t.WebSession.token_hash != keep)
    session.execute(delete(t.WebSession).where(ended))

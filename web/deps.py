"""What a route depends on, in one place: the application context and the store, the
signed-in user (session, CSRF), and the checks every page and API route makes before it reads
or writes (role and school scope).

A route takes the signed-in user through ``User``, then looks up what it touches with one of
these functions, which check role and school scope. Outside the user's schools the answer is
a 404, so that ids of other schools reveal nothing. Routes import from here, never from
``web.app`` (the factory): ``tests/test_architecture.py`` checks it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from core.catalog.catalog import Catalog
from core.context import Gestes
from core.domain import Cohort, Located, Role, School, Trainee
from core.store import Store
from web.security import COOKIE, CurrentUser, SessionCache, check_csrf, require_school


class LoginRequired(Exception):
    """Raised by ``user_of`` for an anonymous request: the page redirects to the login form."""


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
    if user.provisional and request.url.path not in PROVISIONAL_ALLOWED:
        raise ProvisionalPassword()
    request.state.user = user
    return user


# What a provisional password opens: choosing one's own, and leaving.
PROVISIONAL_ALLOWED = frozenset(
    {"/account/password", "/logout", "/api/me", "/api/me/password", "/en-attente"}
)


class ProvisionalPassword(Exception):
    """The password was chosen by someone else: its owner chooses their own first."""


def is_htmx(request: Request) -> bool:
    """One place that knows how htmx announces itself."""
    return request.headers.get("hx-request") == "true"


User = Annotated[CurrentUser, Depends(user_of)]
# The application context and its store, for a route that asks for them by type.
Context = Annotated[Gestes, Depends(gestes_of)]
StoreOf = Annotated[Store, Depends(store_of)]

# A row id in a URL: the range of an INTEGER column in both SQLite and PostgreSQL. A larger
# number is refused as bad input instead of overflowing the database driver (a 500).
Id = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
# The same range for an id in a JSON body (a list of trainers, of schools).
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


def require_coordinator(user: CurrentUser) -> None:
    if user.role not in {Role.COORDINATOR, Role.ADMIN}:
        raise HTTPException(status_code=403, detail="Réservé à la coordination.")


def require_admin(user: CurrentUser) -> None:
    if not user.is_admin:
        raise HTTPException(status_code=403, detail="Réservé à l'administration.")


def visible_cohorts(store: Store, user: CurrentUser) -> list[tuple[Cohort, School]]:
    """(cohort, school) of the user's schools (every school for an admin), newest first."""
    return store.lookup.cohorts(None if user.is_admin else user.schools)


def cohort_of(store: Store, user: CurrentUser, cohort_id: int) -> Cohort:
    cohort = store.lookup.cohort(cohort_id)
    require_school(user, cohort.school_id if cohort else None)
    assert cohort is not None
    return cohort


def trainee_of(store: Store, user: CurrentUser, trainee_id: int) -> tuple[Trainee, Cohort]:
    found = store.lookup.trainee(trainee_id)
    require_school(user, found[1].school_id if found else None)
    assert found is not None
    return found


def observation_of(store: Store, user: CurrentUser, observation_id: int) -> Located:
    found = store.lookup.observation(observation_id)
    require_school(user, found.school_id if found else None)
    assert found is not None
    return found


def require_author_or_coordinator(user: CurrentUser, entry: Located) -> None:
    """A trainer cancels only their own entries; coordinators and admins any of their school."""
    if user.role is Role.TRAINER and entry.author_id != user.id:
        raise HTTPException(
            status_code=403,
            detail="Seule la personne qui a fait la saisie, ou la coordination, peut l'annuler.",
        )


def check_gesture(catalog: Catalog, sector: str, gesture_id: str) -> None:
    """A gesture of the cohort's sector, or a 404 (never another sector's definition)."""
    entry = catalog.entries.get(gesture_id)
    if entry is None or entry.kind != "gesture" or entry.sector != sector:
        raise HTTPException(status_code=404, detail="Geste inconnu pour cette promotion.")


def check_evaluation(catalog: Catalog, sector: str, evaluation_id: str) -> None:
    entry = catalog.entries.get(evaluation_id)
    if entry is None or entry.kind != "evaluation" or entry.sector != sector:
        raise HTTPException(status_code=404, detail="Épreuve inconnue pour cette promotion.")


def valid_key(key: str) -> bool:
    """Attempt and submit ids the pages generate: short, letters and digits only."""
    return 8 <= len(key) <= 40 and key.isalnum()

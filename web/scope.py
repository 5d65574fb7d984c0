"""Who may touch what: the checks every page and API route makes before it reads or writes.

A route takes the signed-in user through ``User`` (session, CSRF), then looks up what it
touches with one of these functions, which check role and school scope. Outside the user's
schools the answer is a 404, so that ids of other schools reveal nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi import Path as PathParam
from pydantic import Field

from core.catalog import Catalog
from core.domain import Cohort, Located, Role, School, Trainee
from core.store import Store
from web.app import user_of
from web.security import CurrentUser, require_school

User = Annotated[CurrentUser, Depends(user_of)]

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

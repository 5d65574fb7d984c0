"""Who may touch what: the checks every page and API route makes before it reads or writes.

A route takes the signed-in user through ``User`` (session, CSRF), then looks up what it
touches with one of these functions, which check role and school scope. Outside the user's
schools the answer is a 404, so that ids of other schools reveal nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi import Path as PathParam
from sqlalchemy import select

from core.records import Records
from core.store import tables as t
from web.app import user_of
from web.security import CurrentUser, require_school

User = Annotated[CurrentUser, Depends(user_of)]

# A row id in a URL: the range of an INTEGER column in both SQLite and PostgreSQL. A larger
# number is refused as bad input instead of overflowing the database driver (a 500).
Id = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def require_coordinator(user: CurrentUser) -> None:
    if user.role not in {t.Role.COORDINATOR, t.Role.ADMIN}:
        raise HTTPException(status_code=403, detail="Réservé à la coordination.")


def require_admin(user: CurrentUser) -> None:
    if not user.is_admin:
        raise HTTPException(status_code=403, detail="Réservé à l'administration.")


def visible_cohorts(records: Records, user: CurrentUser) -> list[tuple[t.Cohort, t.School]]:
    """(cohort, school) rows of the user's schools (every school for an admin), newest first."""
    with records._read() as session:
        query = select(t.Cohort, t.School).join(t.School).order_by(t.Cohort.starts_on.desc())
        if not user.is_admin:
            query = query.where(t.Cohort.school_id.in_(user.schools))
        return [(cohort, school) for cohort, school in session.execute(query)]


def cohort_of(records: Records, user: CurrentUser, cohort_id: int) -> t.Cohort:
    with records._read() as session:
        cohort = session.get(t.Cohort, cohort_id)
    require_school(user, cohort.school_id if cohort else None)
    assert cohort is not None
    return cohort


def trainee_of(records: Records, user: CurrentUser, trainee_id: int) -> tuple[t.Trainee, t.Cohort]:
    with records._read() as session:
        row = session.execute(
            select(t.Trainee, t.Cohort).join(t.Cohort).where(t.Trainee.id == trainee_id)
        ).first()
    require_school(user, row[1].school_id if row else None)
    assert row is not None
    return row[0], row[1]


def observation_of(records: Records, user: CurrentUser, observation_id: int) -> t.Observation:
    with records._read() as session:
        row = session.execute(
            select(t.Observation, t.Cohort.school_id)
            .join(t.Cohort, t.Cohort.id == t.Observation.cohort_id)
            .where(t.Observation.id == observation_id)
        ).first()
    require_school(user, row[1] if row else None)
    assert row is not None
    return row[0]


def check_gesture(records: Records, sector: str, gesture_id: str) -> None:
    """A gesture of the cohort's sector, or a 404 (never another sector's definition)."""
    entry = records.catalog.entries.get(gesture_id)
    if entry is None or entry.kind != "gesture" or entry.sector != sector:
        raise HTTPException(status_code=404, detail="Geste inconnu pour cette promotion.")


def check_evaluation(records: Records, sector: str, evaluation_id: str) -> None:
    entry = records.catalog.entries.get(evaluation_id)
    if entry is None or entry.kind != "evaluation" or entry.sector != sector:
        raise HTTPException(status_code=404, detail="Épreuve inconnue pour cette promotion.")


def valid_key(key: str) -> bool:
    """Attempt and submit ids the pages generate: short, letters and digits only."""
    return 8 <= len(key) <= 40 and key.isalnum()

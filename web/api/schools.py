"""JSON API for setting a school up (the same store functions as the pages and the CLI):
schools, installed sectors, cohorts, their trainers, closing, level decisions, moves, and
accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from core.domain import Role, School
from web.actions import OWN_TRAINERS, manages, replace_forgotten_password, set_account_active
from web.contract import Key, Saved
from web.deps import (
    Id,
    RowId,
    User,
    cohort_of,
    gestes_of,
    require_admin,
    require_coordinator,
    store_of,
    trainee_of,
)

router = APIRouter(prefix="/api", tags=["api"])


# ---------------------------------------------------------------- what the routes answer


class SchoolOut(BaseModel):
    id: int
    name: str
    city: str
    territory: str
    address: str | None


class SectorOut(BaseModel):
    id: str
    name: str
    curriculum: str
    version: str
    hours: dict[str, int] = Field(description="Planned hours per phase")


class CohortOut(BaseModel):
    id: int
    school: int
    name: str
    sector: str
    curriculum: str
    version: str = Field(description="The curriculum version the cohort is pinned to")
    starts_on: dt.date
    ends_on: dt.date
    hours: dict[str, int]
    trainers: list[int]
    closed: bool


class Moved(BaseModel):
    trainee: int
    cohort: int


class AccountOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    active: bool
    schools: list[int]


class AccountRef(BaseModel):
    id: int


class AccountActive(BaseModel):
    id: int
    active: bool


def _school(school: School) -> dict[str, Any]:
    return {
        "id": school.id,
        "name": school.name,
        "city": school.city,
        "territory": school.territory,
        "address": school.address,
    }


class SchoolIn(BaseModel):
    name: str = Field(max_length=200)
    city: str = Field(max_length=100)
    territory: str = Field(max_length=120, description="A territory of the catalog")
    address: str | None = Field(default=None, max_length=300)


@router.get("/schools", response_model=list[SchoolOut])
def schools(request: Request, user: User) -> list[dict[str, Any]]:
    """The user's schools (every school for an admin)."""
    found = store_of(request).lookup.schools()
    return [_school(s) for s in found if user.can_see_school(s.id)]


@router.post("/schools", response_model=SchoolOut)
def create_school(request: Request, user: User, body: SchoolIn) -> dict[str, Any]:
    require_admin(user)
    store = store_of(request)
    new = store.directory.create_school(None, body.name, body.city, body.territory, body.address)
    school = store.lookup.school(new)
    assert school is not None
    return _school(school)


@router.post("/schools/{school_id}", response_model=SchoolOut)
def update_school(request: Request, user: User, school_id: Id, body: SchoolIn) -> dict[str, Any]:
    require_admin(user)
    store = store_of(request)
    if store.lookup.school(school_id) is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    store.directory.update_school(school_id, body.name, body.city, body.territory, body.address)
    school = store.lookup.school(school_id)
    assert school is not None
    return _school(school)


@router.get("/sectors", response_model=list[SectorOut])
def sectors(request: Request, user: User) -> list[dict[str, Any]]:
    """The installed sectors a cohort can be opened in, with their curriculum's version and
    hours per phase."""
    catalog = gestes_of(request).catalog
    return [
        {
            "id": sector_id,
            "name": sector.sector.name,
            "curriculum": sector.curriculum.id,
            "version": sector.curriculum.version,
            "hours": {p.value: h for p, h in sector.curriculum.hours_by_phase().items()},
        }
        for sector_id, sector in sorted(catalog.sectors.items())
    ]


class CohortIn(BaseModel):
    school: RowId
    sector: str = Field(max_length=60)
    name: str = Field(max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    trainers: list[RowId] = []
    hours: dict[str, int] = Field(default={}, description="Planned hours per phase to change")


def _cohort(request: Request, cohort_id: int) -> dict[str, Any]:
    cohort = store_of(request).lookup.cohort(cohort_id)
    assert cohort is not None
    return {
        "id": cohort.id,
        "school": cohort.school_id,
        "name": cohort.name,
        "sector": cohort.sector,
        "curriculum": cohort.curriculum,
        "version": cohort.curriculum_version,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "hours": dict(cohort.planned_hours),
        "trainers": list(cohort.trainers),
        "closed": cohort.closed,
    }


@router.post("/cohorts", response_model=CohortOut)
def create_cohort(request: Request, user: User, body: CohortIn) -> dict[str, Any]:
    """A cohort of any installed sector, pinned to its curriculum's current version."""
    require_coordinator(user)
    if not user.can_see_school(body.school):
        raise HTTPException(status_code=404, detail="Introuvable.")
    new = store_of(request).directory.create_cohort(
        body.school, body.sector, body.name, body.starts_on, body.ends_on, body.trainers, body.hours
    )
    return _cohort(request, new)


class TrainersIn(BaseModel):
    trainers: list[RowId]


@router.post("/cohorts/{cohort_id}/trainers", response_model=CohortOut)
def set_trainers(request: Request, user: User, cohort_id: Id, body: TrainersIn) -> dict[str, Any]:
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    store_of(request).directory.set_trainers(cohort_id, body.trainers)
    return _cohort(request, cohort_id)


@router.post("/cohorts/{cohort_id}/close", response_model=CohortOut)
def close_cohort(request: Request, user: User, cohort_id: Id) -> dict[str, Any]:
    """Read-only afterwards (exits can still be recorded); still in statistics."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    store_of(request).directory.close_cohort(cohort_id)
    return _cohort(request, cohort_id)


class LevelIn(BaseModel):
    competency: str = Field(max_length=120)
    level: str = Field(max_length=40)
    justification: str = Field(min_length=5, max_length=2000)
    observed_on: dt.date | None = Field(default=None, description="Default: today")
    key: str = Key


@router.post("/trainees/{trainee_id}/levels", response_model=Saved)
def decide_level(request: Request, user: User, trainee_id: Id, body: LevelIn) -> dict[str, Any]:
    """A trainer's direct decision on a competency's level, with its justification."""
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    recorded = store.observations.record_level(
        trainee_id,
        user.id,
        body.competency,
        body.level,
        body.justification,
        body.observed_on or dt.date.today(),
        f"level:{body.key}",
    )
    return {"id": recorded.id, "created": recorded.created}


class MoveIn(BaseModel):
    cohort: RowId = Field(description="Another cohort of the same sector")


@router.post("/trainees/{trainee_id}/move", response_model=Moved)
def move_trainee(request: Request, user: User, trainee_id: Id, body: MoveIn) -> dict[str, Any]:
    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    cohort_of(store, user, body.cohort)
    store.directory.move_trainee(trainee_id, body.cohort, dt.date.today(), user.id)
    return {"trainee": trainee_id, "cohort": body.cohort}


# ---------------------------------------------------------------- user administration


@router.get("/users", response_model=list[AccountOut])
def users(request: Request, user: User) -> list[dict[str, Any]]:
    """Every account with its role, state and schools (never its password hash); for a
    coordinator, the staff of their schools."""
    require_coordinator(user)
    return [
        {
            "id": account.id,
            "email": account.email,
            "name": account.name,
            "role": account.role,
            "active": account.active,
            "schools": list(account.schools),
        }
        for account in store_of(request).accounts.all()
        if user.is_admin or set(account.schools) & set(user.schools)
    ]


class UserIn(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    password: str = Field(max_length=200)
    role: Role
    schools: list[RowId] = []


@router.post("/users", response_model=AccountRef)
def create_user(request: Request, user: User, body: UserIn) -> dict[str, Any]:
    """An account; a coordinator creates trainers of their own schools (403 otherwise)."""
    require_coordinator(user)
    if not manages(user, body.role, body.schools):
        raise HTTPException(status_code=403, detail=OWN_TRAINERS)
    new = store_of(request).directory.create_user(
        body.email, body.name, body.password, body.role, body.schools, provisional=True
    )
    return {"id": new}


class PasswordResetIn(BaseModel):
    password: str = Field(max_length=200)


@router.post("/users/{user_id}/password", response_model=AccountRef)
def reset_password(
    request: Request, user: User, user_id: Id, body: PasswordResetIn
) -> dict[str, Any]:
    """A forgotten password replaced by an administrator; the account's sessions end."""
    replace_forgotten_password(request, user, user_id, body.password)
    return {"id": user_id}


class ActiveIn(BaseModel):
    active: bool


@router.post("/users/{user_id}/active", response_model=AccountActive)
def toggle_user(request: Request, user: User, user_id: Id, body: ActiveIn) -> dict[str, Any]:
    set_account_active(request, user, user_id, body.active)
    return {"id": user_id, "active": body.active}

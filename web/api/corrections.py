"""JSON API for correcting the year's set-up, with a trace (the same store functions as the
pages and the CLI): a cohort's name, dates and hours, a trainee's identity and entry date,
an account's name, role and schools; deleting a cohort or a trainee while nothing is
recorded for them; each one's history of changes (who, when, before, after)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from core.domain import Role
from web.actions import OWN_TRAINERS, account_of, manages
from web.deps import (
    Id,
    RowId,
    User,
    cohort_of,
    require_coordinator,
    store_of,
    trainee_of,
)

router = APIRouter(prefix="/api", tags=["api"])


class CorrectionOut(BaseModel):
    at: dt.datetime
    by: str = Field(description="Who made it (« ligne de commande » for the CLI)")
    entity: str = Field(description="account, cohort or trainee")
    entity_id: int
    field: str = Field(description="The field, in French: « nom », « date de fin »…")
    before: str | None
    after: str | None


class Changed(BaseModel):
    changed: int = Field(description="How many fields changed (each one in the history)")


class Deleted(BaseModel):
    deleted: bool


class CohortEdit(BaseModel):
    name: str = Field(max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    hours: dict[str, int] | None = Field(
        default=None, description="Planned hours per phase (remise_a_niveau, geste, immersion)"
    )


class TraineeEdit(BaseModel):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    external_ref: str | None = Field(default=None, max_length=60, description="France Travail")
    joined_on: dt.date | None = Field(default=None, description="Unset: the cohort's start")


class AccountEdit(BaseModel):
    name: str = Field(max_length=200)
    role: Role
    schools: list[RowId] = Field(default=[], description="At least one, unless admin")


def _said(corrections: list[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(c) for c in corrections]


@router.post("/cohorts/{cohort_id}/edit", response_model=Changed)
def edit_cohort(request: Request, user: User, cohort_id: Id, body: CohortEdit) -> dict[str, int]:
    """Name, dates and hours (400 when entries would fall outside the new dates)."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    changed = store_of(request).corrections.edit_cohort(
        cohort_id,
        user.id,
        name=body.name,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        planned_hours=body.hours,
    )
    return {"changed": changed}


@router.post("/cohorts/{cohort_id}/delete", response_model=Deleted)
def delete_cohort(request: Request, user: User, cohort_id: Id) -> dict[str, bool]:
    """A cohort with nothing recorded (400 otherwise), its trainees with it."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    store_of(request).corrections.delete_cohort(cohort_id, user.id)
    return {"deleted": True}


@router.get("/cohorts/{cohort_id}/history", response_model=list[CorrectionOut])
def cohort_history(request: Request, user: User, cohort_id: Id) -> list[dict[str, Any]]:
    """What was corrected in the cohort and its trainees, the latest first."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    return _said(store_of(request).corrections.of_cohort(cohort_id))


@router.post("/trainees/{trainee_id}/edit", response_model=Changed)
def edit_trainee(request: Request, user: User, trainee_id: Id, body: TraineeEdit) -> dict[str, int]:
    """Identity and entry date (within the cohort's dates, never after a first entry)."""
    require_coordinator(user)
    trainee_of(store_of(request), user, trainee_id)
    changed = store_of(request).corrections.edit_trainee(
        trainee_id,
        user.id,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        external_ref=body.external_ref,
        joined_on=body.joined_on,
    )
    return {"changed": changed}


@router.post("/trainees/{trainee_id}/delete", response_model=Deleted)
def delete_trainee(request: Request, user: User, trainee_id: Id) -> dict[str, bool]:
    """A trainee added by mistake, with nothing recorded (400 otherwise: an exit instead)."""
    require_coordinator(user)
    trainee_of(store_of(request), user, trainee_id)
    store_of(request).corrections.delete_trainee(trainee_id, user.id)
    return {"deleted": True}


@router.post("/users/{user_id}/edit", response_model=Changed)
def edit_account(request: Request, user: User, user_id: Id, body: AccountEdit) -> dict[str, int]:
    """Name, role and schools (400 for a trainer or coordinator with no school, or the last
    administrator made something else); a coordinator corrects the trainers of their own
    schools, who stay trainers of their schools (403 otherwise)."""
    account_of(request, user, user_id)
    if not manages(user, body.role, body.schools):
        raise HTTPException(status_code=403, detail=OWN_TRAINERS)
    changed = store_of(request).corrections.edit_account(
        user_id, user.id, name=body.name, role=body.role, schools=body.schools
    )
    return {"changed": changed}


@router.get("/users/{user_id}/history", response_model=list[CorrectionOut])
def account_history(request: Request, user: User, user_id: Id) -> list[dict[str, Any]]:
    account_of(request, user, user_id)
    return _said(store_of(request).corrections.history("account", [user_id]))

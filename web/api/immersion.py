"""JSON API for immersion (the same functions as the pages): a
trainee's placements and what their tutor recorded, recording a placement, tutor links and
trainee codes (shown once), answering self-assessments, signing the booklet."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from core.immersion.placements import CompanyResult, Hiring, Placement, Rating, appraisal_criteria
from core.immersion.record import Immersion, SelfAssessment, Signature, Week
from web.actions import (
    answer_self_assessment,
    issue_trainee_code,
    issue_tutor_link,
    placement_of,
    record_placement,
    sign_booklet,
    withdraw_link,
)
from web.deps import Id, RowId, User, gestes_of, require_coordinator, trainee_of

router = APIRouter(prefix="/api", tags=["api"])


# ---------------------------------------------------------------- what the routes answer


class ObjectiveOut(BaseModel):
    label: str
    competency: str | None
    result: CompanyResult | None = Field(description="The tutor's latest; null: not yet seen")
    note: str


class AppraisalOut(BaseModel):
    ratings: dict[str, Rating] = Field(description="Per criterion key")
    text: str
    hiring: Hiring
    signer: str
    signed_at: dt.datetime


class ImmersionOut(BaseModel):
    """A placement and what its tutor recorded (latest entries)."""

    id: int
    trainee_id: int
    company: str
    employer: str | None = Field(description="The employer's catalog id, when it has one")
    tutor_name: str
    tutor_contact: str | None
    starts_on: dt.date
    ends_on: dt.date
    planned_hours: int
    hours_done: float
    days_absent: int
    objectives: list[ObjectiveOut]
    weeks: list[Week]
    appraisal: AppraisalOut | None


class ImmersionRecordOut(BaseModel):
    placements: list[ImmersionOut]
    criteria: dict[str, str] = Field(description="The appraisal's criteria: key and label")
    self_assessments: list[SelfAssessment]
    signatures: list[Signature] = Field(description="A null name: still awaited")


class LinkOut(BaseModel):
    url: str = Field(description="Shown once: only its hash is kept")


class CodeOut(BaseModel):
    code: str = Field(description="Shown once: only its hash is kept")
    url: str


class Revoked(BaseModel):
    revoked: bool


class Confirmed(BaseModel):
    confirmed: bool


class Signed(BaseModel):
    signed: bool


def _immersion(found: Immersion) -> dict[str, Any]:
    placement = dataclasses.asdict(found.placement)
    appraisal = found.appraisal
    return {
        **placement,
        "hours_done": found.hours_done,
        "days_absent": found.days_absent,
        "objectives": [
            {
                "label": o.objective.label,
                "competency": o.objective.competency,
                "result": o.result.value if o.result else None,
                "note": o.note,
            }
            for o in found.objectives
        ],
        "weeks": [dataclasses.asdict(w) for w in found.weeks],
        "appraisal": {
            "ratings": {c.key: r.value for c, r in appraisal.ratings},
            "text": appraisal.text,
            "hiring": appraisal.hiring.value,
            "signer": appraisal.signer,
            "signed_at": appraisal.signed_at,
        }
        if appraisal
        else None,
    }


@router.get("/trainees/{trainee_id}/immersion", response_model=ImmersionRecordOut)
def trainee_immersion(request: Request, user: User, trainee_id: Id) -> dict[str, Any]:
    """Placements with what their tutor recorded, self-assessments with the trainers'
    answers, and the booklet's signatures (``null`` name: still awaited)."""
    gestes = gestes_of(request)
    _, cohort = trainee_of(gestes.store, user, trainee_id)
    record = gestes.immersion_record(trainee_id)
    return {
        "placements": [_immersion(i) for i in record.immersions],
        "criteria": {c.key: c.label for c in appraisal_criteria(gestes.plugins, cohort.sector)},
        "self_assessments": [dataclasses.asdict(s) for s in record.self_assessed.values()],
        "signatures": [dataclasses.asdict(s) for s in record.signatures()],
    }


class PlacementIn(BaseModel):
    company: str = Field(max_length=200)
    employer: str | None = Field(default=None, max_length=120, description="Catalog id")
    tutor_name: str = Field(max_length=200)
    tutor_contact: str | None = Field(default=None, max_length=254)
    starts_on: dt.date
    ends_on: dt.date
    planned_hours: int = Field(ge=1, le=2000)
    objectives: list[str] | None = Field(
        default=None, max_length=40, description="Default: the employer's requirements"
    )


@router.post("/trainees/{trainee_id}/placements", response_model=Placement)
def create_placement(
    request: Request, user: User, trainee_id: Id, body: PlacementIn
) -> dict[str, Any]:
    require_coordinator(user)
    new = Placement(
        0,
        trainee_id,
        body.company,
        body.employer,
        body.tutor_name,
        body.tutor_contact,
        body.starts_on,
        body.ends_on,
        body.planned_hours,
        (),
    )
    lines = "\n".join(o[:300] for o in body.objectives) if body.objectives is not None else None
    return dataclasses.asdict(record_placement(request, user, new, lines))


@router.post("/placements/{placement_id}/links", response_model=LinkOut)
def create_tutor_link(request: Request, user: User, placement_id: Id) -> dict[str, str]:
    """The tutor's link. Returned once: only its hash is kept."""
    require_coordinator(user)
    return {"url": issue_tutor_link(request, user, placement_of(request, user, placement_id))}


@router.post("/trainees/{trainee_id}/access-code", response_model=CodeOut)
def create_trainee_code(request: Request, user: User, trainee_id: Id) -> dict[str, str]:
    """A code for the trainee's own page. Returned once: only its hash is kept."""
    trainee_of(gestes_of(request).store, user, trainee_id)
    code, where = issue_trainee_code(request, user, trainee_id)
    return {"code": code, "url": where}


@router.post("/links/{link_id}/revoke", response_model=Revoked)
def revoke_link(request: Request, user: User, link_id: Id) -> dict[str, bool]:
    withdraw_link(request, user, link_id)
    return {"revoked": True}


class AnswerIn(BaseModel):
    competency: str = Field(max_length=120)
    answers: RowId = Field(description="The self-assessment's id")
    confirmed: bool


@router.post("/trainees/{trainee_id}/confirmations", response_model=Confirmed)
def confirm(request: Request, user: User, trainee_id: Id, body: AnswerIn) -> dict[str, bool]:
    answer_self_assessment(request, user, trainee_id, body.competency, body.answers, body.confirmed)
    return {"confirmed": body.confirmed}


@router.post("/trainees/{trainee_id}/signature", response_model=Signed)
def sign(request: Request, user: User, trainee_id: Id) -> dict[str, bool]:
    """The signed-in trainer signs the booklet for the teaching team."""
    sign_booklet(request, user, trainee_id, consent=True)
    return {"signed": True}

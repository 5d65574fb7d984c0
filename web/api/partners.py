"""JSON API for a school's partner companies and candidates (the same store and checks as the
pages): companies listed, added, corrected (each change traced), the employer search — who
fits a company now —, and candidates added, taken through their steps and admitted into a
cohort. The coordination's only, for its own schools."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from core.catalog.definitions import Requirement
from core.domain import NewTrainee, RecordError
from core.partners import checked_fields, checked_requirements, search
from core.store import Candidate, Partner
from web.actions import candidate_of
from web.deps import Id, User, gestes_of, require_coordinator
from web.forms import today
from web.security import require_school

router = APIRouter(prefix="/api", tags=["api"])


class RequirementIo(BaseModel):
    competency: str = Field(max_length=120)
    min_level: str = Field(default="acquis", max_length=60)
    priority: Literal["essentielle", "importante", "appreciee"] = "importante"


class PartnerIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    sites: str = Field(default="", max_length=1000)
    contacts: str = Field(default="", max_length=1000)
    requirements: list[RequirementIo] = Field(min_length=1, max_length=30)


class NewPartnerIn(PartnerIn):
    based_on: str | None = Field(default=None, max_length=120, description="A shared profile")


class PartnerOut(BaseModel):
    id: int
    employer_id: str = Field(description="The id booklets and placements use")
    based_on: str | None
    name: str
    description: str
    sites: str
    contacts: str
    requirements: list[RequirementIo]


class VigilanceOut(BaseModel):
    competency: str
    status: str


class MatchOut(BaseModel):
    trainee_id: int
    name: str
    cohort: str
    met: int
    total: int
    percent: int
    vigilance: list[VigilanceOut]


def _out(p: Partner) -> PartnerOut:
    return PartnerOut(
        id=p.id, employer_id=p.employer_id, based_on=p.based_on, name=p.name,
        description=p.description, sites=p.sites, contacts=p.contacts,
        requirements=[RequirementIo(competency=r.competency, min_level=r.min_level,
                                    priority=r.priority.value) for r in p.requirements],
    )  # fmt: skip


def _checked(request: Request, body: PartnerIn) -> tuple[dict[str, str], tuple[Requirement, ...]]:
    fields = checked_fields(
        name=body.name, description=body.description, sites=body.sites, contacts=body.contacts
    )
    rows = [(r.competency, r.min_level, r.priority) for r in body.requirements]
    return fields, checked_requirements(gestes_of(request).catalog, rows)


@router.get("/schools/{school_id}/partners", response_model=list[PartnerOut])
def partners_api(request: Request, user: User, school_id: Id) -> list[PartnerOut]:
    require_coordinator(user)
    require_school(user, school_id)
    return [_out(p) for p in gestes_of(request).store.partners.of_school(school_id)]


@router.post("/schools/{school_id}/partners", response_model=PartnerOut)
def add_partner_api(request: Request, user: User, school_id: Id, body: NewPartnerIn) -> PartnerOut:
    """A company of the school, or its own profile of a shared one (``based_on``)."""
    require_coordinator(user)
    require_school(user, school_id)
    gestes = gestes_of(request)
    if body.based_on and body.based_on not in gestes.catalog.employers:
        raise HTTPException(status_code=404, detail="Profil inconnu.")
    try:
        fields, requirements = _checked(request, body)
        made = gestes.store.partners.add(
            school_id, fields.pop("name"), requirements, user.id, based_on=body.based_on,
            **fields,
        )  # fmt: skip
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _out(made)


@router.post("/partners/{partner_id}", response_model=PartnerOut)
def update_partner_api(request: Request, user: User, partner_id: Id, body: PartnerIn) -> PartnerOut:
    """Corrected: each changed field traced (who, when, before, after)."""
    require_coordinator(user)
    store = gestes_of(request).store
    found = store.partners.get(partner_id)
    if found is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    require_school(user, found.school_id)
    try:
        fields, requirements = _checked(request, body)
        store.partners.update(
            partner_id, found.school_id, user.id, requirements=requirements, **fields
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    updated = store.partners.get(partner_id)
    assert updated is not None
    return _out(updated)


@router.get("/schools/{school_id}/employer-search", response_model=list[MatchOut])
def employer_search_api(
    request: Request,
    user: User,
    school_id: Id,
    employer: Annotated[str, Query(max_length=120)],
    on: Annotated[dt.date | None, Query()] = None,
) -> list[MatchOut]:
    """The trainees of the school's running and recent cohorts who fit ``employer`` now."""
    require_coordinator(user)
    require_school(user, school_id)
    try:
        found = search(gestes_of(request), [school_id], employer, on or today())
    except RecordError:
        raise HTTPException(status_code=404, detail="Entreprise inconnue.") from None
    return [
        MatchOut(
            trainee_id=m.trainee_id, name=m.name, cohort=m.cohort, met=m.fit.met,
            total=m.fit.total, percent=m.fit.percent,
            vigilance=[VigilanceOut(competency=r.requirement.competency, status=r.status.value)
                       for r in m.vigilance],
        )
        for m in found
    ]  # fmt: skip


class CandidateIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    birth_date: dt.date | None = None
    prescriber: str | None = Field(default=None, max_length=120)


class CandidateStepsIn(BaseModel):
    info_on: dt.date | None = None
    interview_on: dt.date | None = None
    interviewer: str | None = Field(default=None, max_length=200)
    assessment: str | None = Field(default=None, max_length=2000)
    decision: Literal["admis", "attente", "pas_maintenant"] | None = None
    reason: str | None = Field(default=None, max_length=500)
    decided_on: dt.date | None = None


class CandidateOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    prescriber: str | None
    step: str
    decision: str | None
    decided_on: dt.date | None
    trainee_id: int | None
    erase_on: dt.date | None = Field(description="When a candidate not admitted is erased")


class AdmitIn(BaseModel):
    cohort: int


def _candidate_out(c: Candidate) -> CandidateOut:
    return CandidateOut(
        id=c.id, first_name=c.first_name, last_name=c.last_name, prescriber=c.prescriber,
        step=c.step, decision=c.decision, decided_on=c.decided_on, trainee_id=c.trainee_id,
        erase_on=c.erase_on(),
    )  # fmt: skip


@router.get("/schools/{school_id}/candidates", response_model=list[CandidateOut])
def candidates_api(request: Request, user: User, school_id: Id) -> list[CandidateOut]:
    require_coordinator(user)
    require_school(user, school_id)
    return [_candidate_out(c) for c in gestes_of(request).store.candidates.of_school(school_id)]


@router.post("/schools/{school_id}/candidates", response_model=CandidateOut)
def add_candidate_api(
    request: Request, user: User, school_id: Id, body: CandidateIn
) -> CandidateOut:
    require_coordinator(user)
    require_school(user, school_id)
    store = gestes_of(request).store
    new = NewTrainee(body.first_name, body.last_name, body.email, birth_date=body.birth_date,
                     phone=body.phone, prescriber=body.prescriber)  # fmt: skip
    try:
        made = store.candidates.add(school_id, new, user.id)
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    found = store.candidates.get(made)
    assert found is not None
    return _candidate_out(found)


@router.post("/candidates/{candidate_id}", response_model=CandidateOut)
def candidate_steps_api(
    request: Request, user: User, candidate_id: Id, body: CandidateStepsIn
) -> CandidateOut:
    """The information session, the interview, the decision (the fields given), traced."""
    found = candidate_of(request, user, candidate_id)
    store = gestes_of(request).store
    try:
        store.candidates.update(
            candidate_id, found.school_id, user.id, **body.model_dump(exclude_unset=True)
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _candidate_out(candidate_of(request, user, candidate_id))


@router.post("/candidates/{candidate_id}/admit", response_model=CandidateOut)
def admit_candidate_api(
    request: Request, user: User, candidate_id: Id, body: AdmitIn
) -> CandidateOut:
    """The admitted candidate becomes a trainee of ``cohort`` (one of the school's open)."""
    found = candidate_of(request, user, candidate_id)
    store = gestes_of(request).store
    if body.cohort not in {
        c.id for c, _ in store.lookup.cohorts([found.school_id]) if not c.closed
    }:
        raise HTTPException(status_code=404, detail="Promotion introuvable.")
    try:
        store.candidates.admit(candidate_id, found.school_id, body.cohort, user.id)
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _candidate_out(candidate_of(request, user, candidate_id))

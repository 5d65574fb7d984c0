"""JSON API for following trainees (the same derivation and store as the dashboard and the
trainee page): who is at risk in a cohort and why, the coordination's call log, the entry
profile, and the complaints register. The coordination's only: a trainer scores, the
coordination follows up."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from core.domain import RecordError
from core.followup.derive import at_risk
from core.followup.entry import entry_profile
from core.french import school_day
from web.actions import qualiopi_file
from web.deps import (
    Id,
    User,
    cohort_of,
    gestes_of,
    require_coordinator,
    served_at,
    store_of,
    trainee_of,
)
from web.forms import period
from web.security import require_school

router = APIRouter(prefix="/api", tags=["api"])


class SignalOut(BaseModel):
    kind: Literal["absences", "behind", "stuck", "tutor"]
    words: str


class AtRiskOut(BaseModel):
    trainee_id: int
    name: str
    cohort_id: int
    cohort: str
    signals: list[SignalOut]
    last_contact: dt.date | None
    contacts: int
    to_do: bool


class FollowUpIn(BaseModel):
    kind: Literal["appel", "entretien", "message", "autre"]
    outcome: str = Field(min_length=1, max_length=2000)
    happened_on: dt.date
    about: str = Field(default="", max_length=120, description="The alerts it answered")


class FollowUpOut(BaseModel):
    id: int
    kind: str
    about: str
    outcome: str
    happened_on: dt.date
    by: str
    recorded_at: dt.datetime


@router.get("/cohorts/{cohort_id}/at-risk", response_model=list[AtRiskOut])
def cohort_at_risk(request: Request, user: User, cohort_id: Id) -> list[AtRiskOut]:
    """The cohort's trainees at risk today, each reason in words, with the last contact."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    return [
        AtRiskOut(
            trainee_id=a.trainee_id,
            name=a.name,
            cohort_id=a.cohort_id,
            cohort=a.cohort,
            signals=[SignalOut(kind=s.kind, words=s.words) for s in a.signals],
            last_contact=a.last_contact,
            contacts=a.contacts,
            to_do=a.to_do,
        )
        for a in at_risk(gestes_of(request), [cohort_id])
    ]


class ProfileRow(BaseModel):
    dimension: str
    value: str
    trainees: int


class EntryProfileOut(BaseModel):
    trainees: int
    rows: list[ProfileRow]


@router.get("/cohorts/{cohort_id}/entry-profile", response_model=EntryProfileOut)
def cohort_entry_profile(request: Request, user: User, cohort_id: Id) -> EntryProfileOut:
    """How many trainees by prescriber, situation at entry, qualification and age band,
    from their records; « Non renseigné » counts what is missing."""
    require_coordinator(user)
    store = store_of(request)
    cohort = cohort_of(store, user, cohort_id)
    found = entry_profile(store.lookup.cohort_trainees(cohort_id), cohort.starts_on)
    return EntryProfileOut(
        trainees=found.trainees,
        rows=[ProfileRow(dimension=d, value=v, trainees=n) for d, v, n in found.rows()],
    )


@router.get("/trainees/{trainee_id}/followups", response_model=list[FollowUpOut])
def trainee_followups(request: Request, user: User, trainee_id: Id) -> list[FollowUpOut]:
    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    return [
        FollowUpOut(**{k: getattr(f, k) for k in FollowUpOut.model_fields})
        for f in store.followups.of(trainee_id)
    ]


@router.post("/trainees/{trainee_id}/followups", response_model=FollowUpOut)
def add_followup(request: Request, user: User, trainee_id: Id, body: FollowUpIn) -> FollowUpOut:
    """A contact logged (refused in the future, or without what came of it)."""
    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    try:
        new = store.followups.add(
            trainee_id, body.kind, body.outcome, body.happened_on, user.id, about=body.about
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    [added] = [f for f in store.followups.of(trainee_id) if f.id == new]
    return FollowUpOut(**{k: getattr(added, k) for k in FollowUpOut.model_fields})


class ComplaintIn(BaseModel):
    school: int
    received_on: dt.date
    source: Literal["stagiaire", "entreprise", "financeur", "prescripteur", "autre"]
    summary: str = Field(min_length=1, max_length=2000)


class ComplaintSteps(BaseModel):
    acknowledged_on: dt.date | None = None
    answered_on: dt.date | None = None
    answer: str | None = Field(default=None, max_length=2000)
    action: str | None = Field(default=None, max_length=2000, description="The improvement")


class ComplaintOut(ComplaintSteps):
    id: int
    school_id: int
    received_on: dt.date
    source: str
    summary: str
    state: Literal["reçue", "accusée", "répondue"]


def _complaint_out(found: Any) -> ComplaintOut:
    fields = {k: getattr(found, k) for k in ComplaintOut.model_fields}
    return ComplaintOut(**fields)


@router.get("/complaints", response_model=list[ComplaintOut])
def complaints(request: Request, user: User) -> list[ComplaintOut]:
    """The complaints register of the user's schools, the latest received first."""
    require_coordinator(user)
    register = store_of(request).complaints.of(None if user.is_admin else user.schools)
    return [_complaint_out(c) for c in register]


@router.post("/complaints", response_model=ComplaintOut)
def add_complaint(request: Request, user: User, body: ComplaintIn) -> ComplaintOut:
    require_coordinator(user)
    if not user.can_see_school(body.school):
        raise HTTPException(status_code=404, detail="Introuvable.")
    store = store_of(request)
    try:
        new = store.complaints.add(
            body.school, body.received_on, body.source, body.summary, user.id
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _complaint_out(store.complaints.get(new))


@router.post("/complaints/{complaint_id}", response_model=ComplaintOut)
def complaint_steps(
    request: Request, user: User, complaint_id: Id, body: ComplaintSteps
) -> ComplaintOut:
    """Acknowledged, answered (date and text), the improvement: each change traced."""
    require_coordinator(user)
    store = store_of(request)
    found = store.complaints.get(complaint_id)
    if found is None or not user.can_see_school(found.school_id):
        raise HTTPException(status_code=404, detail="Introuvable.")
    try:
        store.complaints.update(complaint_id, user.id, **body.model_dump())
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _complaint_out(store.complaints.get(complaint_id))


class IndicatorOut(BaseModel):
    number: int
    title: str
    evidence: list[str]
    held: bool
    link: str | None


@router.get("/schools/{school_id}/qualiopi", response_model=list[IndicatorOut])
def qualiopi_api(
    request: Request,
    user: User,
    school_id: Id,
    du: Annotated[dt.date | None, Query()] = None,
    au: Annotated[dt.date | None, Query()] = None,
) -> list[IndicatorOut]:
    """The school's Qualiopi file over a period (default: the last twelve months)."""
    start, end = period(du, au)
    return [
        IndicatorOut(
            number=i.number, title=i.title, evidence=list(i.evidence), held=i.held, link=i.link
        )
        for i in qualiopi_file(request, user, school_id, start, end).indicators
    ]


class QuestionOut(BaseModel):
    question: str
    answered: int
    satisfied: int


class OpinionResultsOut(BaseModel):
    questionnaire: str
    title: str
    respondents: int
    satisfied: int = Field(description="Respondents satisfied overall (the first question)")
    rate: int | None = Field(description="Satisfied respondents in percent; null without any")
    questions: list[QuestionOut]


class OpinionLinkIn(BaseModel):
    questionnaire: Literal["entreprise", "financeur"]
    who: str = Field(min_length=1, max_length=200)
    days: int = Field(default=30, ge=1, le=90)
    cohort: int | None = None


class OpinionLinkOut(BaseModel):
    url: str = Field(description="Shown once: only its hash is kept")
    expires_on: dt.date


@router.get("/schools/{school_id}/opinions", response_model=list[OpinionResultsOut])
def opinions_api(
    request: Request,
    user: User,
    school_id: Id,
    du: Annotated[dt.date | None, Query()] = None,
    au: Annotated[dt.date | None, Query()] = None,
) -> list[OpinionResultsOut]:
    """Each questionnaire's results over the answers given in the period (the last twelve
    months by default); the free text is not here: it stays on the school's page."""
    from core.followup.satisfaction import school_results

    require_coordinator(user)
    require_school(user, school_id)
    start, end = period(du, au)
    return [
        OpinionResultsOut(
            questionnaire=r.kind, title=r.title, respondents=r.respondents,
            satisfied=r.satisfied, rate=r.rate,
            questions=[QuestionOut(question=q.question, answered=q.answered,
                                   satisfied=q.satisfied) for q in r.questions],
        )
        for r in school_results(gestes_of(request), school_id, start, end)
    ]  # fmt: skip


@router.post("/schools/{school_id}/opinion-links", response_model=OpinionLinkOut)
def opinion_link_api(
    request: Request, user: User, school_id: Id, body: OpinionLinkIn
) -> OpinionLinkOut:
    """A questionnaire link for an employer or a funder."""
    require_coordinator(user)
    require_school(user, school_id)
    gestes = gestes_of(request)
    cohorts = {c.id for c, _ in gestes.store.lookup.cohorts([school_id])}
    if body.cohort is not None and body.cohort not in cohorts:
        raise HTTPException(status_code=404, detail="Introuvable.")
    today = school_day(dt.datetime.now(dt.UTC))
    try:
        _, code = gestes.store.opinions.create_link(
            school_id, body.questionnaire, body.who, body.days, today, user.id, body.cohort
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    url = f"{gestes.settings.address(served_at(request))}/avis/{code}"
    return OpinionLinkOut(url=url, expires_on=today + dt.timedelta(days=body.days))

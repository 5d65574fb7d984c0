"""JSON API for a trainee's record and its cohort: who is signed in, cohorts and grids, the
record, the booklet's data, comments, evidence, retractions, exits, imports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, Field

from core.booklet.data import BookletData
from core.domain import (
    ABANDON_REASONS,
    ExitDetails,
    ExitKind,
    NewTrainee,
    Role,
    numbered_problems,
)
from core.judging.record import TraineeRecord
from core.tabular import MAX_IMPORT_ROWS
from web.actions import change_own_password, receive_evidence, withdraw_booklet
from web.contract import Key, Saved, saved
from web.deps import (
    Id,
    User,
    cohort_of,
    gestes_of,
    observation_of,
    require_author_or_coordinator,
    require_coordinator,
    store_of,
    trainee_of,
    valid_key,
    visible_cohorts,
)

router = APIRouter(prefix="/api", tags=["api"])


# ---------------------------------------------------------------- what the routes answer


class Changed(BaseModel):
    changed: bool


class Revoked(BaseModel):
    revoked: bool


class Me(BaseModel):
    id: int
    name: str
    email: str
    role: Role
    schools: list[int]
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every write")


class CohortSummary(BaseModel):
    id: int
    name: str
    sector: str
    school: str
    territory: str
    starts_on: dt.date
    ends_on: dt.date


class GridRow(BaseModel):
    id: int
    name: str
    levels: list[str] = Field(description="One level code per competency, in their order")


class Grid(BaseModel):
    cohort: int
    sector: str
    competencies: list[str]
    trainees: list[GridRow]


class EvidenceOut(BaseModel):
    observation: int


class CohortExits(BaseModel):
    cohort: int
    trainees: int
    exited: int = Field(description="Trainees whose exit is known")
    unknown: int = Field(description="Trainees whose exit is not known (yet)")
    positive: int
    lasting: int = Field(description="CDI, alternance, a contract of 6 months or more")
    rate: float | None = Field(
        description="positive / trainees (an unknown exit is not a positive one)"
    )
    lasting_rate: float | None = Field(description="lasting / trainees")
    by_kind: dict[str, int]


class ExitGroup(BaseModel):
    key: str
    label: str
    trainees: int
    exited: int
    unknown: int
    positive: int
    lasting: int
    rate: float | None = Field(description="positive / trainees")
    lasting_rate: float | None = Field(description="lasting / trainees")
    by_kind: dict[str, int]


class Arrived(BaseModel):
    stored: bool = Field(description="Whether an entry sent under this key was stored")


class Imported(BaseModel):
    trainees: list[int] = Field(description="The new trainees' ids, in the order sent")


# ---------------------------------------------------------------- reading


class PasswordIn(BaseModel):
    current: str = Field(max_length=200)
    new: str = Field(max_length=200)
    confirm: str = Field(max_length=200)


@router.post("/me/password", response_model=Changed)
def change_password(request: Request, user: User, body: PasswordIn) -> dict[str, bool]:
    """Change one's own password: the current one is asked; every other session of the
    account ends at once (this one stays). Refusals say which field, in French."""

    change_own_password(request, user, body.current, body.new, body.confirm)
    return {"changed": True}


@router.get("/me", response_model=Me)
def me(user: User) -> dict[str, Any]:
    """Who is signed in, and the CSRF token to send as ``X-CSRF-Token`` on every write."""
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "schools": sorted(user.schools),
        "csrf_token": user.csrf_token,
    }


@router.get("/cohorts", response_model=list[CohortSummary])
def cohorts(request: Request, user: User) -> list[dict[str, Any]]:
    """The cohorts of the user's schools, newest first."""
    return [
        {
            "id": cohort.id,
            "name": cohort.name,
            "sector": cohort.sector,
            "school": school.name,
            "territory": school.territory,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
        }
        for cohort, school in visible_cohorts(store_of(request), user)
    ]


@router.get("/cohorts/{cohort_id}/grid", response_model=Grid)
def cohort_grid(request: Request, user: User, cohort_id: Id) -> dict[str, Any]:
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    grid = store.records.cohort_grid(cohort_id)
    return {
        "cohort": cohort_id,
        "sector": grid.sector,
        "competencies": list(grid.competencies),
        "trainees": [
            {"id": info.id, "name": info.full_name, "levels": list(levels)}
            for info, levels in grid.rows
        ],
    }


@router.get("/trainees/{trainee_id}", response_model=TraineeRecord)
def trainee_record(request: Request, user: User, trainee_id: Id) -> dict[str, Any]:
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    return store.records.trainee_record(trainee_id).model_dump(mode="json")


@router.get("/trainees/{trainee_id}/booklet", response_model=BookletData)
def booklet(
    request: Request, user: User, trainee_id: Id, employer: str = "", territory: str = ""
) -> dict[str, Any]:
    """The booklet's data (what the PDF prints), for one employer or a whole territory."""
    from core.booklet.handing import booklet_of

    gestes = gestes_of(request)
    store = gestes.store
    trainee_of(store, user, trainee_id)
    record = store.records.trainee_record(trainee_id)
    try:
        data = booklet_of(gestes, record, employer=employer or None, territory=territory or None)
    except KeyError:
        raise HTTPException(status_code=404, detail="Employeur ou territoire inconnu.") from None
    return data.model_dump(mode="json")


@router.post("/verifications/{code}/revoke", response_model=Revoked)
def revoke_booklet(request: Request, user: User, code: str) -> dict[str, bool]:
    """Withdraw a booklet handed out (its short verification code): its link then says so."""

    withdraw_booklet(request, user, code)
    return {"revoked": True}


# ---------------------------------------------------------------- comments, evidence, corrections


class CommentIn(BaseModel):
    observed_on: dt.date | None = Field(
        default=None, description="The day it was observed (default: today)"
    )
    text: str = Field(min_length=1, max_length=4000)
    key: str = Key


@router.get("/submitted/{submit_id}", response_model=Arrived)
def submitted(request: Request, user: User, submit_id: str) -> dict[str, bool]:
    """Whether a page's form sent under ``submit_id`` (a comment, a level decision, an exit)
    was stored: a page whose answer was lost asks it before offering to send again (the
    same key then, so that it is never stored twice). Another school's key answers false."""
    if not valid_key(submit_id):
        return {"stored": False}
    school = store_of(request).lookup.submitted(submit_id)
    return {"stored": school is not None and user.can_see_school(school)}


@router.post("/trainees/{trainee_id}/comments", response_model=Saved)
def add_comment(request: Request, user: User, trainee_id: Id, body: CommentIn) -> dict[str, Any]:
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    recorded = store.observations.record_comment(
        trainee_id, user.id, body.text, body.observed_on or dt.date.today(), f"comment:{body.key}"
    )
    return saved(recorded)


@router.post(
    "/observations/{observation_id}/evidence",
    response_model=EvidenceOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"photo": {"type": "string", "format": "binary"}},
                        "required": ["photo"],
                    }
                }
            }
        }
    },
)
async def add_evidence(request: Request, user: User, observation_id: Id) -> dict[str, Any]:
    """A photo (JPEG, PNG, WebP) or PDF report for an observation, posted as ``photo``."""
    await receive_evidence(request, user, observation_id)
    return {"observation": observation_id}


class RetractIn(BaseModel):
    reason: str = Field(min_length=5, max_length=500)


@router.post("/observations/{observation_id}/retract", response_model=Saved)
def retract(request: Request, user: User, observation_id: Id, body: RetractIn) -> dict[str, Any]:
    """Cancel a mistaken entry: a new observation supersedes it; nothing is erased."""
    store = store_of(request)
    require_author_or_coordinator(user, observation_of(store, user, observation_id))
    recorded = store.observations.retract(
        observation_id, user.id, body.reason, f"retract:{observation_id}"
    )
    return saved(recorded)


# ---------------------------------------------------------------- coordination


@router.get("/exits/breakdown", response_model=list[ExitGroup])
def exits_breakdown(
    request: Request,
    user: User,
    by: Annotated[str, Query(pattern="^(cohort|school|territory|sector)$")] = "cohort",
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Cohorts ended then")] = None,
) -> list[dict[str, Any]]:
    """Exits over all trainees of the user's schools, by cohort, school, territory or
    sector, for the cohorts that ended in ``year``: what a funder's report counts."""
    require_coordinator(user)
    schools = None if user.is_admin else user.schools
    return [
        {
            **s.__dict__,
            "by_kind": dict(s.by_kind),
            "unknown": s.unknown,
            "rate": s.rate,
            "lasting_rate": s.lasting_rate,
        }
        for s in store_of(request).exit_stats(by, schools, year)
    ]


class FollowUpOut(BaseModel):
    trainee_id: int
    name: str
    cohort: str
    months: int
    due_on: dt.date


@router.get("/follow-ups", response_model=list[FollowUpOut])
def follow_ups(request: Request, user: User) -> list[dict[str, Any]]:
    """Follow-ups at 3 and 6 months whose day has come and that nobody recorded yet (record
    them as an exit with ``follow_up``), the oldest first."""
    require_coordinator(user)
    schools = None if user.is_admin else user.schools
    return [d.__dict__ for d in store_of(request).follow_ups_due(schools)]


@router.get("/exits", response_model=list[CohortExits])
def exits(request: Request, user: User) -> list[dict[str, Any]]:
    """Per cohort of the user's schools: trainees, known exits, positive exits and rate."""
    require_coordinator(user)
    store = store_of(request)
    stats = {int(s.key): s for s in store.exit_stats("cohort")}
    answer = []
    for cohort, _ in visible_cohorts(store, user):
        if (found := stats.get(cohort.id)) is not None:
            answer.append(
                {
                    "cohort": cohort.id,
                    "trainees": found.trainees,
                    "exited": found.exited,
                    "unknown": found.unknown,
                    "positive": found.positive,
                    "lasting": found.lasting,
                    "rate": found.rate,
                    "lasting_rate": found.lasting_rate,
                    "by_kind": dict(found.by_kind),
                }
            )
    return answer


class TraineeIn(BaseModel):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    external_ref: str | None = Field(default=None, max_length=100)
    joined_on: dt.date | None = None
    birth_date: dt.date | None = None
    phone: str | None = Field(default=None, max_length=30)
    prescriber: str | None = Field(default=None, max_length=120)


@router.post("/cohorts/{cohort_id}/trainees", response_model=Imported)
def import_trainees(
    request: Request,
    user: User,
    cohort_id: Id,
    # The same cap as a file import, stated in the schema.
    body: Annotated[list[TraineeIn], Body(min_length=1, max_length=MAX_IMPORT_ROWS)],
    duplicates: Annotated[
        Literal["refuse", "skip", "update", "add"],
        Query(
            description="Trainees already in the school: refused (400 naming them), "
            "left out, updated with what is given (each change traced), or added anyway"
        ),
    ] = "refuse",
) -> dict[str, Any]:
    """Add trainees to a cohort: all of them, or none (every problem is listed); one already
    in the school (same e-mail, France Travail id or name) is never added twice unless
    asked."""
    require_coordinator(user)
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    trainees = [NewTrainee(**trainee.model_dump()) for trainee in body]
    problems = numbered_problems(trainees, "stagiaire")  # listed one by one, not joined
    if problems:
        listed = [{"field": "", "message": problem, "loc": ["body"]} for problem in problems]
        raise HTTPException(status_code=422, detail=listed)
    return {"trainees": store.directory.add_trainees(cohort_id, trainees, duplicates, user.id)}


class ExitIn(BaseModel):
    kind: ExitKind
    on: dt.date = Field(description="Never in the future, nor before the cohort began")
    reason: str | None = Field(
        default=None, description="An abandonment's: " + ", ".join(ABANDON_REASONS)
    )
    contract_months: int | None = Field(default=None, description="A CDD's or intérim's length")
    full_time: bool | None = None
    follow_up: int | None = Field(
        default=None, description="3 or 6: where the trainee is that many months after the end"
    )
    employer: str | None = Field(default=None, description="An employer of the catalog")
    employer_name: str | None = Field(default=None, max_length=200)
    key: str = Key


@router.post("/trainees/{trainee_id}/exit", response_model=Saved)
def record_exit(request: Request, user: User, trainee_id: Id, body: ExitIn) -> dict[str, Any]:
    """A trainee's exit (sortie): CDI, CDD, intérim, alternance, formation, sans solution."""
    require_coordinator(user)
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    recorded = store.observations.record_exit(
        trainee_id,
        user.id,
        body.kind,
        body.on,
        f"exit:{body.key}",
        employer=body.employer,
        employer_name=body.employer_name,
        details=ExitDetails(body.reason, body.contract_months, body.full_time, body.follow_up),
    )
    return saved(recorded)

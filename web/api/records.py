"""JSON API for the training floor and a trainee's record: cohorts and grids, taps, attempts,
evaluations, comments, evidence, retractions, exits, imports, booklets, one's password."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from pydantic import BaseModel, Field, field_validator, model_validator

from core.booklet.data import BookletData
from core.catalog.definitions import Autonomy, Gesture
from core.domain import (
    MAX_ATTEMPT_SECONDS,
    ExitKind,
    NewTrainee,
    RecordError,
    Role,
    numbered_problems,
)
from core.judging.attempts import AttemptOutcome, StepResult, attempt_outcome
from core.judging.evaluation import EvaluationScore, parse_submission
from core.judging.record import TraineeRecord
from core.store import LiveAttempt
from core.tabular import MAX_IMPORT_ROWS
from web.contract import Saved
from web.deps import (
    Id,
    User,
    check_evaluation,
    check_gesture,
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
from web.pages.cohorts import receive_evidence
from web.pages.scoring import submit_tap

router = APIRouter(prefix="/api", tags=["api"])

Key = Field(min_length=8, max_length=80, description="Idempotency key of this submit")


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


class LiveAttemptOut(BaseModel):
    steps: dict[str, StepResult] = Field(description="Each tapped step's latest result")
    counts: dict[str, int] = Field(description="How many taps each step had")
    outcome: AttemptOutcome | None = Field(description="Provisional; null before any tap")


class TapOut(Saved, LiveAttemptOut):
    """The tap stored, and the attempt so far."""


class AttemptOut(Saved):
    outcome: AttemptOutcome


class EvaluationOut(Saved):
    score: EvaluationScore


class EvidenceOut(BaseModel):
    observation: int


class CohortExits(BaseModel):
    cohort: int
    trainees: int
    exited: int = Field(description="Trainees whose exit is known")
    positive: int
    rate: float | None = Field(description="positive / exited; null while none is known")
    by_kind: dict[str, int]


class Imported(BaseModel):
    trainees: list[int] = Field(description="The new trainees' ids, in the order sent")


def _recorded(recorded: Any, **more: Any) -> dict[str, Any]:
    return {"id": recorded.id, "created": recorded.created, **more}


# ---------------------------------------------------------------- reading


class PasswordIn(BaseModel):
    current: str = Field(max_length=200)
    new: str = Field(max_length=200)
    confirm: str = Field(max_length=200)


@router.post("/me/password", response_model=Changed)
def change_password(request: Request, user: User, body: PasswordIn) -> dict[str, bool]:
    """Change one's own password: the current one is asked; every other session of the
    account ends at once (this one stays). Refusals say which field, in French."""
    from web.pages.auth import replace_password

    replace_password(request, user, body.current, body.new, body.confirm)
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
    from core.booklet.data import build_booklet

    gestes = gestes_of(request)
    store = gestes.store
    trainee_of(store, user, trainee_id)
    record = store.records.trainee_record(trainee_id)
    try:
        data = build_booklet(
            gestes.definitions_for(record.trainee),
            record,
            employer=employer or None,
            territory=territory or None,
            loop=gestes.loop(trainee_id),
        )
    except KeyError:
        raise HTTPException(status_code=404, detail="Employeur ou territoire inconnu.") from None
    return data.model_dump(mode="json")


@router.post("/verifications/{code}/revoke", response_model=Revoked)
def revoke_booklet(request: Request, user: User, code: str) -> dict[str, bool]:
    """Withdraw a booklet handed out (its short verification code): its link then says so."""
    from web.pages.booklets import withdraw_booklet

    withdraw_booklet(request, user, code)
    return {"revoked": True}


# ---------------------------------------------------------------- scoring


class TapIn(BaseModel):
    gesture: str
    attempt: str = Field(pattern=r"^[A-Za-z0-9]{8,40}$", description="Key of the live attempt")
    step: str = Field(max_length=60)
    result: StepResult
    tap: int = Field(default=0, ge=0, le=1000, description="How many times this step was tapped")
    observed_on: dt.date | None = Field(default=None, description="Default: today")


@router.post("/trainees/{trainee_id}/taps", response_model=TapOut)
async def tap_step(request: Request, user: User, trainee_id: Id, body: TapIn) -> dict[str, Any]:
    """One step of a live attempt, as the gesture page's buttons record it; answers with the
    attempt so far and its provisional outcome. Validate it with ``attempts``."""
    recorded = await submit_tap(
        request,
        user,
        trainee_id,
        body.gesture,
        body.attempt,
        body.step,
        body.result,
        body.tap,
        day=body.observed_on,
    )
    gesture = recorded.catalog.gesture(body.gesture)  # the cohort's curriculum's
    return _recorded(recorded, **_live(gesture, recorded.attempt))


@router.get(
    "/trainees/{trainee_id}/gestures/{gesture_id}/attempts/{attempt}",
    response_model=LiveAttemptOut,
)
def live_attempt(
    request: Request, user: User, trainee_id: Id, gesture_id: str, attempt: str
) -> dict[str, Any]:
    """A live attempt as tapped so far (to resume it on another device): each step's
    latest result, how many taps each had, and the provisional outcome."""
    gestes = gestes_of(request)
    store = gestes.store
    _, cohort = trainee_of(store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_gesture(catalog, cohort.sector, gesture_id)
    if not valid_key(attempt):
        raise HTTPException(status_code=400, detail="Tentative invalide.")
    return _live(catalog.gesture(gesture_id), store.taps.live_attempt(trainee_id, attempt))


def _live(gesture: Gesture, live: LiveAttempt) -> dict[str, Any]:
    """A live attempt as JSON: each step's latest result, its taps, the provisional outcome."""
    outcome = attempt_outcome(gesture, live.taps) if live.taps else None
    return {
        "steps": {step: result.value for step, result in live.taps.items()},
        "counts": live.counts,
        "outcome": outcome.model_dump(mode="json") if outcome else None,
    }


class AttemptIn(BaseModel):
    observed_on: dt.date | None = Field(
        default=None, description="The day it was observed (default: today)"
    )
    gesture: str
    steps: dict[str, StepResult] = Field(
        default={}, description="Every step's result; or leave empty and name a live attempt"
    )
    attempt: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9]{8,40}$", description="Validate these live taps"
    )
    autonomy: Autonomy = Field(
        description="How much help the trainee needed, never assumed: avec_aide, "
        "sous_controle, autonome, transmet (the forms' words), or 1 to 4"
    )
    seconds: int | None = Field(default=None, gt=0, le=MAX_ATTEMPT_SECONDS)
    key: str = Key
    supersedes: int | None = None

    @field_validator("autonomy", mode="before")
    @classmethod
    def _autonomy_words(cls, value: Any) -> Any:
        """The forms' words as well as the numbers."""
        if isinstance(value, str) and value.upper() in Autonomy.__members__:
            return Autonomy.from_key(value)
        return value

    @model_validator(mode="after")
    def _steps_or_attempt(self) -> AttemptIn:
        if bool(self.steps) == bool(self.attempt):
            raise ValueError("give either steps or the key of a live attempt")
        return self


@router.post("/trainees/{trainee_id}/attempts", response_model=AttemptOut)
def record_attempt(request: Request, user: User, trainee_id: Id, body: AttemptIn) -> dict[str, Any]:
    gestes = gestes_of(request)
    store = gestes.store
    _, cohort = trainee_of(store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_gesture(catalog, cohort.sector, body.gesture)
    steps = body.steps or store.taps.live_attempt(trainee_id, body.attempt or "").taps
    if not steps:
        raise RecordError("Aucune étape enregistrée pour cette tentative.")
    recorded = store.observations.record_attempt(
        trainee_id,
        user.id,
        body.gesture,
        steps,
        body.autonomy,
        body.observed_on or dt.date.today(),
        body.key,
        seconds=body.seconds,
        attempt_key=body.attempt,
        supersedes=body.supersedes,
    )
    return _recorded(recorded, outcome=recorded.outcome.model_dump(mode="json"))


class EvaluationIn(BaseModel):
    observed_on: dt.date | None = Field(
        default=None, description="The day it was observed (default: today)"
    )
    criteria: dict[str, bool] = {}
    measurements: dict[str, list[str]] = {}
    key: str = Key


@router.post("/trainees/{trainee_id}/evaluations/{evaluation_id}", response_model=EvaluationOut)
def record_evaluation(
    request: Request, user: User, trainee_id: Id, evaluation_id: str, body: EvaluationIn
) -> dict[str, Any]:
    gestes = gestes_of(request)
    store = gestes.store
    _, cohort = trainee_of(store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_evaluation(catalog, cohort.sector, evaluation_id)
    parsed = parse_submission(catalog.evaluation(evaluation_id), body.criteria, body.measurements)
    if isinstance(parsed, list):
        errors = [
            {
                "field": e.field,
                "message": e.message,
                "loc": ["body", "measurements", e.field, *([] if e.index is None else [e.index])],
            }
            for e in parsed
        ]
        raise HTTPException(status_code=422, detail=errors)
    recorded = store.observations.record_evaluation(
        trainee_id, user.id, evaluation_id, parsed, body.observed_on or dt.date.today(), body.key
    )
    return _recorded(recorded, score=recorded.score.model_dump(mode="json"))


# ---------------------------------------------------------------- comments, evidence, corrections


class CommentIn(BaseModel):
    observed_on: dt.date | None = Field(
        default=None, description="The day it was observed (default: today)"
    )
    text: str = Field(min_length=1, max_length=4000)
    key: str = Key


@router.post("/trainees/{trainee_id}/comments", response_model=Saved)
def add_comment(request: Request, user: User, trainee_id: Id, body: CommentIn) -> dict[str, Any]:
    store = store_of(request)
    trainee_of(store, user, trainee_id)
    recorded = store.observations.record_comment(
        trainee_id, user.id, body.text, body.observed_on or dt.date.today(), f"comment:{body.key}"
    )
    return _recorded(recorded)


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
    return _recorded(recorded)


# ---------------------------------------------------------------- coordination


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
                    "positive": found.positive,
                    "rate": found.rate,
                    "by_kind": dict(found.by_kind),
                }
            )
    return answer


class TraineeIn(BaseModel):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    external_ref: str | None = Field(default=None, max_length=100)


@router.post("/cohorts/{cohort_id}/trainees", response_model=Imported)
def import_trainees(
    request: Request,
    user: User,
    cohort_id: Id,
    # The same cap as a file import, stated in the schema.
    body: Annotated[list[TraineeIn], Body(min_length=1, max_length=MAX_IMPORT_ROWS)],
) -> dict[str, Any]:
    """Add trainees to a cohort: all of them, or none (every problem is listed)."""
    require_coordinator(user)
    store = store_of(request)
    cohort_of(store, user, cohort_id)
    trainees = [NewTrainee(**trainee.model_dump()) for trainee in body]
    problems = numbered_problems(trainees, "stagiaire")  # listed one by one, not joined
    if problems:
        listed = [{"field": "", "message": problem, "loc": ["body"]} for problem in problems]
        raise HTTPException(status_code=422, detail=listed)
    return {"trainees": store.directory.add_trainees(cohort_id, trainees)}


class ExitIn(BaseModel):
    kind: ExitKind
    on: dt.date
    employer: str | None = Field(default=None, description="An employer of the catalog")
    employer_name: str | None = Field(default=None, max_length=200)
    key: str = Key


@router.post("/trainees/{trainee_id}/outcome", response_model=Saved)
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
    )
    return _recorded(recorded)

"""JSON API for scoring on the training floor: live step taps, a live attempt resumed on
another device, attempts validated, practical evaluations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, field_validator, model_validator

from core.catalog.definitions import Autonomy, Gesture
from core.domain import (
    MAX_ATTEMPT_SECONDS,
    RecordError,
)
from core.judging.attempts import AttemptOutcome, StepResult, attempt_outcome
from core.judging.evaluation import EvaluationScore, parse_submission
from core.store import LiveAttempt
from web.actions import DEVICE, MAX_MILLIS, Made, submit_tap
from web.contract import Key, Saved, saved
from web.deps import (
    Id,
    User,
    check_evaluation,
    check_gesture,
    gestes_of,
    trainee_of,
    valid_key,
)

router = APIRouter(prefix="/api", tags=["api"])


# ---------------------------------------------------------------- what the routes answer


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


# ---------------------------------------------------------------- scoring


class TapIn(BaseModel):
    gesture: str
    attempt: str = Field(pattern=r"^[A-Za-z0-9]{8,40}$", description="Key of the live attempt")
    step: str = Field(max_length=60)
    result: StepResult
    tap: int = Field(default=0, ge=0, le=1000, description="How many times this step was tapped")
    observed_on: dt.date | None = Field(default=None, description="Default: the day made")
    made: int | None = Field(
        default=None, ge=0, le=MAX_MILLIS, description="When it was made (epoch ms); default: now"
    )
    device: str = Field(default="", pattern=DEVICE, description="The client's own id")
    seq: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="The client's count of its taps: with device, the idempotency key; on one "
        "device the higher count is the later tap, between devices the later moment",
    )


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
        made=Made.said(body.made, body.device, body.seq),
    )
    gesture = recorded.catalog.gesture(body.gesture)  # the cohort's curriculum's
    return saved(recorded, **_live(gesture, recorded.attempt))


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


class UnfinishedOut(BaseModel):
    attempt: str = Field(description="Key of the live attempt")
    gesture: str
    taps: int = Field(description="How many step taps it has")
    last: dt.datetime = Field(description="When its latest tap arrived")


class AbandonedOut(BaseModel):
    abandoned: int = Field(description="How many taps were retracted (kept, superseded)")


@router.get("/trainees/{trainee_id}/unfinished", response_model=list[UnfinishedOut])
def unfinished_attempts(request: Request, user: User, trainee_id: Id) -> list[dict[str, Any]]:
    """The trainee's attempts tapped but neither validated nor abandoned, the latest first."""
    store = gestes_of(request).store
    trainee_of(store, user, trainee_id)
    return [
        {"attempt": u.attempt_key, "gesture": u.gesture_id, "taps": u.taps, "last": u.last}
        for u in store.taps.unfinished(trainee_id)
    ]


@router.post("/trainees/{trainee_id}/attempts/{attempt}/abandon", response_model=AbandonedOut)
def abandon_attempt(request: Request, user: User, trainee_id: Id, attempt: str) -> dict[str, int]:
    """Give up an attempt left unvalidated: its taps are kept, superseded; a tap or a
    validation for it is refused afterwards."""
    store = gestes_of(request).store
    trainee_of(store, user, trainee_id)
    if not valid_key(attempt):
        raise HTTPException(status_code=400, detail="Tentative invalide.")
    return {"abandoned": store.observations.abandon_attempt(trainee_id, attempt, user.id)}


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
    return saved(recorded, outcome=recorded.outcome.model_dump(mode="json"))


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
    parsed = parse_submission(
        catalog.evaluation(evaluation_id), body.criteria, body.measurements, catalog.units
    )
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
    return saved(recorded, score=recorded.score.model_dump(mode="json"))

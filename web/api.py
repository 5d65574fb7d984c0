"""JSON API under /api/: the same operations as the pages, the same checks (session, CSRF
header on writes, role and school scope). Documented at /api/docs by FastAPI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from core.attempts import StepResult
from core.evaluation import parse_submission
from core.models import Autonomy
from web.app import records_of, user_of
from web.pages import _check_evaluation, _check_gesture, _cohort, _trainee
from web.security import CurrentUser

router = APIRouter(prefix="/api", tags=["api"])
User = Annotated[CurrentUser, Depends(user_of)]


@router.get("/cohorts/{cohort_id}/grid")
def cohort_grid(request: Request, user: User, cohort_id: int) -> dict[str, Any]:
    records = records_of(request)
    _cohort(records, user, cohort_id)
    grid = records.cohort_grid(cohort_id)
    return {
        "cohort": cohort_id,
        "sector": grid.sector,
        "competencies": list(grid.competencies),
        "trainees": [
            {"id": info.id, "name": info.full_name, "levels": list(levels)}
            for info, levels in grid.rows
        ],
    }


@router.get("/trainees/{trainee_id}")
def trainee_record(request: Request, user: User, trainee_id: int) -> dict[str, Any]:
    records = records_of(request)
    _trainee(records, user, trainee_id)
    return records.trainee_record(trainee_id).model_dump(mode="json")


class AttemptIn(BaseModel):
    gesture: str
    steps: dict[str, StepResult]
    autonomy: Autonomy = Autonomy.AUTONOME
    seconds: int | None = Field(default=None, gt=0, le=24 * 3600)
    key: str = Field(min_length=8, max_length=80, description="Idempotency key of this submit")
    supersedes: int | None = None


@router.post("/trainees/{trainee_id}/attempts")
def record_attempt(
    request: Request, user: User, trainee_id: int, body: AttemptIn
) -> dict[str, Any]:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    _check_gesture(records, cohort.sector, body.gesture)
    recorded = records.record_attempt(
        trainee_id,
        user.id,
        body.gesture,
        body.steps,
        body.autonomy,
        dt.date.today(),
        body.key,
        seconds=body.seconds,
        supersedes=body.supersedes,
    )
    return {
        "id": recorded.id,
        "created": recorded.created,
        "outcome": recorded.outcome.model_dump(mode="json"),
    }


class EvaluationIn(BaseModel):
    criteria: dict[str, bool] = {}
    measurements: dict[str, list[str]] = {}
    key: str = Field(min_length=8, max_length=80)


@router.post("/trainees/{trainee_id}/evaluations/{evaluation_id}")
def record_evaluation(
    request: Request, user: User, trainee_id: int, evaluation_id: str, body: EvaluationIn
) -> dict[str, Any]:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    _check_evaluation(records, cohort, evaluation_id)
    parsed = parse_submission(
        records.catalog.evaluation(evaluation_id), body.criteria, body.measurements
    )
    if isinstance(parsed, list):
        raise HTTPException(status_code=422, detail=" ".join(e.message for e in parsed))
    recorded = records.record_evaluation(
        trainee_id, user.id, evaluation_id, parsed, dt.date.today(), body.key
    )
    return {
        "id": recorded.id,
        "created": recorded.created,
        "score": recorded.score.model_dump(mode="json"),
    }

"""JSON API for moving a cohort to a new version of its curriculum (the settings page's
review, the same store functions): what changes judgement, the levels that would change
trainee by trainee, the entries that block the move (cancel them with
``POST /api/observations/{id}/retract`` or ``POST /api/trainees/{id}/attempts/{key}/abandon``),
the move itself (confirmed) and its undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from core.domain import RecordError
from web.deps import Id, User, cohort_of, require_coordinator, store_of

router = APIRouter(prefix="/api", tags=["api"])


class ChangeOut(BaseModel):
    kind: str = Field(description="competency, gesture, evaluation, module; scale or rule")
    id: str
    what: str = Field(description="added, removed, renamed, or changed (judgement)")
    name: str
    old_name: str | None
    detail: str | None = Field(description="What changed in it, before → after (changed)")
    judgement: bool = Field(description="Whether it can change a level already reached")
    label: str = Field(description="The change in French, as the settings page says it")


class BlockingOut(BaseModel):
    ref: str = Field(description="How the page names it")
    trainee_id: int
    trainee: str
    day: dt.date
    kind: str = Field(description="attempt, step (an attempt never validated), evaluation, …")
    definition: str = Field(description="The removed definition it is about")
    observation_id: int | None = Field(description="Retract it (null: abandon the attempt)")
    attempt_key: str | None
    taps: int
    label: str


class ShiftOut(BaseModel):
    trainee_id: int
    trainee: str
    competency: str
    before: str
    after: str


class MoveOut(BaseModel):
    from_version: str
    to_version: str
    by: str
    at: dt.datetime
    undone: bool
    undoable: bool


class CurriculumOut(BaseModel):
    pinned: str
    installed: str
    changes: list[ChangeOut]
    blockers: list[str] = Field(description="Removed definitions the cohort's entries use")
    blocking: list[BlockingOut] = Field(description="Those entries, by trainee and day")
    shifts: list[ShiftOut] = Field(
        description="Levels that would change with the installed version (empty while blocked)"
    )
    known: bool
    last_move: MoveOut | None


class MoveIn(BaseModel):
    confirm: bool = Field(description="true: the levels that would change were read")


def _curriculum(request: Request, cohort_id: int) -> dict[str, Any]:
    store = store_of(request)
    status = store.curricula.status(cohort_id)
    shifts = (
        store.records.level_shifts(cohort_id, status.installed)
        if status.behind and status.known and not status.blocking
        else []
    )
    move = status.last_move
    return {
        "pinned": status.pinned,
        "installed": status.installed,
        "changes": [
            c.__dict__ | {"label": c.label, "judgement": c.judgement} for c in status.changes
        ],
        "blockers": [c.id for c in status.blockers],
        "blocking": [
            e.__dict__ | {"ref": e.ref, "label": e.label, "definition": e.about.id}
            for e in status.blocking
        ],
        "shifts": [s.__dict__ for s in shifts],
        "known": status.known,
        "last_move": None if move is None else move.__dict__,
    }


@router.get("/cohorts/{cohort_id}/curriculum", response_model=CurriculumOut)
def curriculum(request: Request, user: User, cohort_id: Id) -> dict[str, Any]:
    """The curriculum version the cohort follows, the installed one, what changed between
    them (judgement included), the entries that block the move, and — when nothing blocks
    it — every level that would change, trainee by trainee."""
    cohort_of(store_of(request), user, cohort_id)
    return _curriculum(request, cohort_id)


@router.post("/cohorts/{cohort_id}/curriculum", response_model=CurriculumOut)
def upgrade_curriculum(request: Request, user: User, cohort_id: Id, body: MoveIn) -> dict[str, Any]:
    """Move the cohort to the installed version, recorded as yours (400 without
    ``confirm``, or naming the entries that block it: whose, which day, what)."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    if not body.confirm:
        raise RecordError("Confirmez après avoir lu les niveaux qui changeraient.", "confirm")
    store_of(request).curricula.upgrade(cohort_id, user.id)
    return _curriculum(request, cohort_id)


@router.post("/cohorts/{cohort_id}/curriculum/undo", response_model=CurriculumOut)
def undo_curriculum(request: Request, user: User, cohort_id: Id) -> dict[str, Any]:
    """Back to the version the cohort left, while nothing was recorded since (400 then)."""
    require_coordinator(user)
    cohort_of(store_of(request), user, cohort_id)
    store_of(request).curricula.undo(cohort_id, user.id)
    return _curriculum(request, cohort_id)

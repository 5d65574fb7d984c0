"""JSON API for a trainee's positioning at entry and individual plan (the same functions as
the trainee page's *Positionnement et plan* and ``gestes positioning``/``gestes plan``):
read the entry file, record the diagnostic, add a plan line, end one. Trainers of the
cohort and the coordination."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from core.domain import RecordError
from core.followup import plans
from web.deps import Id, User, gestes_of, trainee_of
from web.forms import today

router = APIRouter(prefix="/api", tags=["api"])


class ItemOut(BaseModel):
    item: str = Field(description="A gesture's id, or a question's key")
    kind: Literal["gesture", "question"]
    label: str
    value: str | None = Field(description="What was recorded; null: not positioned")


class SinceEntryOut(BaseModel):
    competency: str
    block: str
    at_entry: str
    now: str


class PlanLineOut(BaseModel):
    id: int
    kind: str
    gesture: str | None
    text: str
    decided_on: dt.date
    by: str
    ended_on: dt.date | None


class EntryFileOut(BaseModel):
    observed_on: dt.date | None
    observed_by: list[str]
    items: list[ItemOut]
    since_entry: list[SinceEntryOut]
    plan: list[PlanLineOut]
    suggested_first: list[str] = Field(description="Gestures not done alone at entry, unplanned")


class PositioningIn(BaseModel):
    answers: dict[str, str] = Field(
        description="For a gesture: pas_fait, avec_aide or seul; for a question: a few words"
    )
    observed_on: dt.date


class PlanLineIn(BaseModel):
    kind: Literal["priorite", "temps", "module", "accessibilite", "autre"]
    text: str = Field(default="", max_length=500)
    gesture: str | None = Field(default=None, max_length=120)
    decided_on: dt.date


class EndIn(BaseModel):
    ended_on: dt.date | None = None


def _file(request: Request, trainee_id: int) -> EntryFileOut:
    found = plans.entry_file(gestes_of(request), trainee_id)
    values = found.snapshot.values
    items = [
        ItemOut(item=g.id, kind="gesture", label=g.name, value=values.get(g.id))
        for g in found.diagnostic.gestures
    ] + [
        ItemOut(item=q.key, kind="question", label=q.label, value=values.get(q.key))
        for q in found.diagnostic.questions
    ]
    return EntryFileOut(
        observed_on=found.snapshot.observed_on,
        observed_by=list(found.snapshot.by),
        items=items,
        since_entry=[
            SinceEntryOut(competency=s.competency, block=s.block, at_entry=s.at_entry, now=s.now)
            for s in found.since
        ],
        plan=[
            PlanLineOut(**{k: getattr(line, k) for k in PlanLineOut.model_fields})
            for line in found.plan
        ],
        suggested_first=[g.id for g in found.suggested],
    )


@router.get("/trainees/{trainee_id}/positioning", response_model=EntryFileOut)
def entry_file(request: Request, user: User, trainee_id: Id) -> EntryFileOut:
    """The diagnostic's items and what was recorded, progress since entry per competency,
    the individual plan and the gestures it would work first."""
    trainee_of(gestes_of(request).store, user, trainee_id)
    return _file(request, trainee_id)


@router.post("/trainees/{trainee_id}/positioning", response_model=EntryFileOut)
def record_positioning(
    request: Request, user: User, trainee_id: Id, body: PositioningIn
) -> EntryFileOut:
    """Record the diagnostic (an item recorded again is changed, with its trace)."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    try:
        plans.observe(gestes, trainee_id, body.answers, body.observed_on, user.id)
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _file(request, trainee_id)


@router.post("/trainees/{trainee_id}/plan", response_model=EntryFileOut)
def add_plan_line(request: Request, user: User, trainee_id: Id, body: PlanLineIn) -> EntryFileOut:
    """A line of the individual plan, signed by the caller: a gesture to work first
    (``priorite`` with ``gesture``) or an adaptation described in ``text``."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    try:
        plans.add_plan_line(
            gestes, trainee_id, body.kind, body.text, body.decided_on, user.id, body.gesture
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _file(request, trainee_id)


@router.post("/trainees/{trainee_id}/plan/{line_id}/end", response_model=EntryFileOut)
def end_plan_line(
    request: Request, user: User, trainee_id: Id, line_id: Id, body: EndIn
) -> EntryFileOut:
    """A plan line no longer needed, ended (today by default); it stays in the plan."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    try:
        gestes.store.positioning.end_line(trainee_id, line_id, body.ended_on or today(), user.id)
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return _file(request, trainee_id)

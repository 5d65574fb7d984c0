"""A trainee's entry file as pages, API and CLI read and write it: the diagnostic of their
cohort's curriculum, what it recorded, progress since entry per competency, the individual
plan and the gestures it would work first. The rules are ``core.followup.positioning``'s;
the rows are ``core.store.positioning``'s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.catalog.definitions import Gesture, Sector
from core.domain import RecordError
from core.followup.positioning import (
    Diagnostic,
    SinceEntry,
    checked_answers,
    checked_plan_line,
    diagnostic,
    since_entry,
    suggested_first,
)

if TYPE_CHECKING:
    from core.context import Gestes
    from core.judging.record import TraineeRecord
    from core.store import PlanLine, Snapshot


@dataclass(frozen=True)
class EntryFile:
    diagnostic: Diagnostic
    snapshot: Snapshot
    since: tuple[SinceEntry, ...]
    plan: list[PlanLine]
    suggested: tuple[Gesture, ...]

    def gesture_name(self, gesture_id: str | None) -> str:
        return next((g.name for g in self.diagnostic.gestures if g.id == gesture_id), "")


def entry_file(gestes: Gestes, trainee_id: int, record: TraineeRecord | None = None) -> EntryFile:
    """``record``: the trainee's, when the caller has read it already."""
    sector = _sector(gestes, trainee_id)
    found = diagnostic(sector)
    store = gestes.store
    snapshot = store.positioning.snapshot(trainee_id)
    plan = store.positioning.plan(trainee_id)
    planned = {line.gesture for line in plan if line.gesture and line.ended_on is None}
    return EntryFile(
        diagnostic=found,
        snapshot=snapshot,
        since=since_entry(
            sector, found, snapshot.values, record or store.records.trainee_record(trainee_id)
        ),
        plan=plan,
        suggested=suggested_first(found, snapshot.values, planned),
    )


def observe(
    gestes: Gestes, trainee_id: int, answers: Mapping[str, str], on: dt.date, by: int | None
) -> int:
    """Keep the diagnostic's observations and answers; how many items changed."""
    found = diagnostic(_sector(gestes, trainee_id))
    kept = checked_answers(found, answers)
    return gestes.store.positioning.observe(trainee_id, kept, found.labels(), on, by)


def add_plan_line(
    gestes: Gestes,
    trainee_id: int,
    kind: str,
    text: str,
    decided_on: dt.date,
    by: int | None,
    gesture: str | None = None,
) -> int:
    """A line of the individual plan; a gesture named must be one of the trade's."""
    sector = _sector(gestes, trainee_id)
    text = checked_plan_line(kind, text, gesture, decided_on)
    if gesture and gesture not in {g.id for g in sector.gestures}:
        raise RecordError(f"Geste inconnu : « {gesture} ».", "gesture")
    return gestes.store.positioning.add_line(
        trainee_id, kind, text, decided_on, by, gesture if kind == "priorite" else None
    )


def _sector(gestes: Gestes, trainee_id: int) -> Sector:
    scope = gestes.store.lookup.trainee_scope(trainee_id)
    cohort = gestes.store.lookup.cohort(scope.cohort_id) if scope else None
    if cohort is None:
        raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
    return gestes.catalog_for(cohort).sectors[cohort.sector]

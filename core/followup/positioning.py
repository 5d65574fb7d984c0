"""Positioning at entry and the individual plan (Qualiopi indicators 8 and 10), as pure
functions: which gestures and questions make a trade's diagnostic, what a trainee's entry
snapshot says per competency against the record today, and which gestures to work first.

A diagnostic observation is not an attempt: it is made in the first days, without scoring
pressure, and never counts toward a level — the record stays the floor's own. Progress since
entry sets the two side by side; a competency several diagnostic gestures evidence takes the
weakest of them at entry (never overstated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from core.catalog.definitions import Gesture, Sector
from core.catalog.positioning import PositioningQuestion
from core.domain import OBSERVED, PLAN_KINDS, RecordError
from core.french import school_day
from core.judging.record import TraineeRecord

NOT_POSITIONED = "Non positionné"


@dataclass(frozen=True)
class Diagnostic:
    gestures: tuple[Gesture, ...]
    questions: tuple[PositioningQuestion, ...]

    def labels(self) -> dict[str, str]:
        """Each item's label by its key: a gesture by its id, a question by its key."""
        return {g.id: g.name for g in self.gestures} | {q.key: q.label for q in self.questions}


def diagnostic(sector: Sector) -> Diagnostic:
    """The curriculum's positioning, or by default the first gesture (in the modules' order)
    that evidences a competency of each block."""
    declared = sector.curriculum.positioning
    by_id = {g.id: g for g in sector.gestures}
    if declared and declared.gestures:
        gestures = tuple(by_id[g] for g in declared.gestures if g in by_id)
    else:
        taught = [by_id[g] for m in sector.curriculum.modules for g in m.gestures if g in by_id]
        firsts: list[Gesture] = []
        for block in sector.blocks:
            ids = {c.id for c in block.competencies}
            first = next((g for g in taught if ids & set(g.competencies)), None)
            if first is not None and first not in firsts:
                firsts.append(first)
        gestures = tuple(firsts)
    return Diagnostic(gestures, declared.questions if declared else ())


def checked_answers(found: Diagnostic, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers kept (blank ones left out), refused in French naming the item when a
    gesture's observation is not one of OBSERVED, an item is not of the diagnostic, or an
    answer is too long."""
    labels = found.labels()
    gestures = {g.id for g in found.gestures}
    kept: dict[str, str] = {}
    for item, value in answers.items():
        value = value.strip()
        if item not in labels:
            raise RecordError(f"« {item} » ne fait pas partie du positionnement.", item)
        if not value:
            continue
        if item in gestures and value not in OBSERVED:
            said = ", ".join(f"« {v} »" for v in OBSERVED.values())
            raise RecordError(f"{labels[item]} : choisissez {said}.", item)
        if len(value) > 300:
            raise RecordError(f"{labels[item]} : 300 caractères au plus.", item)
        kept[item] = value
    if not kept:
        raise RecordError("Rien n'a été observé : notez au moins un geste ou une réponse.")
    return kept


@dataclass(frozen=True)
class SinceEntry:
    """One competency: what the diagnostic saw at entry, and its level in the record now."""

    competency: str
    block: str
    at_entry: str
    now: str
    tone: int  # the scale's tone of the level now (0 not observed … 4 beyond)


def since_entry(
    sector: Sector, found: Diagnostic, snapshot: Mapping[str, str], record: TraineeRecord
) -> tuple[SinceEntry, ...]:
    """Per competency a diagnostic gesture evidences, in the blocks' order; empty before any
    gesture was positioned."""
    if not any(g.id in snapshot for g in found.gestures):
        return ()
    scale = sector.curriculum.scale
    rows = []
    for block in sector.blocks:
        for competency in block.competencies:
            seen = [
                snapshot[g.id]
                for g in found.gestures
                if competency.id in g.competencies and snapshot.get(g.id) in OBSERVED
            ]
            if not any(competency.id in g.competencies for g in found.gestures):
                continue
            weakest = min(seen, key=list(OBSERVED).index) if seen else None
            level = record.levels.get(competency.id)
            code = level.level if level else scale.codes[0]
            rows.append(
                SinceEntry(
                    competency=competency.name,
                    block=block.name,
                    at_entry=OBSERVED[weakest] if weakest else NOT_POSITIONED,
                    now=scale.label(code),
                    tone=scale.tone(code),
                )
            )
    return tuple(rows)


def suggested_first(
    found: Diagnostic, snapshot: Mapping[str, str], planned: set[str]
) -> tuple[Gesture, ...]:
    """The diagnostic's gestures not done alone at entry and not yet in the plan: what the
    plan would work first, for the trainer to confirm."""
    return tuple(
        g
        for g in found.gestures
        if snapshot.get(g.id) in ("pas_fait", "avec_aide") and g.id not in planned
    )


def checked_plan_line(kind: str, text: str, gesture: str | None, decided_on: dt.date) -> str:
    """A plan line's text, stripped; refused in French beside its field when incomplete."""
    if kind not in PLAN_KINDS:
        raise RecordError("Choisissez le type de ligne du plan.", "kind")
    if kind == "priorite" and not gesture:
        raise RecordError("Choisissez le geste à travailler en premier.", "gesture")
    text = text.strip()
    if kind != "priorite" and not text:
        raise RecordError("Décrivez l'adaptation (par ex. « tiers temps aux épreuves »).", "text")
    if len(text) > 500:
        raise RecordError("500 caractères au plus.", "text")
    if decided_on > school_day(dt.datetime.now(dt.UTC)):
        raise RecordError("Une décision ne peut pas être datée dans le futur.", "decided_on")
    return text

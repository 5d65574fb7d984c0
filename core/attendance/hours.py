"""From a sheet's entries to each trainee's mark, and from a mark to the minutes done.

A trainee's entries are folded in the order they were *made* (the device's moment, then the
sheet's order), whatever order the network delivered them in: a signature made after an
« absent » means the trainee came late; an « absent » made after a signature undoes it.

Minutes done never overstate: nothing signed is nothing done; an arrival is rounded up and a
departure down to the school's step (a quarter of an hour by default), inside the session's
own times."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple


class Kind(enum.StrEnum):
    SIGNED = "signed"  # the trainee's own signature (a finger's strokes); minute: a late arrival
    ABSENT = "absent"  # marked absent by the trainer
    LEFT = "left"  # left before the end; minute: the departure
    CORRECTED = "corrected"  # a coordinator's correction, with its reason
    JUSTIFIED = "justified"  # an absence's reason (category, proof), by a coordinator
    COUNTERSIGNED = "countersigned"  # the trainer's signature of the whole sheet


JUSTIFICATIONS = {
    "maladie": "Maladie (arrêt ou certificat)",
    "rendez_vous": "Rendez-vous administratif ou d'emploi",
    "famille": "Raison familiale",
    "transport": "Transport (grève, panne)",
    "autre": "Autre motif accepté par l'école",
}


class Event(NamedTuple):
    """One entry as it bears on a trainee's mark (a tuple: a cohort's months hold thousands,
    and the hours are derived on every page that shows them)."""

    kind: Kind
    made_at: dt.datetime
    order: int  # the entry's place on its sheet: ties of the same moment
    minute: int | None = None
    present: bool | None = None  # a correction's verdict
    left: int | None = None  # a correction's departure
    category: str | None = None  # a justification's


@dataclass(frozen=True)
class Mark:
    """A trainee's half-day, as the sheet says it."""

    present: bool | None = None  # None: nothing recorded yet
    arrived: int | None = None  # minutes from midnight; None: on time
    left: int | None = None  # None: stayed to the end
    signed: bool = False  # their own signature is on the sheet
    corrected: bool = False
    justified: str | None = None  # an absence's reason category

    @property
    def status(self) -> str:
        """absent, retard, depart, retard_depart, present or vide (nothing recorded)."""
        if self.present is None:
            return "vide"
        if not self.present:
            return "absent"
        late, early = self.arrived is not None, self.left is not None
        return (
            "retard_depart"
            if late and early
            else "retard"
            if late
            else "depart"
            if early
            else "present"
        )


def fold_marks(events: Iterable[Event]) -> Mark:
    mark = Mark()
    for event in sorted(events, key=lambda e: (e.made_at, e.order)):
        if event.kind is Kind.SIGNED:
            mark = Mark(True, event.minute, None, True, mark.corrected, mark.justified)
        elif event.kind is Kind.ABSENT:
            mark = Mark(False, None, None, False, mark.corrected, mark.justified)
        elif event.kind is Kind.LEFT and mark.present:
            mark = Mark(
                True, mark.arrived, event.minute, mark.signed, mark.corrected, mark.justified
            )
        elif event.kind is Kind.CORRECTED:
            present = bool(event.present)
            arrived, left = (event.minute, event.left) if present else (None, None)
            mark = Mark(present, arrived, left, mark.signed, True, mark.justified)
        elif event.kind is Kind.JUSTIFIED:
            mark = Mark(
                mark.present, mark.arrived, mark.left, mark.signed, mark.corrected, event.category
            )
    return mark


def minutes_done(mark: Mark, starts: int, ends: int, step: int = 15) -> int:
    """The minutes of the session ``starts``–``ends`` the mark proves were attended."""
    if not mark.present:
        return 0
    begin = starts if mark.arrived is None else max(starts, -(-mark.arrived // step) * step)
    end = ends if mark.left is None else min(ends, mark.left // step * step)
    return max(0, end - begin)

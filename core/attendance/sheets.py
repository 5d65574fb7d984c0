"""A sheet read back: its chain checked, each trainee's line folded from their entries, the
flags an auditor would raise; and the hours every trainee did over a cohort's sheets."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.attendance.chain import GENESIS, first_broken
from core.attendance.hours import Event, Kind, Mark, fold_marks, minutes_done
from core.attendance.views import MARGIN, Flag, HoursDone, Line, Session, Sheet
from core.calendar_fr import public_holidays
from core.french import SCHOOL_TIME, clock

# More signatures than this in one minute on one device is flagged: a queue of trainees
# signs one every ten seconds or so; a sheet filled in a batch, faster.
SAME_MINUTE = 8
STEP = 15  # late arrivals and early departures counted to the quarter-hour, unless the
# school set its own step


@dataclass(frozen=True)
class Entry:
    """One stored line of a sheet, as read back."""

    session_id: int
    position: int
    key: str
    trainee_id: int | None
    kind: Kind
    made_at: dt.datetime  # aware, UTC
    received_at: dt.datetime
    device: str | None
    author_id: int | None
    minute: int | None
    present: bool | None
    left: int | None
    category: str | None
    reason: str | None
    strokes: list[list[int]] | None
    previous: str
    hash: str
    proof: str | None = None  # a justification's file, by its SHA-256
    proof_type: str | None = None

    def fields(self) -> dict[str, Any]:
        """What its hash covers: everything but the hashes themselves (a proof's file by its
        digest, named only when there is one)."""
        proof = {"proof": self.proof, "proof_type": self.proof_type} if self.proof else {}
        return proof | {
            "session": self.session_id,
            "position": self.position,
            "key": self.key,
            "trainee": self.trainee_id,
            "kind": self.kind.value,
            "made_at": self.made_at.isoformat(),
            "received_at": self.received_at.isoformat(),
            "device": self.device,
            "author": self.author_id,
            "minute": self.minute,
            "present": self.present,
            "left": self.left,
            "category": self.category,
            "reason": self.reason,
            "strokes": self.strokes,
        }

    def event(self) -> Event:
        return Event(
            self.kind, self.made_at, self.position, self.minute, self.present, self.left,
            self.category,
        )  # fmt: skip


def build_sheet(
    session: Session,
    entries: list[Entry],
    names: Mapping[int, str],
    today: dt.date,
    ends: tuple[int, str] | None = None,
    step: int = STEP,
) -> Sheet:
    """``ends``: the length and last hash the sheet's own row holds: an entry removed from
    the end of the chain shows there (the chain alone cannot see it)."""
    broken = first_broken((e.previous, e.hash, e.fields()) for e in entries)
    last = (len(entries), entries[-1].hash if entries else GENESIS)
    if broken is None and ends is not None and ends != last:
        broken = min(len(entries), ends[0])
    by_trainee: dict[int, list[Entry]] = defaultdict(list)
    countersign: Entry | None = None
    for entry in entries:
        if entry.kind is Kind.COUNTERSIGNED:
            countersign = entry
        elif entry.trainee_id is not None:
            by_trainee[entry.trainee_id].append(entry)
    lines = []
    for trainee, name in names.items():
        own = by_trainee.get(trainee, [])
        mark = fold_marks(e.event() for e in own)
        signature = next((e for e in reversed(own) if e.kind is Kind.SIGNED), None)
        proof = next((e for e in reversed(own) if e.proof), None)
        lines.append(
            Line(
                trainee,
                name,
                mark,
                minutes_done(mark, session.starts, session.ends, step),
                signature.strokes if signature and mark.signed else None,
                signature.made_at if signature and mark.signed else None,
                proof.proof if proof else None,
            )
        )
    return Sheet(
        session,
        lines,
        countersign.made_at if countersign else None,
        countersign.author_id if countersign else None,
        countersign.strokes if countersign else None,
        broken,
        _flags(session, entries, names, broken, countersign, today),
    )


def _flags(
    session: Session,
    entries: list[Entry],
    names: Mapping[int, str],
    broken: int | None,
    countersign: Entry | None,
    today: dt.date,
) -> list[Flag]:
    flags = []
    if broken is not None:
        words = (
            f"l'entrée n° {broken + 1} ne suit pas la précédente"
            if broken < len(entries)
            else "des entrées manquent à sa fin"
        )
        flags.append(Flag(broken, f"Feuille modifiée après coup : {words}."))
    if session.day in public_holidays(session.day.year):
        flags.append(Flag(None, "Demi-journée fixée un jour férié."))
    floor = [e for e in entries if e.kind in (Kind.SIGNED, Kind.COUNTERSIGNED)]
    for entry in floor:
        local = entry.made_at.astimezone(SCHOOL_TIME)
        minute = local.hour * 60 + local.minute
        if not session.starts - MARGIN <= minute <= session.ends + MARGIN:
            who = names.get(entry.trainee_id or 0, "la formatrice ou le formateur")
            flags.append(
                Flag(
                    entry.position,
                    f"Signature de {who} faite à {clock(minute)}, hors de la demi-journée.",
                )
            )
    crowd = Counter(
        (e.device, e.made_at.replace(second=0)) for e in entries if e.kind is Kind.SIGNED
    )
    for (device, at), count in sorted(crowd.items(), key=lambda item: item[0][1]):
        if device and count > SAME_MINUTE:
            local = at.astimezone(SCHOOL_TIME)
            flags.append(
                Flag(
                    None,
                    f"{count} signatures dans la même minute ({local:%H:%M}) sur un même appareil.",
                )
            )
    if countersign is None and session.day < today and not session.cancelled:
        flags.append(Flag(None, "Feuille non contresignée par la formatrice ou le formateur."))
    return flags


def hours_of(
    sessions: Iterable[Session],
    marks: Iterable[tuple[int, int, Event]],
    joined: Mapping[int, dt.date | None],
    today: dt.date,
    step: int = STEP,
) -> dict[int, HoursDone]:
    """Minutes attended and held per trainee, per phase and module, from each trainee's
    entries (session id, trainee id, event). A half-day held with nothing signed counts as an
    absence without justification: the record never overstates."""
    events: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for session_id, trainee_id, event in marks:
        events[(session_id, trainee_id)].append(event)
    done: dict[int, dict[str, Counter[str]]] = {}
    for trainee, since in joined.items():
        tally: dict[str, Counter[str]] = defaultdict(Counter)
        for session in sessions:
            if session.cancelled or session.day > today or (since and session.day < since):
                continue
            mark = fold_marks(events.get((session.id, trainee), []))
            minutes = minutes_done(mark, session.starts, session.ends, step)
            tally["held"][session.phase] += session.minutes
            tally["done"][session.phase] += minutes
            tally["module"][session.module] += minutes
            tally["n"][_absence_of(mark, session, today)] += 1
        done[trainee] = tally
    return {
        trainee: HoursDone(
            trainee,
            dict(tally["done"]),
            dict(tally["held"]),
            dict(tally["module"]),
            tally["n"]["unjustified"],
            tally["n"]["justified"],
            tally["n"]["partial"],
        )
        for trainee, tally in done.items()
    }


def _absence_of(mark: Mark, session: Session, today: dt.date) -> str:
    if mark.present:
        return "partial" if mark.arrived is not None or mark.left is not None else "present"
    if mark.present is None and session.day == today and not mark.justified:
        return "pending"  # today's sheet is still being signed
    return "justified" if mark.justified else "unjustified"

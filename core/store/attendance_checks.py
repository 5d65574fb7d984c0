"""What a sheet accepts: an entry to append (``NewEntry``) and the checks it must pass —
said in words, beside the field at fault. Pure: the store calls them inside its write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.attendance.hours import JUSTIFICATIONS, Kind
from core.attendance.views import MARGIN
from core.domain import RecordError
from core.french import SCHOOL_TIME, clock, school_day
from core.store import tables as t

ON_THE_FLOOR = {Kind.SIGNED, Kind.ABSENT, Kind.LEFT, Kind.COUNTERSIGNED}
CLOCK_AHEAD = dt.timedelta(minutes=5)  # a device's clock may run a little ahead, no more
KEY_REUSED = "Clé d'envoi déjà utilisée pour une autre saisie."


@dataclass(frozen=True)
class NewEntry:
    key: str
    kind: Kind
    author_id: int | None
    trainee_id: int | None = None  # None: the countersignature
    made_at: dt.datetime | None = None  # on the device; None: as it arrives
    device: str | None = None
    minute: int | None = None  # arrival (late) or departure, minutes from midnight
    present: bool | None = None  # a correction's verdict
    left: int | None = None  # a correction's departure
    category: str | None = None  # a justification's
    reason: str | None = None
    strokes: list[list[int]] | None = None
    proof: tuple[str, str] | None = None  # a justification's file: (SHA-256, media type)


def check_entry(
    row: t.AttendanceSession,
    new: NewEntry,
    made: dt.datetime,
    now: dt.datetime,
    trainee: t.Trainee | None,
) -> None:
    """Why this entry cannot join this sheet, raised in words."""
    if new.kind in ON_THE_FLOOR:
        if row.cancelled:
            raise RecordError("Cette demi-journée est annulée : rien ne s'y signe.")
        if made > now + CLOCK_AHEAD:
            raise RecordError("L'heure de cet appareil est en avance : réglez-la, puis signez.")
        if school_day(made) != row.day:
            raise RecordError(
                "Une feuille se signe le jour même, ni avant ni après : pour un autre jour, "
                "la coordination corrige la présence avec son motif."
            )
        local = made.astimezone(SCHOOL_TIME)
        opens = row.starts - MARGIN  # never ahead of its half-day (after it: said, not refused)
        if local.hour * 60 + local.minute < opens:
            raise RecordError(
                f"Cette demi-journée n'a pas commencé : elle se signe à partir de {clock(opens)}."
            )
    if new.kind in {Kind.SIGNED, Kind.COUNTERSIGNED}:
        check_strokes(new.strokes)
    if new.kind is Kind.CORRECTED and not (new.reason or "").strip():
        raise RecordError("Une correction dit son motif.", "reason")
    if new.kind is Kind.JUSTIFIED and new.category not in JUSTIFICATIONS:
        raise RecordError("Choisissez le motif de l'absence.", "category")
    if new.proof is not None and new.kind is not Kind.JUSTIFIED:
        raise RecordError("Une pièce se joint à une justification d'absence.", "proof")
    for value, name in ((new.minute, "minute"), (new.left, "left")):
        if value is not None and not row.starts <= value <= row.ends:
            raise RecordError("L'heure doit tomber dans la demi-journée.", name)
    if new.kind is Kind.COUNTERSIGNED:
        if new.trainee_id is not None:
            raise RecordError("La contresignature est celle du formateur ou de la formatrice.")
        return
    if trainee is None or trainee.cohort_id != row.cohort_id or trainee.erased_at is not None:
        raise RecordError("Ce ou cette stagiaire n'est pas sur cette feuille.")
    if trainee.joined_on is not None and trainee.joined_on > row.day:
        raise RecordError("Ce ou cette stagiaire n'avait pas encore rejoint la promotion.")


def check_strokes(strokes: list[list[int]] | None) -> None:
    """A signature is strokes: at most 100 of them, 4,000 points in all, inside the pad."""
    if not strokes:
        raise RecordError("Signez dans le cadre avant de valider.", "strokes")
    points = sum(len(stroke) for stroke in strokes) // 2
    shaped = all(
        isinstance(stroke, list)
        and len(stroke) % 2 == 0
        and all(isinstance(v, int) and 0 <= v <= 1000 for v in stroke)
        for stroke in strokes
    )
    if not shaped or len(strokes) > 100 or points > 4000:
        raise RecordError("Signature illisible : effacez et signez de nouveau.", "strokes")

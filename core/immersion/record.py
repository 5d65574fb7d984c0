"""What was recorded about a trainee during immersion, latest entries only: each immersion with
its tutor's observations, attendance and appraisal; self-assessments with the trainer's
answers; who signed the booklet. Pure functions over ``core.immersion.placements``'s entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.immersion.placements import (
    CompanyResult,
    Criterion,
    EntryKind,
    Hiring,
    Objective,
    Placement,
    PortfolioEntry,
    Rating,
)


@dataclass(frozen=True)
class ObjectiveSeen:
    objective: Objective
    result: CompanyResult | None  # the latest; None: not observed yet
    on: dt.date | None = None
    note: str = ""  # for the school: never printed in a booklet


@dataclass(frozen=True)
class Week:
    week: dt.date  # its Monday
    hours: float
    days_absent: int


@dataclass(frozen=True)
class Appraisal:
    ratings: tuple[tuple[Criterion, Rating], ...]
    text: str  # written for the booklet
    hiring: Hiring  # for the school only
    signer: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class Immersion:
    """One placement and what its tutor recorded, latest entries only."""

    placement: Placement
    objectives: tuple[ObjectiveSeen, ...]
    weeks: tuple[Week, ...]
    appraisal: Appraisal | None

    @property
    def hours_done(self) -> float:
        return sum(week.hours for week in self.weeks)

    @property
    def days_absent(self) -> int:
        return sum(week.days_absent for week in self.weeks)


def latest(entries: Iterable[PortfolioEntry], kind: EntryKind) -> dict[str, PortfolioEntry]:
    """The latest entry of ``kind`` about each subject (entries come in id order)."""
    found: dict[str, PortfolioEntry] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.kind is kind:
            found[entry.subject] = entry
    return found


def immersion(
    placement: Placement, entries: Iterable[PortfolioEntry], criteria: Sequence[Criterion]
) -> Immersion:
    mine = [e for e in entries if e.placement_id == placement.id]
    seen = latest(mine, EntryKind.COMPANY_OBSERVATION)
    objectives = []
    for number, objective in enumerate(placement.objectives, start=1):
        entry = seen.get(str(number))
        objectives.append(
            ObjectiveSeen(
                objective,
                CompanyResult(str(entry.payload["result"])) if entry else None,
                entry.recorded_at.date() if entry else None,
                str(entry.payload.get("note") or "") if entry else "",
            )
        )
    weeks = tuple(
        Week(
            dt.date.fromisoformat(key),
            float(str(e.payload["hours"])),
            int(str(e.payload["days_absent"])),
        )
        for key, e in sorted(latest(mine, EntryKind.ATTENDANCE).items())
    )
    appraisal = latest(mine, EntryKind.APPRAISAL).get("")
    return Immersion(
        placement,
        tuple(objectives),
        weeks,
        _appraisal(appraisal, criteria) if appraisal else None,
    )


def _appraisal(entry: PortfolioEntry, criteria: Sequence[Criterion]) -> Appraisal:
    given = entry.payload.get("ratings")
    ratings = given if isinstance(given, dict) else {}
    return Appraisal(
        ratings=tuple((c, Rating(str(ratings[c.key]))) for c in criteria if c.key in ratings),
        text=str(entry.payload.get("text") or ""),
        hiring=Hiring(str(entry.payload.get("hiring") or Hiring.NE_SAIT_PAS)),
        signer=entry.signer or "",
        signed_at=entry.recorded_at,
    )


@dataclass(frozen=True)
class SelfAssessment:
    """A trainee's word on a competency, and the trainer's answer when there is one."""

    competency: str
    can: bool
    on: dt.date
    entry_id: int  # what a trainer's answer refers to
    confirmed: bool | None = None  # None: the trainer has not answered this one yet
    confirmed_by: str | None = None
    confirmed_on: dt.date | None = None


def self_assessments(entries: Iterable[PortfolioEntry]) -> dict[str, SelfAssessment]:
    """The latest self-assessment of each competency, with the trainer's answer to it (an
    answer given to an earlier self-assessment does not carry over to a newer one)."""
    entries = list(entries)
    answers = latest(entries, EntryKind.CONFIRMATION)
    found = {}
    for competency, entry in latest(entries, EntryKind.SELF_ASSESSMENT).items():
        answer = answers.get(competency)
        current = answer is not None and answer.payload.get("answers") == entry.id
        found[competency] = SelfAssessment(
            competency,
            bool(entry.payload.get("can")),
            entry.recorded_at.date(),
            entry.id,
            bool(answer.payload.get("confirmed")) if answer and current else None,
            answer.author if answer and current else None,
            answer.recorded_at.date() if answer and current else None,
        )
    return found


@dataclass(frozen=True)
class Signature:
    role: str  # trainee, tutor or trainer
    name: str | None  # None: still awaited
    on: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class ImmersionRecord:
    """Everything recorded about one trainee during immersion: tutors, self-assessments,
    signatures."""

    immersions: tuple[Immersion, ...] = ()
    self_assessed: dict[str, SelfAssessment] = field(default_factory=dict)
    trainee_signature: PortfolioEntry | None = None
    trainer_signature: PortfolioEntry | None = None
    progress_shown: bool = False  # the trainee agreed to show progress since entry

    def signatures(self) -> tuple[Signature, ...]:
        """Trainee, tutor(s) and trainer: who signed and when, or what is still awaited."""
        trainee = self.trainee_signature
        trainer = self.trainer_signature
        tutors = [
            Signature(
                "tutor",
                i.appraisal.signer if i.appraisal else None,
                i.appraisal.signed_at.date() if i.appraisal else None,
                i.placement.company,
            )
            for i in self.immersions
        ] or [Signature("tutor", None, None, "aucune immersion enregistrée")]
        return (
            Signature(
                "trainee",
                trainee.signer if trainee else None,
                trainee.recorded_at.date() if trainee else None,
            ),
            *tutors,
            Signature(
                "trainer",
                trainer.author if trainer else None,
                trainer.recorded_at.date() if trainer else None,
            ),
        )


def immersion_record(
    placements: Sequence[Placement],
    entries: Sequence[PortfolioEntry],
    criteria: Sequence[Criterion],
) -> ImmersionRecord:
    signed = latest(entries, EntryKind.TRAINEE_SIGNATURE).get("")
    trainer = latest(entries, EntryKind.TRAINER_SIGNATURE).get("")
    return ImmersionRecord(
        immersions=tuple(immersion(p, entries, criteria) for p in placements),
        self_assessed=self_assessments(entries),
        trainee_signature=signed,
        trainer_signature=trainer,
        progress_shown=bool(shown.payload.get("shown"))
        if (shown := latest(entries, EntryKind.PROGRESS_SHOWN).get(""))
        else False,
    )

"""A cohort's entry profile as funders count it: how many trainees by prescriber, situation
at entry, level of qualification and age band — from the directory's own fields, never typed
a second time. Every count says how many are not known: a profile never overstates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from core.domain import AGE_BANDS, ENTRY_STATUSES, QUALIFICATIONS, Trainee, age_band

UNKNOWN = "Non renseigné"


@dataclass(frozen=True)
class EntryProfile:
    trainees: int
    prescribers: dict[str, int]
    statuses: dict[str, int]  # a trainee may count in several; « none said » counts apart
    qualifications: dict[str, int]
    ages: dict[str, int]

    def rows(self) -> list[tuple[str, str, int]]:
        """(dimension, value, trainees): the table pages, CSV and API print."""
        return [
            (dimension, value, count)
            for dimension, counts in (
                ("Prescripteur", self.prescribers),
                ("Situation à l'entrée", self.statuses),
                ("Niveau de qualification", self.qualifications),
                ("Âge à l'entrée", self.ages),
            )
            for value, count in counts.items()
        ]


def entry_profile(trainees: list[Trainee], cohort_start: dt.date) -> EntryProfile:
    """The profile of these trainees (the erased left out: their data is gone)."""
    kept = [t for t in trainees if not t.erased]
    prescribers = Counter(t.prescriber or UNKNOWN for t in kept)
    statuses = Counter(s for t in kept for s in t.statuses)
    ages = Counter(age_band(t.birth_date, t.joined_on or cohort_start) or UNKNOWN for t in kept)
    levels = Counter(t.qualification or "" for t in kept)
    return EntryProfile(
        trainees=len(kept),
        prescribers=dict(sorted(prescribers.items(), key=lambda p: (p[0] == UNKNOWN, -p[1]))),
        statuses={label: statuses[key] for key, label in ENTRY_STATUSES.items()}
        | {UNKNOWN: sum(1 for t in kept if not t.statuses)},
        qualifications={label: levels[key] for key, label in QUALIFICATIONS.items()}
        | {UNKNOWN: levels[""]},
        ages={band: ages[band] for band in AGE_BANDS} | {UNKNOWN: ages[UNKNOWN]},
    )

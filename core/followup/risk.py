"""Trainees at risk, said early, with the reason in words: a pure derivation from what the
record already holds, so that every page, export and the API say the same.

Four signals, each a fact a coordinator can check and act on (Qualiopi indicator 12: follow
engagement, prevent drop-out):

- **absences**: unjustified half-days absent at or past the school's threshold (the signed
  attendance sheets, the same count as the dashboard's *Présences à regarder*);
- **behind**: the training floor's progress (hours-weighted, the record's) more than
  ``GAP`` below the share of the programme's time already gone, once ``MIN_ELAPSED`` of it is
  gone (earlier, nobody is behind yet);
- **stuck**: a gesture tried ``STUCK`` times or more and never passed;
- **tutor**: in immersion, a placement ended over ``APPRAISAL_DAYS`` days ago with no
  appraisal, or an appraisal with half its criteria or more « à améliorer ».

Alerts are the school's: they never reach a booklet, a badge or an employer (the booklet is
built from the record alone; these are derived beside it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

GAP = 0.25  # progress this far below the time gone
MIN_ELAPSED = 0.3
STUCK = 3
APPRAISAL_DAYS = 7

KINDS = {
    "absences": "Absences",
    "behind": "Progression en retard",
    "stuck": "Échecs répétés",
    "tutor": "Retour du tuteur",
}


@dataclass(frozen=True)
class Signal:
    kind: str  # one of KINDS
    words: str  # the reason, in a sentence a coordinator reads

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Situation:
    """What the record says of one trainee today, gathered for the derivation."""

    unjustified: int = 0  # half-days absent without a justification
    threshold: int = 4  # the school's (or the installation's) alert threshold
    progress: float | None = None  # the training floor's, 0..1; None: no floor phase
    elapsed: float = 0.0  # share of the trainee's programme time gone, 0..1
    stuck: tuple[tuple[str, int], ...] = ()  # (gesture name, attempts), never passed
    appraisals_late: tuple[tuple[str, dt.date], ...] = ()  # (company, ended on)
    appraisals_poor: tuple[tuple[str, int, int], ...] = ()  # (company, poor, criteria)
    exited: bool = False  # gone: an exit is recorded, nothing to prevent any more


@dataclass(frozen=True)
class AtRisk:
    trainee_id: int
    name: str
    cohort_id: int
    cohort: str
    signals: tuple[Signal, ...]
    last_contact: dt.date | None = None
    contacts: int = 0

    @property
    def to_do(self) -> bool:
        """No contact logged since the week began to look: the coordination's to-do."""
        return self.last_contact is None or (dt.date.today() - self.last_contact).days > 7


@dataclass(frozen=True)
class Elapsed:
    starts_on: dt.date
    ends_on: dt.date
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def share(self) -> float:
        days = (self.ends_on - self.starts_on).days
        if days <= 0:
            return 1.0
        return min(1.0, max(0.0, (self.today - self.starts_on).days / days))


def signals(s: Situation) -> tuple[Signal, ...]:
    """The reasons a trainee is at risk, in words (empty: doing well, or gone)."""
    if s.exited:
        return ()
    found = []
    if s.unjustified >= s.threshold:
        found.append(
            Signal(
                "absences",
                f"{s.unjustified} demi-journées d'absence non justifiée (alerte à {s.threshold}).",
            )
        )
    if s.progress is not None and s.elapsed >= MIN_ELAPSED and s.progress < s.elapsed - GAP:
        found.append(
            Signal(
                "behind",
                f"Plateau technique avancé à {s.progress:.0%} alors que {s.elapsed:.0%} du "
                "parcours est passé.".replace("%", " %"),
            )
        )
    for gesture, attempts in s.stuck:
        found.append(Signal("stuck", f"« {gesture} » : {attempts} essais, aucun réussi."))
    for company, ended in s.appraisals_late:
        found.append(
            Signal(
                "tutor",
                f"Immersion chez {company} finie le {ended:%d/%m/%Y} : appréciation du tuteur "
                "toujours attendue.",
            )
        )
    for company, poor, criteria in s.appraisals_poor:
        found.append(
            Signal(
                "tutor",
                f"Le tuteur chez {company} juge {poor} critères sur {criteria} à améliorer.",
            )
        )
    return tuple(found)

"""The demo's positioning at entry and individual plans: every trainee positioned on their
trade's diagnostic the day after their cohort started, the gestures not done alone put first
in the plan of the first two, one adaptation per cohort (Qualiopi 8 and 10), and the first
trainee of each cohort showing their progress since entry in their booklet."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from core.followup import plans
from core.immersion.placements import EntryKind

if TYPE_CHECKING:
    from core.context import Gestes

_ANSWERS = {
    "materiel": ("Oui, a monté son PC", "Non, jamais", "Un peu, en dépannage chez des amis"),
    "anglais": ("Oui", "Quelques mots", "Non"),
    "attentes": ("Un CDI près de chez moi", "Un métier technique", "Reprendre un rythme"),
}
_ADAPTATIONS = (
    ("temps", "Tiers temps aux épreuves pratiques (dyslexie signalée à l'entrée)."),
    ("module", "Reprise du module de remise à niveau sur les unités électriques, 2 demi-journées."),
    ("accessibilite", "Poste de travail à hauteur réglable."),
)


def seed_entry(
    gestes: Gestes,
    rng: random.Random,
    trainees: list[int],
    starts_on: dt.date,
    trainer: int,
) -> None:
    day = starts_on + dt.timedelta(days=1)
    for n, trainee in enumerate(trainees):
        found = plans.entry_file(gestes, trainee).diagnostic
        answers = {
            g.id: rng.choice(("pas_fait", "avec_aide", "avec_aide", "seul")) for g in found.gestures
        }
        answers |= {q.key: rng.choice(_ANSWERS.get(q.key, ("Oui",))) for q in found.questions}
        plans.observe(gestes, trainee, answers, day, trainer)
        if n == 0:  # the first one agreed to show their way since entry in the booklet
            gestes.store.placements.add(trainee, EntryKind.PROGRESS_SHOWN, {"shown": True})
        if n < 2:
            for gesture in plans.entry_file(gestes, trainee).suggested[:2]:
                plans.add_plan_line(gestes, trainee, "priorite", "", day, trainer, gesture.id)
        if n == 2:
            kind, words = rng.choice(_ADAPTATIONS)
            plans.add_plan_line(gestes, trainee, kind, words, day + dt.timedelta(days=1), trainer)

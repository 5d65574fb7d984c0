"""The demo's opinions and complaints register: the trainees of ended cohorts answered the
end-of-training questionnaire (most of them), tutors answered beside their appraisal, a
partner company and a funder answered by link; one complaint received, acknowledged,
answered, and the improvement it led to (Qualiopi indicators 30, 31 and 32)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from core.followup.opinions import QUESTIONNAIRES

if TYPE_CHECKING:
    from core.context import Gestes

_WORDS = (
    "Merci aux formateurs, j'ai repris confiance.",
    "Le plateau technique est top, plus de temps sur la fibre.",
    "",
    "Les horaires étaient durs avec les transports.",
    "",
)


def seed_opinions(gestes: Gestes, rng: random.Random, today: dt.date, coordinator: int) -> None:
    store = gestes.store
    for cohort, school in store.lookup.cohorts(None):
        if cohort.ends_on > today + dt.timedelta(days=14):
            continue  # the end questionnaire is not open yet
        trainees = store.lookup.cohort_trainees(cohort.id)
        _tutors(gestes, rng, school.id, cohort.id, [t.id for t in trainees], today)
        for trainee in trainees:
            if rng.random() < 0.2:
                continue  # not everyone answers: the rate says how many did
            answers = {
                key: rng.choice((3, 3, 4, 4, 4, 2)) for key, _ in QUESTIONNAIRES["fin"].questions
            }
            store.opinions.answer(
                f"trainee:{trainee.id}:fin", school.id, "fin", answers, rng.choice(_WORDS),
                cohort.id, trainee.id,
            )  # fmt: skip
    schools = store.lookup.schools()
    if not schools:
        return
    first = schools[0].id
    for kind, who in (("entreprise", "Free Pro — Sophie Martin"), ("financeur", "Région")):
        link, _ = store.opinions.create_link(first, kind, who, 30, today, coordinator)
        answers = {key: 4 for key, _ in QUESTIONNAIRES[kind].questions}
        store.opinions.answer(f"link:{link}", first, kind, answers, "Partenariat à poursuivre.")
    _complaint(gestes, first, today, coordinator)


def _tutors(
    gestes: Gestes, rng: random.Random, school: int, cohort: int, trainees: list[int],
    today: dt.date,
) -> None:  # fmt: skip
    """Tutors whose immersion is over answered beside their appraisal."""
    for trainee in trainees:
        for placement in gestes.store.placements.of(trainee):
            if placement.ends_on >= today:
                continue
            answers = {key: rng.choice((3, 4, 4)) for key, _ in QUESTIONNAIRES["tuteur"].questions}
            gestes.store.opinions.answer(
                f"tutor:{placement.id}", school, "tuteur", answers,
                "Stagiaire motivé ; prévenir plus tôt des dates.", cohort, trainee,
            )  # fmt: skip


def _complaint(gestes: Gestes, school: int, today: dt.date, coordinator: int) -> None:
    complaints = gestes.store.complaints
    received = today - dt.timedelta(days=40)
    found = complaints.add(
        school, received, "stagiaire",
        "Le bruit de la ventilation en salle de brassage empêche d'entendre les consignes.",
        coordinator,
    )  # fmt: skip
    complaints.update(
        found, coordinator,
        acknowledged_on=received + dt.timedelta(days=2),
        answered_on=received + dt.timedelta(days=9),
        answer="Casques anti-bruit avec micro fournis ; consignes données hors de la salle.",
        action="Briefing de sécurité déplacé en salle de cours, avant l'entrée en salle.",
    )  # fmt: skip

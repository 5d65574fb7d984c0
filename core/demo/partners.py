"""The demo's partner companies — a school's own company, added by its coordinator with two
requirements, and its own profile of a shared one — and a candidate pipeline for each
school's next cohort: the partners' page, their booklets, the employer search and the
candidates show something from the first start."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from core.catalog.definitions import Priority, Requirement

if TYPE_CHECKING:
    from core.context import Gestes


def seed_partners(gestes: Gestes, coordinator: int) -> None:
    store = gestes.store
    for cohort, school in store.lookup.cohorts(None):
        sector = gestes.catalog.sectors[cohort.sector]
        first, second = sector.competencies[0], sector.competencies[-1]
        wants = (
            Requirement(competency=first.id, priority=Priority.ESSENTIELLE),
            Requirement(competency=second.id, min_level="en_cours", priority=Priority.IMPORTANTE),
        )
        store.partners.add(
            school.id, f"Entreprise locale — {sector.sector.name}", wants, coordinator,
            description="Appelée par la coordination : recrute deux personnes au printemps.",
            sites=school.city, contacts="Responsable d'exploitation — 03 20 00 00 00",
        )  # fmt: skip
        shared = gestes.catalog.employers_in(school.territory, sector=cohort.sector)
        if shared:
            base = shared[0]
            store.partners.add(
                school.id, base.name, base.requirements[:3], coordinator, based_on=base.id,
                description=f"Profil de l'école : {base.description or base.name}",
            )  # fmt: skip


_CANDIDATES = (
    ("Samir", "Benyahia", "France Travail", None),
    ("Julie", "Marchand", "Mission Locale", None),
    ("Moussa", "Traoré", "Mission Locale", "info"),
    ("Clara", "Petit", "Association Avenir", "admis"),
    ("Hugo", "Lambert", "France Travail", "attente"),
)


def seed_candidates(gestes: Gestes, today: dt.date, coordinator: int) -> None:
    """A pipeline for each school's next cohort: candidates just sent, one who came to the
    information session, one admitted (to enrol), one on the waiting list."""
    from core.domain import NewTrainee

    store = gestes.store.candidates
    for school in gestes.store.lookup.schools():
        for first, last, prescriber, step in _CANDIDATES:
            made = store.add(school.id, NewTrainee(first, last, prescriber=prescriber), coordinator)
            if step is None:
                continue
            steps: dict[str, object] = {"info_on": today - dt.timedelta(days=12)}
            if step != "info":
                steps |= {
                    "interview_on": today - dt.timedelta(days=5),
                    "interviewer": "Inès Coordinatrice",
                    "assessment": "Motivation claire pour le terrain ; a déjà travaillé en équipe.",
                    "decision": step,
                    "decided_on": today - dt.timedelta(days=4),
                }
            store.update(made, school.id, coordinator, **steps)

"""The demo's partner companies: a school's own company, added by its coordinator with two
requirements, and its own profile of a shared one — so that the partners' page, their
booklets and the employer search show something from the first start."""

from __future__ import annotations

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

"""What a school may say of a partner company (``core.store.partners`` keeps it): its name
and words within their lengths, and requirements that name a competency of the catalog, a
level of that competency's scale and a priority — each refusal in French beside the row at
fault. And the catalog a school's booklets read: the plugins' employers with the school's
own profiles over them (``with_partners``); and who fits a company now (``matches``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.catalog.catalog import Catalog
from core.catalog.definitions import Employer, Priority, Requirement
from core.domain import RecordError
from core.judging.fit import EmployerFit, RequirementStatus, employer_fit
from core.judging.record import TraineeRecord

if TYPE_CHECKING:
    from core.context import Gestes
    from core.store import Engagement, Partner

LIMITS = {"name": 200, "description": 2000, "sites": 1000, "contacts": 1000}


def checked_fields(**fields: str) -> dict[str, str]:
    kept = {name: value.strip() for name, value in fields.items()}
    if not kept.get("name"):
        raise RecordError("Le nom de l'entreprise est obligatoire.", "name")
    for name, value in kept.items():
        if len(value) > LIMITS[name]:
            raise RecordError(f"{LIMITS[name]} caractères au plus.", name)
    return kept


def checked_requirements(
    catalog: Catalog, rows: Iterable[tuple[str, str, str]]
) -> tuple[Requirement, ...]:
    """(competency, min level, priority) rows, the blank ones left out; refused at the
    first wrong row (« exigence 2 : … », field ``competency-2``), or when none is left."""
    kept: list[Requirement] = []
    for n, (competency, level, priority) in enumerate(rows, start=1):
        if not competency.strip():
            continue
        entry = catalog.entries.get(competency)
        if entry is None or entry.kind != "competency":
            raise RecordError(f"Exigence {n} : compétence inconnue.", f"competency-{n}")
        scale = catalog.grading(competency)[0]
        if level not in scale.codes[1:]:
            said = ", ".join(scale.label(c) for c in scale.codes[1:])
            raise RecordError(f"Exigence {n} : niveau parmi {said}.", f"level-{n}")
        if priority not in {p.value for p in Priority}:
            raise RecordError(
                f"Exigence {n} : essentielle, importante ou appréciée.", f"priority-{n}"
            )
        if any(r.competency == competency for r in kept):
            raise RecordError(
                f"Exigence {n} : cette compétence est déjà demandée.", f"competency-{n}"
            )
        kept.append(
            Requirement(competency=competency, min_level=level, priority=Priority(priority))
        )
    if not kept:
        raise RecordError("Au moins une exigence : une compétence et son niveau.", "competency-1")
    return tuple(kept)


def with_partners(catalog: Catalog, partners: dict[str, Employer]) -> Catalog:
    """The catalog with a school's own employer profiles over the plugins' (same id) and
    its new companies beside them."""
    return catalog.with_employers(partners) if partners else catalog


# ---------------------------------------------------------------- employer search

RECENT_DAYS = 183  # a cohort ended within six months is still proposed to employers
UNSEEN_DAYS = 183  # a company without a line for six months is « pas vue »


@dataclass(frozen=True)
class Match:
    """A trainee who fits an employer's requirements now: the fit, and what to watch."""

    trainee_id: int
    name: str
    cohort: str
    fit: EmployerFit

    @property
    def vigilance(self) -> tuple[RequirementStatus, ...]:
        """The requirements not met yet (« en progression » or « pas encore »)."""
        return self.fit.missing


def fits(fit: EmployerFit) -> bool:
    """A trainee fits when every essential requirement of their trade is met and at least
    one requirement is: never on the strength of « appréciées » alone."""
    return fit.essentials_met and fit.met > 0 and (fit.essentials_total > 0 or fit.met == fit.total)


def matches(catalog: Catalog, employer: Employer, records: Iterable[TraineeRecord]) -> list[Match]:
    """The trainees of ``records`` who fit ``employer`` now, the best fit first; those with
    an exit recorded (other than « sans solution ») are placed already and left out."""
    found = []
    for record in records:
        info = record.trainee
        if info.erased or not catalog.hires_in(employer, info.sector):
            continue
        if record.exit is not None and record.exit.kind != "sans_solution":
            continue
        fit = _fit(catalog, employer, record)
        if fits(fit):
            found.append(Match(info.id, info.full_name, info.cohort, fit))
    return sorted(found, key=lambda m: (m.fit.rank, m.name))


def _fit(catalog: Catalog, employer: Employer, record: TraineeRecord) -> EmployerFit:
    """As the booklet judges it (``core.booklet.employer.employer_part``): each competency by
    the catalog that defines it, the trainee's trade apart from the others."""
    trade = record.trainee.sector
    return employer_fit(
        employer,
        record.level_codes(),
        lambda c: catalog.defining(c).grading(c),
        lambda c: catalog.defining(c).sector_id(c) == trade,
    )


def search(
    gestes: Gestes, school_ids: Iterable[int], employer_id: str, today: dt.date
) -> list[Match]:
    """For a company (the school's own profile, or a shared one), the trainees of the
    schools' running and recent cohorts who fit it now, the best fit first. Unknown to a
    school's catalog: RecordError."""
    store = gestes.store
    own = {s: store.partners.employers(s) for s in set(school_ids)}
    known = {e for employers in own.values() for e in employers}
    if employer_id not in gestes.catalog.employers and employer_id not in known:
        raise RecordError(f"Entreprise inconnue : « {employer_id} ».", "employer")
    found: list[Match] = []
    for school_id, overlay in own.items():  # each school's profiles read once
        for cohort, _ in store.lookup.cohorts([school_id]):
            if cohort.starts_on > today or cohort.ends_on < today - dt.timedelta(RECENT_DAYS):
                continue
            catalog = with_partners(gestes.catalog_for(cohort), overlay)
            employer = catalog.employers.get(employer_id)
            if employer is not None:
                found += matches(catalog, employer, store.records.cohort_records(cohort.id))
    return sorted(found, key=lambda m: (m.fit.rank, m.name))


# ---------------------------------------------------------------- the territory view


@dataclass(frozen=True)
class Activity:
    """One company over the last twelve months, from its engagements' lines."""

    partner_id: int
    name: str
    last_seen: dt.date | None
    counts: dict[str, int]  # kind -> how many (a line counts its ``count``)
    unseen: bool  # not seen for six months (or never)

    @property
    def hosts(self) -> int:
        return self.counts.get("stage", 0)

    @property
    def hires(self) -> int:
        return self.counts.get("embauche", 0)


def territory_view(
    partners: Iterable[Partner], lines: Iterable[Engagement], today: dt.date
) -> list[Activity]:
    """Who hires, who hosts, who has not been seen for six months: each company with its
    counts over the last twelve months, those who hire first, the unseen last."""
    by_partner: dict[int, list[Engagement]] = {}
    for line in lines:
        by_partner.setdefault(line.partner_id, []).append(line)
    year_ago = today - dt.timedelta(days=365)
    found = []
    for partner in partners:
        own = by_partner.get(partner.id, [])
        last = max((e.on for e in own), default=None)
        counts: dict[str, int] = {}
        for e in own:
            if e.on >= year_ago:
                counts[e.kind] = counts.get(e.kind, 0) + e.count
        unseen = last is None or last < today - dt.timedelta(days=UNSEEN_DAYS)
        found.append(Activity(partner.id, partner.name, last, counts, unseen))
    return sorted(found, key=lambda a: (a.unseen, -a.hires, -a.hosts, a.name))

"""What a school may say of a partner company (``core.store.partners`` keeps it): its name
and words within their lengths, and requirements that name a competency of the catalog, a
level of that competency's scale and a priority — each refusal in French beside the row at
fault. And the catalog a school's booklets read: the plugins' employers with the school's
own profiles over them (``with_partners``)."""

from __future__ import annotations

from collections.abc import Iterable

from core.catalog.catalog import Catalog
from core.catalog.definitions import Employer, Priority, Requirement
from core.domain import RecordError

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

"""A school's partner companies: the employers of its territory it adds and edits itself —
what they do, their sites, their contacts (the school's only) and their requirements —
starting from the sector plugins' profiles, which stay the shared default. A school's own
profile of a plugin employer (``based_on``) overrides it for that school's booklets, fit and
placements; a new company gets an id of its own (``partenaire.e<school>.p<n>``). Every
change of a field is traced in ``changes`` (entity ``partner``: who, when, before, after).

What a requirement may say is checked in ``core.partners`` (pure); this module keeps it.
Its table is defined here, beside its only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.catalog.catalog import Catalog
from core.catalog.definitions import Employer, Requirement
from core.domain import RecordError
from core.store import tables as t
from core.store.changes import apply_changes, record_change
from core.store.database import Database

FIELDS = {
    "name": "nom",
    "description": "activité",
    "sites": "sites",
    "contacts": "contacts",
    "requirements": "exigences",
}


class PartnerRow(t.Base):
    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("school_id", "employer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    employer_id: Mapped[str] = mapped_column(String(120))  # the id booklets and fit use
    based_on: Mapped[str | None] = mapped_column(String(120))  # the plugin profile it overrides
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    sites: Mapped[str] = mapped_column(String(1000), default="")
    contacts: Mapped[str] = mapped_column(String(1000), default="")  # the school's only
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


@dataclass(frozen=True)
class Partner:
    id: int
    school_id: int
    employer_id: str
    based_on: str | None
    name: str
    description: str
    sites: str
    contacts: str
    requirements: tuple[Requirement, ...]

    def employer(self, territory: str) -> Employer:
        """The profile booklets, fit and placements read, in the school's territory."""
        return Employer(
            id=self.employer_id,
            name=self.name,
            territories=(territory,),
            description=self.description or None,
            requirements=self.requirements,
        )


class Partners:
    def __init__(self, database: Database, catalog: Catalog) -> None:
        self._db = database
        self._catalog = catalog

    def add(
        self,
        school_id: int,
        name: str,
        requirements: tuple[Requirement, ...],
        by: int | None,
        *,
        description: str = "",
        sites: str = "",
        contacts: str = "",
        based_on: str | None = None,
    ) -> Partner:
        """A company added by the school (or its own profile of a plugin's, ``based_on``)."""
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.", "school")
            if based_on and session.scalar(
                select(PartnerRow.id).where(
                    PartnerRow.school_id == school_id, PartnerRow.employer_id == based_on
                )
            ):
                raise RecordError("L'école a déjà son profil de cette entreprise.", "based_on")
            row = PartnerRow(
                school_id=school_id, employer_id=based_on or "", based_on=based_on,
                name=name, description=description, sites=sites, contacts=contacts,
                requirements=_dumped(requirements), author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            row.employer_id = based_on or f"partenaire.e{school_id}.p{row.id}"
            record_change(session, by, "partner", row.id, school_id, "entreprise", None, name)
            return _partner(row)

    def update(self, partner_id: int, school_id: int, by: int | None, **new: Any) -> int:
        """Fields of ``FIELDS`` changed, each traced (the requirements in words); how many
        changed."""
        wanted = new.pop("requirements", None)
        with self._db.write() as session:
            row = session.get(PartnerRow, partner_id)
            if row is None or row.school_id != school_id:
                raise RecordError(f"Entreprise n° {partner_id} introuvable.")
            changed = apply_changes(session, row, new, by, "partner", school_id, FIELDS)
            if wanted is not None and _dumped(wanted) != row.requirements:
                before = self._said(tuple(Requirement(**r) for r in row.requirements))
                record_change(
                    session, by, "partner", row.id, school_id, "exigences", before,
                    self._said(wanted),
                )  # fmt: skip
                row.requirements = _dumped(wanted)
                changed += 1
            return changed

    def _said(self, requirements: tuple[Requirement, ...]) -> str:
        """« Réaliser une soudure… : acquis (essentielle) ; … », as the history shows them."""
        entries = self._catalog.entries

        def name(competency: str) -> str:
            entry = entries.get(competency)
            return str(getattr(entry.definition, "name", competency)) if entry else competency

        said = (f"{name(r.competency)} : {r.min_level} ({r.priority.label.lower()})"
                for r in requirements)  # fmt: skip
        return " ; ".join(said)[:400]

    def of_school(self, school_id: int) -> list[Partner]:
        with self._db.read() as session:
            rows = session.scalars(
                select(PartnerRow)
                .where(PartnerRow.school_id == school_id)
                .order_by(PartnerRow.name)
            ).all()
            return [_partner(r) for r in rows]

    def employers(self, school_id: int) -> dict[str, Employer]:
        """The school's own profiles as the catalog's employers, in its territory, by id."""
        with self._db.read() as session:
            school = session.get(t.School, school_id)
            rows = session.scalars(select(PartnerRow).where(PartnerRow.school_id == school_id))
            territory = school.territory if school else ""
            return {r.employer_id: _partner(r).employer(territory) for r in rows}

    def get(self, partner_id: int) -> Partner | None:
        with self._db.read() as session:
            row = session.get(PartnerRow, partner_id)
            return _partner(row) if row else None


def _dumped(requirements: tuple[Requirement, ...]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in requirements]


def _partner(row: PartnerRow) -> Partner:
    return Partner(
        row.id, row.school_id, row.employer_id, row.based_on, row.name, row.description,
        row.sites, row.contacts, tuple(Requirement(**r) for r in row.requirements),
    )  # fmt: skip


def school_employer(
    session: Session, catalog: Catalog, school_id: int, employer_id: str | None
) -> Employer | None:
    """The school's own profile of ``employer_id``, else the catalog's; None if neither."""
    if not employer_id:
        return None
    row = session.scalar(
        select(PartnerRow).where(
            PartnerRow.school_id == school_id, PartnerRow.employer_id == employer_id
        )
    )
    if row is None:
        return catalog.employers.get(employer_id)
    school = session.get(t.School, school_id)
    return _partner(row).employer(school.territory if school else "")

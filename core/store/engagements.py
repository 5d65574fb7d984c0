"""What each partner company committed and did with the school, dated: internships offered
and hosted, mock interviews, site visits, talks, skills sponsorship, hires (with the trainee
hired) — the school's partners' report and its territory view (who hires, who hosts, who has
not been seen for six months) are counted from it. A line wrongly entered is withdrawn, with
its trace, never deleted.

Its table is defined here, beside its only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import RecordError
from core.store import tables as t
from core.store.changes import record_change
from core.store.database import Database
from core.store.partners import PartnerRow

KINDS = {
    "engagement": "Engagement avant la promotion",
    "offre_stage": "Stages proposés",
    "stage": "Stagiaire accueilli·e",
    "entretien_blanc": "Entretiens blancs",
    "visite": "Visite de site",
    "intervention": "Intervention, témoignage",
    "parrainage": "Parrainage de compétences",
    "embauche": "Embauche",
}


class EngagementRow(t.Base):
    __tablename__ = "engagements"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # KINDS
    on: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=1)
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Engagement:
    id: int
    partner_id: int
    kind: str
    on: dt.date
    count: int
    trainee_id: int | None
    note: str
    by: str

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)


class Engagements:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(
        self,
        partner_id: int,
        school_id: int,
        kind: str,
        on: dt.date,
        by: int | None,
        *,
        count: int = 1,
        trainee_id: int | None = None,
        note: str = "",
        today: dt.date | None = None,
    ) -> int:
        """A line of the company's record; refused in French beside its field."""
        if kind not in KINDS:
            raise RecordError("Choisissez ce que l'entreprise a fait.", "kind")
        if on > (today or dt.date.today()):
            raise RecordError("Pas de date dans le futur : notez ce qui a eu lieu.", "on")
        if not 1 <= count <= 100:
            raise RecordError("Combien : de 1 à 100.", "count")
        if len(note) > 500:
            raise RecordError("500 caractères au plus.", "note")
        with self._db.write() as session:
            partner = session.get(PartnerRow, partner_id)
            if partner is None or partner.school_id != school_id:
                raise RecordError(f"Entreprise n° {partner_id} introuvable.")
            if trainee_id is not None:
                school = session.scalar(
                    select(t.Cohort.school_id).join(t.Trainee).where(t.Trainee.id == trainee_id)
                )
                if school != school_id:
                    raise RecordError("Stagiaire inconnu·e de l'école.", "trainee")
            row = EngagementRow(
                partner_id=partner_id, kind=kind, on=on, count=count, trainee_id=trainee_id,
                note=note.strip(), author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id

    def withdraw(self, engagement_id: int, school_id: int, by: int | None) -> None:
        with self._db.write() as session:
            row = session.get(EngagementRow, engagement_id)
            partner = session.get(PartnerRow, row.partner_id) if row else None
            if row is None or partner is None or partner.school_id != school_id:
                raise RecordError(f"Ligne n° {engagement_id} introuvable.")
            if row.withdrawn_at is None:
                said = f"{KINDS.get(row.kind, row.kind)} du {row.on:%d/%m/%Y}"
                record_change(session, by, "partner", partner.id, school_id, "engagement retiré",
                              said, None)  # fmt: skip
                row.withdrawn_at = dt.datetime.now(dt.UTC)

    def of_school(self, school_id: int) -> list[Engagement]:
        """Every line of the school's companies (the withdrawn left out), the latest first."""
        with self._db.read() as session:
            rows = session.execute(
                select(EngagementRow, t.User.name)
                .join(PartnerRow, PartnerRow.id == EngagementRow.partner_id)
                .outerjoin(t.User, t.User.id == EngagementRow.author_id)
                .where(PartnerRow.school_id == school_id, EngagementRow.withdrawn_at.is_(None))
                .order_by(EngagementRow.on.desc(), EngagementRow.id.desc())
            ).all()
        return [
            Engagement(r.id, r.partner_id, r.kind, r.on, r.count, r.trainee_id, r.note,
                       name or "ligne de commande")
            for r, name in rows
        ]  # fmt: skip

"""A school's complaints register (Qualiopi indicator 31: complaints received, acknowledged,
answered; 32: the improvement each led to), with its dates. Each step after the first is a
correction of the row, traced in ``changes`` like every other (who, when, before, after).

Its table is defined here, beside its only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Date, DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import RecordError
from core.store import tables as t
from core.store.changes import apply_changes
from core.store.database import Database

SOURCES = {
    "stagiaire": "Stagiaire",
    "entreprise": "Entreprise",
    "financeur": "Financeur",
    "prescripteur": "Prescripteur",
    "autre": "Autre",
}
STEPS = {
    "acknowledged_on": "accusé de réception",
    "answered_on": "date de réponse",
    "answer": "réponse",
    "action": "action d'amélioration",
}


class ComplaintRow(t.Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))  # SOURCES
    summary: Mapped[str] = mapped_column(String(2000))
    acknowledged_on: Mapped[dt.date | None] = mapped_column(Date)
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(String(2000))
    action: Mapped[str | None] = mapped_column(String(2000))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)


@dataclass(frozen=True)
class Complaint:
    id: int
    school_id: int
    received_on: dt.date
    source: str
    summary: str
    acknowledged_on: dt.date | None
    answered_on: dt.date | None
    answer: str | None
    action: str | None

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def state(self) -> str:
        if self.answered_on:
            return "répondue"
        return "accusée" if self.acknowledged_on else "reçue"

    def days_to(self, day: dt.date | None) -> int | None:
        return (day - self.received_on).days if day else None


class Complaints:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(
        self, school_id: int, received_on: dt.date, source: str, summary: str, by: int | None
    ) -> int:
        if source not in SOURCES:
            raise RecordError(
                "Origine : stagiaire, entreprise, financeur, prescripteur, autre.", "source"
            )
        if not summary.strip() or len(summary) > 2000:
            raise RecordError("Résumez la réclamation (2 000 caractères au plus).", "summary")
        _not_future(received_on, "received_on")
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.", "school")
            row = ComplaintRow(
                school_id=school_id, received_on=received_on, source=source,
                summary=summary.strip(), author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id

    def update(
        self,
        complaint_id: int,
        by: int | None,
        *,
        acknowledged_on: dt.date | None,
        answered_on: dt.date | None,
        answer: str | None,
        action: str | None,
    ) -> int:
        """The register's next steps (or a correction of them), each change traced; how
        many fields changed. An answer needs its text and its date; no step before the
        complaint arrived, none in the future."""
        for field, day in (("acknowledged_on", acknowledged_on), ("answered_on", answered_on)):
            if day:
                _not_future(day, field)
        if bool(answered_on) != bool((answer or "").strip()):
            raise RecordError("Une réponse a sa date et son texte.", "answer")
        with self._db.write() as session:
            row = session.get(ComplaintRow, complaint_id)
            if row is None:
                raise RecordError("Réclamation inconnue.")
            for field, day in (("acknowledged_on", acknowledged_on), ("answered_on", answered_on)):
                if day and day < row.received_on:
                    raise RecordError("Pas avant la date de réception.", field)
            new = {
                "acknowledged_on": acknowledged_on,
                "answered_on": answered_on,
                "answer": (answer or "").strip()[:2000] or None,
                "action": (action or "").strip()[:2000] or None,
            }
            return apply_changes(session, row, new, by, "complaint", row.school_id, STEPS)

    def get(self, complaint_id: int) -> Complaint | None:
        with self._db.read() as session:
            row = session.get(ComplaintRow, complaint_id)
            return _complaint(row) if row else None

    def of(self, schools: Collection[int] | None) -> list[Complaint]:
        """The register of these schools (all: ``None``), the latest received first."""
        query = select(ComplaintRow).order_by(
            ComplaintRow.received_on.desc(), ComplaintRow.id.desc()
        )
        if schools is not None:
            query = query.where(ComplaintRow.school_id.in_(list(schools)))
        with self._db.read() as session:
            return [_complaint(row) for row in session.scalars(query)]


def _not_future(day: dt.date, field: str) -> None:
    if day > dt.date.today():
        raise RecordError("Pas de date dans le futur.", field)


def _complaint(row: ComplaintRow) -> Complaint:
    return Complaint(
        row.id, row.school_id, row.received_on, row.source, row.summary,
        row.acknowledged_on, row.answered_on, row.answer, row.action,
    )  # fmt: skip

"""The coordination's call log: each contact with a trainee at risk (a call, a meeting, a
message), what it was about and what came of it — the proof of a drop-out prevention
procedure auditors ask for (Qualiopi indicator 12). Written by the school, read by the
school: never in a booklet, an export for employers, or the trainee's own page.

Its table is defined here, beside its only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, DateTime, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import CONTACT_KINDS as KINDS
from core.domain import RecordError
from core.store import tables as t
from core.store.database import Database
from core.store.facts import aware


class FollowUpRow(t.Base):
    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # KINDS
    about: Mapped[str] = mapped_column(String(120))  # the alerts it answered (their kinds)
    outcome: Mapped[str] = mapped_column(String(2000))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)


@dataclass(frozen=True)
class FollowUp:
    id: int
    trainee_id: int
    kind: str
    about: str
    outcome: str
    happened_on: dt.date
    by: str
    recorded_at: dt.datetime

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)


class FollowUps:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(
        self,
        trainee_id: int,
        kind: str,
        outcome: str,
        happened_on: dt.date,
        by: int | None,
        about: str = "",
    ) -> int:
        """A contact logged; refused (in French, naming the field) when incomplete."""
        if kind not in KINDS:
            raise RecordError("Type de contact : appel, entretien, message ou autre.", "kind")
        if not outcome.strip() or len(outcome) > 2000:
            raise RecordError("Dites ce qui en est ressorti (2 000 caractères au plus).", "outcome")
        if happened_on > dt.date.today():
            raise RecordError("Un contact ne peut pas être daté dans le futur.", "happened_on")
        with self._db.write() as session:
            if session.get(t.Trainee, trainee_id) is None:
                raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
            row = FollowUpRow(
                trainee_id=trainee_id,
                kind=kind,
                about=about[:120],
                outcome=outcome.strip(),
                happened_on=happened_on,
                author_id=by,
            )
            session.add(row)
            session.flush()
            return row.id

    def of(self, trainee_id: int) -> list[FollowUp]:
        """A trainee's contacts, the latest first."""
        with self._db.read() as session:
            rows = session.execute(
                select(FollowUpRow, t.User.name)
                .outerjoin(t.User, t.User.id == FollowUpRow.author_id)
                .where(FollowUpRow.trainee_id == trainee_id)
                .order_by(FollowUpRow.happened_on.desc(), FollowUpRow.id.desc())
            ).all()
        return [
            FollowUp(
                r.id,
                r.trainee_id,
                r.kind,
                r.about,
                r.outcome,
                r.happened_on,
                name or "ligne de commande",
                aware(r.recorded_at),
            )
            for r, name in rows
        ]

    def last_contacts(self, trainee_ids: list[int]) -> dict[int, tuple[dt.date, int]]:
        """For each trainee with contacts: the latest day and how many."""
        if not trainee_ids:
            return {}
        with self._db.read() as session:
            rows = session.execute(
                select(
                    FollowUpRow.trainee_id,
                    func.max(FollowUpRow.happened_on),
                    func.count(FollowUpRow.id),
                )
                .where(FollowUpRow.trainee_id.in_(trainee_ids))
                .group_by(FollowUpRow.trainee_id)
            ).all()
        return {trainee: (day, count) for trainee, day, count in rows}

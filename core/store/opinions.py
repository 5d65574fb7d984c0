"""The opinions gathered (``core.followup.opinions`` says what is valid and counts them):
one answer per source — a trainee and a questionnaire, a tutor's placement, an outside
link — the latest replacing the earlier one (the value is the one made last); and the links
sent to employers and funders (only their code's hash kept, expiring, withdrawable).

Its tables are defined here, beside their only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import RecordError
from core.store import tables as t
from core.store.database import Database
from core.store.facts import aware

MAX_LINK_DAYS = 90


class OpinionRow(t.Base):
    __tablename__ = "opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80), unique=True)  # one answer per source
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"))
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id"), index=True)
    questionnaire: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(String(1000), default="")  # the school's only
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)


class OpinionLinkRow(t.Base):
    __tablename__ = "opinion_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"))
    questionnaire: Mapped[str] = mapped_column(String(20))
    who: Mapped[str] = mapped_column(String(200))  # « Free Pro — M. Martin », as the school says
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


@dataclass(frozen=True)
class Opinion:
    questionnaire: str
    cohort_id: int | None
    trainee_id: int | None
    answers: dict[str, int]
    text: str
    answered_at: dt.datetime


@dataclass(frozen=True)
class OpinionLink:
    id: int
    school_id: int
    cohort_id: int | None
    questionnaire: str
    who: str
    issued_on: dt.date
    expires_on: dt.date
    revoked_at: dt.datetime | None
    answered: bool = False

    def refusal(self, today: dt.date) -> str | None:
        if self.revoked_at is not None:
            return "Ce lien a été retiré par l'école."
        if today > self.expires_on:
            return f"Ce lien a expiré le {self.expires_on:%d/%m/%Y}."
        return None


def opinion_hash(code: str) -> str:
    return hashlib.sha256(f"opinion:{code}".encode()).hexdigest()


class Opinions:
    def __init__(self, database: Database) -> None:
        self._db = database

    def answer(
        self,
        source: str,
        school_id: int,
        questionnaire: str,
        answers: dict[str, int],
        text: str,
        cohort_id: int | None = None,
        trainee_id: int | None = None,
    ) -> None:
        """Keep an answer checked by ``core.followup.opinions.checked``; the same source
        answering again replaces its answer."""
        with self._db.write() as session:
            row = session.scalar(select(OpinionRow).where(OpinionRow.source == source))
            if row is None:
                row = OpinionRow(source=source)
                session.add(row)
            row.school_id, row.cohort_id, row.trainee_id = school_id, cohort_id, trainee_id
            row.questionnaire, row.answers, row.text = questionnaire, answers, text
            row.answered_at = dt.datetime.now(dt.UTC)

    def given(self, source: str) -> Opinion | None:
        with self._db.read() as session:
            row = session.scalar(select(OpinionRow).where(OpinionRow.source == source))
            return _opinion(row) if row else None

    def of_school(
        self, school_id: int, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[Opinion]:
        """The school's answers (answered within the period, when given), the latest first."""
        query: Any = select(OpinionRow).where(OpinionRow.school_id == school_id)
        if start is not None and end is not None:
            first = dt.datetime.combine(start, dt.time.min, dt.UTC)
            after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, dt.UTC)
            query = query.where(OpinionRow.answered_at >= first, OpinionRow.answered_at < after)
        with self._db.read() as session:
            rows = session.scalars(query.order_by(OpinionRow.answered_at.desc())).all()
            return [_opinion(r) for r in rows]

    def of_cohorts(self, cohort_ids: list[int], questionnaire: str) -> list[Opinion]:
        if not cohort_ids:
            return []
        with self._db.read() as session:
            rows = session.scalars(
                select(OpinionRow).where(
                    OpinionRow.cohort_id.in_(cohort_ids), OpinionRow.questionnaire == questionnaire
                )
            ).all()
            return [_opinion(r) for r in rows]

    def create_link(
        self,
        school_id: int,
        questionnaire: str,
        who: str,
        days: int,
        today: dt.date,
        by: int | None,
        cohort_id: int | None = None,
    ) -> tuple[int, str]:
        who = who.strip()
        if not who or len(who) > 200:
            raise RecordError("À qui est envoyé ce lien ? (200 caractères au plus)", "who")
        if not 1 <= days <= MAX_LINK_DAYS:
            raise RecordError(f"Durée du lien : de 1 à {MAX_LINK_DAYS} jours.", "jours")
        code = secrets.token_urlsafe(16)
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.", "ecole")
            row = OpinionLinkRow(
                code_hash=opinion_hash(code), school_id=school_id, cohort_id=cohort_id,
                questionnaire=questionnaire, who=who, issued_on=today,
                expires_on=today + dt.timedelta(days=days), author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id, code

    def open_link(self, code: str) -> OpinionLink | None:
        with self._db.read() as session:
            row = session.scalar(
                select(OpinionLinkRow).where(OpinionLinkRow.code_hash == opinion_hash(code[:64]))
            )
            return _link(row) if row else None

    def links_of(self, school_id: int) -> list[OpinionLink]:
        with self._db.read() as session:
            rows = session.scalars(
                select(OpinionLinkRow)
                .where(OpinionLinkRow.school_id == school_id)
                .order_by(OpinionLinkRow.id.desc())
            ).all()
            answered = set(
                session.scalars(
                    select(OpinionRow.source).where(
                        OpinionRow.source.in_([f"link:{r.id}" for r in rows])
                    )
                )
            )
            return [_link(r, f"link:{r.id}" in answered) for r in rows]

    def revoke_link(self, school_id: int, link_id: int) -> None:
        with self._db.write() as session:
            row = session.get(OpinionLinkRow, link_id)
            if row is None or row.school_id != school_id:
                raise RecordError(f"Lien n° {link_id} introuvable.")
            if row.revoked_at is None:
                row.revoked_at = dt.datetime.now(dt.UTC)


def _opinion(row: OpinionRow) -> Opinion:
    return Opinion(
        row.questionnaire, row.cohort_id, row.trainee_id, dict(row.answers), row.text,
        aware(row.answered_at),
    )  # fmt: skip


def _link(row: OpinionLinkRow, answered: bool = False) -> OpinionLink:
    return OpinionLink(
        row.id, row.school_id, row.cohort_id, row.questionnaire, row.who, row.issued_on,
        row.expires_on, aware(row.revoked_at) if row.revoked_at else None, answered,
    )  # fmt: skip

"""Auditor links: a school's Qualiopi file over a period, opened read-only by an auditor
without an account, with a sample of the period's trainees drawn when the link is made.
Only the code's hash is kept (a leaked database opens no link); a link expires on its date
and the coordination can withdraw it at once.

Its table is defined here, beside its only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from dataclasses import dataclass

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import RecordError
from core.store import tables as t
from core.store.database import Database
from core.store.facts import aware

MAX_DAYS = 30  # an audit lasts days, not months: a link never opens longer
SAMPLE = 6  # trainees an auditor can open, drawn among the period's


class AuditLinkRow(t.Base):
    __tablename__ = "audit_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)  # the period audited
    ends_on: Mapped[dt.date] = mapped_column(Date)
    sample: Mapped[list[int]] = mapped_column(JSON, default=list)  # trainee ids
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


@dataclass(frozen=True)
class AuditLink:
    id: int
    school_id: int
    starts_on: dt.date
    ends_on: dt.date
    sample: tuple[int, ...]
    issued_on: dt.date
    expires_on: dt.date
    revoked_at: dt.datetime | None
    by: str

    def refusal(self, today: dt.date) -> str | None:
        """Why the link no longer opens, in words; None while it does."""
        if self.revoked_at is not None:
            return "Ce lien a été retiré par l'école."
        if today > self.expires_on:
            return f"Ce lien a expiré le {self.expires_on:%d/%m/%Y} : demandez-en un à l'école."
        return None


def audit_hash(code: str) -> str:
    return hashlib.sha256(f"audit:{code}".encode()).hexdigest()


def drawn(trainees: list[int], code: str) -> list[int]:
    """The sample: up to SAMPLE of the period's trainees, drawn from the link's own code (a
    school cannot choose its best files), in id order."""
    rng = random.Random(code)
    return sorted(rng.sample(sorted(trainees), min(SAMPLE, len(trainees))))


class AuditLinks:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(
        self,
        school_id: int,
        start: dt.date,
        end: dt.date,
        trainees: list[int],
        days: int,
        today: dt.date,
        by: int | None,
    ) -> tuple[int, str]:
        """A new link's id and code (shown once: only its hash is kept)."""
        if end < start:
            raise RecordError("La fin de la période est avant son début.", "au")
        if not 1 <= days <= MAX_DAYS:
            raise RecordError(f"Durée du lien : de 1 à {MAX_DAYS} jours.", "jours")
        code = secrets.token_urlsafe(16)
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.", "ecole")
            row = AuditLinkRow(
                code_hash=audit_hash(code), school_id=school_id, starts_on=start, ends_on=end,
                sample=drawn(trainees, code), issued_on=today,
                expires_on=today + dt.timedelta(days=days), author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id, code

    def open(self, code: str) -> AuditLink | None:
        with self._db.read() as session:
            row = session.scalar(
                select(AuditLinkRow).where(AuditLinkRow.code_hash == audit_hash(code[:64]))
            )
            return _link(row, "") if row else None

    def of_school(self, school_id: int) -> list[AuditLink]:
        """The school's links, the latest first."""
        with self._db.read() as session:
            rows = session.execute(
                select(AuditLinkRow, t.User.name)
                .outerjoin(t.User, t.User.id == AuditLinkRow.author_id)
                .where(AuditLinkRow.school_id == school_id)
                .order_by(AuditLinkRow.id.desc())
            ).all()
        return [_link(row, name or "ligne de commande") for row, name in rows]

    def revoke(self, school_id: int, link_id: int) -> None:
        with self._db.write() as session:
            row = session.get(AuditLinkRow, link_id)
            if row is None or row.school_id != school_id:
                raise RecordError(f"Lien n° {link_id} introuvable.")
            if row.revoked_at is None:
                row.revoked_at = dt.datetime.now(dt.UTC)


def _link(row: AuditLinkRow, by: str) -> AuditLink:
    return AuditLink(
        row.id, row.school_id, row.starts_on, row.ends_on, tuple(row.sample), row.issued_on,
        row.expires_on, aware(row.revoked_at) if row.revoked_at else None, by,
    )  # fmt: skip

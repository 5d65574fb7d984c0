"""A trainee's entry snapshot (the positioning diagnostic's observations and answers) and
individual plan (gestures to work first, adaptations), each line dated and signed by the
trainer who made it (Qualiopi indicators 8 and 10). Observed again, an item keeps its new
value and its history in ``changes``; a plan line is ended, never deleted.

What is valid is decided in ``core.followup.positioning`` (pure); this module keeps it.
Its tables are defined here, beside their only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.domain import OBSERVED, RecordError
from core.store import tables as t
from core.store.changes import record_change
from core.store.database import Database
from core.store.facts import aware
from core.store.observations import check_open

CLI = "ligne de commande"


class PositioningRow(t.Base):
    __tablename__ = "positioning"
    __table_args__ = (UniqueConstraint("trainee_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    item: Mapped[str] = mapped_column(String(120))  # a gesture's id or a question's key
    value: Mapped[str] = mapped_column(String(300))
    observed_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)


class PlanRow(t.Base):
    __tablename__ = "plan_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # PLAN_KINDS
    gesture: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(500))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)


@dataclass(frozen=True)
class Snapshot:
    """What the diagnostic recorded: each item's value, and when and by whom it was made."""

    values: dict[str, str]
    observed_on: dt.date | None
    by: tuple[str, ...]


@dataclass(frozen=True)
class PlanLine:
    id: int
    kind: str
    gesture: str | None
    text: str
    decided_on: dt.date
    by: str
    recorded_at: dt.datetime
    ended_on: dt.date | None


class Positionings:
    def __init__(self, database: Database) -> None:
        self._db = database

    def observe(
        self,
        trainee_id: int,
        answers: Mapping[str, str],
        labels: Mapping[str, str],
        on: dt.date,
        by: int | None,
    ) -> int:
        """Keep checked answers (``core.followup.positioning.checked_answers``); an item
        observed again is changed with its trace. How many items changed."""
        changed = 0
        with self._db.write() as session:
            school = _school_of(session, trainee_id)
            rows = {
                r.item: r
                for r in session.scalars(
                    select(PositioningRow).where(PositioningRow.trainee_id == trainee_id)
                )
            }
            for item, value in answers.items():
                row = rows.get(item)
                if row is None:
                    session.add(
                        PositioningRow(
                            trainee_id=trainee_id, item=item, value=value,
                            observed_on=on, author_id=by,
                        )
                    )  # fmt: skip
                elif row.value != value:
                    label = labels.get(item, item)
                    before, after = (
                        f"{label} : {OBSERVED.get(v, v)}"[:400] for v in (row.value, value)
                    )
                    record_change(
                        session, by, "trainee", trainee_id, school, "Positionnement", before, after
                    )
                    row.value, row.observed_on, row.author_id = value, on, by
                else:
                    continue
                changed += 1
        return changed

    def snapshot(self, trainee_id: int) -> Snapshot:
        with self._db.read() as session:
            rows = session.execute(
                select(PositioningRow, t.User.name)
                .outerjoin(t.User, t.User.id == PositioningRow.author_id)
                .where(PositioningRow.trainee_id == trainee_id)
            ).all()
        return Snapshot(
            values={r.item: r.value for r, _ in rows},
            observed_on=min((r.observed_on for r, _ in rows), default=None),
            by=tuple(sorted({name or CLI for _, name in rows})),
        )

    def add_line(
        self,
        trainee_id: int,
        kind: str,
        text: str,
        decided_on: dt.date,
        by: int | None,
        gesture: str | None = None,
    ) -> int:
        """A plan line checked by ``core.followup.positioning.checked_plan_line``."""
        with self._db.write() as session:
            _school_of(session, trainee_id)
            row = PlanRow(
                trainee_id=trainee_id, kind=kind, gesture=gesture, text=text,
                decided_on=decided_on, author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id

    def end_line(self, trainee_id: int, line_id: int, on: dt.date, by: int | None) -> None:
        """A plan line no longer needed: ended on ``on``, with its trace; kept in the plan."""
        with self._db.write() as session:
            row = session.get(PlanRow, line_id)
            if row is None or row.trainee_id != trainee_id:
                raise RecordError(f"Ligne de plan n° {line_id} introuvable.")
            if row.ended_on is not None:
                raise RecordError("Cette ligne du plan est déjà levée.")
            if on < row.decided_on:
                raise RecordError("Une ligne ne se lève pas avant d'avoir été décidée.", "ended_on")
            school = _school_of(session, trainee_id)
            line = f"« {row.text or row.gesture} »"[:300]
            record_change(
                session, by, "trainee", trainee_id, school, "Plan individuel",
                f"{line} en cours", f"{line} levé le {on:%d/%m/%Y}",
            )  # fmt: skip
            row.ended_on = on

    def plan(self, trainee_id: int) -> list[PlanLine]:
        """A trainee's plan, in the order decided (the ended lines kept)."""
        with self._db.read() as session:
            rows = session.execute(
                select(PlanRow, t.User.name)
                .outerjoin(t.User, t.User.id == PlanRow.author_id)
                .where(PlanRow.trainee_id == trainee_id)
                .order_by(PlanRow.decided_on, PlanRow.id)
            ).all()
        return [
            PlanLine(
                r.id, r.kind, r.gesture, r.text, r.decided_on, name or CLI,
                aware(r.recorded_at), r.ended_on,
            )
            for r, name in rows
        ]  # fmt: skip


def _school_of(session: Session, trainee_id: int) -> int:
    """The trainee's school, for the trace; refused once their cohort is closed."""
    cohort = session.scalar(select(t.Cohort).join(t.Trainee).where(t.Trainee.id == trainee_id))
    if cohort is None:
        raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
    check_open(cohort)
    return cohort.school_id


def erase_positioning(session: Session, trainee_id: int) -> None:
    """The RGPD erasure's part: a plan's words may say a health need, the entry questions'
    answers are about the person — they go; the gestures' observations and the dates stay."""
    session.execute(update(PlanRow).where(PlanRow.trainee_id == trainee_id).values(text="[effacé]"))
    session.execute(
        update(PositioningRow)
        .where(PositioningRow.trainee_id == trainee_id, PositioningRow.value.not_in(list(OBSERVED)))
        .values(value="[effacé]")
    )

"""Candidates before they are trainees: where they came from (their prescriber), the
information session they came to, their motivation interview (who, when, a short
assessment in the school's words) and the decision — admitted, waiting list, not now — with
its reason kept for the school; the admitted enter a cohort in one step, their entry data
carried over. A candidate not admitted is erased ``ERASE_AFTER_DAYS`` after the decision
(RGPD): their words and identity go, the decision's date and the prescriber stay counted.

Its table is defined here, beside its only service (``tables.py`` holds the others)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.domain import ENTRY_STATUSES, QUALIFICATIONS, NewTrainee, RecordError
from core.store import tables as t
from core.store.changes import apply_changes
from core.store.database import Database
from core.store.directory import Directory

ERASE_AFTER_DAYS = 183  # six months after a decision other than « admis »
DECISIONS = {"admis": "Admis·e", "attente": "Liste d'attente", "pas_maintenant": "Pas maintenant"}
FIELDS = {
    "info_on": "information collective",
    "interview_on": "entretien",
    "interviewer": "reçu·e par",
    "assessment": "appréciation",
    "decision": "décision",
    "reason": "motif",
    "decided_on": "date de décision",
}


class CandidateRow(t.Base):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    prescriber: Mapped[str | None] = mapped_column(String(120))
    statuses: Mapped[str | None] = mapped_column(String(120))  # ENTRY_STATUSES, comma-joined
    qualification: Mapped[str | None] = mapped_column(String(10))
    info_on: Mapped[dt.date | None] = mapped_column(Date)
    interview_on: Mapped[dt.date | None] = mapped_column(Date)
    interviewer: Mapped[str | None] = mapped_column(String(200))
    assessment: Mapped[str | None] = mapped_column(String(2000))  # the school's only
    decision: Mapped[str | None] = mapped_column(String(20))  # DECISIONS
    reason: Mapped[str | None] = mapped_column(String(500))  # the school's only
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=t.utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Candidate:
    id: int
    school_id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    birth_date: dt.date | None
    prescriber: str | None
    statuses: tuple[str, ...]
    qualification: str | None
    info_on: dt.date | None
    interview_on: dt.date | None
    interviewer: str | None
    assessment: str | None
    decision: str | None
    reason: str | None
    decided_on: dt.date | None
    trainee_id: int | None
    erased: bool

    @property
    def step(self) -> str:
        """Where the candidate is, in words."""
        if self.erased:
            return "Effacé·e (délai RGPD)"
        if self.trainee_id:
            return "Entré·e en formation"
        if self.decision:
            return DECISIONS[self.decision]
        if self.interview_on:
            return "Entretien passé"
        return "Venu·e à l'information collective" if self.info_on else "Orienté·e"

    def erase_on(self) -> dt.date | None:
        """When a candidate not admitted is erased (said on their page)."""
        if self.decided_on and self.decision != "admis" and not self.trainee_id:
            return self.decided_on + dt.timedelta(days=ERASE_AFTER_DAYS)
        return None


class Candidates:
    def __init__(self, database: Database, directory: Directory) -> None:
        self._db = database
        self._directory = directory

    def add(self, school_id: int, new: NewTrainee, by: int | None) -> int:
        """A candidate sent by a prescriber; refused when their identity is incomplete."""
        if not new.first_name.strip() or not new.last_name.strip():
            raise RecordError("Le prénom et le nom sont obligatoires.", "first_name")
        if any(s not in ENTRY_STATUSES for s in new.statuses):
            raise RecordError("Situation inconnue.", "statuses")
        if new.qualification and new.qualification not in QUALIFICATIONS:
            raise RecordError("Niveau de qualification inconnu.", "qualification")
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.", "ecole")
            row = CandidateRow(
                school_id=school_id, first_name=new.first_name.strip()[:100],
                last_name=new.last_name.strip()[:100], email=new.email, phone=new.phone,
                birth_date=new.birth_date, prescriber=new.prescriber,
                statuses=",".join(new.statuses) or None, qualification=new.qualification,
                author_id=by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id

    def update(self, candidate_id: int, school_id: int, by: int | None, **new: Any) -> int:
        """The steps (information session, interview, decision), each change traced."""
        decision = new.get("decision")
        if decision is not None and decision not in DECISIONS:
            raise RecordError("Décision : admis·e, liste d'attente ou pas maintenant.", "decision")
        if decision and not new.get("decided_on"):
            raise RecordError("Datez la décision.", "decided_on")
        today = dt.date.today()
        for name in ("info_on", "interview_on", "decided_on"):
            if new.get(name) and new[name] > today:
                raise RecordError("Pas de date dans le futur.", name)
        with self._db.write() as session:
            row = self._row(session, candidate_id, school_id)
            return apply_changes(session, row, new, by, "candidate", school_id, FIELDS)

    def admit(self, candidate_id: int, school_id: int, cohort_id: int, by: int | None) -> int:
        """The admitted candidate enters ``cohort_id``: a trainee with their entry data
        (contact, birth date, prescriber, situation, qualification); the trainee's id."""
        found = self.get(candidate_id)
        if found is None or found.school_id != school_id or found.erased:
            raise RecordError(f"Candidat·e n° {candidate_id} introuvable.")
        if found.decision != "admis":
            raise RecordError("Seul·e un·e candidat·e admis·e entre en formation.", "decision")
        if found.trainee_id:
            raise RecordError("Déjà entré·e en formation.")
        with self._db.read() as session:
            cohort = session.get(t.Cohort, cohort_id)
            if cohort is None or cohort.school_id != school_id or cohort.closed_at is not None:
                raise RecordError("Choisissez une promotion ouverte de l'école.", "cohort")
        new = NewTrainee(
            found.first_name, found.last_name, found.email, birth_date=found.birth_date,
            phone=found.phone, prescriber=found.prescriber, statuses=found.statuses,
            qualification=found.qualification,
        )  # fmt: skip
        [trainee] = self._directory.add_trainees(cohort_id, [new], duplicates="add", by=by)
        with self._db.write() as session:
            self._row(session, candidate_id, school_id).trainee_id = trainee
        return trainee

    def erase_due(self, today: dt.date) -> int:
        """Erase the candidates whose delay after a decision other than « admis » is over;
        how many."""
        limit = today - dt.timedelta(days=ERASE_AFTER_DAYS)
        with self._db.write() as session:
            rows = session.scalars(
                select(CandidateRow).where(
                    CandidateRow.erased_at.is_(None),
                    CandidateRow.trainee_id.is_(None),
                    CandidateRow.decision.is_not(None),
                    CandidateRow.decision != "admis",
                    CandidateRow.decided_on < limit,
                )
            ).all()
            for row in rows:
                row.first_name, row.last_name = "Candidat·e effacé·e", f"n° {row.id}"
                row.email = row.phone = row.birth_date = row.interviewer = None
                row.assessment = row.reason = row.statuses = row.qualification = None
                row.erased_at = dt.datetime.now(dt.UTC)
            if rows:  # the history held their words too
                session.execute(
                    update(t.Change)
                    .where(
                        t.Change.entity == "candidate", t.Change.entity_id.in_([r.id for r in rows])
                    )
                    .values(before="[effacé]", after="[effacé]")
                )
            return len(rows)

    def of_school(self, school_id: int) -> list[Candidate]:
        with self._db.read() as session:
            query = select(CandidateRow).where(CandidateRow.school_id == school_id)
            rows = session.scalars(query.order_by(CandidateRow.id.desc())).all()
            return [_candidate(r) for r in rows]

    def get(self, candidate_id: int) -> Candidate | None:
        with self._db.read() as session:
            row = session.get(CandidateRow, candidate_id)
            return _candidate(row) if row else None

    @staticmethod
    def _row(session: Any, candidate_id: int, school_id: int) -> CandidateRow:
        row = session.get(CandidateRow, candidate_id)
        if row is None or row.school_id != school_id or row.erased_at is not None:
            raise RecordError(f"Candidat·e n° {candidate_id} introuvable.")
        return row  # type: ignore[no-any-return]


def _candidate(r: CandidateRow) -> Candidate:
    return Candidate(
        r.id, r.school_id, r.first_name, r.last_name, r.email, r.phone, r.birth_date,
        r.prescriber, tuple(s for s in (r.statuses or "").split(",") if s), r.qualification,
        r.info_on, r.interview_on, r.interviewer, r.assessment, r.decision, r.reason,
        r.decided_on, r.trainee_id, r.erased_at is not None,
    )  # fmt: skip

"""Correcting what was set up by mistake, with a trace: an account's name, role and schools,
a cohort's name, dates and planned hours, a trainee's identity and entry date; deleting a
cohort or a trainee while nothing is recorded for them. Every change is a row of
``changes`` (who, when, field, before, after), read back as a history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from core.catalog.catalog import Catalog
from core.domain import NewTrainee, RecordError, Role, trainee_problems
from core.store import tables as t
from core.store.changes import apply_changes, record_change
from core.store.database import Database
from core.store.directory import _cohort, _planned_hours
from core.store.facts import aware
from core.store.observations import check_open


@dataclass(frozen=True)
class Correction:
    """One field changed: what a history line says."""

    at: dt.datetime
    by: str
    entity: str  # account, cohort, trainee
    entity_id: int
    field: str  # in French: « nom », « date de fin »…
    before: str | None
    after: str | None


class Corrections:
    def __init__(self, database: Database, catalog: Catalog) -> None:
        self._db = database
        self._catalog = catalog

    # ------------------------------------------------------------ cohorts

    def edit_cohort(
        self,
        cohort_id: int,
        by: int | None,
        *,
        name: str,
        starts_on: dt.date,
        ends_on: dt.date,
        planned_hours: Mapping[str, int] | None = None,
    ) -> int:
        """A cohort's name, dates and hours; refused when entries would fall outside the new
        dates (they stay dated as observed). How many fields changed."""
        if not name.strip() or len(name) > 200:
            raise RecordError(
                "Le nom de la promotion est obligatoire (200 caractères au plus).", "name"
            )
        if ends_on <= starts_on:
            raise RecordError("La date de fin doit suivre la date de début.", "ends_on")
        with self._db.write() as session:
            cohort = _cohort(session, cohort_id)
            check_open(cohort)
            outside = session.scalar(
                select(func.count(t.Observation.id)).where(
                    t.Observation.cohort_id == cohort_id,
                    or_(t.Observation.observed_on < starts_on, t.Observation.observed_on > ends_on),
                )
            )
            if outside:
                raise RecordError(
                    f"{outside} saisie(s) de la promotion sont datées hors du {starts_on:%d/%m/%Y} "
                    f"au {ends_on:%d/%m/%Y} : choisissez des dates qui les contiennent.",
                    "starts_on",
                )
            hours = cohort.planned_hours or {}
            if planned_hours is not None:
                sector = self._catalog.sectors[cohort.sector]
                hours = _planned_hours(sector.curriculum.hours_by_phase(), planned_hours)
            new = {"name": name.strip(), "starts_on": starts_on, "ends_on": ends_on}
            changed = apply_changes(
                session, cohort, new, by, "cohort", cohort.school_id, _COHORT_FIELDS
            )
            if planned_hours is not None and hours != (cohort.planned_hours or {}):
                record_change(
                    session,
                    by,
                    "cohort",
                    cohort.id,
                    cohort.school_id,
                    "heures prévues",
                    _hours(cohort.planned_hours),
                    _hours(hours),
                )
                cohort.planned_hours = hours
                changed += 1
            return changed

    def delete_cohort(self, cohort_id: int, by: int | None) -> None:
        """A trial or mistaken cohort, with its trainees, while nothing is recorded for any."""
        with self._db.write() as session:
            cohort = _cohort(session, cohort_id)
            trainees = list(
                session.scalars(select(t.Trainee.id).where(t.Trainee.cohort_id == cohort_id))
            )
            sheets = select(t.AttendanceSession.id).where(
                t.AttendanceSession.cohort_id == cohort_id
            )
            if (
                _recorded(session, trainees)
                or session.scalar(
                    select(t.Observation.id).where(t.Observation.cohort_id == cohort_id).limit(1)
                )
                or session.scalar(
                    select(t.AttendanceEntry.id).where(t.AttendanceEntry.session_id.in_(sheets))
                )
            ):
                raise RecordError(
                    "Des saisies existent pour cette promotion : elle ne peut plus être "
                    "supprimée (clôturez-la).",
                )
            moved_out = select(t.TraineeMove.id).where(t.TraineeMove.from_cohort_id == cohort_id)
            if session.scalar(moved_out.limit(1)):  # their history says they came from here
                raise RecordError(
                    "Des stagiaires en sont partis vers une autre promotion : elle ne peut plus "
                    "être supprimée (clôturez-la).",
                )
            record_change(
                session, by, "cohort", cohort.id, cohort.school_id, "supprimée", cohort.name, None
            )
            session.execute(delete(t.TraineeMove).where(t.TraineeMove.trainee_id.in_(trainees)))
            session.execute(delete(t.Trainee).where(t.Trainee.cohort_id == cohort_id))
            session.execute(delete(t.CohortTrainer).where(t.CohortTrainer.cohort_id == cohort_id))
            session.execute(delete(t.CurriculumMove).where(t.CurriculumMove.cohort_id == cohort_id))
            session.execute(delete(t.Job).where(t.Job.cohort_id == cohort_id))
            session.execute(  # its half-days, planned but never signed
                delete(t.AttendanceSession).where(t.AttendanceSession.cohort_id == cohort_id)
            )
            session.delete(cohort)

    # ------------------------------------------------------------ trainees

    def edit_trainee(
        self,
        trainee_id: int,
        by: int | None,
        *,
        first_name: str,
        last_name: str,
        email: str | None,
        joined_on: dt.date | None,
        external_ref: str | None = None,
        entry: tuple[dt.date | None, str | None, str | None] | None = None,
        profile: tuple[tuple[str, ...], str | None] | None = None,
    ) -> int:
        """A trainee's identity and entry date (and, given ``entry``, their birth date,
        phone and prescriber; ``None`` keeps them); the entry date within the cohort's dates
        and never after their first entry. How many fields changed."""
        born, phone, prescriber = entry or (None, None, None)
        statuses, qualification = profile or ((), None)
        problems = trainee_problems(
            NewTrainee(
                first_name, last_name, email, external_ref, None, born, phone, prescriber,
                statuses, qualification,
            )
        )  # fmt: skip
        if problems:
            field = next((f for start, f in _PROBLEM_FIELDS if problems[0].startswith(start)), None)
            raise RecordError("; ".join(problems).capitalize() + ".", field)
        with self._db.write() as session:
            trainee = _trainee(session, trainee_id)
            cohort = _cohort(session, trainee.cohort_id)
            check_open(cohort)
            if joined_on is not None:
                _check_joined(session, trainee_id, cohort, joined_on)
            new = {
                "first_name": first_name.strip(),
                "last_name": last_name.strip(),
                "email": (email or "").strip().lower() or None,
                "external_ref": (external_ref or "").strip() or None,
                "joined_on": joined_on,
            }
            if entry is not None:
                new |= {
                    "birth_date": born,
                    "phone": (phone or "").strip() or None,
                    "prescriber": (prescriber or "").strip() or None,
                }
            if profile is not None:
                new |= {
                    "statuses": ",".join(sorted(set(statuses))) or None,
                    "qualification": qualification or None,
                }
            return apply_changes(
                session, trainee, new, by, "trainee", cohort.school_id, _TRAINEE_FIELDS
            )

    def delete_trainee(self, trainee_id: int, by: int | None) -> None:
        """A trainee added by mistake, while nothing is recorded for them (otherwise: an
        exit, or the RGPD erasure)."""
        with self._db.write() as session:
            trainee = _trainee(session, trainee_id)
            cohort = _cohort(session, trainee.cohort_id)
            if _recorded(session, [trainee_id]):
                raise RecordError(
                    "Des saisies existent pour ce ou cette stagiaire : enregistrez plutôt une "
                    "sortie (abandon), ou l'effacement RGPD.",
                )
            name = f"{trainee.first_name} {trainee.last_name}"
            record_change(
                session, by, "trainee", trainee.id, cohort.school_id, "supprimé·e", name, None
            )
            record_change(
                session,
                by,
                "cohort",
                cohort.id,
                cohort.school_id,
                "stagiaire supprimé·e",
                name,
                None,
            )
            session.execute(delete(t.TraineeMove).where(t.TraineeMove.trainee_id == trainee_id))
            session.delete(trainee)

    # ------------------------------------------------------------ accounts

    def edit_account(
        self, user_id: int, by: int | None, *, name: str, role: Role, schools: Iterable[int]
    ) -> int:
        """An account's name, role and schools. A trainer or coordinator works for at least
        one school; the last active administrator stays one."""
        if not name.strip() or len(name) > 200:
            raise RecordError("Le nom est obligatoire (200 caractères au plus).", "name")
        wanted = set(schools)
        if role is not Role.ADMIN and not wanted:
            raise RecordError("Choisissez au moins une école pour ce compte.", "schools")
        with self._db.write() as session:
            user = session.get(t.User, user_id)
            if user is None:
                raise RecordError("Compte inconnu.")
            if user.role == Role.ADMIN.value and role is not Role.ADMIN:
                others = select(func.count(t.User.id)).where(
                    t.User.role == Role.ADMIN.value, t.User.active.is_(True), t.User.id != user_id
                )
                if not session.scalar(others):
                    raise RecordError(
                        "C'est le dernier compte d'administration : il le reste.", "role"
                    )
            known = set(session.scalars(select(t.School.id).where(t.School.id.in_(wanted))))
            if wanted - known:
                raise RecordError("École inconnue.", "schools")
            before = set(
                session.scalars(
                    select(t.UserSchool.school_id).where(t.UserSchool.user_id == user_id)
                )
            )
            changed = apply_changes(
                session,
                user,
                {"name": name.strip(), "role": Role(role).value},
                by,
                "account",
                None,
                _ACCOUNT_FIELDS,
            )
            if before != wanted:
                named = dict(
                    session.execute(
                        select(t.School.id, t.School.name).where(t.School.id.in_(before | wanted))
                    ).all()
                )
                said = [
                    ", ".join(sorted(named[s] for s in group)) or "aucune"
                    for group in (before, wanted)
                ]
                record_change(session, by, "account", user_id, None, "écoles", *said)
                session.execute(delete(t.UserSchool).where(t.UserSchool.user_id == user_id))
                session.add_all(t.UserSchool(user_id=user_id, school_id=s) for s in sorted(wanted))
                changed += 1
            return changed

    # ------------------------------------------------------------ history

    def history(self, entity: str, ids: Iterable[int]) -> list[Correction]:
        """Every change to these accounts, cohorts or trainees, the latest first."""
        wanted = list(ids)
        if not wanted:
            return []
        return self._read(t.Change.entity == entity, t.Change.entity_id.in_(wanted))

    def of_cohort(self, cohort_id: int) -> list[Correction]:
        """What was corrected in a cohort and in its trainees (a deleted one said on the
        cohort), the latest first."""
        trainees = select(t.Trainee.id).where(t.Trainee.cohort_id == cohort_id)
        return self._read(
            or_(
                (t.Change.entity == "cohort") & (t.Change.entity_id == cohort_id),
                (t.Change.entity == "trainee") & t.Change.entity_id.in_(trainees),
            )
        )

    def _read(self, *where: Any) -> list[Correction]:
        with self._db.read() as session:
            rows = session.execute(
                select(t.Change, t.User.name)
                .outerjoin(t.User, t.User.id == t.Change.author_id)
                .where(*where)
                .order_by(t.Change.id.desc())
                .limit(500)
            ).all()
        return [
            Correction(
                aware(c.at),
                name or "ligne de commande",
                c.entity,
                c.entity_id,
                c.field,
                c.before,
                c.after,
            )
            for c, name in rows
        ]


_COHORT_FIELDS = {"name": "nom", "starts_on": "date de début", "ends_on": "date de fin"}
_TRAINEE_FIELDS = {
    "first_name": "prénom",
    "last_name": "nom",
    "email": "e-mail",
    "external_ref": "identifiant France Travail",
    "joined_on": "date d'entrée",
    "birth_date": "date de naissance",
    "phone": "téléphone",
    "prescriber": "prescripteur",
    "statuses": "situation à l'entrée",
    "qualification": "niveau de qualification",
}
_ACCOUNT_FIELDS = {"name": "nom", "role": "rôle"}
_PROBLEM_FIELDS = (  # a refusal said beside the field it is about (core.domain.trainee_problems)
    ("prénom", "first_name"),
    ("nom manquant", "last_name"),
    ("adresse e-mail", "email"),
    ("date de naissance", "birth_date"),
    ("téléphone", "phone"),
    ("niveau de qualification", "qualification"),
)


def _check_joined(session: Session, trainee_id: int, cohort: t.Cohort, day: dt.date) -> None:
    """An entry date within the cohort's dates and never after the trainee's first entry."""
    if not cohort.starts_on <= day <= cohort.ends_on:
        raise RecordError("La date d'entrée doit être dans les dates de la promotion.", "joined_on")
    first = session.scalar(
        select(func.min(t.Observation.observed_on)).where(t.Observation.trainee_id == trainee_id)
    )
    if first is not None and day > first:
        raise RecordError(
            f"Une saisie date du {first:%d/%m/%Y} : l'entrée ne peut pas être après.", "joined_on"
        )


def _hours(hours: Mapping[str, int] | None) -> str:
    return ", ".join(f"{phase} {h} h" for phase, h in (hours or {}).items())


def _trainee(session: Session, trainee_id: int) -> t.Trainee:
    trainee = session.get(t.Trainee, trainee_id)
    if trainee is None or trainee.erased_at is not None:
        raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
    return trainee


def _recorded(session: Session, trainees: list[int]) -> bool:
    """Whether anything was recorded for these trainees: an entry, an exit, a placement, a
    link, a booklet handed out or shared, a file."""
    if not trainees:
        return False
    for table in (
        t.Observation,
        t.ExitRecord,
        t.Placement,
        t.AccessLink,
        t.Verification,
        t.ShareLink,
        t.PortfolioEntry,
        t.AttendanceEntry,
    ):
        if session.scalar(select(table.trainee_id).where(table.trainee_id.in_(trainees)).limit(1)):
            return True
    return False

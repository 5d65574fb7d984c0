"""Schools, accounts, cohorts and trainees: the people and groups around the observations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from core.catalog.catalog import Catalog
from core.catalog.definitions import Phase
from core.domain import EMAIL, Duplicate, NewTrainee, RecordError, Role, numbered_problems
from core.french import slugify, sort_key
from core.store import tables as t
from core.store.changes import apply_changes
from core.store.curricula import Curricula
from core.store.database import Database
from core.store.observations import check_open
from core.store.passwords import hash_password, password_problem

STEPS = (1, 5, 10, 15, 30)  # minutes a late arrival or an early departure is counted to


class Directory:
    """Create schools, accounts, cohorts and trainees."""

    def __init__(self, database: Database, catalog: Catalog) -> None:
        self._db = database
        self._catalog = catalog

    def create_school(
        self,
        slug: str | None,
        name: str,
        city: str,
        territory: str,
        address: str | None = None,
    ) -> int:
        """A school; ``slug`` (its short name in URLs and files) is made from the name if
        not given, unique."""
        self._check_school(name, city, territory, address)
        with self._db.write() as session:
            base = slugify(slug or name) or "ecole"
            taken = set(
                session.scalars(select(t.School.slug).where(t.School.slug.startswith(base)))
            )
            unique, number = base, 1
            while unique in taken:
                number += 1
                unique = f"{base}-{number}"
            school = t.School(
                slug=unique,
                name=name.strip(),
                city=city.strip(),
                territory=territory,
                address=(address or "").strip() or None,
            )
            session.add(school)
            session.flush()
            return school.id

    def update_school(
        self, school_id: int, name: str, city: str, territory: str, address: str | None = None
    ) -> None:
        self._check_school(name, city, territory, address)
        with self._db.write() as session:
            school = session.get(t.School, school_id)
            if school is None:
                raise RecordError("École inconnue.")
            school.name, school.city, school.territory = name.strip(), city.strip(), territory
            school.address = (address or "").strip() or None

    def set_attendance_rules(
        self, school_id: int, step: int | None, alert: int | None, by: int | None
    ) -> None:
        """The school's attendance rules (``None``: the default), each change traced."""
        if step is not None and step not in STEPS:
            raise RecordError("Arrondi : 1, 5, 10, 15 ou 30 minutes.", "attendance_step")
        if alert is not None and not 1 <= alert <= 100:
            raise RecordError("Alerte : entre 1 et 100 demi-journées.", "absence_alert")
        with self._db.write() as session:
            school = session.get(t.School, school_id)
            if school is None:
                raise RecordError("École inconnue.")
            for field, label, value in (
                ("attendance_step", "arrondi des présences", step),
                ("absence_alert", "alerte d'absences", alert),
            ):
                before = getattr(school, field)
                if before != value:
                    session.add(
                        t.Change(
                            author_id=by, entity="school", entity_id=school_id,
                            school_id=school_id, field=label,
                            before=None if before is None else str(before),
                            after=None if value is None else str(value),
                        )
                    )  # fmt: skip
                    setattr(school, field, value)

    def _check_school(self, name: str, city: str, territory: str, address: str | None) -> None:
        if not name.strip() or len(name) > 200:
            raise RecordError("Le nom de l'école est obligatoire (200 caractères au plus).", "name")
        if not city.strip() or len(city) > 100:
            raise RecordError("La ville est obligatoire (100 caractères au plus).", "city")
        if address and len(address) > 300:
            raise RecordError("Adresse trop longue (300 caractères au plus).", "address")
        if territory not in self._catalog.territories:
            raise RecordError(f"Territoire « {territory} » inconnu du catalogue.", "territory")

    def create_user(
        self,
        email: str,
        name: str,
        password: str,
        role: Role,
        schools: Iterable[int] = (),
        *,
        first_admin: bool = False,
        provisional: bool = False,
    ) -> int:
        """An account. ``first_admin``: the set-up link's, refused once any administrator
        exists — checked inside the write transaction, so two sends at once make one."""
        if not EMAIL.match(email):
            raise RecordError(f"Adresse e-mail invalide « {email} ».", "email")
        if not name.strip() or len(name) > 200:
            raise RecordError("Le nom est obligatoire (200 caractères au plus).", "name")
        problem = password_problem(password, email)
        if problem is not None:
            raise RecordError(problem, "password")
        with self._db.write() as session:
            if first_admin:
                if session.bind is not None and session.bind.dialect.name == "postgresql":
                    # SQLite's write transaction is exclusive already; PostgreSQL's is not
                    session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
                admin = select(t.User.id).where(t.User.role == Role.ADMIN.value)
                if session.scalar(admin) is not None:
                    raise RecordError("Un administrateur existe déjà : ce lien ne sert plus.")
            if session.scalar(select(t.User.id).where(t.User.email == email.lower())):
                raise RecordError(f"Un compte existe déjà pour {email}.", "email")
            wanted = set(schools)
            if Role(role) is not Role.ADMIN and not wanted:  # an account that could do nothing
                raise RecordError("Choisissez au moins une école pour ce compte.", "schools")
            known = set(session.scalars(select(t.School.id).where(t.School.id.in_(wanted))))
            if wanted - known:
                raise RecordError("École inconnue.", "schools")
            user = t.User(
                email=email.lower(),
                name=name.strip(),
                password_hash=hash_password(password),
                role=Role(role).value,
                active=True,
                provisional=provisional,  # made by someone else: its owner chooses their own
            )
            session.add(user)
            session.flush()
            session.add_all(t.UserSchool(user_id=user.id, school_id=s) for s in wanted)
            return user.id

    def create_cohort(
        self,
        school_id: int,
        sector: str,
        name: str,
        starts_on: dt.date,
        ends_on: dt.date,
        trainers: Iterable[int] = (),
        planned_hours: Mapping[str, int] | None = None,
    ) -> int:
        """A cohort pinned to the current version of its sector's curriculum, with the hours
        planned per phase (the curriculum's unless given) and its trainers."""
        if sector not in self._catalog.sectors:
            raise RecordError(f"Filière « {sector} » inconnue du catalogue.", "sector")
        if not name.strip() or len(name) > 200:
            raise RecordError(
                "Le nom de la promotion est obligatoire (200 caractères au plus).", "name"
            )
        if ends_on <= starts_on:
            raise RecordError("La date de fin doit suivre la date de début.", "ends_on")
        curriculum = self._catalog.sectors[sector].curriculum
        hours = _planned_hours(curriculum.hours_by_phase(), planned_hours)
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.", "school")
            cohort = t.Cohort(
                school_id=school_id,
                name=name.strip(),
                sector=sector,
                curriculum=curriculum.id,
                curriculum_version=curriculum.version,
                starts_on=starts_on,
                ends_on=ends_on,
                planned_hours=hours,
            )
            session.add(cohort)
            session.flush()
            _set_trainers(session, cohort, trainers)
            Curricula(self._db, self._catalog).keep(session, sector)
            return cohort.id

    def set_trainers(self, cohort_id: int, trainers: Iterable[int]) -> None:
        """The cohort's trainers, replacing the previous list (a trainer may have several)."""
        with self._db.write() as session:
            cohort = _cohort(session, cohort_id)
            session.execute(delete(t.CohortTrainer).where(t.CohortTrainer.cohort_id == cohort_id))
            _set_trainers(session, cohort, trainers)

    def close_cohort(self, cohort_id: int) -> None:
        """Read-only from now on (still in grids, booklets and statistics)."""
        with self._db.write() as session:
            cohort = _cohort(session, cohort_id)
            if cohort.closed_at is None:
                cohort.closed_at = dt.datetime.now(dt.UTC)

    def move_trainee(
        self, trainee_id: int, to_cohort_id: int, on: dt.date, author_id: int | None
    ) -> None:
        """Into another open cohort of the same sector; the history follows the trainee."""
        with self._db.write() as session:
            trainee = session.get(t.Trainee, trainee_id)
            if trainee is None or trainee.erased_at is not None:
                raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
            origin = _cohort(session, trainee.cohort_id)
            target = _cohort(session, to_cohort_id)
            if target.id == origin.id:
                raise RecordError("Le ou la stagiaire est déjà dans cette promotion.")
            if target.sector != origin.sector:
                raise RecordError(
                    "Changement de promotion possible dans la même filière seulement."
                )
            if target.closed_at is not None or origin.closed_at is not None:
                raise RecordError("Promotion clôturée : son dossier ne se modifie plus.")
            session.add(
                t.TraineeMove(
                    trainee_id=trainee_id,
                    from_cohort_id=origin.id,
                    to_cohort_id=target.id,
                    moved_on=on,
                    author_id=author_id,
                )
            )
            trainee.cohort_id = target.id
            trainee.joined_on = trainee.joined_on or origin.starts_on

    def add_trainees(
        self,
        cohort_id: int,
        trainees: Sequence[NewTrainee],
        duplicates: Literal["refuse", "skip", "update", "add"] = "refuse",
        by: int | None = None,
    ) -> list[int]:
        """Add every trainee or none: one bad row and nothing is written. A trainee already in
        the school (``find_duplicates``) is refused, naming each (``refuse``), left out
        (``skip``), has what the list gives about them written over what was kept, each
        change traced as a correction by ``by`` (``update``), or is added all the same
        (``add``). The ids of those added."""
        problems = numbered_problems(trainees)
        if problems:
            raise RecordError("Aucun stagiaire ajouté. " + " ; ".join(problems))
        with self._db.write() as session:
            cohort = _cohort(session, cohort_id)
            check_open(cohort)
            late = [
                f"ligne {n} : date d'entrée hors des dates de la promotion"
                for n, tr in enumerate(trainees, start=1)
                if tr.joined_on and not cohort.starts_on <= tr.joined_on <= cohort.ends_on
            ]
            if late:
                raise RecordError("Aucun stagiaire ajouté. " + " ; ".join(late))
            found = _duplicates(session, cohort.school_id, trainees)
            if found and duplicates == "refuse":
                said = " ; ".join(d.said for d in found[:10])
                raise RecordError(
                    f"Aucun stagiaire ajouté : {len(found)} déjà dans l'école. {said}.",
                    "duplicates",
                )
            left_out = {d.line for d in found} if duplicates in ("skip", "update") else set()
            if duplicates == "update":
                for duplicate in found:
                    _update(session, duplicate, trainees[duplicate.line - 1], by)
            rows = [
                t.Trainee(
                    cohort_id=cohort_id,
                    first_name=n.first_name.strip(),
                    last_name=n.last_name.strip(),
                    email=(n.email or None),
                    external_ref=(n.external_ref or None),
                    joined_on=n.joined_on,
                    birth_date=n.birth_date,
                    phone=(n.phone or "").strip() or None,
                    prescriber=(n.prescriber or "").strip() or None,
                    statuses=",".join(sorted(set(n.statuses))) or None,
                    qualification=n.qualification,
                )
                for line, n in enumerate(trainees, start=1)
                if line not in left_out
            ]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def find_duplicates(self, cohort_id: int, trainees: Sequence[NewTrainee]) -> list[Duplicate]:
        """The trainees of a list already in the cohort's school: same e-mail, same France
        Travail id, or same first and last name (case and accents aside)."""
        with self._db.read() as session:
            return _duplicates(session, _cohort(session, cohort_id).school_id, trainees)


def _duplicates(
    session: Session, school_id: int, trainees: Sequence[NewTrainee]
) -> list[Duplicate]:
    rows = session.execute(
        select(t.Trainee, t.Cohort.name)
        .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
        .where(t.Cohort.school_id == school_id, t.Trainee.erased_at.is_(None))
    ).all()
    by_email = {r.email.lower(): (r, c) for r, c in rows if r.email}
    by_ref = {r.external_ref.strip(): (r, c) for r, c in rows if r.external_ref}
    by_name: dict[tuple[str, str], list[tuple[t.Trainee, str]]] = {}
    for r, c in rows:
        by_name.setdefault((sort_key(r.first_name), sort_key(r.last_name)), []).append((r, c))
    found = []
    for line, new in enumerate(trainees, start=1):
        name = f"{new.first_name.strip()} {new.last_name.strip()}"
        if new.email and new.email.lower() in by_email:
            row, cohort = by_email[new.email.lower()]
            found.append(Duplicate(line, name, cohort, "même e-mail", row.id))
        elif new.external_ref and new.external_ref.strip() in by_ref:
            row, cohort = by_ref[new.external_ref.strip()]
            found.append(Duplicate(line, name, cohort, "même identifiant France Travail", row.id))
        elif same := _same_person(
            by_name.get((sort_key(new.first_name), sort_key(new.last_name))), new
        ):
            row, cohort = same
            why = (
                "même nom et même date de naissance"
                if new.birth_date
                else "même prénom et même nom"
            )
            found.append(Duplicate(line, name, cohort, why, row.id))
    return found


def _same_person(
    namesakes: list[tuple[t.Trainee, str]] | None, new: NewTrainee
) -> tuple[t.Trainee, str] | None:
    """Of the trainees with the same name, the one taken for ``new``: two birth dates that
    differ say they are two people (homonyms); a missing one cannot tell them apart."""
    for row, cohort in namesakes or []:
        if not (new.birth_date and row.birth_date) or new.birth_date == row.birth_date:
            return row, cohort
    return None


IMPORTED = {  # what a list may bring about someone already in the school, as corrections say it
    "email": "e-mail",
    "external_ref": "identifiant France Travail",
    "birth_date": "date de naissance",
    "phone": "téléphone",
    "prescriber": "prescripteur",
}


def _update(session: Session, duplicate: Duplicate, new: NewTrainee, by: int | None) -> None:
    """What the list gives (never an empty cell) written over what was kept, each change a
    traced correction like one made on the trainee's page."""
    row = session.get(t.Trainee, duplicate.trainee_id)
    assert row is not None
    given = {}
    for field in IMPORTED:
        value = getattr(new, field)
        value = value.strip() or None if isinstance(value, str) else value
        if value is not None:
            given[field] = value.lower() if field == "email" else value
    school = session.scalar(select(t.Cohort.school_id).where(t.Cohort.id == row.cohort_id))
    apply_changes(session, row, given, by, "trainee", school, IMPORTED)


def _cohort(session: Session, cohort_id: int) -> t.Cohort:
    cohort = session.get(t.Cohort, cohort_id)
    if cohort is None:
        raise RecordError(f"Promotion n° {cohort_id} introuvable.")
    return cohort


def _set_trainers(session: Session, cohort: t.Cohort, trainers: Iterable[int]) -> None:
    """Trainers (or coordinators) of the cohort's school; admins need no assignment."""
    wanted = set(trainers)
    if not wanted:
        return
    allowed = set(
        session.scalars(
            select(t.User.id)
            .join(t.UserSchool, t.UserSchool.user_id == t.User.id)
            .where(
                t.User.id.in_(wanted),
                t.UserSchool.school_id == cohort.school_id,
                t.User.role.in_([Role.TRAINER.value, Role.COORDINATOR.value]),
            )
        )
    )
    if wanted - allowed:
        raise RecordError("Formateur ou formatrice inconnu·e dans cette école.", "trainers")
    session.add_all(t.CohortTrainer(cohort_id=cohort.id, user_id=u) for u in sorted(wanted))


def _planned_hours(
    curriculum: Mapping[Phase, int], wanted: Mapping[str, int] | None
) -> dict[str, int]:
    """Hours per phase: the curriculum's, each one adjustable (0 to 2,000 h)."""
    hours = {phase.value: planned for phase, planned in curriculum.items()}
    for phase, planned in (wanted or {}).items():
        if phase not in hours:
            raise RecordError(f"Phase « {phase} » inconnue.", "hours")
        if not 0 <= planned <= 2000:
            raise RecordError("Heures prévues : entre 0 et 2 000 par phase.", f"hours_{phase}")
        hours[phase] = planned
    return hours

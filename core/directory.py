"""Schools, users, cohorts and trainees: the people and groups around the observations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from core.records import RecordError, Records
from core.store import tables as t

_hasher = PasswordHasher()
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewTrainee:
    first_name: str
    last_name: str
    email: str | None = None
    external_ref: str | None = None


def trainee_problems(trainee: NewTrainee) -> list[str]:
    """What is wrong with one trainee's data, in French (empty when all is well)."""
    problems = []
    if not trainee.first_name.strip():
        problems.append("prénom manquant")
    if not trainee.last_name.strip():
        problems.append("nom manquant")
    if len(trainee.first_name) > 100 or len(trainee.last_name) > 100:
        problems.append("nom ou prénom trop long (100 caractères au plus)")
    if trainee.email and not EMAIL.match(trainee.email):
        problems.append(f"adresse e-mail invalide « {trainee.email} »")
    return problems


def numbered_problems(trainees: Sequence[NewTrainee], label: str = "ligne") -> list[str]:
    """``ligne 2 : prénom manquant``: what is wrong with each trainee of a list, by position."""
    return [
        f"{label} {number} : {', '.join(found)}"
        for number, trainee in enumerate(trainees, start=1)
        if (found := trainee_problems(trainee))
    ]


class Directory:
    """Create and look up schools, users, cohorts and trainees (through the same store)."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def create_school(self, slug: str, name: str, city: str, territory: str) -> int:
        if territory not in self.records.catalog.territories:
            raise RecordError(f"Territoire « {territory} » inconnu du catalogue.")
        with self.records._write() as session:
            school = t.School(slug=slug, name=name, city=city, territory=territory)
            session.add(school)
            session.flush()
            return school.id

    def create_user(
        self, email: str, name: str, password: str, role: t.Role, schools: Iterable[int] = ()
    ) -> int:
        if not EMAIL.match(email):
            raise RecordError(f"Adresse e-mail invalide « {email} ».")
        if not name.strip() or len(name) > 200:
            raise RecordError("Le nom est obligatoire (200 caractères au plus).")
        if len(password) < 10:
            raise RecordError("Le mot de passe doit faire au moins 10 caractères.")
        with self.records._write() as session:
            if session.scalar(select(t.User.id).where(t.User.email == email.lower())):
                raise RecordError(f"Un compte existe déjà pour {email}.")
            wanted = set(schools)
            known = set(session.scalars(select(t.School.id).where(t.School.id.in_(wanted))))
            if wanted - known:
                raise RecordError("École inconnue.")
            user = t.User(
                email=email.lower(),
                name=name.strip(),
                password_hash=hash_password(password),
                role=t.Role(role).value,
                active=True,
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
    ) -> int:
        """A cohort pinned to the current version of its sector's curriculum."""
        catalog = self.records.catalog
        if sector not in catalog.sectors:
            raise RecordError(f"Filière « {sector} » inconnue du catalogue.")
        if ends_on <= starts_on:
            raise RecordError("La date de fin doit suivre la date de début.")
        curriculum = catalog.sectors[sector].curriculum
        with self.records._write() as session:
            cohort = t.Cohort(
                school_id=school_id,
                name=name,
                sector=sector,
                curriculum=curriculum.id,
                curriculum_version=curriculum.version,
                starts_on=starts_on,
                ends_on=ends_on,
            )
            session.add(cohort)
            session.flush()
            session.add_all(t.CohortTrainer(cohort_id=cohort.id, user_id=u) for u in trainers)
            return cohort.id

    def add_trainees(self, cohort_id: int, trainees: Sequence[NewTrainee]) -> list[int]:
        """Add every trainee or none: one bad row and nothing is written."""
        problems = numbered_problems(trainees)
        if problems:
            raise RecordError("Aucun stagiaire ajouté. " + " ; ".join(problems))
        with self.records._write() as session:
            if session.get(t.Cohort, cohort_id) is None:
                raise RecordError(f"Promotion n° {cohort_id} introuvable.")
            rows = [
                t.Trainee(
                    cohort_id=cohort_id,
                    first_name=n.first_name.strip(),
                    last_name=n.last_name.strip(),
                    email=(n.email or None),
                    external_ref=(n.external_ref or None),
                )
                for n in trainees
            ]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def authenticate(self, email: str, password: str) -> t.User | None:
        with self.records._read() as session:
            user = session.scalar(select(t.User).where(t.User.email == email.strip().lower()))
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password)  # same time whether the account exists or not
            return None
        return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = hash_password("not a real password, only for timing")


def set_active(records: Records, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) an account; its sessions stop working at once."""
    from sqlalchemy import delete

    with records._write() as session:
        user = session.get(t.User, user_id)
        if user is None:
            raise RecordError(f"Compte n° {user_id} introuvable.")
        user.active = active
        if not active:
            session.execute(delete(t.WebSession).where(t.WebSession.user_id == user_id))

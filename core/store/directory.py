"""Schools, accounts, cohorts and trainees: the people and groups around the observations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from core.catalog import Catalog
from core.domain import EMAIL, NewTrainee, RecordError, Role, numbered_problems
from core.passwords import hash_password
from core.store import tables as t
from core.store.database import Database


class Directory:
    """Create schools, accounts, cohorts and trainees."""

    def __init__(self, database: Database, catalog: Catalog) -> None:
        self._db = database
        self._catalog = catalog

    def create_school(self, slug: str, name: str, city: str, territory: str) -> int:
        if territory not in self._catalog.territories:
            raise RecordError(f"Territoire « {territory} » inconnu du catalogue.")
        with self._db.write() as session:
            school = t.School(slug=slug, name=name, city=city, territory=territory)
            session.add(school)
            session.flush()
            return school.id

    def create_user(
        self, email: str, name: str, password: str, role: Role, schools: Iterable[int] = ()
    ) -> int:
        if not EMAIL.match(email):
            raise RecordError(f"Adresse e-mail invalide « {email} ».")
        if not name.strip() or len(name) > 200:
            raise RecordError("Le nom est obligatoire (200 caractères au plus).")
        if len(password) < 10:
            raise RecordError("Le mot de passe doit faire au moins 10 caractères.")
        with self._db.write() as session:
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
                role=Role(role).value,
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
        if sector not in self._catalog.sectors:
            raise RecordError(f"Filière « {sector} » inconnue du catalogue.")
        if ends_on <= starts_on:
            raise RecordError("La date de fin doit suivre la date de début.")
        curriculum = self._catalog.sectors[sector].curriculum
        with self._db.write() as session:
            if session.get(t.School, school_id) is None:
                raise RecordError("École inconnue.")
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
        with self._db.write() as session:
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

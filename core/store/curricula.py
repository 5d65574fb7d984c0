"""Curriculum versions: each version a cohort is pinned to is kept (its sector's definitions),
compared with the installed one, and a cohort moves to the installed version only when none
of its entries points at something the new version removed."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.catalog.catalog import Catalog
from core.catalog.change import Change, compare
from core.catalog.definitions import Sector
from core.domain import RecordError
from core.store import tables as t
from core.store.database import Database
from core.store.facts import current
from core.store.observations import check_open


@dataclass(frozen=True)
class CurriculumStatus:
    """Where a cohort stands against the installed curriculum of its sector."""

    pinned: str
    installed: str
    changes: tuple[Change, ...]
    blockers: tuple[Change, ...]  # removed definitions the cohort's entries point at
    known: bool  # whether the pinned version's definitions were kept (cohorts made since 0005)

    @property
    def behind(self) -> bool:
        return self.pinned != self.installed


class Curricula:
    def __init__(self, database: Database, catalog: Catalog) -> None:
        self._db = database
        self._catalog = catalog
        self._pinned: dict[tuple[str, str], Catalog] = {}  # a kept version never changes

    def catalog(self, sector: str, version: str) -> Catalog:
        """The definitions a cohort of ``sector`` pinned to ``version`` is judged by: the
        installed catalog when it is that version; otherwise the installed catalog with that
        version's kept definitions in place of the sector's, read once. A version never kept
        (cohorts made before migration 0005) falls back on the installed one, and ``status``
        says it is not known."""
        installed = self._catalog.sectors.get(sector)
        if installed is not None and installed.curriculum.version == version:
            return self._catalog
        found = self._pinned.get((sector, version))
        if found is None:
            with self._db.read() as session:
                kept = _kept(session, sector, version)
            where = f"parcours {sector} {version} (conservé par Gestes)"
            found = self._catalog.with_sector(kept, where) if kept else self._catalog
            self._pinned[(sector, version)] = found
        return found

    def keep(self, session: Session, sector: str) -> None:
        """Keep the installed version's definitions (once), in the caller's transaction."""
        installed = self._catalog.sectors[sector]
        exists = session.scalar(
            select(t.Curriculum.id).where(
                t.Curriculum.sector == sector,
                t.Curriculum.version == installed.curriculum.version,
            )
        )
        if exists is None:
            try:
                with session.begin_nested():
                    session.add(
                        t.Curriculum(
                            sector=sector,
                            version=installed.curriculum.version,
                            definition=installed.model_dump(mode="json"),
                        )
                    )
            except IntegrityError:  # kept meanwhile by another process: the same content
                pass

    def status(self, cohort_id: int) -> CurriculumStatus:
        with self._db.read() as session:
            return self._status(session, cohort_id)

    def upgrade(self, cohort_id: int) -> CurriculumStatus:
        """Move a cohort to its sector's installed curriculum, or say what blocks it."""
        with self._db.write() as session:
            status = self._status(session, cohort_id)
            if not status.behind:
                raise RecordError("La promotion suit déjà la version installée du parcours.")
            if status.blockers:
                blocking = "; ".join(c.label for c in status.blockers)
                raise RecordError(f"Des saisies de la promotion portent sur : {blocking}.")
            cohort = session.get(t.Cohort, cohort_id)
            assert cohort is not None
            check_open(cohort)
            self.keep(session, cohort.sector)
            cohort.curriculum_version = status.installed
        return self.status(cohort_id)

    def _status(self, session: Session, cohort_id: int) -> CurriculumStatus:
        cohort = session.get(t.Cohort, cohort_id)
        if cohort is None:
            raise RecordError(f"Promotion n° {cohort_id} introuvable.")
        installed = self._catalog.sectors[cohort.sector]
        kept = _kept(session, cohort.sector, cohort.curriculum_version)
        changes = () if kept is None else tuple(compare(kept, installed))
        removed = {c.id: c for c in changes if c.what == "removed"}
        used = set(
            session.scalars(
                current(t.Observation.cohort_id == cohort_id)
                .with_only_columns(t.Observation.definition)
                .distinct()
            )
        )
        return CurriculumStatus(
            pinned=cohort.curriculum_version,
            installed=installed.curriculum.version,
            changes=changes,
            blockers=tuple(removed[i] for i in sorted(used & removed.keys())),
            known=kept is not None,
        )


def _kept(session: Session, sector: str, version: str) -> Sector | None:
    """A kept version's definitions; None when that version was never kept, or was kept by an
    older Gestes in a form this one no longer reads."""
    kept = session.scalar(
        select(t.Curriculum.definition).where(
            t.Curriculum.sector == sector, t.Curriculum.version == version
        )
    )
    if kept is None:
        return None
    try:
        return Sector.model_validate(kept)
    except ValidationError:
        return None

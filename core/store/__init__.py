"""The store: every table, every SQL statement and every transaction of Gestes live here.

The rest of the program calls the services of a ``Store`` and gets domain objects back
(``core.domain``, ``core.judging.record``); nothing outside this package imports SQLAlchemy or
the tables (``tests/test_architecture.py`` walks the imports). Observations are append-only:
a correction is a new row that supersedes an old one.

=================  ==============================================================
service            what it does
=================  ==============================================================
``observations``   attempts, evaluations, level decisions, comments, retractions,
                   exits (``core.store.observations``)
``taps``           live step taps, many per transaction (``core.store.taps``)
``evidence``       files attached to observations (``core.store.evidence``)
``records``        derived views: a trainee's record, a cohort's grid
``directory``      schools, accounts, cohorts, trainees
``accounts``       signing in, browser sessions, account activation
``lookup``         who sees which cohort, where a trainee or an entry belongs
``rgpd``           a trainee's data exported, or erased
``curricula``      the curriculum versions cohorts are pinned to, compared and moved on
``corrections``    accounts, cohorts and trainees corrected or deleted, with a history
``shares``         booklets shared with employers through links the school can withdraw
``placements``     immersions, links for tutors and trainees, the loop's entries
``verifications``  booklets handed out, behind their short verification codes
``organisations``  each school's legal body and signing certificate, traced
``followups``      the coordination's call log with trainees at risk
``positioning``    each trainee's entry snapshot and individual plan
``complaints``     each school's complaints register, its steps traced
``qualiopi``       what a school's record holds over a period, counted
``audits``         read-only links to a school's Qualiopi file, for auditors
``opinions``       questionnaires answered, and the links sent for them
``partners``       each school's partner companies and their requirements, traced
``engagements``    what each company committed and did: internships, visits, hires…
``candidates``     candidates, their session, interview and decision, then admitted
=================  ==============================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

from core.catalog.catalog import Catalog
from core.domain import ExitStats, RecordError
from core.settings import Settings
from core.store.accounts import Accounts
from core.store.attendance import Attendance
from core.store.attendance_alerts import AbsenceAlert, SheetAlert, attendance_alerts
from core.store.attendance_checks import NewEntry
from core.store.audits import AuditLink, AuditLinks
from core.store.backup import backup_database, restore_database
from core.store.candidates import DECISIONS, Candidate, Candidates
from core.store.complaints import SOURCES, Complaint, Complaints
from core.store.corrections import Correction, Corrections
from core.store.curricula import Curricula
from core.store.database import Database
from core.store.directory import STEPS, Directory
from core.store.engagements import KINDS as ENGAGEMENT_KINDS
from core.store.engagements import Engagement, Engagements
from core.store.engine import (
    create_missing_database,
    current_revision,
    make_engine,
    migrate_or_check,
    unreachable,
)
from core.store.evidence import EvidenceFiles
from core.store.files import FileStore, LocalFiles, write_private
from core.store.followups import FollowUp, FollowUps
from core.store.jobs import Jobs, JobState
from core.store.limits import FailureCounts
from core.store.lookup import Lookup
from core.store.observations import Observations
from core.store.opinions import Opinion, OpinionLink, Opinions
from core.store.organisations import Organisations, certificate_digest
from core.store.partners import Partner, Partners
from core.store.placements import Placements
from core.store.positioning import PlanLine, Positionings, Snapshot
from core.store.proofs import Proofs
from core.store.qualiopi import QualiopiCounts
from core.store.records import TraineeRecords
from core.store.rgpd import Rgpd
from core.store.shared_files import DatabaseFiles
from core.store.shares import Shares
from core.store.stats import BREAKDOWNS, FollowUpDue, exit_stats, follow_ups_due
from core.store.tap_writer import LiveAttempt, RecordedTap, Tap, TapOutcome, TapWriter
from core.store.taps import UNFINISHED_SHOWN, TapStore
from core.store.verifications import Verifications

__all__ = [
    "BREAKDOWNS",
    "DECISIONS",
    "ENGAGEMENT_KINDS",
    "SOURCES",
    "STEPS",
    "UNFINISHED_SHOWN",
    "AbsenceAlert",
    "Attendance",
    "AuditLink",
    "AuditLinks",
    "Candidate",
    "Candidates",
    "Complaint",
    "Correction",
    "Engagement",
    "Engagements",
    "FailureCounts",
    "FileStore",
    "FollowUp",
    "FollowUpDue",
    "JobState",
    "LiveAttempt",
    "LocalFiles",
    "NewEntry",
    "Observations",
    "Opinion",
    "OpinionLink",
    "Opinions",
    "Partner",
    "Partners",
    "PlanLine",
    "Positionings",
    "RecordError",
    "RecordedTap",
    "SheetAlert",
    "Snapshot",
    "Store",
    "Tap",
    "TapOutcome",
    "TapStore",
    "TapWriter",
    "attendance_alerts",
    "backup_database",
    "certificate_digest",
    "open_store",
    "restore_database",
    "safe_url",
    "upgrade_database",
    "write_private",
]


class Store:
    """The store's services over one database, for one catalog and one set of settings."""

    def __init__(self, database: Database, catalog: Catalog, settings: Settings) -> None:
        self.database = database
        self.files: FileStore = (  # evidence, booklets, exports, keys (core.store.files)
            DatabaseFiles(database)
            if settings.file_store == "database"
            else LocalFiles(settings.data_dir)
        )
        self.curricula = Curricula(database, catalog)
        self.corrections = Corrections(database, catalog)
        catalogs = self.curricula.catalog  # each cohort is judged by its pinned version
        self.observations = Observations(database, catalog, catalogs)
        self.taps = TapStore(database, catalogs)
        self.evidence = EvidenceFiles(database, settings, self.files.within("evidence"))
        self.records = TraineeRecords(database, catalogs)
        self.directory = Directory(database, catalog)
        self.accounts = Accounts(database)
        self.lookup = Lookup(database)
        self.rgpd = Rgpd(database, self.records, self.evidence, settings, self.files)
        self.shares = Shares(database)
        self.placements = Placements(database, catalog, catalogs)
        self.verifications = Verifications(database)
        self.organisations = Organisations(database, self.files)
        self.followups = FollowUps(database)
        self.positioning = Positionings(database)
        self.complaints = Complaints(database)
        self.qualiopi = QualiopiCounts(database)
        self.audits = AuditLinks(database)
        self.opinions = Opinions(database)
        self.partners = Partners(database, catalog)
        self.engagements = Engagements(database)
        self.candidates = Candidates(database, self.directory)
        self.failures = FailureCounts(database, settings.signing_key)
        self.jobs = Jobs(database)
        proofs = Proofs(settings, self.files.within("proofs"))
        self.attendance = Attendance(database, catalogs, proofs)
        self._catalog = catalog

    def exit_stats(
        self,
        by: str = "cohort",
        schools: Collection[int] | None = None,
        year: int | None = None,
        follow_up: int | None = None,
    ) -> list[ExitStats]:
        """Positive and lasting exits per cohort, school, territory or sector, over all
        trainees (``core.store.stats``)."""
        return exit_stats(self.database, self._catalog, by, schools, year, follow_up)

    def follow_ups_due(
        self, schools: Collection[int] | None, today: dt.date | None = None
    ) -> list[FollowUpDue]:
        """Follow-ups at 3 and 6 months due and not recorded (``core.store.stats``)."""
        return follow_ups_due(self.database, schools, today or dt.date.today())

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.database.dialect.name

    def safe_url(self) -> str:
        """The database's address, password hidden, for messages."""
        return self.database.engine.url.render_as_string(hide_password=True)

    def check(self) -> None:
        """Raise unless the database answers at the schema this version runs (readiness)."""
        migrate_or_check(self.database.engine, migrate=False)

    def close(self) -> None:
        self.database.dispose()


def open_store(settings: Settings, catalog: Catalog, *, migrate: bool = False) -> Store:
    """The store on the configured database: upgraded first if ``migrate``, else refused
    (RecordError) when its schema is not the current one."""
    private_folder(settings.data_dir)
    engine = make_engine(settings.url)
    migrate_or_check(engine, migrate)
    return Store(Database(engine), catalog, settings)


def private_folder(folder: Path) -> None:
    """The data directory (evidence, booklets, keys, the SQLite file) 0700, whatever the
    umask — unless it is not ours or a shared folder (sticky bit: /tmp)."""
    import os
    import stat

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    mode = folder.stat()
    if mode.st_uid == os.getuid() and not mode.st_mode & stat.S_ISVTX and mode.st_mode & 0o077:
        folder.chmod(0o700)


def upgrade_database(settings: Settings) -> str:
    """Create or migrate the configured database (``gestes db upgrade``); its revision. A
    PostgreSQL database that does not exist yet is created when the role may; what cannot
    be done (no such role, a wrong password, no server) is said in French with the command
    that fixes it, never a traceback."""
    from sqlalchemy.exc import OperationalError

    for attempt in (1, 2):
        engine = make_engine(settings.url)
        try:
            migrate_or_check(engine, migrate=True)
            return current_revision(engine) or "?"
        except OperationalError as error:
            if attempt == 1 and create_missing_database(settings.url, error):
                continue  # created: upgrade it now
            raise RecordError(unreachable(settings.url, error)) from None
        finally:
            engine.dispose()
    raise AssertionError("unreachable")


def safe_url(url: str) -> str:
    """A database address with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

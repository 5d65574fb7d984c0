"""RGPD: export everything about a trainee; erase a trainee.

Erasure is the one exception to "nothing is updated or deleted": personal data goes (names,
email, external reference, comment texts, evidence files), while the observations stay,
attached to a pseudonymous row, so that cohort grids and exit statistics stay right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from core.domain import RecordError
from core.settings import Settings
from core.store import tables as t
from core.store.database import Database
from core.store.engagements import EngagementRow
from core.store.evidence import EvidenceFiles
from core.store.files import FileStore
from core.store.followups import FollowUpRow
from core.store.opinions import OpinionRow
from core.store.placements import erase_placements
from core.store.positioning import PlanRow, PositioningRow, erase_positioning
from core.store.records import TraineeRecords

ERASED_NAME = "Stagiaire effacé·e"
PRIVATE_TEXTS = frozenset({"text", "justification", "reason"})  # free texts of observations


class Rgpd:
    def __init__(
        self,
        database: Database,
        records: TraineeRecords,
        evidence: EvidenceFiles,
        settings: Settings,
        files: FileStore,
    ) -> None:
        self._db = database
        self._records = records
        self._evidence = evidence
        self._settings = settings
        self._files = files

    def export_trainee(self, trainee_id: int) -> dict[str, Any]:
        """Every row about a trainee, corrections included, and the derived record."""
        return export_trainee(self._db, self._records, trainee_id)

    def erase_trainee(self, trainee_id: int) -> int:
        """Remove a trainee's personal data wherever it lives: the rows (pseudonym, free texts
        blanked), evidence files, cached booklets, cohort exports, and SQLite's write-ahead
        log. Returns how many files were deleted."""
        digests = _erase_rows(self._db, trainee_id)
        # After the commit: a rolled-back erase keeps its files.
        deleted = self._evidence.delete_unused(digests)
        deleted += _erase_files(self._settings, self._files, trainee_id)
        # the old values leave SQLite's WAL, or PostgreSQL's dead row versions
        self._db.checkpoint(ERASED_TABLES)
        return deleted


def export_trainee(database: Database, records: TraineeRecords, trainee_id: int) -> dict[str, Any]:
    with database.read() as session:
        trainee = session.get(t.Trainee, trainee_id)
        if trainee is None:
            raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
        observations = session.scalars(
            select(t.Observation)
            .where(t.Observation.trainee_id == trainee_id)
            .order_by(t.Observation.id)
        ).all()
        evidence = session.scalars(
            select(t.Evidence)
            .join(t.Observation)
            .where(t.Observation.trainee_id == trainee_id)
            .order_by(t.Evidence.id)
        ).all()
        exits = session.scalars(
            select(t.ExitRecord)
            .where(t.ExitRecord.trainee_id == trainee_id)
            .order_by(t.ExitRecord.id)
        ).all()
        immersion = {
            name: [
                _columns(row)
                for row in session.scalars(
                    select(model).where(model.trainee_id == trainee_id).order_by(order)
                )
            ]
            for name, model, order in (
                ("placements", t.Placement, t.Placement.id),
                ("access_links", t.AccessLink, t.AccessLink.id),
                ("portfolio_entries", t.PortfolioEntry, t.PortfolioEntry.id),
                ("verifications", t.Verification, t.Verification.issued_on),
                ("followups", FollowUpRow, FollowUpRow.id),
                ("positioning", PositioningRow, PositioningRow.id),
                ("plan_lines", PlanRow, PlanRow.id),
                ("opinions", OpinionRow, OpinionRow.id),
                ("engagements", EngagementRow, EngagementRow.id),
            )
        }
        attendance = [
            {**_columns(row), "day": day, "half": half}
            for row, day, half in session.execute(
                select(t.AttendanceEntry, t.AttendanceSession.day, t.AttendanceSession.half)
                .join(t.AttendanceSession)
                .where(t.AttendanceEntry.trainee_id == trainee_id)
                .order_by(t.AttendanceSession.day, t.AttendanceEntry.position)
            )
        ]
    record = records.trainee_record(trainee_id)
    return {
        **immersion,
        "attendance": attendance,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "trainee": _columns(trainee),
        "observations": [_columns(o) for o in observations],
        "evidence": [_columns(e) for e in evidence],
        "exits": [_columns(o) for o in exits],
        "record": record.model_dump(mode="json"),
    }


# Where a trainee's personal data lived (rewritten or deleted by the erasure).
ERASED_TABLES = (
    "trainees",
    "observations",
    "exits",
    "verifications",
    "placements",
    "portfolio_entries",
    "access_links",
    "evidence",
    "changes",
    "followups",
    "positioning",
    "plan_lines",
    "opinions",
    "engagements",
)


def _erase_rows(database: Database, trainee_id: int) -> set[str]:
    """Pseudonymise the trainee and blank their texts; the digests of files no longer used."""
    with database.write() as session:
        trainee = session.get(t.Trainee, trainee_id)
        if trainee is None:
            raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
        trainee.first_name = ERASED_NAME
        trainee.last_name = f"n° {trainee.id}"
        trainee.email = None
        trainee.external_ref = None
        trainee.birth_date = trainee.phone = trainee.prescriber = None
        trainee.statuses = trainee.qualification = None
        session.execute(  # the call log's words are about the person: they go, the dates stay
            update(FollowUpRow)
            .where(FollowUpRow.trainee_id == trainee_id)
            .values(outcome="[effacé]")
        )
        erase_positioning(session, trainee_id)
        for model, blank in ((OpinionRow, {"text": ""}), (EngagementRow, {"note": ""})):
            session.execute(  # counted still; their words, about the person, go
                update(model).where(model.trainee_id == trainee_id).values(**blank)
            )
        trainee.erased_at = dt.datetime.now(dt.UTC)
        observations = session.scalars(
            select(t.Observation).where(t.Observation.trainee_id == trainee_id)
        ).all()
        for observation in observations:
            if PRIVATE_TEXTS & observation.payload.keys():
                observation.payload = {
                    key: ("[effacé]" if key in PRIVATE_TEXTS else value)
                    for key, value in observation.payload.items()
                }
        for exit_row in session.scalars(
            select(t.ExitRecord).where(t.ExitRecord.trainee_id == trainee_id)
        ):
            exit_row.employer_name = None  # free text: a person's employer can name them
        for handed in session.scalars(
            select(t.Verification).where(t.Verification.trainee_id == trainee_id)
        ):
            handed.shown = None  # the booklet as issued names the trainee
        erase_placements(session, trainee_id)
        # The corrections' history held the trainee's former names and e-mail: the fields
        # changed stay (who corrected what, when), the values go.
        session.execute(
            update(t.Change)
            .where(t.Change.entity == "trainee", t.Change.entity_id == trainee_id)
            .values(before="[effacé]", after="[effacé]")
        )
        evidence = session.scalars(
            select(t.Evidence).join(t.Observation).where(t.Observation.trainee_id == trainee_id)
        ).all()
        digests = {e.sha256 for e in evidence}
        for row in evidence:
            session.delete(row)
        session.flush()
        still_used = set(
            session.scalars(select(t.Evidence.sha256).where(t.Evidence.sha256.in_(digests)))
        )
    return digests - still_used


def _erase_files(settings: Settings, files: FileStore, trainee_id: int) -> int:
    """Cached booklets (named after the trainee's opaque reference) and every cohort export
    holding the trainee's booklet, wherever the files live (``core.store.files``)."""
    import io
    import zipfile

    from core.booklet.verification import trainee_reference

    deleted = 0
    reference = trainee_reference(settings.signing_key(), trainee_id)
    for cached in files.names(f"booklets/{reference}-"):
        deleted += files.delete(cached)
    for export in files.names("exports/"):
        try:
            with zipfile.ZipFile(io.BytesIO(files.read(export) or b"")) as archive:
                holds = any(n.startswith(f"livret-{trainee_id}-") for n in archive.namelist())
        except zipfile.BadZipFile:
            holds = False
        if holds:
            deleted += files.delete(export)
    return deleted


def _columns(row: Any) -> dict[str, Any]:
    result = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        result[column.key] = value.isoformat() if isinstance(value, dt.date) else value
    return result

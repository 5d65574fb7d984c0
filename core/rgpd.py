"""RGPD: export everything about a trainee; erase a trainee.

Erasure is the one exception to "nothing is updated or deleted": personal data goes (names,
email, external reference, comment texts, evidence files), while the observations stay,
attached to a pseudonymous row, so that cohort grids and exit statistics stay right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.records import RecordError, Records
from core.store import tables as t

ERASED_NAME = "Stagiaire effacé·e"


def export_trainee(records: Records, trainee_id: int) -> dict[str, Any]:
    """Every row about a trainee, corrections included, and the derived record (JSON-ready)."""
    with records._read() as session:
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
        outcomes = session.scalars(
            select(t.Outcome).where(t.Outcome.trainee_id == trainee_id).order_by(t.Outcome.id)
        ).all()
    record = records.trainee_record(trainee_id)
    return {
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "trainee": _columns(trainee),
        "observations": [_columns(o) for o in observations],
        "evidence": [_columns(e) for e in evidence],
        "outcomes": [_columns(o) for o in outcomes],
        "record": record.model_dump(mode="json"),
    }


def erase_trainee(records: Records, trainee_id: int) -> int:
    """Remove a trainee's personal data; returns how many evidence files were deleted."""
    with records._write() as session:
        trainee = session.get(t.Trainee, trainee_id)
        if trainee is None:
            raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
        trainee.first_name = ERASED_NAME
        trainee.last_name = f"n° {trainee.id}"
        trainee.email = None
        trainee.external_ref = None
        trainee.erased_at = dt.datetime.now(dt.UTC)
        observations = session.scalars(
            select(t.Observation).where(t.Observation.trainee_id == trainee_id)
        ).all()
        for observation in observations:
            if "text" in observation.payload or "justification" in observation.payload:
                observation.payload = {
                    key: ("[effacé]" if key in {"text", "justification", "reason"} else value)
                    for key, value in observation.payload.items()
                }
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
    deleted = 0
    for digest in digests - still_used:  # after commit: a rolled-back erase keeps its files
        path = records.evidence_path(digest)
        if path.exists():
            path.unlink()
            deleted += 1
    return deleted


def _columns(row: Any) -> dict[str, Any]:
    result = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        result[column.key] = value.isoformat() if isinstance(value, dt.date) else value
    return result

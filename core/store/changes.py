"""One way to correct a row with a trace: each changed field set and recorded in ``changes``
(who, when, before, after, in words a history reads). Corrections, imports that update a
trainee, schools' organisations and the complaints register all go through it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from core.domain import Role
from core.store import tables as t


def apply_changes(
    session: Session,
    row: Any,
    new: Mapping[str, Any],
    by: int | None,
    entity: str,
    school: int | None,
    fields: Mapping[str, str],
) -> int:
    """Set each changed field of ``row`` and record it under its label; how many changed."""
    changed = 0
    for name, value in new.items():
        old = getattr(row, name)
        if old != value:
            record_change(session, by, entity, row.id, school, fields[name], said(old), said(value))
            setattr(row, name, value)
            changed += 1
    return changed


def record_change(
    session: Session,
    by: int | None,
    entity: str,
    entity_id: int,
    school: int | None,
    field: str,
    before: str | None,
    after: str | None,
) -> None:
    session.add(
        t.Change(
            author_id=by, entity=entity, entity_id=entity_id, school_id=school,
            field=field, before=before, after=after,
        )
    )  # fmt: skip


def said(value: Any) -> str | None:
    """A value as the history shows it: dates as 31/12/2026, roles by their label."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str) and value in {r.value for r in Role}:
        return Role(value).label
    return str(value)[:400]

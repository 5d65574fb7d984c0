"""Attendance: a cohort's half-day sessions, the signatures on their sheets, and the hours
done derived from them — pure functions; the store keeps the rows (``core.store.attendance``)."""

from core.attendance.chain import chain_hash, first_broken
from core.attendance.hours import Mark, fold_marks, minutes_done
from core.attendance.sessions import AFTERNOON, MORNING, PlannedSession, plan_sessions

__all__ = [
    "AFTERNOON",
    "MORNING",
    "Mark",
    "PlannedSession",
    "chain_hash",
    "first_broken",
    "fold_marks",
    "minutes_done",
    "plan_sessions",
]

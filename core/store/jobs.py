"""Long work and its progress (table ``jobs``): written by whoever runs it (a thread of the
process that was asked, or `gestes worker` on any machine), read by the page that waits in
whichever process serves it (``core.booklet.jobs``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text, update

from core.store import tables as t
from core.store.database import Database

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class JobState:
    id: str
    kind: str
    cohort: int
    user: int
    served_at: str | None
    state: str
    total: int
    done: int
    tries: int
    error: str | None
    result: str | None  # a name in the file store

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)


class Jobs:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, kind: str, cohort: int, user: int, served_at: str | None) -> str:
        job = uuid.uuid4().hex
        with self._db.write() as session:
            session.add(
                t.Job(id=job, kind=kind, cohort_id=cohort, user_id=user, served_at=served_at)
            )
        return job

    def get(self, job: str) -> JobState | None:
        with self._db.read() as session:
            row = session.get(t.Job, job)
        if row is None:
            return None
        return JobState(
            row.id,
            row.kind,
            row.cohort_id,
            row.user_id,
            row.served_at,
            row.state,
            row.total,
            row.done,
            row.tries,
            row.error,
            row.result,
        )

    def start(self, job: str, total: int) -> None:
        """A run begins (again, after a failure: from the start, the same result)."""
        self._set(job, state=RUNNING, total=total, done=0, error=None, tries=t.Job.tries + 1)

    def progress(self, job: str, done: int) -> None:
        self._set(job, done=done)

    def finish(self, job: str, result: str) -> None:
        self._set(job, state=DONE, result=result, finished_at=t.utcnow())

    def fail(self, job: str, error: str, *, final: bool) -> None:
        """A run failed: the page says so; ``final`` when no retry will follow."""
        state = FAILED if final else QUEUED
        self._set(job, state=state, error=error[:500], finished_at=t.utcnow() if final else None)

    def workers_alive(self, within_seconds: int = 60) -> int:
        """How many `gestes worker` processes said they were alive lately (procrastinate's
        heartbeats, every 10 s): none means a queued job waits for someone to start one."""
        if self._db.dialect.name != "postgresql":
            return 0
        with self._db.read() as session:
            found = session.execute(
                text(
                    "SELECT count(*) FROM procrastinate_workers "
                    "WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
                ),
                {"seconds": within_seconds},
            ).scalar()
        return int(found or 0)

    def _set(self, job: str, **values: object) -> None:
        with self._db.write() as session:
            session.execute(update(t.Job).where(t.Job.id == job).values(**values))

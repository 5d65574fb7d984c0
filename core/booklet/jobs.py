"""Long work: a cohort's booklets printed and zipped.

The page asks (``submit``), a row in table ``jobs`` holds the progress (``core.store.jobs``),
and the work runs either in a thread of the process that was asked (``GESTES_JOBS=here``, the
single-machine default) or, queued in PostgreSQL through procrastinate (a maintained queue
over the database already run: no broker to install, back up or secure), by `gestes worker`
processes on any machine (``GESTES_JOBS=queue``), with retries. Whoever runs it, the result
is the same: the booklets are rebuilt from the store and printed through the same
content-keyed cache, the archive kept in the file store (``core.store.files``) every machine reads.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from typing import TYPE_CHECKING, Any

from core.domain import RecordError
from core.store import JobState

if TYPE_CHECKING:
    from core.context import Gestes

__all__ = [
    "COHORT_CERTIFICATES",
    "JobState",
    "archive_of",
    "finish_here",
    "join",
    "run",
    "submit",
    "work",
]

COHORT_BOOKLETS = "cohort_booklets"
COHORT_CERTIFICATES = "cohort_certificates"  # each trainee's certificat and attestation
QUEUE = "gestes"
RETRIES = 2  # a worker lost mid-run, a database restart: tried again from the start
_HERE: dict[str, tuple[threading.Thread, Gestes]] = {}  # jobs running in this process


def submit(
    gestes: Gestes, cohort: int, user: int, served_at: str | None, kind: str = COHORT_BOOKLETS
) -> str:
    """Queue a cohort's booklets (or its certificates); returns the job id the page polls."""
    job = gestes.store.jobs.create(kind, cohort, user, served_at)
    if gestes.settings.jobs == "queue":
        defer(gestes, job)
    else:
        thread = threading.Thread(target=_run_here, args=(gestes, job), daemon=True)
        _HERE[job] = (thread, gestes)
        thread.start()
    return job


def _run_here(gestes: Gestes, job: str) -> None:
    try:
        run(gestes, job)
    except Exception as error:  # shown on the page: the coordinator can ask again
        gestes.store.jobs.fail(job, f"Export interrompu : {error}", final=True)
    finally:
        _HERE.pop(job, None)


def finish_here(gestes: Gestes, timeout: float) -> list[str]:
    """At shutdown: give the jobs running in this process ``timeout`` seconds to finish, then
    record the others as interrupted, so their page says so instead of waiting forever.
    Returns the ids of those interrupted."""
    deadline = time.monotonic() + timeout
    mine = [job for job, (_, owner) in list(_HERE.items()) if owner is gestes]
    for job in mine:
        join(job, max(0.0, deadline - time.monotonic()))
    stopped = [job for job in mine if job in _HERE]
    for job in stopped:
        gestes.store.jobs.fail(
            job, "Export interrompu par l'arrêt du serveur : relancez-le.", final=True
        )
    return stopped


def join(job: str, timeout: float) -> bool:
    """Wait for a job running in this process (at shutdown, and in tests); False if it is
    still running after ``timeout`` seconds."""
    running = _HERE.get(job)
    if running is not None:
        running[0].join(timeout)
    return job not in _HERE


def run(gestes: Gestes, job: str) -> None:
    """Do the work of ``job`` from the start, recording progress; raises on failure."""
    from core.booklet.handing import verified_booklet
    from core.booklet.printing import booklet_filename, cached_pdf

    state = gestes.store.jobs.get(job)
    if state is None or state.kind not in (COHORT_BOOKLETS, COHORT_CERTIFICATES):
        raise RecordError(f"Travail inconnu : {job}.")
    if state.kind == COHORT_CERTIFICATES:
        _certificates(gestes, job, state.cohort)
        return
    records = gestes.store.records.cohort_records(state.cohort)
    gestes.store.jobs.start(job, len(records))
    booklets = gestes.store.files.within("booklets")
    identity = gestes.cohort_identity(state.cohort)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for done, record in enumerate(records, start=1):
            data = verified_booklet(gestes, record, served_at=state.served_at)
            pdf = cached_pdf(data, booklets, identity)
            zipped.writestr(booklet_filename(record.trainee.id, record.trainee.full_name), pdf)
            gestes.store.jobs.progress(job, done)
    result = f"exports/{job}.zip"
    gestes.store.files.write(result, archive.getvalue())
    gestes.store.jobs.finish(job, result)


def _certificates(gestes: Gestes, job: str, cohort: int) -> None:
    """Each trainee's certificat de réalisation and attestation de fin de formation, signed,
    zipped: what the school sends its funder at the end (the same documents as one by one)."""
    import datetime as dt

    from core.attendance.documents import trainee_pdfs
    from core.french import SCHOOL_TIME, slugify

    today = dt.datetime.now(SCHOOL_TIME).date()
    roster = gestes.store.attendance.roster(cohort)
    gestes.store.jobs.start(job, len(roster))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for done, (trainee, full_name) in enumerate(roster.items(), start=1):
            name = slugify(full_name)
            certificate, attestation = trainee_pdfs(
                gestes, trainee, today, ("certificate", "attestation")
            )
            zipped.writestr(f"certificat-de-realisation-{trainee}-{name}.pdf", certificate)
            zipped.writestr(f"attestation-de-fin-de-formation-{trainee}-{name}.pdf", attestation)
            gestes.store.jobs.progress(job, done)
    result = f"exports/{job}.zip"
    gestes.store.files.write(result, archive.getvalue())
    gestes.store.jobs.finish(job, result)


def archive_of(gestes: Gestes, state: JobState) -> bytes | None:
    """The finished job's archive, from whichever machine made it."""
    return gestes.store.files.read(state.result) if state.result else None


# ---------------------------------------------------------------- the PostgreSQL queue


def _conninfo(gestes: Gestes) -> str:
    """libpq's address of the store's database (the driver name dropped)."""
    url = gestes.store.database.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _queue(gestes: Gestes, *, worker: bool) -> tuple[Any, Any]:
    """A procrastinate app on the store's database and its one task. The web app defers
    through a synchronous connection; a worker listens through an asynchronous one."""
    import procrastinate

    if gestes.store.dialect != "postgresql":
        raise RecordError("La file de travaux demande PostgreSQL (GESTES_JOBS=queue).")
    connector = (
        # A query waits for a connection this long before the worker says the database is
        # lost and starts again (the pool's default, 30 s, hid an outage that long).
        procrastinate.PsycopgConnector(conninfo=_conninfo(gestes), timeout=POOL_WAIT)
        if worker
        else procrastinate.SyncPsycopgConnector(conninfo=_conninfo(gestes), min_size=1, max_size=1)
    )
    app = procrastinate.App(connector=connector)

    @app.task(name="gestes.run", queue=QUEUE, retry=RETRIES, pass_context=True)
    def run_queued(context: Any, job: str) -> None:
        final = context.job.attempts >= RETRIES
        try:
            run(gestes, job)
        except Exception as error:
            gestes.store.jobs.fail(job, f"Export interrompu : {error}", final=final)
            raise

    return app, run_queued


def defer(gestes: Gestes, job: str) -> None:
    app, task = _queue(gestes, worker=False)
    with app.open():
        task.defer(job=job)


HEARTBEAT = 5.0  # seconds between a worker's signs of life in the queue's tables
STALLED = 15.0  # a worker silent this long is dead: its job in hand is run again
RECONNECT = (1.0, 30.0)  # first and longest wait before reconnecting to the database
POOL_WAIT = 10.0


def work(gestes: Gestes, *, until_idle: bool = False, say: Any = print) -> None:
    """Run queued jobs (``gestes worker``): until stopped (SIGINT, SIGTERM: the job in hand
    is finished first), or until the queue is empty (``until_idle``). The database going
    away (restarted, restored, a network cut) never ends a worker that waits for work: it
    says so and reconnects, waiting longer each time up to half a minute."""
    import asyncio
    import logging

    from procrastinate.exceptions import ConnectorException
    from psycopg import Error as DatabaseError

    # The pool logs each failed attempt to connect, every second of an outage: one line
    # below says it instead.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    wait = RECONNECT[0]
    while True:
        app, _ = _queue(gestes, worker=True)
        try:
            asyncio.run(_run_worker(app, until_idle))
            return
        except (ConnectorException, DatabaseError, OSError) as error:
            if until_idle:
                raise
            said = str(error.__cause__ or error).strip().splitlines()  # the driver's words
            say(f"Worker: database lost ({said[0] if said else error}); again in {wait:.0f} s.")
            time.sleep(wait)  # a pause before reconnecting, not a synchronisation
            wait = min(wait * 2, RECONNECT[1])


async def _run_worker(app: Any, until_idle: bool) -> None:
    import asyncio
    import contextlib

    async with app.open_async():
        await _retry_stalled(app)
        watch = asyncio.create_task(_keep_retrying_stalled(app, until_idle))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                wait=not until_idle,
                install_signal_handlers=not until_idle,
                name="gestes",
                update_heartbeat_interval=HEARTBEAT,
                stalled_worker_timeout=STALLED,
            )
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch


async def _retry_stalled(app: Any) -> None:
    """What a worker was running when it died (killed, its machine lost, the database cut)
    starts again, on whichever worker sees it first. A job is rebuilt from the store from
    the start, so running it twice is safe."""
    manager = app.job_manager
    for stalled in await manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=STALLED):
        try:
            await manager.retry_job(stalled)
        except Exception:  # another worker retried it first
            continue


async def _keep_retrying_stalled(app: Any, until_idle: bool) -> None:
    import asyncio

    while not until_idle:
        await asyncio.sleep(STALLED)  # the period of a check, not a synchronisation
        await _retry_stalled(app)

"""Live step taps: what one tap is, what a live attempt looks like, and the group-commit
writer that the web app's scoring route goes through.

A trainer taps each step of a gesture as it happens, so taps are the store's hottest write.
Written one transaction per request, concurrent taps queued on SQLite's single write lock and
each paid a whole transaction (bench/web.py: 0.07x the bare baseline). ``TapWriter`` keeps one
writer thread that takes every tap waiting and writes them in one short transaction
(``core.store.taps.TapStore.record_steps``): under load the batches grow and the cost per
tap falls; alone, a tap is written at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.judging.attempts import StepResult

if TYPE_CHECKING:
    from core.catalog.catalog import Catalog
    from core.store import TapStore


@dataclass(frozen=True)
class Tap:
    """One tap on one step during a live attempt (grouped by ``attempt_key``)."""

    trainee_id: int
    author_id: int
    gesture_id: str
    attempt_key: str
    step: str
    result: StepResult
    observed_on: dt.date
    key: str  # idempotency: the same tap sent twice (a retry, a queue) carries the same key
    # As the device made it (scoring.js): the moment on its clock, the device, its own count.
    # None for a tap sent without them (a form without JavaScript): the moment it arrived.
    made_at: dt.datetime | None = None
    device: str | None = None
    seq: int | None = None


@dataclass(frozen=True)
class StoredTap:
    """A tap as the store holds it, with what orders it among the step's other taps."""

    result: StepResult
    made_at: dt.datetime
    device: str | None
    seq: int | None
    id: int


def latest_tap(taps: Iterable[StoredTap]) -> StoredTap:
    """The tap a step's value is: the one made last, whatever order they arrived in.

    On one device its own count orders its taps (a clock set back mid-session cannot reorder
    them); between devices the moments on their clocks do, each device's last against the
    others'. A tap with no device (sent without JavaScript) counts as made when it arrived.
    Ties go to the tap stored last."""
    last: dict[str | None, StoredTap] = {}
    for tap in taps:
        mine = last.get(tap.device)
        if mine is None or _own_order(tap) > _own_order(mine):
            last[tap.device] = tap
    return max(last.values(), key=lambda tap: (tap.made_at, tap.id))


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives moments back without their zone: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _own_order(tap: StoredTap) -> tuple[int, int]:
    return (tap.seq if tap.seq is not None else tap.id, tap.id)


@dataclass(frozen=True)
class LiveAttempt:
    """The latest tap of each step of a live attempt, and how many taps each step had."""

    taps: dict[str, StepResult]
    counts: dict[str, int]
    # The device each step's value came from (None: sent without one): what a validation
    # compares with what its page showed, for the taps of other devices.
    devices: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedTap:
    id: int
    created: bool
    attempt: LiveAttempt
    catalog: Catalog  # what judged the tap: the cohort's pinned curriculum, to redraw it by


def live_attempts(
    rows: Iterable[Any], wanted: dict[str, int], step_kind: str
) -> dict[str, LiveAttempt]:
    """Fold rows (attempt_key, step, result, trainee_id, kind, made_at, device, device_seq, id,
    recorded_at) into live attempts: each step's value is its tap made last (``latest_tap``);
    only the taps of the trainee ``wanted`` maps each attempt key to count."""
    found: dict[str, dict[str, list[StoredTap]]] = {key: {} for key in wanted}
    for row in rows:
        attempt, step, result, trainee, kind = row[:5]
        if step and result and kind == step_kind and wanted.get(attempt) == trainee:
            made_at, device, seq, row_id, recorded_at = row[5:10]
            moment = as_utc(made_at or recorded_at)
            tap = StoredTap(StepResult(result), moment, device, seq, row_id)
            found[attempt].setdefault(step, []).append(tap)
    answer = {}
    for key, steps in found.items():
        latest = {step: latest_tap(taps) for step, taps in steps.items()}
        answer[key] = LiveAttempt(
            {step: tap.result for step, tap in latest.items()},
            {step: len(taps) for step, taps in steps.items()},
            {step: tap.device for step, tap in latest.items()},
        )
    return answer


TapOutcome = RecordedTap | Exception
Waiter = tuple[asyncio.AbstractEventLoop, "asyncio.Future[TapOutcome]"]  # who awaits, and where
Settled = tuple["asyncio.Future[TapOutcome]", TapOutcome]  # a waiter and its answer


class TapWriter:
    """One thread writes every waiting tap in one transaction (group commit).

    ``write`` awaits taps without blocking the event loop on the database; the writer wakes
    each loop once per transaction, handing it every outcome together (a wake-up per tap, a
    write to the loop's self-pipe each, was 5 % of a saturated process). A refused tap comes
    back as its own exception; the others are stored.
    """

    MAX_BATCH = 128  # bounds one transaction's length, hence the wait of the next batch

    def __init__(self, store: TapStore) -> None:
        self.store = store
        self._queue: queue.SimpleQueue[tuple[Tap, Waiter] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # how many transactions, for tests and the benchmark
        self.written = 0

    def put(self, taps: list[Tap]) -> list[asyncio.Future[TapOutcome]]:
        """Queue ``taps`` at once (called on the running loop); their outcomes arrive in the
        futures, in order: the recorded tap, or the exception that refused it."""
        loop = asyncio.get_running_loop()
        waiting = [loop.create_future() for _ in taps]
        self._ensure_thread()
        for tap, future in zip(taps, waiting, strict=True):
            self._queue.put((tap, (loop, future)))
        return waiting

    async def write(self, taps: list[Tap]) -> list[TapOutcome]:
        """Queue ``taps`` and await their outcomes (``put``)."""
        return list(await asyncio.gather(*self.put(taps)))

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="tap-writer", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self.MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:  # close(): finish this batch, then stop
                    self._write(batch)
                    return
                batch.append(item)
            self._write(batch)

    def _write(self, batch: list[tuple[Tap, Waiter]]) -> None:
        try:
            results: list[TapOutcome] = list(self.store.record_steps([tap for tap, _ in batch]))
        except Exception as error:
            if len(batch) > 1:  # the store refused the transaction: one by one, so only the
                for one in batch:  # tap at fault fails
                    self._write([one])
            else:
                self._settle(batch, [error])
            return
        self.batches += 1
        self.written += sum(not isinstance(result, Exception) for result in results)
        self._settle(batch, results)

    @staticmethod
    def _settle(batch: list[tuple[Tap, Waiter]], results: list[TapOutcome]) -> None:
        by_loop: dict[
            asyncio.AbstractEventLoop, list[tuple[asyncio.Future[TapOutcome], TapOutcome]]
        ]
        by_loop = {}
        for (_, (loop, future)), result in zip(batch, results, strict=True):
            by_loop.setdefault(loop, []).append((future, result))
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits
                loop.call_soon_threadsafe(_resolve, settled)


def _resolve(settled: list[Settled]) -> None:
    """On the waiting loop: every outcome of one transaction at once."""
    for future, result in settled:
        if not future.done():  # its request may have been cancelled (client gone)
            future.set_result(result)

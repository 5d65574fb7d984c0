"""Store benchmark at national scale, on SQLite and PostgreSQL.

    ./dev python bench/store.py            # full: 3,000 trainees, 10 M step results (cached)
    ./dev python bench/store.py --quick    # smoke test (CI): the same shape, tiny

Prints, per backend: recording throughput through the gestes service (observations/s, p50
and p99 latency, one writer then four concurrent writers); the cohort grid of a 16-trainee
cohort (target p50 <= 50 ms); one TraineeRecord (target p50 <= 20 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from national import FULL, QUICK, national_store
from sqlalchemy import func, select

from core.catalog.definitions import Autonomy
from core.context import Gestes, load_definitions
from core.judging.attempts import StepResult
from core.store import tables as t


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timings(function: Callable[[], Any], repeat: int) -> list[float]:
    result = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        result.append(time.perf_counter() - started)
    return result


def line(label: str, values: list[float], target: float | None = None) -> str:
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    verdict = ""
    if target is not None:
        verdict = (
            f"   (target p50 <= {target * 1000:.0f} ms: {'ok' if p50 <= target else 'MISSED'})"
        )
    return f"  {label:<36} p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms{verdict}"


def record_some(
    gestes: Gestes, trainees: list[int], author: int, count: int, latencies: list[float]
) -> None:
    catalog = gestes.catalog
    for n in range(count):
        trainee = trainees[n % len(trainees)]
        with gestes.store.database.read() as session:
            sector = session.scalar(
                select(t.Cohort.sector).join(t.Trainee).where(t.Trainee.id == trainee)
            )
        gesture = catalog.sectors[sector or ""].gestures[n % 5]
        steps = {s.key: StepResult.REUSSI for s in gesture.steps}
        started = time.perf_counter()
        gestes.store.observations.record_attempt(
            trainee, author, gesture.id, steps, Autonomy.AUTONOME, dt.date.today(), uuid.uuid4().hex
        )
        latencies.append(time.perf_counter() - started)


def bench(backend: str, quick: bool) -> None:
    scale = QUICK if quick else FULL
    gestes = national_store(backend, scale, load_definitions())
    with gestes.store.database.read() as session:
        observations = session.scalar(select(func.count()).select_from(t.Observation))
        steps = session.scalar(
            select(func.count()).select_from(t.Observation).where(t.Observation.kind == "step")
        )
        cohort = session.scalar(
            select(t.Trainee.cohort_id)
            .group_by(t.Trainee.cohort_id)
            .having(func.count() == 16)
            .limit(1)
        )
        trainees = list(session.scalars(select(t.Trainee.id).where(t.Trainee.cohort_id == cohort)))
        author = session.scalar(select(t.User.id).limit(1))
    print(
        f"\n{backend}: {scale.trainees:,} trainees, {steps:,} step results, "
        f"{observations:,} observations"
    )
    assert cohort is not None and author is not None

    writes = 50 if quick else 400
    latencies: list[float] = []
    started = time.perf_counter()
    record_some(gestes, trainees, author, writes, latencies)
    elapsed = time.perf_counter() - started
    print(line(f"record_attempt, 1 writer ({writes / elapsed:,.0f}/s)", latencies))
    latencies = []
    threads = [
        threading.Thread(
            target=record_some, args=(gestes, trainees[i::4], author, writes // 4, latencies)
        )
        for i in range(4)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(line(f"record_attempt, 4 writers ({len(latencies) / elapsed:,.0f}/s)", latencies))

    repeat = 5 if quick else 30
    gestes.store.records.cohort_grid(cohort)  # warm the caches, as a running app has them
    derive = timings(
        lambda: gestes.store.records._derive_grid(cohort), repeat
    )  # as after every change
    print(line("cohort grid (16 trainees), derived", derive, 0.050))
    print(
        line(
            "cohort grid, unchanged (remembered)",
            timings(lambda: gestes.store.records.cohort_grid(cohort), repeat),
        )
    )
    values = []
    for n in range(repeat):
        trainee = trainees[n % len(trainees)]
        values += timings(lambda trainee=trainee: gestes.store.records.trainee_record(trainee), 1)
    print(line("TraineeRecord", values, 0.020))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny store: a smoke test")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        bench(backend, args.quick)


if __name__ == "__main__":
    main()

"""A national-scale store, generated once and reused by the benchmarks.

Full scale: 18 schools in 5 territories, 3,000 trainees in cohorts of 16, and 10 million
step results (each gesture attempt stores one row per step tapped plus the attempt itself,
so about 11.7 million observations). Quick scale: the same shape, a few thousand rows.

Schools, users, cohorts and trainees go through the directory service; the observations are
bulk-loaded straight through the driver (``executemany`` on SQLite, ``COPY`` on PostgreSQL):
going through ``record_attempt`` one by one would take hours at this size, and the benchmark
measures that path separately.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.catalog.catalog import Catalog  # noqa: E402
from core.context import Definitions, Gestes, load_definitions  # noqa: E402
from core.domain import NewTrainee, Role  # noqa: E402
from core.judging.attempts import StepResult, attempt_outcome  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.store import Store  # noqa: E402
from core.store import tables as t  # noqa: E402
from core.store.database import Database  # noqa: E402
from core.store.engine import make_engine, upgrade  # noqa: E402

POSTGRES = "postgresql+psycopg://root@127.0.0.1:5432"
CACHE = ROOT / "bench" / ".data"
COMPLETE = "generation-complete"  # a school row written last: the store is whole
TERRITORIES = [
    "territoire.marseille",
    "territoire.hauts_de_france",
    "territoire.lyon",
    "territoire.ile_de_france",
    "territoire.bordeaux",
]
COLUMNS = (
    "idempotency_key",
    "trainee_id",
    "cohort_id",
    "author_id",
    "kind",
    "definition",
    "catalog_version",
    "observed_on",
    "recorded_at",
    "attempt_key",
    "step",
    "result",
    "passed",
    "autonomy",
    "seconds",
    "level",
    "payload",
)


@dataclass(frozen=True)
class Scale:
    name: str
    trainees: int
    step_results: int
    schools: int = 18


FULL = Scale("full", 3000, 10_000_000)
QUICK = Scale("quick", 96, 40_000, schools=4)


def national_store(backend: str, scale: Scale, definitions: Definitions | None = None) -> Gestes:
    """The store of that backend and scale, generated if missing (full scale is cached)."""
    definitions = definitions or load_definitions()
    settings = Settings(data_dir=CACHE / f"{backend}-{scale.name}")
    engine = _engine(backend, scale)
    upgrade(engine)
    store = Store(Database(engine), definitions.catalog, settings)
    gestes = Gestes(definitions, settings, store)
    with gestes.store.database.read() as session:
        done = session.scalar(select(t.School.id).where(t.School.slug == COMPLETE))
    if done is None:
        started = time.perf_counter()
        rows = generate(gestes, scale)
        seconds = time.perf_counter() - started
        print(
            f"  generated {backend} {scale.name}: {rows:,} observations in {seconds:.0f} s "
            f"({rows / seconds:,.0f} rows/s bulk)"
        )
    return gestes


def _engine(backend: str, scale: Scale) -> Any:
    if backend == "sqlite":
        path = CACHE / f"national-{scale.name}.sqlite3"
        if scale is QUICK and path.exists():
            path.unlink()  # quick runs start afresh
        path.parent.mkdir(parents=True, exist_ok=True)
        return make_engine(f"sqlite:///{path}")
    database = f"gestes_bench_{scale.name}"
    admin = make_engine(f"{POSTGRES}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if scale is QUICK:
            connection.execute(text(f"DROP DATABASE IF EXISTS {database}"))
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
        )
        if not exists:
            connection.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    return make_engine(f"{POSTGRES}/{database}")


def generate(gestes: Gestes, scale: Scale, seed: int = 7) -> int:
    rng = random.Random(seed)
    catalog = gestes.catalog
    directory = gestes.store.directory
    today = dt.date.today()
    schools = [
        directory.create_school(
            f"ecole-{n}", f"École {n}", f"Ville {n}", TERRITORIES[n % len(TERRITORIES)]
        )
        for n in range(scale.schools)
    ]
    trainers = [
        directory.create_user(
            f"formateur{n}@bench.test",
            f"Formateur {n}",
            "mot-de-passe-bench",
            Role.TRAINER,
            [school],
        )
        for n, school in enumerate(schools)
    ]
    sectors = sorted(catalog.sectors)
    cohorts: list[tuple[int, int, str, dt.date, list[int]]] = []
    for n in range(-(-scale.trainees // 16)):  # cohorts of 16, rounded up
        school = n % len(schools)
        sector = sectors[n % len(sectors)]
        starts = today - dt.timedelta(days=30 + 7 * (n % 60))
        ends = starts + dt.timedelta(weeks=catalog.sectors[sector].curriculum.weeks)
        cohort = directory.create_cohort(
            schools[school], sector, f"Promotion {n}", starts, ends, [trainers[school]]
        )
        ids = directory.add_trainees(
            cohort, [NewTrainee(f"Prénom{n}-{i}", f"Nom{i}") for i in range(16)]
        )
        cohorts.append((cohort, trainers[school], sector, starts, ids))

    per_trainee = scale.step_results // (16 * len(cohorts))
    written = 0
    for batch in _batches(_observations(catalog, cohorts, per_trainee, rng), 50_000):
        _bulk_insert(gestes, batch)
        written += len(batch)
    if gestes.store.database.engine.dialect.name == "postgresql":
        # As after any restore: statistics, and the visibility map that lets the covering
        # index answer the cohort grid without visiting the table.
        with gestes.store.database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as c:
            c.execute(text("VACUUM ANALYZE observations"))
    directory.create_school(COMPLETE, "(marqueur de génération)", "-", TERRITORIES[0])
    return written


def _observations(
    catalog: Catalog, cohorts: list[Any], per_trainee: int, rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    version = catalog.version
    now = dt.datetime.now(dt.UTC)
    outcomes: dict[tuple[str, str | None], Any] = {}
    for cohort, trainer, sector, starts, trainees in cohorts:
        gestures = catalog.sectors[sector].gestures
        for trainee in trainees:
            ease = rng.gauss(0, 1)
            steps_written = 0
            number = 0
            while steps_written < per_trainee:
                gesture = gestures[number % len(gestures)]
                day = starts + dt.timedelta(days=(number // 6) % 100)
                number += 1
                failed = (
                    None
                    if rng.random() < min(0.95, 0.55 + 0.1 * ease + number / 400)
                    else rng.choice(gesture.steps).key
                )
                cache_key = (gesture.id, failed)
                if cache_key not in outcomes:
                    steps = {s.key: StepResult.REUSSI for s in gesture.steps}
                    if failed:
                        steps[failed] = StepResult.A_REPRENDRE
                    outcomes[cache_key] = (attempt_outcome(gesture, steps), steps)
                outcome, steps = outcomes[cache_key]
                attempt_key = uuid.UUID(int=rng.getrandbits(128)).hex
                for step, result in steps.items():
                    yield (
                        f"s{attempt_key}{step}"[:80],
                        trainee,
                        cohort,
                        trainer,
                        "step",
                        gesture.id,
                        version,
                        day,
                        now,
                        attempt_key,
                        step,
                        result.value,
                        None,
                        None,
                        None,
                        None,
                        "{}",
                    )
                steps_written += len(steps)
                autonomy = 1 if number < 20 else (2 if number < 60 else 3)
                payload = json.dumps(
                    {
                        "steps": {k: v.value for k, v in steps.items()},
                        "reasons": list(outcome.reasons),
                    }
                )
                yield (
                    f"a{attempt_key}",
                    trainee,
                    cohort,
                    trainer,
                    "attempt",
                    gesture.id,
                    version,
                    day,
                    now,
                    attempt_key,
                    None,
                    outcome.outcome.value,
                    outcome.passed,
                    autonomy,
                    300,
                    None,
                    payload,
                )


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk_insert(gestes: Gestes, rows: list[tuple[Any, ...]]) -> None:
    engine = gestes.store.database.engine
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in COLUMNS)
            raw.executemany(
                f"INSERT INTO observations ({', '.join(COLUMNS)}) VALUES ({marks})",
                [(*row[:7], row[7].isoformat(), row[8].isoformat(), *row[9:]) for row in rows],
            )
        else:
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY observations ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Generate (or find) the national-scale stores.")
    parser.add_argument("--quick", action="store_true", help="the tiny store: a smoke test")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    definitions = load_definitions()
    for backend in ("sqlite", "postgresql"):
        gestes = national_store(backend, scale, definitions)
        with gestes.store.database.read() as session:
            count = session.scalar(select(func.count()).select_from(t.Observation))
        print(f"{backend} {scale.name}: {count:,} observations ready")


if __name__ == "__main__":
    main()

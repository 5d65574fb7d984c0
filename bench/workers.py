"""Several processes on PostgreSQL: scoring throughput of one and two workers, and how the
connections spread over the workers.

    ./dev python bench/workers.py            # full: 6 interleaved rounds of 8 s
    ./dev python bench/workers.py --quick    # smoke test (CI): 2 rounds of 2 s
    ./dev python bench/web.py --pg --workers 1,2,4   # the same, from the web benchmark

Seeds the demo into a new PostgreSQL database (127.0.0.1:5432, dropped at the end), starts
`gestes serve` twice on it, one process (`--workers 1`) and two (`--workers 2`), and in each
round loads one then the other with 32 keep-alive connections tapping steps (the scoring POST
of ``bench/web.py``). For each: taps/s, the connections each worker process holds, and the
CPU each process spent per tap (what says how it scales on a bigger machine: taps/s per core
≈ 1 / CPU per tap).

Target on this 2-core machine: two workers ≥ 1× one. The load generator's own CPU is printed
too (measured: 6–8 % of a core), so what the workers were left is known.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("bench_web", ROOT / "bench" / "web.py")
assert _spec and _spec.loader
bench_web = importlib.util.module_from_spec(_spec)
sys.modules["bench_web"] = bench_web
_spec.loader.exec_module(bench_web)  # its load generator and HTTP helpers
POSTGRES = os.environ.get("GESTES_TEST_POSTGRES", "postgresql+psycopg://root@127.0.0.1:5432/test")
TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def serving(server: subprocess.Popen[bytes]) -> list[int]:
    """The processes that answer: uvicorn's workers, or the lone process itself. A worker
    runs in a child of the supervisor (multiprocessing's spawn: a helper process between)."""
    workers = [p for p in children(server.pid) if _listens(p)]
    return workers or [server.pid]


def _listens(pid: int) -> bool:
    return any(True for _ in _sockets(pid))


def _sockets(pid: int) -> list[str]:
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return []
    return [link[8:-1] for link in links if link.startswith("socket:[")]


def established(port: int) -> set[str]:
    """Socket inodes of the server's side of established connections to ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    return inodes


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def seed(database_url: str, data: Path) -> tuple[list[int], str]:
    """The demo in the new database: the fibre trainees' ids and a gesture's step."""
    from sqlalchemy import select

    from core.context import open_gestes
    from core.demo.seed import seed_demo
    from core.settings import Settings
    from core.store import tables as t

    gestes = open_gestes(Settings(data_dir=data, database_url=database_url), migrate=True)
    seed_demo(gestes)
    with gestes.store.database.read() as session:
        cohort = session.scalar(select(t.Cohort.id).where(t.Cohort.sector == "fibre"))
        trainees = list(session.scalars(select(t.Trainee.id).where(t.Trainee.cohort_id == cohort)))
    gestes.close()
    return trainees, "manchon"


async def load(
    port: int, make: bench_web.Request, seconds: float, spread: dict[int, int], pids: list[int]
) -> tuple[int, float]:
    """32 connections tapping for ``seconds``; counts the connections each process holds
    once every one has been answered once."""
    connections = [await bench_web._connect(port) for _ in range(32)]
    for connection in connections:
        await bench_web._send(connection, make())
    mine = established(port)
    for pid in pids:
        spread[pid] = spread.get(pid, 0) + len(mine & set(_sockets(pid)))
    done = [0]
    deadline = time.perf_counter() + seconds

    async def client(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        while time.perf_counter() < deadline:
            status = await bench_web._send(connection, make())
            assert status < 400, status
            done[0] += 1
        connection[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in connections))
    return done[0], time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: a smoke test")
    parser.add_argument(
        "--workers", default="1,2", help="worker counts to compare, the first the baseline"
    )
    options = parser.parse_args(argv)
    counts = [int(n) for n in options.workers.split(",")]
    rounds, seconds = (2, 2.0) if options.quick else (6, 8.0)

    import tempfile

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.store.engine import make_engine

    name = f"gestes_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    data = Path(tempfile.mkdtemp(prefix="gestes-bench-workers-"))
    servers: dict[int, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        trainees, step = seed(url, data / "seed")
        gestes = str(Path(sys.executable).parent / "gestes")
        for workers in counts:
            port = bench_web.free_port()
            env = {
                **os.environ,
                "GESTES_DATABASE_URL": url,
                "GESTES_DATA_DIR": str(data / f"w{workers}"),
                "GESTES_REQUEST_LOG": str(data / f"w{workers}.log"),
                "GESTES_FILE_STORE": "database",
                "GESTES_PUBLIC_URL": "https://gestes.example.org",  # (no loopback warning)
            }
            command = [gestes, "serve", "--port", str(port), "--workers", str(workers)]
            server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
            servers[workers] = (server, port)
        for _, port in servers.values():
            bench_web.settle(port)
        rates: dict[int, list[float]] = {n: [] for n in counts}
        spread: dict[int, dict[int, int]] = {n: {} for n in counts}
        cpu = dict.fromkeys(counts, 0.0)
        taps = dict.fromkeys(counts, 0)
        generator = dict.fromkeys(counts, 0.0)  # the load generator's CPU share
        for _ in range(rounds):
            for workers, (server, port) in servers.items():  # interleaved: drift hits both
                cookie, csrf = bench_web.login(port)

                def tap(cookie: str = cookie, csrf: str = csrf, count: list[int] = [0]) -> bytes:  # noqa: B006 (a counter kept between calls)
                    count[0] += 1
                    body = urlencode(
                        {
                            "csrf_token": csrf,
                            "attempt": uuid.uuid4().hex[:16],
                            "step": step,
                            "result": "reussi",
                            "tap": 0,
                        }
                    )
                    trainee = trainees[count[0] % len(trainees)]
                    return bench_web.http(
                        "POST",
                        f"/trainees/{trainee}/gestures/fibre.g.soudure_fusion/steps",
                        {"Cookie": cookie, "HX-Request": "true"},
                        body,
                    )

                pids = serving(server)
                before, mine = sum(cpu_seconds(p) for p in pids), own_cpu()
                done, elapsed = asyncio.run(load(port, tap, seconds, spread[workers], pids))
                generator[workers] += (own_cpu() - mine) / elapsed / rounds
                cpu[workers] += sum(cpu_seconds(p) for p in pids) - before
                taps[workers] += done
                rates[workers].append(done / elapsed)
        for workers in counts:
            per_round = ", ".join(f"{r:.0f}" for r in rates[workers])
            held = " / ".join(f"{n / rounds:g}" for n in spread[workers].values())
            print(
                f"  {workers} worker(s): {statistics.median(rates[workers]):7.0f} taps/s "
                f"(rounds: {per_round}); connections per process: {held}; "
                f"CPU per tap {1000 * cpu[workers] / max(1, taps[workers]):.2f} ms; "
                f"load generator {100 * generator[workers]:.0f} % of a core"
            )
        base = counts[0]
        for workers in counts[1:]:
            ratio = statistics.median(
                b / a for a, b in zip(rates[base], rates[workers], strict=True)
            )
            verdict = "ok" if ratio >= 1.0 else "MISSED"
            target = f" (target >= 1x on 2 cores: {verdict})" if (base, workers) == (1, 2) else ""
            print(f"\n{workers} workers / {base}: {ratio:.2f}x, median of {rounds} rounds{target}")
    finally:
        for server, _ in servers.values():
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        import shutil

        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Web benchmark: the app against a bare FastAPI fragment, measured in the same run.

    ./dev python bench/web.py            # full
    ./dev python bench/web.py --quick    # smoke test (CI)

Starts the app (uvicorn, one process, SQLite demo store) and a bare FastAPI endpoint that
renders a comparable Jinja fragment; loads both from this process over keep-alive HTTP/1.1
(bounded in count and time) and prints requests/s, p50 and p99 for the scoring POST (one tap
on a step: a write and an htmx fragment), the cohort grid page and the trainee page, in two
regimes: saturation (32 connections; scenarios interleaved in rounds, the ratio being the
median of per-round ratios) and a fixed arrival rate of 100 requests/s (open loop: latency
counts from the scheduled send time, so queueing shows).

Targets on 2 cores: scoring at saturation >= 0.5x the bare fragment, 0 errors, 0 timeouts;
scoring p99 <= 30 ms at 100 requests/s; the trainee page (as a trainer opens it: modules and
levels, the rest folded) p99 <= 50 ms at 100 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TIMEOUT = 5.0


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    timeouts: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.timeouts += other.timeouts
        self.elapsed += other.elapsed

    def line(self, label: str) -> str:
        if not self.latencies:
            return (
                f"  {label:<34} no successful request "
                f"({self.errors} errors, {self.timeouts} timeouts: overloaded)"
            )
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        return (
            f"  {label:<34} {self.rate:8.0f} req/s"
            f"   p50 {statistics.median(ordered) * 1000:6.1f} ms"
            f"   p99 {p99 * 1000:7.1f} ms   errors {self.errors}   timeouts {self.timeouts}"
        )


Request = Callable[[], bytes]


async def _send(
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> int:
    reader, writer = connection
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
    if match:
        await reader.readexactly(int(match.group(1)))
    return status


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def saturate(
    port: int, make: Request, total: int, seconds: float, connections: int = 32
) -> Result:
    """``connections`` clients, each sending its next request as soon as the last answered."""
    result = Result()
    left = [total]
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        connection = await _connect(port)
        while left[0] > 0 and time.perf_counter() < deadline:
            left[0] -= 1
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(_send(connection, make()), TIMEOUT)
            except TimeoutError:
                result.timeouts += 1
                connection[1].close()
                connection = await _connect(port)
                continue
            if status >= 400:
                result.errors += 1
            else:
                result.latencies.append(time.perf_counter() - started)
        connection[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    result.elapsed = time.perf_counter() - started
    return result


async def open_loop(port: int, make: Request, rate: float, seconds: float) -> Result:
    """Requests sent on a fixed schedule whatever the server does; latency from schedule."""
    result = Result()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def one(scheduled: float) -> None:
        request = make()
        connection = idle.pop() if idle else await _connect(port)
        try:
            try:
                status = await asyncio.wait_for(_send(connection, request), TIMEOUT)
            except (asyncio.IncompleteReadError, ConnectionError):
                # The server closed a keep-alive connection that sat idle too long (uvicorn:
                # 5 s): as any HTTP client does, send again on a new one.
                connection[1].close()
                connection = await _connect(port)
                status = await asyncio.wait_for(_send(connection, request), TIMEOUT)
        except TimeoutError:
            result.timeouts += 1
            connection[1].close()
            return
        if status >= 400:
            result.errors += 1
        else:
            result.latencies.append(time.perf_counter() - scheduled)
        idle.append(connection)

    start = time.perf_counter() + 0.05
    tasks = []
    for n in range(int(rate * seconds)):
        scheduled = start + n / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))  # the arrival schedule
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    result.elapsed = seconds
    for connection in idle:
        connection[1].close()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *args,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:  # readiness of a separate process: poll its port
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start")


def settle(port: int) -> None:
    """Wait until the server has worked off what an earlier overloaded scenario left queued
    (it keeps serving requests whose clients gave up), so that scenarios do not bleed into
    each other: any answer (a 404 will do) must come back quickly three times in a row
    (at most 60 s)."""
    import http.client

    deadline, quick = time.time() + 60, 0
    while quick < 3 and time.time() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request("GET", "/settle")
            connection.getresponse().read()
        except OSError:
            quick = 0
            continue
        finally:
            connection.close()
        quick = quick + 1 if time.perf_counter() - started < 0.02 else 0


def login(port: int) -> tuple[str, str]:
    """The session cookie and CSRF token of the Lyon trainer of the demo."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port)
    body = urlencode({"email": "formatrice.lyon@gestes.demo", "password": "gestes-demo-2026"})
    connection.request(
        "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("set-cookie", "").split(";", 1)[0]
    connection.request("GET", "/cohorts", headers={"Cookie": cookie})
    page = connection.getresponse().read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf, "login failed"
    return cookie, csrf.group(1)


def http(method: str, path: str, headers: dict[str, str], body: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    data = body.encode()
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def demo_store(prefix: str) -> tuple[Path, int, list[int]]:
    """A demo store in a temporary folder (removed at exit): its folder, the fibre cohort's
    id and its trainees' ids."""
    from sqlalchemy import select

    from core.context import open_gestes
    from core.demo.seed import seed_demo
    from core.settings import Settings
    from core.store import tables as t

    data = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    gestes = open_gestes(Settings(data_dir=data), migrate=True)
    seed_demo(gestes)
    with gestes.store.database.read() as session:
        cohort = session.scalar(select(t.Cohort.id).where(t.Cohort.sector == "fibre"))
        trainees = list(session.scalars(select(t.Trainee.id).where(t.Trainee.cohort_id == cohort)))
    gestes.store.database.engine.dispose()
    assert cohort is not None
    return data, cohort, trainees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: a smoke test")
    parser.add_argument(
        "--pg", action="store_true", help="PostgreSQL and several workers: bench/workers.py"
    )
    parser.add_argument("--workers", default="1,2", help="with --pg: worker counts, e.g. 1,2")
    options = parser.parse_args()
    if options.pg:  # one place measures workers; this is the name the issue gave it
        sys.path.insert(0, str(ROOT / "bench"))
        from workers import main as workers_main

        workers_main(["--workers", options.workers] + ["--quick"] * options.quick)
        return
    total, seconds, rate_seconds = (300, 5.0, 2.0) if options.quick else (10_000, 30.0, 10.0)
    rounds = 2 if options.quick else 6

    data, cohort, trainees = demo_store("gestes-bench-web-")
    # The request log stays on, as in production, written to a file rather than the console.
    env = {**os.environ, "GESTES_DATA_DIR": str(data), "GESTES_REQUEST_LOG": str(data / "log")}
    app_port, bare_port = free_port(), free_port()
    servers = [
        start(["--factory", "web.app:create_app"], app_port, env),
        start(["--app-dir", str(ROOT / "bench"), "_bare_app:app"], bare_port, env),
    ]
    try:
        cookie, csrf = login(app_port)
        counter = [0]

        def next_trainee() -> int:
            counter[0] += 1
            return trainees[counter[0] % len(trainees)]

        def tap(path_prefix: str = "") -> bytes:
            trainee = next_trainee()
            body = urlencode(
                {
                    "csrf_token": csrf,
                    "attempt": uuid.uuid4().hex[:16],
                    "step": "manchon",
                    "result": "reussi",
                    "tap": 0,
                }
            )
            return http(
                "POST",
                f"/trainees/{trainee}/gestures/fibre.g.soudure_fusion/steps",
                {"Cookie": cookie, "HX-Request": "true"},
                body,
            )

        def bare() -> bytes:
            body = urlencode(
                {"attempt": uuid.uuid4().hex[:16], "step": "etape_0", "result": "reussi"}
            )
            return http("POST", "/fragment", {}, body)

        def grid() -> bytes:
            return http("GET", f"/cohorts/{cohort}", {"Cookie": cookie})

        def trainee_page() -> bytes:
            return http("GET", f"/trainees/{next_trainee()}", {"Cookie": cookie})

        scenarios = [
            ("bare fragment (baseline)", bare_port, bare),
            ("scoring POST (tap a step)", app_port, tap),
            ("cohort grid page", app_port, grid),
            ("trainee page", app_port, trainee_page),
        ]
        print(
            f"saturation: 32 connections, {rounds} interleaved rounds of {total // rounds} "
            f"requests or {seconds / rounds:g} s each"
        )
        for _, port, make in scenarios:  # warm-up, not counted
            settle(port)
            asyncio.run(saturate(port, make, total // 10, seconds / 10))
        # Round after round, each scenario in turn: this machine's speed drifts over minutes,
        # and timing one scenario after the other put the drift into the ratio (0.44x to
        # 0.59x from one run to the next).
        saturated = {label: Result() for label, _, _ in scenarios}
        ratios = []
        for _ in range(rounds):
            rates = {}
            for label, port, make in scenarios:
                settle(port)
                run = asyncio.run(saturate(port, make, total // rounds, seconds / rounds))
                saturated[label].add(run)
                rates[label] = run.rate
            ratios.append(rates["scoring POST (tap a step)"] / rates["bare fragment (baseline)"])
        for label, _, _ in scenarios:
            print(saturated[label].line(label))
        print(f"open loop: 100 requests/s for {rate_seconds:g} s each")
        looped = {}
        for label, port, make in scenarios:
            settle(port)
            looped[label] = asyncio.run(open_loop(port, make, 100, rate_seconds))
            print(looped[label].line(label))

        page = sorted(looped["trainee page"].latencies)
        page_p99 = page[int(0.99 * len(page)) - 1] if page else float("inf")
        score = saturated["scoring POST (tap a step)"]
        ratio = statistics.median(ratios)
        clean = score.errors == 0 and score.timeouts == 0
        p99 = sorted(looped["scoring POST (tap a step)"].latencies)[
            int(0.99 * len(looped["scoring POST (tap a step)"].latencies)) - 1
        ]
        print(
            f"\nscoring / bare at saturation: {ratio:.2f}x, median of {rounds} rounds "
            f"({min(ratios):.2f}-{max(ratios):.2f}x) (target >= 0.5x, 0 errors and 0 "
            f"timeouts: {'ok' if ratio >= 0.5 and clean else 'MISSED'})"
        )
        print(
            f"scoring p99 at 100 requests/s: {p99 * 1000:.1f} ms (target <= 30 ms: "
            f"{'ok' if p99 <= 0.030 else 'MISSED'})"
        )
        print(
            f"trainee page p99 at 100 requests/s: {page_p99 * 1000:.1f} ms (target <= 50 ms: "
            f"{'ok' if page_p99 <= 0.050 and looped['trainee page'].errors == 0 else 'MISSED'})"
        )
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still serving an overload's backlog
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()

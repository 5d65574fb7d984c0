"""Several processes serving one port, the connections spread by the kernel.

uvicorn's own ``--workers`` shares one listening socket between its processes: whichever
wakes first accepts, and under keep-alive one process can end up holding almost every
connection while the other idles (measured: 32 connections split 2 / 29 or even 32 / 0).
Here each process opens its own socket on the same port with ``SO_REUSEPORT``, and the
kernel hashes each new connection to one of them, so they share the load evenly. A small
supervisor starts them, and the job workers asked for (``gestes serve --job-workers M``: the
queue's ``gestes worker``, each reconnecting by itself when the database goes away), starts
again one that dies, and on SIGTERM or SIGINT stops them all gracefully (each web worker
drains its waiting taps: ``web.app``'s shutdown; each job worker finishes the job in hand).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.connection import wait
from typing import Any

BACKLOG = 2048
EARLY = 5.0  # seconds: a worker that dies sooner failed to start
CHECK = 5.0  # seconds between the supervisor's looks at its children, whatever wakes it


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket of this process's own on a port other processes listen on too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # sockets whose protocol says TCP, and with it on, a response written in two parts waited
    # for the client's delayed acknowledgement: 40 ms per request (22 taps/s on one connection).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _attach(lifeline: Any) -> None:
    """A child of the supervisor: ``lifeline`` is the read end of a pipe the supervisor holds
    open: if the supervisor dies (even killed outright), the pipe closes and the child stops
    itself, gracefully, rather than live on as an orphan."""
    import os
    import threading

    os.setpgrp()  # Ctrl+C reaches the supervisor alone, which stops each child once

    def orphaned() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()  # nothing is ever sent: this returns when the supervisor is gone
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, name="lifeline", daemon=True).start()


def _work(lifeline: Any) -> None:
    """One job worker, its own context opened from the settings (the environment)."""
    from core.booklet.jobs import work
    from core.context import open_gestes

    _attach(lifeline)
    work(open_gestes(), say=lambda said: print(said, file=sys.stderr, flush=True))


def _serve(host: str, port: int, proxies: str | None, lifeline: Any) -> None:
    """One web worker: its own socket, its own app opened from the settings (the
    environment)."""
    import uvicorn

    _attach(lifeline)
    config = uvicorn.Config(
        "web:create_app",
        factory=True,
        log_level="warning",
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies or "",
    )
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def supervise(
    host: str, port: int, workers: int, proxies: str | None, job_workers: int = 0
) -> None:
    """Run ``workers`` web processes and ``job_workers`` job workers until SIGTERM or SIGINT;
    one that dies is started again."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no state inherited
    stopping = False
    lifeline, _held = spawn.Pipe(duplex=False)  # the write end, open as long as we live

    def start(kind: str) -> Any:
        if kind == "jobs":
            process = spawn.Process(target=_work, args=(lifeline,), name="jobs")
        else:
            args = (host, port, proxies, lifeline)
            process = spawn.Process(target=_serve, args=args, name="web")
        process.start()
        print(f"gestes serve: {kind} worker {process.pid} started.", file=sys.stderr, flush=True)
        return process

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes its requests, then shuts down

    running = [start("web") for _ in range(workers)] + [start("jobs") for _ in range(job_workers)]
    born = {process.pid: time.monotonic() for process in running}
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    early_deaths = 0
    while running:
        # Until one ends, or a few seconds: a child's own child may hold its sentinel open
        # after it died, so each is also asked directly (waitpid) from time to time.
        wait([process.sentinel for process in running], timeout=CHECK)
        ended = [process for process in running if not process.is_alive()]
        if not ended:
            continue
        running = [process for process in running if process not in ended]
        if stopping:
            continue
        # A worker dying at once (the port taken, a setting wrong) would die again: stop.
        early_deaths += sum(time.monotonic() - born[p.pid] < EARLY for p in ended)
        if early_deaths >= 3:
            stop(signal.SIGTERM, None)
            raise SystemExit("gestes serve: the workers keep failing at start (see above).")
        for dead in ended:
            print(
                f"gestes serve: {dead.name} worker {dead.pid} ended ({dead.exitcode}).",
                file=sys.stderr,
                flush=True,
            )
            process = start(dead.name)
            born[process.pid] = time.monotonic()
            running.append(process)

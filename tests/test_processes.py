"""Several processes on one PostgreSQL database: a session ended in one (sign-out,
deactivation, new password) is refused by every other at once, not after its cache's 5 s
(PostgreSQL LISTEN/NOTIFY, ``core.store.notifications``). Each app below stands for a
process: its own store, its own session cache, its own listening connection."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from core.domain import Role
from core.settings import Settings
from core.store.engine import upgrade
from tests.conftest import context_on, fresh_engine
from web import create_app

PASSWORD = "mot-de-passe-long"


def test_a_session_ended_in_one_process_is_refused_by_another_at_once(tmp_path, definitions):
    engine, drop = fresh_engine("postgresql", tmp_path)
    upgrade(engine)
    settings = Settings(data_dir=tmp_path / "data")
    first, second = (context_on(engine, definitions, settings) for _ in range(2))
    user = first.store.directory.create_user("nadia@ecole.fr", "Nadia", PASSWORD, Role.TRAINER)
    one, two = create_app(first), create_app(second)
    try:
        assert two.state.listener.listening.wait(10), "the second process is not listening"
        heard = threading.Event()
        forget = two.state.sessions.forget_user

        def forgotten(user_id: int) -> None:
            forget(user_id)
            if user_id == user:
                heard.set()

        two.state.sessions.forget_user = forgotten
        tablet = TestClient(one)
        assert tablet.post("/login", data={"email": "nadia@ecole.fr", "password": PASSWORD})
        csrf = tablet.get("/api/me").json()["csrf_token"]
        elsewhere = TestClient(two, cookies=dict(tablet.cookies))  # the other process
        assert elsewhere.get("/api/me").status_code == 200  # now in its session cache
        tablet.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert heard.wait(10), "the other process was not told"
        assert elsewhere.get("/api/me").status_code == 401  # at once, not in 5 s

        heard.clear()  # a deactivation made from the command line (a third process)
        phone = TestClient(one)
        phone.post("/login", data={"email": "nadia@ecole.fr", "password": PASSWORD})
        elsewhere = TestClient(two, cookies=dict(phone.cookies))
        assert elsewhere.get("/api/me").status_code == 200
        context_on(engine, definitions, settings).store.accounts.set_active(user, False)
        assert heard.wait(10)
        assert elsewhere.get("/api/me").status_code == 401
    finally:
        one.state.listener.stop()
        two.state.listener.stop()
        drop()


def test_several_processes_are_refused_on_sqlite_with_the_reason(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from core.cli import build_cli

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    result = CliRunner().invoke(build_cli(), ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "several processes need PostgreSQL" in result.stderr


def test_several_workers_share_the_connections_and_stop_gracefully(tmp_path):
    """`gestes serve --workers 2` on PostgreSQL: each worker listens on the port itself
    (SO_REUSEPORT) and both answer — the request log names the process that answered (how
    evenly they share a load is measured by bench/workers.py) — and a SIGTERM stops the
    whole group cleanly."""
    import http.client
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.store import upgrade_database
    from core.store.engine import make_engine
    from tests.conftest import POSTGRES_URL

    name = f"gestes_workers_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "requests.log"
    env = {
        **os.environ,
        "GESTES_DATABASE_URL": url,
        "GESTES_DATA_DIR": str(tmp_path / "data"),
        "GESTES_REQUEST_LOG": str(log),
    }
    upgrade_database(Settings(database_url=url, data_dir=tmp_path / "data"))
    gestes = str(Path(sys.executable).parent / "gestes")
    server = subprocess.Popen(
        [gestes, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        answering: set[int] = set()
        while len(answering) < 2 and time.monotonic() < deadline:
            # Readiness of separate processes: ask until both workers have answered.
            connections = [
                http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(16)
            ]
            for connection in connections:
                try:
                    connection.request("GET", "/health")
                    connection.getresponse().read()
                except OSError:
                    continue
                finally:
                    connection.close()
            if log.exists():
                answering = {int(line.rsplit(" ", 1)[1]) for line in log.read_text().splitlines()}
        assert len(answering) == 2, "both workers answer: the connections were spread"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0, server.stderr.read().decode() if server.stderr else ""
        for pid in answering:  # no worker left behind
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
            )
    finally:
        if server.poll() is None:
            server.kill()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

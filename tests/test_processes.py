"""Several processes on one PostgreSQL database: a session ended in one (sign-out,
deactivation, new password) is refused by every other at once, not after its cache's 5 s
(PostgreSQL LISTEN/NOTIFY, ``core.store.notifications``). Each app below stands for a
process: its own store, its own session cache, its own listening connection."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest
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
    school = first.store.directory.create_school(None, "École", "Lyon", "territoire.lyon")
    directory = first.store.directory
    user = directory.create_user("nadia@ecole.fr", "Nadia", PASSWORD, Role.TRAINER, [school])
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

    from core.cli.main import build_cli

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    result = CliRunner().invoke(build_cli(), ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "several processes need PostgreSQL" in result.stderr


@pytest.fixture
def network_database(network_url: str) -> str:
    """A PostgreSQL database of its own (tests/conftest.py), migrated."""
    from core.store import upgrade_database

    upgrade_database(Settings(database_url=network_url))
    return network_url


def two_workers(
    url: str, folder: Path, stdout: int = subprocess.DEVNULL
) -> tuple[subprocess.Popen[bytes], set[int]]:
    """`gestes serve --workers 2` started, and the two processes that answered /health (the
    request log names them). ``stdout``: where what it prints goes."""
    import http.client
    import socket
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = folder / "requests.log"
    env = {
        **os.environ,
        "GESTES_DATABASE_URL": url,
        "GESTES_DATA_DIR": str(folder / "data"),
        "GESTES_REQUEST_LOG": str(log),
    }
    gestes = str(Path(sys.executable).parent / "gestes")
    server = subprocess.Popen(
        [gestes, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    answering: set[int] = set()
    while len(answering) < 2 and time.monotonic() < deadline:
        # Readiness of separate processes: ask until both workers have answered.
        for _ in range(16):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/health")
                connection.getresponse().read()
            except OSError:
                continue
            finally:
                connection.close()
        if log.exists():
            answering = {int(line.rsplit(" ", 1)[1]) for line in log.read_text().splitlines()}
    return server, answering


def ended(pids: set[int], timeout: float) -> bool:
    """Whether every one of these processes (not our children) ends within ``timeout``:
    waited on their pidfds, no polling."""
    import select

    for pid in pids:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
        try:
            readable, _, _ = select.select([handle], [], [], timeout)
            if not readable:
                return False
        finally:
            os.close(handle)
    return True


def test_several_workers_share_the_port_and_stop_gracefully(network_database, tmp_path):
    """`gestes serve --workers 2` on PostgreSQL: each worker listens on the port itself
    (SO_REUSEPORT) and both answer — how evenly they share a load is measured by
    bench/workers.py — and a SIGTERM stops the whole group cleanly."""
    server, workers = two_workers(network_database, tmp_path)
    try:
        assert len(workers) == 2, "both workers answer"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert ended(workers, timeout=30), "a worker was left behind"
    finally:
        if server.poll() is None:
            server.kill()


def test_workers_stop_when_their_supervisor_is_killed_outright(network_database, tmp_path):
    """A supervisor killed with SIGKILL cannot stop its workers: they see the pipe it held
    close and stop themselves, instead of keeping the port as orphans."""
    server, workers = two_workers(network_database, tmp_path)
    try:
        assert len(workers) == 2
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        assert ended(workers, timeout=30), "orphaned workers still hold the port"
    finally:
        if server.poll() is None:
            server.kill()


def test_a_workers_connections_send_at_once_without_waiting_for_acknowledgements():
    """Each worker's own socket must let asyncio turn Nagle's algorithm off on the connections
    it accepts, as it does for the sockets uvicorn opens alone. It did not — the socket's
    protocol was left 0, and asyncio sets TCP_NODELAY only where it reads TCP — and every
    response written in two parts waited for the client's delayed acknowledgement: 40 ms a
    request, two workers serving half of what one did (bench/workers.py: 0.49x, then 1.50x)."""
    import asyncio
    import socket

    from web.workers import listening_socket

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        listener = listening_socket("127.0.0.1", 0)
        server = await asyncio.start_server(connected, sock=listener)
        port = listener.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, timeout=10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    assert asyncio.run(accept_one()) != 0, "Nagle's algorithm is on for a worker's connections"


def test_the_sign_in_limit_is_counted_by_every_worker_together(
    network_database, tmp_path, definitions
):
    """Two workers on one database: five wrong passwords, wherever each lands, and the sixth
    try is refused by either — in memory, each worker allowed five (nine got through)."""
    import http.client
    import urllib.parse

    from core.context import open_gestes

    settings = Settings(database_url=network_database, data_dir=tmp_path / "data")
    store = open_gestes(settings, definitions=definitions).store
    school = store.directory.create_school(None, "École", "Lyon", "territoire.lyon")
    store.directory.create_user("nadia@ecole.fr", "Nadia", PASSWORD, Role.TRAINER, [school])
    server, workers = two_workers(network_database, tmp_path)
    try:
        assert len(workers) == 2
        port = next(  # the port two_workers chose, read back from the command line
            int(argument)
            for flag, argument in zip(server.args, server.args[1:], strict=False)
            if flag == "--port"
        )
        answers = []
        for password in ["faux"] * 12 + [PASSWORD]:
            # A new connection each time: the kernel spreads them over both workers.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = urllib.parse.urlencode({"email": "nadia@ecole.fr", "password": password})
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            connection.request("POST", "/login", body, headers)
            answers.append(connection.getresponse().status)
            connection.close()
        log = (tmp_path / "requests.log").read_text().splitlines()
        served = {int(line.rsplit(" ", 1)[1]) for line in log if "POST /login" in line}
        assert served == workers, "both workers took sign-ins"
        assert answers[:5] == [401] * 5
        assert answers[5:] == [429] * 8  # the right password too, until the wait is over
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_several_workers_print_a_set_up_link_any_of_them_opens_once(network_database, tmp_path):
    """No administrator yet: `gestes serve --workers 2` prints the one-time link, each worker
    opens it (the token is theirs too), and only the first administrator is created."""
    import http.client
    import re
    import urllib.parse

    server, workers = two_workers(network_database, tmp_path, stdout=subprocess.PIPE)
    try:
        assert len(workers) == 2
        assert server.stdout is not None
        import select

        said = b""
        while b"/setup/" not in said:  # printed before the workers start
            ready, _, _ = select.select([server.stdout], [], [], 10)
            assert ready, f"no set-up link printed: {said.decode()}"
            # The pipe's own bytes (a buffered readline would hold lines select cannot see).
            said += os.read(server.stdout.fileno(), 65536)
        link = urllib.parse.urlsplit(re.search(rb"http://\S+/setup/\S+", said).group().decode())
        answers = []
        for _ in range(12):  # new connections: both workers answer the link
            connection = http.client.HTTPConnection(link.hostname, link.port, timeout=10)
            connection.request("GET", link.path)
            answers.append(connection.getresponse().status)
            connection.close()
        log = (tmp_path / "requests.log").read_text().splitlines()
        served = {int(line.rsplit(" ", 1)[1]) for line in log if "GET /setup" in line}
        assert answers == [200] * 12 and served == workers
        form = {"name": "Chef", "email": "chef@ecole.fr", "password": "une phrase assez longue"}
        body = urllib.parse.urlencode({**form, "password2": form["password"]})
        created = []
        for email in ("chef@ecole.fr", "autre@ecole.fr"):  # the second must be refused
            connection = http.client.HTTPConnection(link.hostname, link.port, timeout=10)
            connection.request(
                "POST",
                link.path,
                body.replace("chef%40ecole.fr", urllib.parse.quote(email)),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            created.append(connection.getresponse().status)
            connection.close()
        assert created[0] == 303 and created[1] == 404
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

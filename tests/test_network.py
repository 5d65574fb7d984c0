"""A network of schools: two app processes, each with its own data directory, on one
PostgreSQL database, files kept in the database and long work queued for `gestes worker`.
What one process stored, the other serves; a cohort's booklets asked through one are printed
by a worker started from the command line (a third process, as on another machine)."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from core.context import open_gestes
from core.domain import NewTrainee, Role
from core.judging.attempts import StepResult
from core.settings import Settings
from core.store import upgrade_database
from tests.conftest import photo
from web import create_app

PASSWORD = "mot-de-passe-long"
GESTURE = "fibre.g.soudure_fusion"


def run_worker(url: str, folder: Path) -> None:
    """`gestes worker --until-idle` in a process of its own, as on another machine: its own
    data directory, the files and the queue in the database."""
    worker = subprocess.run(
        [str(Path(sys.executable).parent / "gestes"), "worker", "--until-idle"],
        env={
            **os.environ,
            "GESTES_DATABASE_URL": url,
            "GESTES_DATA_DIR": str(folder),
            "GESTES_FILE_STORE": "database",
            "GESTES_JOBS": "queue",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr


def signed_in(app, email: str) -> tuple[TestClient, str]:
    browser = TestClient(app)
    assert browser.post("/login", data={"email": email, "password": PASSWORD}).status_code == 200
    return browser, browser.get("/api/me").json()["csrf_token"]


def test_two_processes_and_a_worker_share_one_store(network_url, tmp_path, definitions):
    def settings(machine: str) -> Settings:
        return Settings(
            data_dir=tmp_path / machine,
            database_url=network_url,
            file_store="database",
            jobs="queue",
        )

    upgrade_database(settings("a"))
    first = open_gestes(settings("a"), definitions=definitions)
    second = open_gestes(settings("b"), definitions=definitions)
    # One signature for the network: the second machine took the keys the first one made.
    for key in ("secret.key", "signing.key.pem", "signing.cert.pem"):
        assert (tmp_path / "a" / key).read_bytes() == (tmp_path / "b" / key).read_bytes()

    directory = first.store.directory
    school = directory.create_school(None, "École", "Lyon", "territoire.lyon")
    directory.create_user("f@ecole.fr", "F", PASSWORD, Role.TRAINER, [school])
    directory.create_user("c@ecole.fr", "C", PASSWORD, Role.COORDINATOR, [school])
    today = dt.date.today()
    cohort = directory.create_cohort(
        school, "fibre", "Promo", today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    )
    trainees = directory.add_trainees(
        cohort, [NewTrainee("Awa", "Diallo", None, None), NewTrainee("Léo", "Martin", None, None)]
    )
    one, two = create_app(first), create_app(second)
    try:
        tablet, tablet_csrf = signed_in(one, "f@ecole.fr")
        office, office_csrf = signed_in(two, "c@ecole.fr")
        headers = {"X-CSRF-Token": tablet_csrf}

        # A tap through one process is read back through the other, then its grid moves.
        steps = [s.key for s in first.catalog.gesture(GESTURE).steps]
        tapped = tablet.post(
            f"/api/trainees/{trainees[0]}/taps",
            json={"gesture": GESTURE, "attempt": "networkA1", "step": steps[0], "result": "reussi"},
            headers=headers,
        )
        assert tapped.status_code == 200, tapped.text
        live = office.get(f"/api/trainees/{trainees[0]}/gestures/{GESTURE}/attempts/networkA1")
        assert live.json()["steps"] == {steps[0]: "reussi"}
        before = office.get(f"/api/cohorts/{cohort}/grid").json()["trainees"][0]["levels"]
        for day in (today - dt.timedelta(days=2), today - dt.timedelta(days=1)):
            done = tablet.post(
                f"/api/trainees/{trainees[0]}/attempts",
                json={
                    "gesture": GESTURE,
                    "steps": dict.fromkeys(steps, StepResult.REUSSI.value),
                    "autonomy": "autonome",
                    "observed_on": day.isoformat(),
                    "key": f"network-{day}",
                },
                headers=headers,
            )
            assert done.status_code == 200, done.text
        after = office.get(f"/api/cohorts/{cohort}/grid").json()["trainees"][0]["levels"]
        assert after != before

        # Evidence stored through one is served by the other.
        attempt = done.json()["id"]
        picture = photo()
        added = tablet.post(
            f"/api/observations/{attempt}/evidence",
            files={"photo": ("soudure.jpg", picture, "image/jpeg")},
            headers=headers,
        )
        assert added.status_code == 200, added.text
        page = office.get(f"/trainees/{trainees[0]}?ouvert=historique").text
        [evidence] = set(re.findall(r"/evidence/(\d+)", page))
        served = office.get(f"/evidence/{evidence}")
        assert served.status_code == 200 and served.content.startswith(b"\xff\xd8\xff")

        # A booklet printed (and signed) through one is the very file the other hands out:
        # a second print would differ (the signature carries its time).
        printed = tablet.get(f"/trainees/{trainees[0]}/booklet.pdf").content
        assert office.get(f"/trainees/{trainees[0]}/booklet.pdf").content == printed

        # A cohort's booklets asked through the second process wait for a worker…
        asked = office.post(f"/cohorts/{cohort}/booklets", data={"csrf_token": office_csrf})
        export = re.search(r"/exports/([0-9a-f]{32})", asked.text).group(1)
        assert "En attente d'un poste de travail" in asked.text
        assert "Aucun poste de travail n'est actif" in html.unescape(asked.text)  # none started
        # …which a third process, started from the command line, runs.
        run_worker(network_url, tmp_path / "c")
        block = office.get(f"/exports/{export}", headers={"HX-Request": "true"}).text
        assert "2 livrets prêts." in block and "hx-trigger" not in block
        archive = office.get(f"/exports/{export}/download")
        names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
        assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    finally:
        for app in (one, two):
            app.state.listener.stop()
        first.close()
        second.close()


def test_a_job_whose_worker_died_is_run_by_the_next_worker(network_url, tmp_path, definitions):
    from sqlalchemy import text as sql

    from core.booklet import jobs

    settings = Settings(
        data_dir=tmp_path / "a", database_url=network_url, file_store="database", jobs="queue"
    )
    upgrade_database(settings)
    gestes = open_gestes(settings, definitions=definitions)
    directory = gestes.store.directory
    school = directory.create_school(None, "École", "Lyon", "territoire.lyon")
    coordinator = directory.create_user("c@ecole.fr", "C", PASSWORD, Role.COORDINATOR, [school])
    today = dt.date.today()
    cohort = directory.create_cohort(
        school, "fibre", "Promo", today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    )
    directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo", None, None)])
    job = jobs.submit(gestes, cohort, coordinator, None)
    with gestes.store.database.engine.begin() as connection:  # a worker took it, then died
        taken = connection.execute(
            sql("UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL")
        )
        assert taken.rowcount == 1
    run_worker(network_url, tmp_path / "b")
    state = gestes.store.jobs.get(job)
    assert state is not None and state.state == "done" and state.total == 1
    gestes.close()


def test_supervised_job_workers_survive_a_kill_and_the_database_going_away(
    network_url, tmp_path, definitions
):
    """`gestes serve --job-workers 1`: the job worker's connections are all ended by the
    database while it prints a cohort's booklets, then it is killed outright in the middle
    of the next job; the supervisor starts another, and both jobs finish, each once."""
    import queue
    import signal
    import socket
    import threading
    import time

    from core.booklet import jobs
    from core.store.pg_backup import end_other_connections

    settings = Settings(
        data_dir=tmp_path / "a", database_url=network_url, file_store="database", jobs="queue"
    )
    upgrade_database(settings)
    gestes = open_gestes(settings, definitions=definitions)
    directory = gestes.store.directory
    school = directory.create_school(None, "École", "Lyon", "territoire.lyon")
    coordinator = directory.create_user("c@ecole.fr", "C", PASSWORD, Role.COORDINATOR, [school])
    today = dt.date.today()
    cohort = directory.create_cohort(
        school, "fibre", "Promo", today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    )
    size = 16  # a cohort: long enough to be cut in the middle
    directory.add_trainees(cohort, [NewTrainee(f"P{i}", "Nom", None, None) for i in range(size)])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gestes"), "serve", "--port", str(port),
         "--job-workers", "1"],
        env={
            **os.environ,
            "GESTES_DATABASE_URL": network_url,
            "GESTES_DATA_DIR": str(tmp_path / "b"),
            "GESTES_FILE_STORE": "database",
            "GESTES_JOBS": "queue",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    said: queue.Queue[str] = queue.Queue()
    heard: list[str] = []  # everything the server said, for a failure's message
    threading.Thread(
        target=lambda: [(heard.append(line), said.put(line)) for line in server.stderr],
        daemon=True,
    ).start()

    def job_worker_started() -> int:
        while True:
            try:
                line = said.get(timeout=90)
            except queue.Empty:
                processes = subprocess.run(
                    ["ps", "-ef", "--forest"], capture_output=True, text=True
                )
                raise AssertionError(
                    "no job worker started:\n" + "".join(heard) + processes.stdout
                ) from None
            found = re.search(r"jobs worker (\d+) started", line)
            if found:
                return int(found.group(1))

    def until(condition, what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, what
            time.sleep(0.2)  # polling the store's job rows, the state other processes write

    def state(job: str):
        found = gestes.store.jobs.get(job)
        assert found is not None
        return found

    try:
        first_worker = job_worker_started()
        first = jobs.submit(gestes, cohort, coordinator, None)
        until(lambda: state(first).done >= 2, "the first job started")
        assert end_other_connections(settings) >= 1  # the database cuts every connection
        second = jobs.submit(gestes, cohort, coordinator, None)
        until(lambda: state(first).state == "done", "the first job finished after the cut")
        assert not any("started" in line for line in said.queue)  # the same worker went on
        until(lambda: state(second).done >= 2, "the second job started")
        os.kill(first_worker, signal.SIGKILL)  # killed outright, mid-job
        assert job_worker_started() != first_worker  # the supervisor started another
        until(lambda: state(second).state == "done", "the second job finished after the kill")
        for job in (first, second):
            finished = state(job)
            assert (finished.total, finished.done, finished.error) == (size, size, None)
            with zipfile.ZipFile(io.BytesIO(gestes.store.files.read(finished.result))) as zipped:
                assert len(zipped.namelist()) == size  # every booklet, none twice
        from sqlalchemy import text as sql

        with gestes.store.database.engine.connect() as connection:
            statuses = connection.execute(
                sql("SELECT status FROM procrastinate_jobs ORDER BY id")
            ).scalars()
            assert list(statuses) == ["succeeded", "succeeded"]  # each job ran to its end once
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        gestes.close()


class Cable:
    """A TCP relay to PostgreSQL that a test can cut: every connection through it dropped and
    new ones refused, as when the database restarts or the network fails, then plugged back."""

    def __init__(self, port: int = 5432) -> None:
        import socket
        import threading

        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.plugged = True
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            client, _ = self.listener.accept()
            if not self.plugged:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        import contextlib

        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.close()

    def cut(self) -> None:
        import socket

        self.plugged = False
        with self.lock:
            for end in self.open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            self.open = []

    def plug(self) -> None:
        self.plugged = True


def test_a_worker_waits_out_a_database_that_went_away(network_url, tmp_path, definitions):
    """`gestes worker` reaches the database through a cable the test cuts for a while: the
    worker says it lost it, keeps trying, and once it is back runs the job queued meanwhile.
    (Without reconnecting, the worker process ended: nothing ran the queue again.)"""
    import signal
    import time

    from sqlalchemy.engine import make_url

    from core.booklet import jobs

    settings = Settings(
        data_dir=tmp_path / "a", database_url=network_url, file_store="database", jobs="queue"
    )
    upgrade_database(settings)
    gestes = open_gestes(settings, definitions=definitions)
    directory = gestes.store.directory
    school = directory.create_school(None, "École", "Lyon", "territoire.lyon")
    coordinator = directory.create_user("c@ecole.fr", "C", PASSWORD, Role.COORDINATOR, [school])
    today = dt.date.today()
    cohort = directory.create_cohort(
        school, "fibre", "Promo", today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    )
    directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo", None, None)])
    address = make_url(network_url)
    cable = Cable(address.port or 5432)
    through = address.set(host="127.0.0.1", port=cable.port)
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "gestes"), "worker"],
        env={
            **os.environ,
            "GESTES_DATABASE_URL": through.render_as_string(hide_password=False),
            "GESTES_DATA_DIR": str(tmp_path / "b"),
            "GESTES_FILE_STORE": "database",
            "GESTES_JOBS": "queue",
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )

    def until(condition, what: str) -> None:
        deadline = time.monotonic() + 120
        while not condition():
            assert time.monotonic() < deadline, f"{what}:\n{log.read_text()}"
            time.sleep(0.2)  # polling what another process writes (a row, its log)

    def done(job: str) -> bool:
        found = gestes.store.jobs.get(job)
        return found is not None and found.state == "done"

    try:
        first = jobs.submit(gestes, cohort, coordinator, None)
        until(lambda: done(first), "the first job ran")
        cable.cut()
        until(lambda: "database lost" in log.read_text(), "the worker said it lost the database")
        second = jobs.submit(gestes, cohort, coordinator, None)  # queued while it is away
        assert worker.poll() is None, log.read_text()
        cable.plug()
        until(lambda: done(second), "the job queued meanwhile ran once the database was back")
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        gestes.close()


def test_the_network_guide_runs_as_written_on_a_blank_postgresql(tmp_path):
    """docs/operations/network.md's commands, run as a school's IT would paste them, on a
    PostgreSQL server where the database does not exist yet: only the addresses change (the
    test's server, a free port, a temporary folder)."""
    import http.client
    import shlex
    import signal
    import socket
    import time
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.store import make_engine
    from tests.conftest import POSTGRES_URL

    guide = (Path(__file__).parent.parent / "docs" / "operations" / "network.md").read_text()
    block = re.search(r"```sh\n(.*?)```", guide, re.DOTALL)
    assert block is not None
    name = f"gestes_guide_{uuid.uuid4().hex[:10]}"  # never created by the test: blank
    database = make_url(POSTGRES_URL).set(database=name)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GESTES_DATA_DIR": str(tmp_path / "data")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    server = None
    try:
        for line in block.group(1).splitlines():
            command = line.split(" #", 1)[0].strip()
            if command.startswith("export "):
                for pair in shlex.split(command)[1:]:
                    key, value = pair.split("=", 1)
                    if key == "GESTES_DATABASE_URL":
                        value = database.render_as_string(hide_password=False)
                    env[key] = value
                continue
            command = command.replace("--port 8000", f"--port {port}")
            command = command.replace("/var/backups/", f"{tmp_path}/")
            if command.startswith("gestes serve"):
                server = subprocess.Popen(["bash", "-c", f"exec {command}"], env=env)
                deadline = time.monotonic() + 60
                while True:  # readiness of another process: ask until it answers
                    assert time.monotonic() < deadline, "the server never became ready"
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    try:
                        connection.request("GET", "/ready")
                        if connection.getresponse().status == 200:
                            break
                    except OSError:
                        pass
                    finally:
                        connection.close()
                    time.sleep(0.2)
                continue
            done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert server is not None, "the guide starts a server"
        assert list(tmp_path.glob("gestes-*.dump")), "the guide's backup was written"
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

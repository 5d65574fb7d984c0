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

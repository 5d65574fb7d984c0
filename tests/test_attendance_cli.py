"""``gestes attendance …`` on a fresh SQLite store (no demo): plan a cohort's half-days, list
them, correct a trainee's attendance with its reason, read the sheet and the hours."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from core.cli.main import build_cli
from core.context import open_gestes
from core.domain import NewTrainee, Role
from core.settings import Settings


def run(*args):
    return CliRunner().invoke(build_cli(), [str(a) for a in args])


def test_a_coordinator_plans_reads_and_corrects_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    gestes = open_gestes(Settings(data_dir=tmp_path / "data"), migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    directory.create_user("ines@ecole.fr", "Inès", "mot-de-passe-long", Role.COORDINATOR, [school])
    cohort = directory.create_cohort(
        school, "datacenter", "DC Lyon", dt.date(2026, 3, 2), dt.date(2026, 6, 26)
    )
    [awa] = directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo")])

    planned = run("attendance", "plan", cohort)
    assert planned.exit_code == 0 and "half-day(s) planned" in planned.stdout
    assert run("attendance", "plan", cohort).stdout.startswith("0 half-day(s)")
    listed = run("attendance", "sessions", cohort, "--month", "2026-03")
    assert listed.exit_code == 0 and "2026-03-02  matin" in listed.stdout
    first = gestes.store.attendance.sessions(cohort)[0].id

    no_reason = run("attendance", "correct", first, awa, "--reason", " ", "--by", "ines@ecole.fr")
    assert no_reason.exit_code == 1 and "motif" in no_reason.stderr
    done = run(
        "attendance", "correct", first, awa,
        "--reason", "Feuille papier recopiée", "--by", "ines@ecole.fr",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    sheet = run("attendance", "sheet", first)
    assert "DIALLO Awa" in sheet.stdout and "present" in sheet.stdout
    assert "chain: intact" in sheet.stdout
    hours = run("attendance", "hours", cohort)
    assert "DIALLO Awa" in hours.stdout and "3 h 30" in hours.stdout

    month = run("attendance", "month", cohort, "2026-03", "--out", tmp_path / "mars.pdf")
    assert month.exit_code == 0 and (tmp_path / "mars.pdf").read_bytes().startswith(b"%PDF")
    certificate = run("certificate", awa, "--out", tmp_path / "certificat.pdf")
    assert certificate.exit_code == 0, certificate.output
    assert (tmp_path / "certificat.pdf").read_bytes().startswith(b"%PDF")
    assert run("certificate", awa, "--kind", "autre", "--out", tmp_path / "x.pdf").exit_code == 2
    assert run("certificate", 999, "--out", tmp_path / "x.pdf").exit_code == 1

"""The Qualiopi file as an auditor receives it: the signed ZIP read back (its PDF's text and
its CSV say the store's counts, its signature checks), and the read-only link — the file,
a sample drawn by chance, nothing writable, nothing of another school, and nothing once it
expired or was withdrawn."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import zipfile

from fastapi.testclient import TestClient

from core.domain import NewTrainee, Role
from core.followup import plans
from core.store.audits import SAMPLE
from tests.test_followup import fail_splice, signed_in
from web import create_app

PERIOD = "du=2026-01-01&au=2026-06-30"


def test_the_signed_zip_says_the_stores_counts(world, tmp_path):
    from core.booklet.signing import signature_status

    awa, lucas, _ = world.trainees
    fail_splice(world, lucas, 3)
    plans.observe(
        world.gestes, awa, {"fibre.g.preparer_chantier": "seul"}, dt.date(2026, 1, 6), None
    )
    office, _ = signed_in(world, "coord@example.org")
    answer = office.get(f"/qualiopi/dossier.zip?ecole={world.school}&{PERIOD}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == ["LISEZMOI.txt", "dossier-qualiopi.pdf", "indicateurs.csv"]
    pdf = archive.read("dossier-qualiopi.pdf")
    (tmp_path / "file.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "file.pdf"), "-"], capture_output=True, text=True
    ).stdout
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    counts = world.gestes.store.qualiopi.counts(
        world.school, dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    )
    assert counts["attempts"] == 3 and counts["positioned"] == 1
    assert f"{counts['attempts']} essais de gestes observés" in text
    assert f"diagnostic des premiers jours) : {counts['positioned']} stagiaire sur 3" in text
    assert "Indicateur 30 — Recueil des appréciations" in text
    assert "Aucun questionnaire rempli sur la période." in text
    identity = world.gestes.identity(world.school)
    assert signature_status(pdf, identity).intact
    rows = list(
        csv.DictReader(
            io.StringIO(archive.read("indicateurs.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    eleven = [r["preuve"] for r in rows if r["indicateur"] == "11"]
    assert eleven[0].startswith(f"{counts['attempts']}\u00a0essais de gestes observés")
    page = office.get(f"/api/schools/{world.school}/qualiopi?{PERIOD}").json()
    assert next(i["evidence"] for i in page if i["number"] == 11) == eleven  # one derivation


def _made(office: TestClient, csrf: str, school: int, days: int = 14) -> str:
    page = office.post(
        "/qualiopi/auditor-links",
        data={"csrf_token": csrf, "ecole": school, "du": "2026-01-01", "au": "2026-06-30",
              "jours": days},
    )  # fmt: skip
    assert page.status_code == 200, page.text
    return re.search(r"/audit/([\w-]+)</code>", page.text).group(1)


def test_the_auditor_reads_the_file_and_a_sample_and_nothing_else(world, monkeypatch):
    more = world.directory.add_trainees(
        world.other_cohort, [NewTrainee("Stagiaire", f"N{n}") for n in range(6)]
    )
    everyone = set(world.trainees) | set(more)
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    elsewhere = world.directory.create_cohort(
        lyon, "fibre", "Fibre Lyon", dt.date(2026, 1, 5), dt.date(2026, 4, 10)
    )
    [stranger] = world.directory.add_trainees(elsewhere, [NewTrainee("Autre", "École")])
    office, csrf = signed_in(world, "coord@example.org")
    code = _made(office, csrf, world.school)
    auditor = TestClient(create_app(world.gestes))
    page = auditor.get(f"/audit/{code}")
    assert page.status_code == 200 and "Indicateur 31" in page.text
    assert 'method="post"' not in page.text  # nothing writable
    sample = [int(i) for i in re.findall(rf"/audit/{code}/stagiaires/(\d+)", page.text)]
    assert len(sample) == SAMPLE and set(sample) <= everyone
    opened = auditor.get(f"/audit/{code}/stagiaires/{sample[0]}")
    assert opened.status_code == 200 and "Plan individuel (indicateur 10)" in opened.text
    assert 'method="post"' not in opened.text
    left_out = sorted(everyone - set(sample))
    assert len(left_out) == len(everyone) - SAMPLE
    assert auditor.get(f"/audit/{code}/stagiaires/{left_out[0]}").status_code == 404
    assert auditor.get(f"/audit/{code}/stagiaires/{stranger}").status_code == 404
    assert auditor.post(f"/audit/{code}").status_code == 405
    assert auditor.get(f"/audit/{code}/dossier.zip").headers["content-type"] == "application/zip"
    assert auditor.get("/audit/pas-un-code").status_code == 404
    later = dt.date.today() + dt.timedelta(days=15)
    monkeypatch.setattr("web.pages.audit.today", lambda: later)
    expired = auditor.get(f"/audit/{code}")
    assert expired.status_code == 410 and "a expiré" in expired.text
    assert auditor.get(f"/audit/{code}/stagiaires/{sample[0]}").status_code == 410


def test_a_withdrawn_link_opens_nothing_and_another_school_cannot_make_one(world):
    office, csrf = signed_in(world, "coord@example.org")
    code = _made(office, csrf, world.school, days=3)
    [link] = world.gestes.store.audits.of_school(world.school)
    assert link.by == "Inès Coordinatrice"
    listed = office.get(f"/qualiopi?ecole={world.school}").text
    assert code not in listed  # shown once, when made: only its hash is kept
    office.post(
        f"/qualiopi/auditor-links/{link.id}/revoke",
        data={"csrf_token": csrf, "ecole": world.school},
    )
    withdrawn = TestClient(create_app(world.gestes)).get(f"/audit/{code}")
    assert withdrawn.status_code == 410 and "retiré" in withdrawn.text
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    world.directory.create_user(
        "lyon@example.org", "Coord Lyon", "mot-de-passe-long", Role.COORDINATOR, [lyon]
    )
    other, other_csrf = signed_in(world, "lyon@example.org")
    refused = other.post(
        "/qualiopi/auditor-links",
        data={"csrf_token": other_csrf, "ecole": world.school, "du": "2026-01-01",
              "au": "2026-06-30"},
    )  # fmt: skip
    assert refused.status_code == 404
    assert len(world.gestes.store.audits.of_school(world.school)) == 1
    too_long = office.post(
        "/qualiopi/auditor-links",
        data={"csrf_token": csrf, "ecole": world.school, "du": "2026-01-01", "au": "2026-06-30",
              "jours": 90},
    )  # fmt: skip
    assert too_long.status_code in (400, 422)


def test_the_command_line_prints_the_file_writes_its_zip_and_makes_a_link(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from core.cli.main import build_cli
    from core.context import open_gestes
    from core.settings import Settings

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    gestes = open_gestes(Settings(data_dir=tmp_path / "data"), migrate=True)
    school = gestes.store.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")

    def run(*args: object):
        return CliRunner().invoke(build_cli(), [str(a) for a in args])

    target = tmp_path / "dossier.zip"
    said = run("qualiopi", school, "--from", "2026-01-01", "--to", "2026-06-30", "--zip", target)
    assert said.exit_code == 0, said.output
    assert "31\tTraitement des réclamations" in said.stdout
    assert "dossier-qualiopi.pdf" in zipfile.ZipFile(target).namelist()
    made = run("auditor-link", school, "--from", "2026-01-01", "--to", "2026-06-30", "--days", 3)
    assert made.exit_code == 0 and "/audit/" in made.stdout
    code = made.stdout.strip().rsplit("/", 1)[1]
    assert gestes.store.audits.open(code).expires_on == dt.date.today() + dt.timedelta(days=3)
    assert run("auditor-link", school, "--from", "2026-01-01", "--to", "2026-06-30",
               "--days", 90).exit_code == 1  # fmt: skip

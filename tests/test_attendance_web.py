"""The sheet on the floor's tablet, through the pages: a trainer of the cohort opens today's
half-day, trainees sign with a finger (strokes), the outbox's request is acknowledged in JSON,
and what is refused is said beside the trainee's line. A trainer of another cohort, even of
the same school, signs nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient

from core.domain import NewTrainee, Role
from core.french import SCHOOL_TIME
from web import create_app

PASSWORD = "mot-de-passe-long"
PEN = [[120, 200, 300, 180, 480, 240]]


@pytest.fixture
def floor(world):
    """A cohort running today, its trainer, and today's morning open all day."""
    today = dt.datetime.now(SCHOOL_TIME).date()
    directory = world.directory
    cohort = directory.create_cohort(
        world.school,
        "fibre",
        "Fibre en cours",
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=80),
        [world.trainer],
    )
    trainees = directory.add_trainees(
        cohort, [NewTrainee("Inès", "Diallo"), NewTrainee("Yanis", "Martin")]
    )
    module = world.gestes.definitions.catalog.sectors["fibre"].curriculum.modules[0].id
    sheet = world.gestes.store.attendance.add(
        cohort, today, "matin", (0, 24 * 60), module, world.trainer
    )
    return world, cohort, trainees, sheet


def signed_in(world, email: str) -> tuple[TestClient, str]:
    browser = TestClient(create_app(world.gestes))
    browser.post("/login", data={"email": email, "password": PASSWORD})
    csrf = browser.get("/api/me").json()["csrf_token"]
    return browser, csrf


def test_a_signature_is_kept_as_strokes_acknowledged_to_the_outbox_and_drawn(floor):
    world, _, (awa, lucas), sheet = floor
    tablet, csrf = signed_in(world, "formateur@example.org")
    form = {
        "csrf_token": csrf,
        "submit_id": "sig-awa-0001",
        "made_at": str(int(dt.datetime.now(dt.UTC).timestamp() * 1000)),
        "device": "tablette-plateau",
        "strokes": json.dumps(PEN),
    }
    url = f"/sessions/{sheet.id}/trainees/{awa}/signature"
    for _ in range(2):  # the first answer lost on the way: sent again, stored once
        answer = tablet.post(url, data=form, headers={"X-Gestes-Outbox": "sig-awa-0001"})
        assert answer.status_code == 200 and answer.headers["X-Gestes-Saved"] == "sig-awa-0001"
    page = tablet.get(f"/sessions/{sheet.id}")
    assert page.status_code == 200
    assert 'points="120,200 300,180 480,240 "' in page.text  # drawn back as vectors
    assert "Signature de DIALLO Inès" in page.text
    lines = {line.trainee_id: line for line in world.gestes.store.attendance.sheet(sheet.id).lines}
    assert lines[awa].mark.signed and lines[lucas].mark.status == "vide"
    with world.gestes.store.database.read() as session:
        from core.store import tables as t

        [entry] = session.query(t.AttendanceEntry).all()
        assert entry.device == "tablette-plateau" and entry.author_id == world.trainer


def test_a_refusal_is_said_beside_the_trainees_line(floor):
    world, _, (awa, _), sheet = floor
    tablet, csrf = signed_in(world, "formateur@example.org")
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    form = {
        "csrf_token": csrf,
        "submit_id": "sig-awa-late1",
        "made_at": str(int(yesterday.timestamp() * 1000)),
        "strokes": json.dumps(PEN),
    }
    refused = tablet.post(f"/sessions/{sheet.id}/trainees/{awa}/signature", data=form)
    assert refused.status_code == 400
    line = re.search(rf'<li class="card" id="t{awa}">(.*?)</li>', refused.text, re.S).group(1)
    assert "le jour même" in line
    empty = tablet.post(
        f"/sessions/{sheet.id}/trainees/{awa}/signature",
        data={**form, "submit_id": "sig-awa-empty", "made_at": "", "strokes": "[]"},
    )
    assert empty.status_code == 400 and "Signez dans le cadre" in empty.text
    late = tablet.post(
        f"/sessions/{sheet.id}/trainees/{awa}/depart",
        data={"csrf_token": csrf, "submit_id": "dep-awa-0001", "minute": "quinze heures"},
    )
    assert late.status_code == 400 and "Heure illisible" in late.text
    assert world.gestes.store.attendance.sheet(sheet.id).lines[0].mark.status == "vide"


def test_only_the_cohorts_trainers_and_the_coordination_write_on_its_sheet(floor):
    world, _, (awa, _), sheet = floor
    world.directory.create_user(
        "autre@example.org", "Autre Formatrice", PASSWORD, Role.TRAINER, [world.school]
    )
    colleague, csrf = signed_in(world, "autre@example.org")
    assert colleague.get(f"/sessions/{sheet.id}").status_code == 200  # reads, as the grid
    answer = colleague.post(
        f"/sessions/{sheet.id}/trainees/{awa}/absence",
        data={"csrf_token": csrf, "submit_id": "abs-awa-0001"},
    )
    assert answer.status_code == 403
    trainer, csrf = signed_in(world, "formateur@example.org")
    correction = trainer.post(
        f"/sessions/{sheet.id}/trainees/{awa}/correction",
        data={"csrf_token": csrf, "submit_id": "cor-awa-0001", "present": "oui", "reason": "x"},
    )
    assert correction.status_code == 403  # corrections are the coordination's
    coordinator, csrf = signed_in(world, "coord@example.org")
    corrected = coordinator.post(
        f"/sessions/{sheet.id}/trainees/{awa}/correction",
        data={"csrf_token": csrf, "submit_id": "cor-awa-0002", "present": "non", "reason": "Parti"},
        follow_redirects=False,
    )
    assert corrected.status_code == 303
    [line] = [
        li for li in world.gestes.store.attendance.sheet(sheet.id).lines if li.trainee_id == awa
    ]
    assert line.mark.status == "absent" and line.mark.corrected


def test_the_coordination_plans_a_cohorts_half_days_and_reads_its_hours(floor):
    world, cohort, _, _ = floor
    coordinator, csrf = signed_in(world, "coord@example.org")
    planned = coordinator.post(
        f"/cohorts/{cohort}/attendance/plan", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert planned.status_code == 303
    assert len(world.gestes.store.attendance.sessions(cohort)) > 20
    page = coordinator.get(f"/cohorts/{cohort}/attendance")
    assert (
        page.status_code == 200 and "DIALLO Inès" in page.text and "Heures effectuées" in page.text
    )
    trainer, _ = signed_in(world, "formateur@example.org")
    assert "Planifier les demi-journées" not in trainer.get(f"/cohorts/{cohort}/attendance").text


def test_the_trainee_page_and_their_own_page_show_the_hours_the_sheets_prove(floor):
    from core.immersion.placements import LinkKind, new_trainee_code

    world, _, (awa, _), sheet = floor
    coordinator, csrf = signed_in(world, "coord@example.org")
    coordinator.post(  # present from 9:10 to 12:00 of a session open all day: 2 h 45
        f"/sessions/{sheet.id}/trainees/{awa}/correction",
        data={
            "csrf_token": csrf,
            "submit_id": "cor-awa-hours",
            "present": "oui",
            "minute": "9:10",
            "left": "12:00",
            "reason": "Feuille papier recopiée",
        },
    )
    page = coordinator.get(f"/trainees/{awa}?ouvert=phases").text
    assert "2 h 45 effectuées sur" in page  # 9:15 to 12:00, to the quarter-hour
    code = new_trainee_code()
    world.gestes.store.placements.issue_link(LinkKind.TRAINEE, awa, code, 30, None)
    mine = TestClient(create_app(world.gestes)).get(f"/moi/{code}").text
    assert "Mes présences" in mine and "2 h 45 effectuées sur" in mine


def test_the_api_appends_once_per_key_and_reads_the_sheet_and_hours(floor):
    world, cohort, (awa, yanis), sheet = floor
    api, csrf = signed_in(world, "formateur@example.org")
    headers = {"X-CSRF-Token": csrf}
    entry = {"key": "api-sig-awa-1", "kind": "signed", "trainee_id": awa, "strokes": PEN}
    first = api.post(f"/api/sessions/{sheet.id}/attendance", json=entry, headers=headers)
    again = api.post(f"/api/sessions/{sheet.id}/attendance", json=entry, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    absent = {"key": "api-abs-yanis", "kind": "absent", "trainee_id": yanis}
    assert api.post(f"/api/sessions/{sheet.id}/attendance", json=absent, headers=headers).is_success
    nobody = {"key": "api-sig-none", "kind": "signed", "trainee_id": awa, "strokes": []}
    refused = api.post(f"/api/sessions/{sheet.id}/attendance", json=nobody, headers=headers)
    assert refused.status_code in (400, 422) and "Signez dans le cadre" in refused.text
    read = api.get(f"/api/sessions/{sheet.id}/attendance").json()
    statuses = {line["trainee_id"]: line["status"] for line in read["lines"]}
    assert statuses == {awa: "present", yanis: "absent"} and read["intact"]
    hours = {h["trainee_id"]: h for h in api.get(f"/api/cohorts/{cohort}/hours").json()}
    assert sum(hours[awa]["done"].values()) == 24 * 60 and sum(hours[yanis]["done"].values()) == 0


def pdf_text(pdf: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_certificate_and_the_months_sheets_say_what_the_record_holds(floor):
    from core.booklet.signing import signature_status

    world, cohort, (awa, yanis), sheet = floor
    trainer, csrf = signed_in(world, "formateur@example.org")
    now = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    sign = {"csrf_token": csrf, "made_at": now, "device": "t1", "strokes": json.dumps(PEN)}
    trainer.post(
        f"/sessions/{sheet.id}/trainees/{awa}/signature",
        data={**sign, "submit_id": "sig-awa-cert", "minute": "9:10"},
    )
    trainer.post(
        f"/sessions/{sheet.id}/trainees/{yanis}/absence",
        data={**sign, "submit_id": "abs-yanis-cert"},
    )
    assert trainer.get(f"/trainees/{awa}/certificat-de-realisation.pdf").status_code == 403
    coordinator, _ = signed_in(world, "coord@example.org")
    answer = coordinator.get(f"/trainees/{awa}/certificat-de-realisation.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content)
    # 9:10 rounded up to 9:15, to midnight: 14 h 45, exactly what the sheet proves.
    assert "Certificat de réalisation" in text and "Inès Diallo" in text
    assert "14 h 45" in text and "action de formation" in text
    assert signature_status(answer.content, world.gestes.identity(None)).intact
    attestation = pdf_text(
        coordinator.get(f"/trainees/{awa}/attestation-de-fin-de-formation.pdf").content
    )
    assert "Attestation de fin de formation" in attestation and "14 h 45" in attestation
    table = coordinator.get(f"/cohorts/{cohort}/hours.csv").content.decode("utf-8-sig")
    assert "DIALLO Inès;14,75;24,00;" in table  # the funder's report: the same hours
    booklet = coordinator.get(f"/trainees/{awa}/booklet").text  # the same hours, for employers
    assert "14 h 45 effectuées sur" in booklet
    month = sheet.day.strftime("%Y-%m")
    sheets = trainer.get(f"/cohorts/{cohort}/attendance/{month}.pdf")
    assert sheets.status_code == 200
    words = pdf_text(sheets.content)
    assert "DIALLO Inès" in words and "arrivée 9:10" in words and "absent·e" in words
    assert "non contresignée" in words


def test_a_trainer_finds_todays_sheets_first(floor):
    world, _, _, sheet = floor
    trainer, _ = signed_in(world, "formateur@example.org")
    page = trainer.get("/cohorts").text
    assert "Émargement du jour" in page and f'href="/sessions/{sheet.id}"' in page
    world.directory.create_user(
        "autre@example.org", "Autre", PASSWORD, Role.TRAINER, [world.school]
    )
    other, _ = signed_in(world, "autre@example.org")  # not this cohort's trainer
    assert "Émargement du jour" not in other.get("/cohorts").text


def test_the_dashboard_says_what_attendance_needs_looking_at(floor):
    world, cohort, (awa, _), _ = floor
    world.gestes.store.attendance.plan(cohort)  # ten days of half-days held, none signed
    coordinator, _ = signed_in(world, "coord@example.org")
    page = coordinator.get("/dashboard").text
    assert "Présences à regarder" in page
    assert f'href="/trainees/{awa}?ouvert=phases#phases">DIALLO Inès</a>' in page
    assert "Feuille non contresignée par la formatrice ou le formateur." in page
    world.gestes.store.attendance.plan(world.cohort)  # ended in April: months unsigned
    assert "DIALLO Awa" not in coordinator.get("/dashboard").text  # nothing to do for it now
    world.gestes.settings.absence_alert = 100  # the school's threshold, not reached
    assert "DIALLO Inès" not in coordinator.get("/dashboard").text


def test_a_cohorts_certificates_are_a_job_like_its_booklets(floor):
    import io
    import zipfile

    from core.booklet.jobs import join

    world, cohort, (awa, yanis), _ = floor
    coordinator, csrf = signed_in(world, "coord@example.org")
    asked = coordinator.post(
        f"/cohorts/{cohort}/certificates", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert asked.status_code == 303
    job = asked.headers["location"].rsplit("/", 1)[1]
    assert join(job, 60), "the certificates job did not finish"
    page = coordinator.get(f"/exports/{job}").text
    assert "Certificats et attestations prêts pour 2 stagiaires." in page
    archive = zipfile.ZipFile(io.BytesIO(coordinator.get(f"/exports/{job}/download").content))
    assert sorted(archive.namelist()) == sorted(
        [
            f"attestation-de-fin-de-formation-{awa}-diallo-ines.pdf",
            f"certificat-de-realisation-{awa}-diallo-ines.pdf",
            f"attestation-de-fin-de-formation-{yanis}-martin-yanis.pdf",
            f"certificat-de-realisation-{yanis}-martin-yanis.pdf",
        ]
    )
    assert pdf_text(archive.read(f"certificat-de-realisation-{awa}-diallo-ines.pdf")).count(
        "Inès Diallo"
    )


def test_the_school_sets_its_own_rounding_and_alert(floor):
    world, cohort, (awa, _), sheet = floor
    trainer, csrf = signed_in(world, "formateur@example.org")
    now = str(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    trainer.post(
        f"/sessions/{sheet.id}/trainees/{awa}/signature",
        data={"csrf_token": csrf, "submit_id": "sig-awa-rule", "made_at": now,
              "strokes": json.dumps(PEN), "minute": "9:07"},
    )  # fmt: skip
    hours = world.gestes.store.attendance.hours
    assert hours(cohort)[awa].total_done == 24 * 60 - 9 * 60 - 15  # from 9:15, a quarter-hour
    refused = trainer.post(
        f"/cohorts/{cohort}/attendance/rules", data={"csrf_token": csrf, "step": 5, "alert": 2}
    )
    assert refused.status_code == 403  # the coordination's
    coordinator, csrf = signed_in(world, "coord@example.org")
    coordinator.post(
        f"/cohorts/{cohort}/attendance/rules", data={"csrf_token": csrf, "step": 5, "alert": 2}
    )
    assert hours(cohort)[awa].total_done == 24 * 60 - 9 * 60 - 10  # from 9:10, five minutes
    page = coordinator.get(f"/cohorts/{cohort}/attendance").text
    assert "comptés à 5 minutes près" in page and "à partir de 2 demi-journées" in page
    history = world.gestes.store.corrections.history("school", [world.school])
    assert {c.field for c in history} == {"arrondi des présences", "alerte d'absences"}


def test_a_justification_keeps_its_proof_for_the_coordination_only(floor):
    from tests.conftest import photo

    world, _, (awa, _), sheet = floor
    coordinator, csrf = signed_in(world, "coord@example.org")
    url = f"/sessions/{sheet.id}/trainees/{awa}/justification"
    form = {"csrf_token": csrf, "category": "maladie", "reason": "Certificat reçu"}
    refused = coordinator.post(
        url,
        data={**form, "submit_id": "just-awa-html"},
        files={"proof": ("certificat.jpg", b"<html><script>x</script></html>", "image/jpeg")},
    )
    assert refused.status_code == 400
    line = re.search(rf'<li class="card" id="t{awa}">(.*?)</li>', refused.text, re.S).group(1)
    assert "Type de fichier refusé" in line
    kept = coordinator.post(
        url,
        data={**form, "submit_id": "just-awa-jpeg"},
        files={"proof": ("certificat.jpg", photo(), "image/jpeg")},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    sheet_now = world.gestes.store.attendance.sheet(sheet.id)
    [line] = [li for li in sheet_now.lines if li.trainee_id == awa]
    assert line.mark.justified == "maladie" and line.proof and sheet_now.intact
    shown = coordinator.get(f"/sessions/{sheet.id}/proofs/{line.proof}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert f"/proofs/{line.proof}" in coordinator.get(f"/sessions/{sheet.id}").text
    trainer, _ = signed_in(world, "formateur@example.org")
    assert trainer.get(f"/sessions/{sheet.id}/proofs/{line.proof}").status_code == 403
    assert f"/proofs/{line.proof}" not in trainer.get(f"/sessions/{sheet.id}").text
    assert coordinator.get(f"/sessions/{sheet.id}/proofs/{'0' * 64}").status_code == 404


def test_why_an_absence_is_justified_is_for_the_coordination_only(floor):
    """A reason can be a health matter: the trainer's sheet and API, and the monthly PDF a
    funder reads, say « justifiée » alone."""
    world, cohort, (awa, _), sheet = floor
    coordinator, csrf = signed_in(world, "coord@example.org")
    coordinator.post(
        f"/sessions/{sheet.id}/trainees/{awa}/justification",
        data={"csrf_token": csrf, "submit_id": "just-awa-why", "category": "maladie"},
    )
    assert "Maladie (arrêt ou certificat)" in coordinator.get(f"/sessions/{sheet.id}").text
    staff = coordinator.get(f"/api/sessions/{sheet.id}/attendance").json()["lines"]
    assert {line["justified"] for line in staff} == {"maladie", None}
    trainer, _ = signed_in(world, "formateur@example.org")
    page = trainer.get(f"/sessions/{sheet.id}").text
    assert "justifié" in page and "Maladie" not in page
    lines = trainer.get(f"/api/sessions/{sheet.id}/attendance").json()["lines"]
    assert {line["justified"] for line in lines} == {"justifiee", None}
    month = pdf_text(trainer.get(f"/cohorts/{cohort}/attendance/{sheet.day:%Y-%m}.pdf").content)
    assert "justifiée" in month and "maladie" not in month.lower()

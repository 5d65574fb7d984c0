"""A school's year from a fresh install, without the demo: first administrator → school →
cohort of a sector → trainer account → trainees imported → attempts dated yesterday and
today → a level decision → a booklet. Through the JSON API (SQLite and PostgreSQL), in a
browser (Playwright + Debian's Chromium), and for a sector installed from outside the
repository (``gestes new-plugin``, then pip)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from core.cli.main import build_cli
from core.context import Definitions, Gestes, load_definitions, open_gestes
from core.settings import Settings
from tests.conftest import IN_TREE
from tests.test_browser import CHROMIUM, FLAGS, shot
from web import create_app

TOKEN = "premier-demarrage-0123456789"
PASSWORD = "mot-de-passe-long"
TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
CSV = "prénom;nom;e-mail\nAwa;Diallo;awa@exemple.fr\nLucas;Martin;\n"
SECTORS = {  # sector: (gesture, its name, a competency it evidences)
    "fibre": ("fibre.g.soudure_fusion", "Soudure par fusion", "fibre.c.souder"),
    "electricite": ("electricite.g.exemple", "Geste d'exemple", "electricite.c.exemple"),
}


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    """A sector from outside the repository: scaffolded, installed with pip, found through its
    entry point like any plugin (no project edit, no script)."""
    root = tmp_path_factory.mktemp("outside")
    package, site = root / "gestes-electricite", root / "site"
    made = CliRunner().invoke(build_cli(), ["new-plugin", "electricite", "--path", str(package)])
    assert made.exit_code == 0, made.output
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(site), str(package)]
    subprocess.run(pip, check=True, capture_output=True)
    sys.path.insert(0, str(site))
    scope = os.environ.get("GESTES_LOAD_PLUGINS")
    os.environ["GESTES_LOAD_PLUGINS"] = f"{scope or IN_TREE},electricite"  # this one too
    try:
        definitions = load_definitions()
    finally:
        sys.path.remove(str(site))
        if scope is None:
            del os.environ["GESTES_LOAD_PLUGINS"]
        else:
            os.environ["GESTES_LOAD_PLUGINS"] = scope
    assert "electricite" in definitions.catalog.sectors
    return definitions


# ---------------------------------------------------------------- through the API


def school_year(app: object, sector: str) -> None:
    gesture, _, competency = SECTORS[sector]
    browser = TestClient(app)
    form = {"name": "Chef", "email": "chef@ecole.fr", "password": PASSWORD, "password2": PASSWORD}
    assert browser.post(f"/setup/{TOKEN}", data=form, follow_redirects=False).status_code == 303
    admin = signed_in(app, "chef@ecole.fr")
    school = admin.post(
        "/api/schools",
        json={"name": "École du test", "city": "Lyon", "territory": "territoire.lyon"},
    ).json()
    trainer_id = admin.post(
        "/api/users",
        json={
            "email": "nadia@ecole.fr",
            "name": "Nadia Morel",
            "password": PASSWORD,
            "role": "trainer",
            "schools": [school["id"]],
        },
    ).json()["id"]
    [offered] = [s for s in admin.get("/api/sectors").json() if s["id"] == sector]
    cohort = admin.post(
        "/api/cohorts",
        json={
            "school": school["id"],
            "sector": sector,
            "name": "Promotion du test",
            "starts_on": str(TODAY - dt.timedelta(days=20)),
            "ends_on": str(TODAY + dt.timedelta(days=80)),
            "trainers": [trainer_id],
        },
    ).json()
    assert cohort["version"] == offered["version"] and cohort["trainers"] == [trainer_id]
    added = admin.post(
        f"/api/cohorts/{cohort['id']}/trainees",
        json=[
            {"first_name": "Awa", "last_name": "Diallo"},
            {"first_name": "Lucas", "last_name": "Martin"},
        ],
    ).json()["trainees"]
    trainer = signed_in(app, "nadia@ecole.fr")
    trainee = added[0]
    steps = dict.fromkeys(steps_of(trainer, trainee, gesture), "reussi")
    for day in (YESTERDAY, TODAY):
        done = trainer.post(
            f"/api/trainees/{trainee}/attempts",
            json={
                "gesture": gesture,
                "steps": steps,
                "autonomy": "autonome",
                "observed_on": str(day),
                "key": f"attempt-{day}",
            },
        )
        assert done.status_code == 200 and done.json()["outcome"]["outcome"] == "passed", done.text
    future = trainer.post(
        f"/api/trainees/{trainee}/attempts",
        json={
            "gesture": gesture,
            "steps": steps,
            "autonomy": "autonome",
            "observed_on": str(TODAY + dt.timedelta(3)),
            "key": "attempt-futur",
        },
    )
    assert future.status_code == 400 and future.json()["field"] == "observed_on"
    record = trainer.get(f"/api/trainees/{trainee}").json()
    assert record["levels"][competency]["level"] == "acquis"  # two days: yesterday and today
    decided = trainer.post(
        f"/api/trainees/{added[1]}/levels",
        json={
            "competency": competency,
            "level": "en_cours",
            "justification": "Vu en atelier",
            "key": "decision-1",
        },
    )
    assert decided.json()["created"]
    assert (
        trainer.get(f"/api/trainees/{added[1]}").json()["levels"][competency]["level"] == "en_cours"
    )
    grid = trainer.get(f"/cohorts/{cohort['id']}").text
    assert grid.count("✎") == 1  # the decided level is marked as such in the grid
    pdf = trainer.get(f"/trainees/{trainee}/booklet.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf.status_code == 200 and "Awa Diallo" in text
    assert "http://testserver/v/" in re.sub(r"\s+", "", text)  # where it is served


def signed_in(app: object, email: str) -> TestClient:
    client = TestClient(app)
    client.post("/login", data={"email": email, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]
    if client.get("/api/cohorts").status_code == 403:  # a password someone else chose:
        for current, new in ((PASSWORD, CHOSEN), (CHOSEN, PASSWORD)):  # its owner's first
            changed = client.post(
                "/api/me/password", json={"current": current, "new": new, "confirm": new}
            )
            assert changed.status_code == 200, changed.text
    return client


CHOSEN = "une phrase choisie par la personne"


def steps_of(client: TestClient, trainee: int, gesture: str) -> list[str]:
    page = client.get(f"/trainees/{trainee}/gestures/{gesture}").text
    return list(dict.fromkeys(re.findall(r'name="step" value="([^"]+)"', page)))


def test_a_school_year_through_the_api(gestes):
    """On SQLite and on PostgreSQL (the ``gestes`` fixture runs on both)."""
    school_year(create_app(gestes, setup_token=TOKEN), "fibre")


def test_a_sector_from_outside_runs_a_school_year(outside, tmp_path):
    gestes = open_gestes(Settings(data_dir=tmp_path / "data"), definitions=outside, migrate=True)
    school_year(create_app(gestes, setup_token=TOKEN), "electricite")


# ---------------------------------------------------------------- in a browser


@pytest.fixture(params=list(SECTORS))
def fresh_server(request, tmp_path, outside) -> Iterator[tuple[str, str]]:
    """The app on an empty data directory (no demo), with its set-up link."""
    definitions = outside if request.param == "electricite" else load_definitions()
    gestes: Gestes = open_gestes(
        Settings(data_dir=tmp_path / "data"), definitions=definitions, migrate=True
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(create_app(gestes, setup_token=TOKEN), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", request.param
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: .ci/run installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_a_school_year_in_a_browser(fresh_server, chromium, tmp_path):
    from playwright.sync_api import expect

    base, sector = fresh_server
    _, gesture_name, competency = SECTORS[sector]
    admin = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
    page = admin.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{base}/setup/{TOKEN}")
    page.get_by_label("Nom", exact=True).fill("Inès Chef")
    page.get_by_label("Adresse e-mail").fill("chef@ecole.fr")
    page.get_by_label("Mot de passe (12 caractères au moins)").fill(PASSWORD)
    page.get_by_label("Le même mot de passe, encore").fill(PASSWORD)
    page.get_by_role("button", name="Créer le compte").click()
    # Said as what happened, never « session terminée » (there was none yet).
    expect(page.get_by_role("status")).to_contain_text("Compte d'administration créé")
    page.fill("#email", "chef@ecole.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Écoles")).to_be_visible()

    page.get_by_label("Nom de l'école").fill("E2C Rhône")
    page.get_by_label("Ville").fill("Lyon")
    page.get_by_label("Territoire").select_option("territoire.lyon")
    page.get_by_role("button", name="Créer l'école").click()
    expect(page.get_by_role("link", name="E2C Rhône")).to_be_visible()
    shot(page, f"first-run-{sector}-1-ecole")

    page.goto(f"{base}/admin/users")
    page.get_by_label("Nom", exact=True).fill("Nadia Morel")
    page.get_by_label("Adresse e-mail").fill("nadia@ecole.fr")
    page.get_by_label("Mot de passe provisoire").fill(PASSWORD)
    page.get_by_label("E2C Rhône").check()
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("cell", name="nadia@ecole.fr")).to_be_visible()

    page.goto(f"{base}/cohorts/new")
    page.get_by_label("Filière", exact=True).select_option(sector)
    page.get_by_label("Nom de la promotion").fill("Promotion 2026-2")
    page.get_by_label("Premier jour").fill(str(TODAY - dt.timedelta(days=20)))
    page.get_by_label("Dernier jour").fill(str(TODAY - dt.timedelta(days=30)))  # before the start
    page.get_by_role("button", name="Créer la promotion").click()
    expect(page.locator("#erreur-ends_on")).to_contain_text("La date de fin doit suivre")
    page.get_by_label("Dernier jour").fill(str(TODAY + dt.timedelta(days=80)))
    page.get_by_role("button", name="Créer la promotion").click()
    expect(page.get_by_role("heading", name="Réglages de la promotion")).to_be_visible()
    page.get_by_label("Nadia Morel").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()  # the trainers
    expect(page.get_by_label("Nadia Morel")).to_be_checked()
    shot(page, f"first-run-{sector}-2-promotion")

    page.goto(f"{base}/dashboard")
    roster = tmp_path / "stagiaires.csv"
    roster.write_text(CSV, encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(str(roster))
    page.get_by_role("button", name="Importer").first.click()
    expect(page.get_by_role("status")).to_contain_text("2 stagiaires ajoutés")
    admin.close()

    trainer = chromium.new_context(viewport={"width": 768, "height": 1024}, locale="fr-FR")
    page = trainer.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("#email", "nadia@ecole.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    # The administrator chose her password: she chooses her own before anything else.
    expect(page.get_by_role("status")).to_contain_text("choisissez le vôtre pour continuer")
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(CHOSEN)
    page.get_by_label("Nouveau mot de passe, encore").fill(CHOSEN)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Mot de passe changé")
    page.goto(f"{base}/cohorts")
    page.get_by_role("link", name="Promotion 2026-2").click()
    page.get_by_role("link", name="Awa Diallo").click()
    trainee_url = page.url
    for day in (YESTERDAY, TODAY):
        page.goto(trainee_url)
        page.get_by_role("link", name=gesture_name).click()
        steps = page.locator("li.step")
        expect(steps.first).to_be_visible()  # the page is there before its steps are counted
        page.wait_for_load_state("load")
        for index in range(steps.count()):
            steps.nth(index).get_by_role("button", name="Réussi").click()
            expect(steps.nth(index).get_by_role("button", name="Réussi")).to_have_attribute(
                "aria-pressed", "true"
            )
        page.get_by_label("Observée le").fill(str(day))
        page.get_by_label("En autonomie").check()
        page.get_by_role("button", name="Valider la tentative").click()
        expect(page.locator("#resultat")).to_contain_text("Tentative enregistrée")
    expect(page.locator("#niveaux")).to_contain_text("Acquis")  # two different days
    shot(page, f"first-run-{sector}-3-geste")

    page.goto(trainee_url)
    page.get_by_text("Fixer un niveau").click()  # folded: drawn when opened
    page.get_by_label("Compétence", exact=True).select_option(competency)
    page.get_by_label("Niveau", exact=True).select_option("maitrise")
    page.get_by_label("Justification").fill("Maîtrise observée en situation de chantier")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#historique")).to_contain_text("Niveau fixé : Maîtrisé")
    expect(page.locator("#historique")).to_contain_text("saisi le")
    shot(page, f"first-run-{sector}-4-decision")

    booklet = trainer.request.get(trainee_url + "/booklet.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(booklet.body())).pages)
    assert booklet.ok and "Awa Diallo" in text and "Maîtrisé" in text
    assert f"{base}/v/" in re.sub(r"\s+", "", text)  # the address it is served on
    trainer.close()


def test_serve_warns_when_booklets_would_point_at_this_machine_only():
    from web.commands import is_loopback

    assert is_loopback("http://127.0.0.1:8000") and is_loopback("http://localhost:8000/")
    assert is_loopback("http://[::1]:8000")
    assert not is_loopback("https://gestes.ecole.fr") and not is_loopback("http://10.0.0.5:8000")

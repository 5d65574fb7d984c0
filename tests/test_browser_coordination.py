"""A coordinator's corrections and imports, in Debian's Chromium at tablet and phone sizes, on
a school set up without the demo: a trainee's identity and a cohort corrected with their
trace shown, and a list previewed before anything is imported."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from core.context import open_gestes
from core.domain import NewTrainee, Role
from core.settings import Settings
from tests.test_browser import browser, shot  # noqa: F401
from web import create_app

PASSWORD = "mot-de-passe-long"


@pytest.fixture(scope="module")
def school(tmp_path_factory, definitions) -> Iterator[tuple[str, int, int]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("coordination"))
    gestes = open_gestes(settings, definitions=definitions, migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(None, "École de Bordeaux", "Bordeaux", "territoire.bordeaux")
    directory.create_user(
        "ines@ecole.fr", "Inès Coordinatrice", PASSWORD, Role.COORDINATOR, [school]
    )
    today = dt.date.today()
    cohort = directory.create_cohort(
        school,
        "fibre",
        "Fibre Bordeaux",
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=80),
    )
    [trainee] = directory.add_trainees(cohort, [NewTrainee("Nina", "Nouvelle", "nina@example.org")])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(gestes), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", cohort, trainee
    server.should_exit = True
    thread.join(timeout=10)


def coordinator(browser, base: str, width: int, height: int):  # noqa: F811
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="fr-FR"
    ).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#email", "ines@ecole.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_a_coordinator_corrects_a_trainee_and_a_cohort_and_reads_the_trace(school, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, cohort, trainee = school
    page = coordinator(browser, base, 1024, 768)
    page.goto(f"{base}/trainees/{trainee}?ouvert=identite#identite")
    page.fill("#f-last_name", "Nouvelle-Martin")
    page.fill("#f-birth_date", "1999-04-02")
    page.fill("#f-prescriber", "Mission Locale")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    history = page.locator("#identite")
    expect(history).to_contain_text("nom : Nouvelle → Nouvelle-Martin")
    expect(history).to_contain_text("date de naissance : — → 02/04/1999")
    expect(history).to_contain_text("Inès Coordinatrice")
    page.fill("#f-birth_date", "2026-01-01")  # a baby: refused beside the form, nothing kept
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#erreur-birth_date")).to_contain_text("Date de naissance improbable")
    expect(page.locator("#f-birth_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#identite")).not_to_contain_text("02/04/1999 → 01/01/2026")

    page.goto(f"{base}/cohorts/{cohort}/settings")
    page.fill("#f-name", "Fibre Bordeaux — printemps")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    table = page.locator("section", has_text="Historique des modifications")
    expect(table).to_contain_text("Fibre Bordeaux — printemps")
    shot(page, "coordination-01-corrections-tablet")


def test_an_import_is_previewed_then_leaves_out_who_is_already_there(school, browser, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    base, cohort, _ = school
    listing = tmp_path / "stagiaires.csv"
    listing.write_text(
        "Promotion de printemps\n"
        "Prénom;Nom;Courriel;Téléphone;Prescripteur;Situation familiale\n"
        "Nina;Nouvelle-Martin;NINA@example.org;06 11 22 33 44;Mission Locale;\n"
        "Yasmine;Haddad;;07 55 44 33 22;France Travail;mariée\n",
        encoding="utf-8",
    )
    for width, height, name in ((390, 844, "phone"), (1024, 768, "tablet")):
        page = coordinator(browser, base, width, height)
        page.goto(f"{base}/dashboard")
        page.set_input_files(f"#fichier-{cohort}", str(listing))
        page.locator(f"form[action='/cohorts/{cohort}/trainees'] button").click()
        expect(page.get_by_role("heading", name="Vérifier l'import")).to_be_visible()
        body = page.locator("main")
        expect(body).to_contain_text("Rien n'est encore importé.")
        expect(body).to_contain_text(
            "Colonnes non lues (elles ne sont pas gardées) : Situation familiale."
        )
        expect(body).to_contain_text("1 stagiaire est déjà dans l'école.")
        expect(body).to_contain_text("même e-mail")
        expect(page.get_by_label("Ne pas les importer (les autres le sont)")).to_be_checked()
        shot(page, f"coordination-02-import-preview-{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # fits
        if name == "phone":
            continue  # looked at on a phone, imported from the tablet
        page.get_by_role("button", name="Importer").click()
        expect(page.locator("main")).to_contain_text("1 stagiaire ajouté.")
    page.goto(f"{base}/cohorts/{cohort}")
    expect(page.locator("main")).to_contain_text("Haddad")
    assert page.locator("main").inner_text().count("Nouvelle-Martin") == 1  # never twice

"""From entry to evidence, in Debian's Chromium at phone and tablet sizes, on a school set up
without the demo: a trainee answers the end-of-training questionnaire on a phone without
network (kept on the phone, sent when the network returns), and an auditor opens the
school's file through its link — read-only, its sample only."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from core.context import open_gestes
from core.domain import NewTrainee, Role
from core.immersion.placements import LinkKind
from core.settings import Settings
from tests.test_browser import browser, shot  # noqa: F401
from web import create_app

PASSWORD = "mot-de-passe-long"
CODE = "AVIS-2026-NINA"


@pytest.fixture(scope="module")
def school(tmp_path_factory, definitions) -> Iterator[tuple[str, object, list[int]]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("followup"))
    gestes = open_gestes(settings, definitions=definitions, migrate=True)
    directory = gestes.store.directory
    territory = "territoire.ile_de_france"
    school = directory.create_school(None, "École de Chelles", "Chelles", territory)
    directory.create_user(
        "ines@ecole.fr", "Inès Coordinatrice", PASSWORD, Role.COORDINATOR, [school]
    )
    today = dt.date.today()
    cohort = directory.create_cohort(
        school,
        "fibre",
        "Fibre Chelles",
        today - dt.timedelta(days=110),
        today + dt.timedelta(days=5),
    )
    trainees = directory.add_trainees(
        cohort,
        [NewTrainee("Nina", "Nouvelle"), *(NewTrainee("Stagiaire", f"N{n}") for n in range(7))],
    )
    gestes.store.placements.issue_link(LinkKind.TRAINEE, trainees[0], CODE, 30, None)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(gestes), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", gestes, trainees
    server.should_exit = True
    thread.join(timeout=10)


def device(browser, width: int, height: int):  # noqa: F811
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="fr-FR", service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_trainee_answers_the_questionnaire_on_a_phone_without_network(school, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, gestes, trainees = school
    context, phone = device(browser, 390, 844)
    phone.goto(f"{base}/moi/{CODE}")
    expect(phone.get_by_role("heading", name="Votre avis")).to_be_visible()
    form = phone.locator("#avis form")
    context.set_offline(True)
    form.locator("fieldset").nth(0).get_by_text("Plutôt oui").click()
    form.locator("fieldset").nth(2).get_by_text("Tout à fait").click()
    form.get_by_label("Un mot pour l'école ? (facultatif)").fill("Merci pour la patience")
    form.get_by_role("button", name="Envoyer mon avis").click()
    expect(phone.locator("#avis").get_by_role("alert")).to_contain_text("gardé sur cet appareil")
    assert gestes.store.opinions.of_school(1) == []  # nothing reached the school yet
    shot(phone, "avis-hors-ligne-telephone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    context.set_offline(False)
    expect(phone.locator("#avis")).to_contain_text("Envoyé et enregistré")
    [answer] = gestes.store.opinions.of_school(1)
    assert answer.answers == {"global": 3, "aide": 4} and answer.trainee_id == trainees[0]
    assert answer.text == "Merci pour la patience"
    context.close()
    _, tablet = device(browser, 1024, 768)
    tablet.goto(f"{base}/moi/{CODE}")
    expect(tablet.locator("#avis input[name=q_global][value='3']")).to_be_checked()
    shot(tablet, "avis-tablette")


def test_an_auditor_reads_the_file_and_its_sample_only(school, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, _, trainees = school
    _, office = device(browser, 1024, 768)
    office.goto(f"{base}/login")
    office.fill("#email", "ines@ecole.fr")
    office.fill("#password", PASSWORD)
    office.click("button[type=submit]")
    office.goto(f"{base}/qualiopi")
    office.get_by_role("button", name="Créer un lien pour l'auditeur").click()
    address = office.locator("#auditeurs code").inner_text()
    assert "/audit/" in address
    shot(office, "qualiopi-lien-auditeur-tablette")

    _, auditor = device(browser, 390, 844)
    auditor.goto(address)
    expect(
        auditor.get_by_role("heading", name="Dossier Qualiopi — École de Chelles")
    ).to_be_visible()
    assert auditor.locator("form[method=post], input, textarea, select").count() == 0
    sample = auditor.locator("a[href*='/stagiaires/']")
    assert sample.count() == 6  # of the 8 trainees, six drawn by chance
    shot(auditor, "audit-dossier-telephone")
    hrefs = [sample.nth(n).get_attribute("href") for n in range(sample.count())]
    sample.first.click()
    expect(auditor.get_by_role("heading", name="Plan individuel (indicateur 10)")).to_be_visible()
    assert auditor.locator("form[method=post], input, textarea, select").count() == 0
    shot(auditor, "audit-stagiaire-telephone")
    drawn = {int(h.rsplit("/", 1)[1]) for h in hrefs}
    outside = next(t for t in trainees if t not in drawn)
    answer = auditor.goto(address + f"/stagiaires/{outside}")
    assert answer is not None and answer.status == 404


def coordinator(browser, base: str, width: int, height: int):  # noqa: F811
    _, page = device(browser, width, height)
    page.goto(f"{base}/login")
    page.fill("#email", "ines@ecole.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_a_coordinator_adds_a_company_and_prints_its_booklet(school, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, gestes, trainees = school
    office = coordinator(browser, base, 1024, 768)
    office.goto(f"{base}/partners")
    office.get_by_role("link", name="Ajouter une entreprise").click()
    office.fill("#f-name", "Fibre Est Réseaux")
    office.fill("#f-contacts", "M. Leroy — 06 00 00 00 01")
    office.get_by_label("Compétence 1", exact=True).select_option("fibre.c.souder")
    office.get_by_label("Importance 1", exact=True).select_option("essentielle")
    office.get_by_label("Compétence 2", exact=True).select_option("fibre.c.raccorder_client")
    office.get_by_label("Niveau 2", exact=True).select_option("en_cours")
    office.get_by_role("button", name="Enregistrer").click()
    expect(office.get_by_role("heading", name="Fibre Est Réseaux")).to_be_visible()
    shot(office, "entreprise-tablette")
    [partner] = gestes.store.partners.of_school(1)
    assert len(partner.requirements) == 2
    office.goto(f"{base}/trainees/{trainees[0]}?ouvert=livret#livret")
    office.locator("#livret-employeur").select_option(partner.employer_id)
    office.get_by_role("button", name="Aperçu").click()
    expect(office.locator("body")).to_contain_text("Pour Fibre Est Réseaux")
    expect(office.locator("body")).not_to_contain_text("06 00 00 00 01")  # the school's only
    with office.expect_download() as pdf:
        office.goto(f"{base}/trainees/{trainees[0]}?ouvert=livret#livret")
        office.locator("#livret-employeur").select_option(partner.employer_id)
        office.get_by_role("button", name="Télécharger le PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")


def test_a_candidate_goes_from_prescriber_to_trainee_on_a_phone(school, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, gestes, _ = school
    office = coordinator(browser, base, 390, 844)
    office.goto(f"{base}/candidates")
    office.fill("#f-first_name", "Yanis")
    office.fill("#f-last_name", "Candidat")
    office.fill("#f-prescriber", "Mission Locale de Chelles")
    office.get_by_label("Bénéficiaire du RSA").check()
    office.get_by_role("button", name="Ajouter", exact=True).click()
    expect(office.get_by_role("heading", name="Yanis Candidat")).to_be_visible()
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    office.fill("#f-info_on", day)
    office.fill("#f-interview_on", day)
    office.fill("#f-assessment", "Motivé, a déjà tiré des câbles chez un artisan.")
    office.locator("#f-decision").select_option("admis")
    office.fill("#f-decided_on", day)
    office.get_by_role("button", name="Enregistrer").click()
    expect(office.get_by_role("button", name="Inscrire dans la promotion")).to_be_visible()
    shot(office, "candidat-telephone")
    assert office.evaluate("document.documentElement.scrollWidth") <= 390
    office.get_by_role("button", name="Inscrire dans la promotion").click()
    expect(office.get_by_role("heading", name="Yanis Candidat")).to_be_visible()
    assert "/trainees/" in office.url
    trainee = int(office.url.split("/trainees/")[1].split("?")[0].split("#")[0])
    found, _ = gestes.store.lookup.trainee(trainee)
    assert found.prescriber == "Mission Locale de Chelles" and found.statuses == ("rsa",)

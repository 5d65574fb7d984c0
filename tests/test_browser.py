"""In a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).

A trainer logs in, scores a whole gesture step by step, sees the outcome and a competency
level change without a page reload, submits a practical evaluation with an invalid then a
valid measurement, and logs out. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from core.context import open_gestes
from core.demo.seed import PASSWORD, seed_demo
from core.domain import NewTrainee
from core.settings import Settings
from core.store import tables as t
from web import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory, definitions) -> Iterator[tuple[str, int]]:
    """The app on demo data, plus a new trainee with no observation yet."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("browser"))
    gestes = open_gestes(settings, definitions=definitions, migrate=True)
    seed_demo(gestes)
    from sqlalchemy import select

    with gestes.store.database.read() as session:
        cohort = session.scalar(select(t.Cohort.id).where(t.Cohort.sector == "fibre"))
    assert cohort is not None
    [trainee] = gestes.store.directory.add_trainees(cohort, [NewTrainee("Nina", "Nouvelle")])
    # Bound and listening before the server thread starts: the browser's first request
    # simply waits in the backlog, no polling needed.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(gestes), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", trainee
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: .ci/run installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def sign_in(page, base: str) -> None:
    """The Lyon trainer signs in from the login page."""
    page.goto(f"{base}/login")
    page.fill("#email", "formatrice.lyon@gestes.demo")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def trainer_tablet(browser, base: str, width: int, height: int, *, workers: bool = True):
    """A new device of that size, in French, the Lyon trainer signed in: its context and page.
    ``workers=False``: no service worker, so that every request goes through the routes a
    test injects faults with (Playwright does not see what a service worker forwards)."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="fr-FR",
        service_workers="allow" if workers else "block",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base)
    return context, page


def offline_ready(page, url: str) -> None:
    """``url`` opened under the service worker's control and its copy kept."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker's control: this copy is kept
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    # The copy is written behind the response: wait until it is there.
    kept = "caches.open('gestes-pages').then(c => c.match(location.href)).then(Boolean)"
    page.wait_for_function(f"async () => await {kept}")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_trainer_scores_a_gesture_and_an_evaluation(server, browser):
    from playwright.sync_api import expect

    base, trainee = server
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    console: list[str] = []  # what the browser complains about (CSP, 404s, script errors)
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))

    page.goto(f"{base}/cohorts")
    expect(page).to_have_url(f"{base}/login?next=/cohorts")
    page.fill("#email", "formatrice.lyon@gestes.demo")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Mes promotions")).to_be_visible()
    shot(page, "01-promotions")

    page.get_by_role("link", name="Fibre — promotion 2026-2").click()
    expect(page.locator("table.grid")).to_be_visible()
    shot(page, "02-grille")

    page.goto(f"{base}/trainees/{trainee}")
    expect(page.get_by_role("heading", name="Nina Nouvelle")).to_be_visible()
    page.get_by_role("link", name="Soudure par fusion").click()
    expect(page.get_by_role("heading", name="Soudure par fusion")).to_be_visible()
    page.wait_for_load_state("load")  # htmx ready: a tap before it would post the plain form
    page.evaluate("window.notReloaded = true")  # lost if anything reloads the page
    levels = page.locator("#niveaux")
    expect(levels).to_contain_text("Non évalué")

    steps = page.locator("li.step")
    for index in range(steps.count()):
        button = steps.nth(index).get_by_role("button", name="Réussi")
        button.click()
        expect(steps.nth(index).get_by_role("button", name="Réussi")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.locator("#resultat")).to_contain_text("Réussie")
    shot(page, "03-geste-note")

    page.get_by_label("En autonomie").check()  # never assumed: the trainer says it
    page.get_by_role("button", name="Valider la tentative").click()
    expect(page.locator("#resultat")).to_contain_text("Tentative enregistrée")
    expect(levels).to_contain_text("Non évalué → En cours d'acquisition")
    expect(page.locator("#progres")).to_contain_text("1 tentative réussie sur 1")
    assert page.evaluate("window.notReloaded") is True, "the page reloaded"
    expect(steps.first.get_by_role("button", name="Réussi")).to_be_disabled()  # attempt closed
    shot(page, "04-tentative-enregistree")

    page.goto(f"{base}/trainees/{trainee}/evaluations/fibre.e.bilan_liaison")
    page.get_by_label("Longueur du lien").fill("quatre cents")
    page.get_by_label("Perte à 1310 nm").fill("0,9")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    error = page.locator("#erreur-longueur_m")
    expect(error).to_contain_text("« quatre cents » n'est pas un nombre")
    expect(page.get_by_label("Longueur du lien")).to_have_attribute("aria-invalid", "true")
    shot(page, "05-epreuve-erreur")
    page.get_by_label("Longueur du lien").fill("420")
    page.get_by_label("Référence faite avec deux jarretières").check()
    page.get_by_label("Résultat consigné dans le tableau de recette").check()
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(page.locator("#epreuve")).to_contain_text("Épreuve enregistrée")
    expect(page.locator("#epreuve")).to_contain_text("réussie")
    shot(page, "06-epreuve-enregistree")
    # Tapping, validating and recording broke no rule of the page's policy, missed no file.
    assert [line for line in console if line.startswith("error")] == []

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.goto(f"{base}/cohorts")
    expect(page).to_have_url(f"{base}/login?next=/cohorts")
    context.close()


def test_api_documentation_runs_offline_under_the_csp(server, browser):
    """Swagger UI is served from web/static (no CDN) and starts from a script file: the strict
    Content-Security-Policy must not block anything, and every API route is loaded."""
    from playwright.sync_api import expect

    base, _ = server
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    page.goto(f"{base}/api/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    # Every route is in what Swagger UI loaded (it draws operations only as they scroll into
    # view: counting the drawn ones missed the last tags once the API grew).
    loaded = page.evaluate("window.ui.specSelectors.paths().keySeq().toArray()")
    assert {"/api/trainees/{trainee_id}/taps", "/api/users/{user_id}/active"} <= set(loaded)
    assert "/api/sessions/{session_id}/attendance" in loaded
    shot(page, "07-api-docs")
    assert problems == [] and outside == []
    context.close()


def test_a_tap_made_offline_waits_visibly_and_is_sent_when_the_network_returns(server, browser):
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 768, 1024)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    steps = page.locator("li.step")
    expect(steps.first).to_be_visible()
    page.wait_for_load_state("load")
    attempt = page.url.split("attempt=")[1]
    record = context.request.get(f"{base}/api/trainees/{trainee}").json()
    before = record["gestures"]["fibre.g.preparer_cable"]["attempts"]
    steps.nth(0).get_by_role("button", name="Réussi").click()
    expect(steps.nth(0).get_by_role("button", name="Réussi")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The step was redrawn; the focus stayed on the choice made, not lost to <body>.
    expect(steps.nth(0).get_by_role("button", name="Réussi")).to_be_focused()

    context.set_offline(True)  # the basement's Wi-Fi drops
    steps.nth(1).get_by_role("button", name="À reprendre").click()
    banner = page.locator("#en-attente")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1 saisie en attente d'envoi")
    expect(steps.nth(1)).to_have_class(re.compile(r"\bwaiting\b"))
    page.get_by_label("Avec aide").check()
    page.get_by_role("button", name="Valider la tentative").click()  # offline: it waits too
    expect(banner).to_contain_text("La validation attend aussi")
    expect(banner).to_contain_text("2 saisies en attente d'envoi")
    expect(page.locator("#resultat")).not_to_contain_text("Tentative enregistrée")
    shot(page, "08-hors-ligne")

    context.set_offline(False)  # back: the waiting tap goes, then the validation, once each
    expect(page.locator("#resultat")).to_contain_text("Tentative enregistrée")
    expect(banner).to_be_hidden()
    live = context.request.get(
        f"{base}/api/trainees/{trainee}/gestures/fibre.g.preparer_cable/attempts/{attempt}"
    ).json()
    assert len(live["steps"]) == 2 and list(live["steps"].values()).count("a_reprendre") == 1
    after = context.request.get(f"{base}/api/trainees/{trainee}").json()
    assert after["gestures"]["fibre.g.preparer_cable"]["attempts"] == before + 1  # stored once
    context.close()


def test_the_offline_banner_speaks_the_pages_language(server, browser):
    from playwright.sync_api import expect

    base, trainee = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    host = base.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "lang", "value": "en", "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    page.wait_for_load_state("load")
    context.set_offline(True)
    page.locator("li.step").nth(2).get_by_role("button", name="Passed").click()
    banner = page.locator("#en-attente")
    expect(banner).to_contain_text("Network unavailable: nothing is lost. 1 tap waiting to be sent")
    context.set_offline(False)
    expect(banner).to_be_hidden()  # sent: nothing left in this browser
    context.close()


def test_the_stopwatch_survives_a_reload_and_fills_the_duration(server, browser):
    """Playwright's clock moves time on: no sleeping. The start is kept by the attempt's key,
    so a reload (a tablet asleep) does not reset it; stopping writes the minutes."""
    from playwright.sync_api import expect

    base, trainee = server
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.clock.install()
    sign_in(page, base)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.soudure_fusion")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Démarrer le chrono").click()
    page.clock.fast_forward("03:00")
    expect(page.locator("#chrono-temps")).to_have_text(re.compile(r"^3:0\d$"))
    page.reload()
    page.wait_for_load_state("load")
    page.clock.fast_forward("01:30")
    expect(page.locator("#chrono-temps")).to_have_text(re.compile(r"^4:3\d$"))
    expect(page.locator("#chrono-depasse")).to_be_hidden()
    page.clock.fast_forward("06:00")  # past the splice's 10 minutes: the attempt will fail
    expect(page.locator("#chrono-depasse")).to_be_visible()
    page.get_by_role("button", name="Arrêter et reporter la durée").click()
    expect(page.locator("#minutes")).to_have_value(re.compile(r"^10,5$"))
    expect(page.locator("#chrono-temps")).to_have_text("0:00")
    context.close()


def test_a_gesture_page_reloaded_without_network_still_opens_and_keeps_its_taps(server, browser):
    """The service worker (Workbox) keeps the pages a trainer opened: in the basement, a
    reload shows the attempt again, a tap waits visibly, and goes when the network returns.
    A page never opened says, in French, that it needs the network."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 768, 1024)
    offline_ready(page, f"{base}/trainees/{trainee}/gestures/fibre.g.lovage_cassette")
    attempt_url = page.url

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Lover les fibres en cassette")).to_be_visible()
    assert page.url == attempt_url and "?attempt=" in attempt_url
    steps = page.locator("li.step")
    steps.nth(0).get_by_role("button", name="Réussi").click()
    expect(page.locator("#en-attente")).to_contain_text("1 saisie en attente d'envoi")
    page.get_by_label("Sous contrôle").check()
    page.get_by_role("button", name="Valider la tentative").click()  # waits after the tap
    page.reload()  # still offline: the page and both waiting entries are still there
    expect(page.locator("#en-attente")).to_contain_text("2 saisies en attente d'envoi")
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.mesure_otdr?attempt=jamaisvue1")
    expect(page.get_by_role("heading", name="Hors connexion")).to_be_visible()

    context.set_offline(False)
    page.goto(attempt_url)
    expect(page.locator("#resultat")).to_contain_text("Tentative enregistrée")  # tap, then it
    expect(page.locator("#en-attente")).to_be_hidden()
    page.get_by_role("button", name="Se déconnecter").click()
    assert page.evaluate("caches.has('gestes-pages')") is False  # nothing kept after sign-out
    context.close()


def test_a_tap_made_after_the_session_expired_waits_and_goes_after_signing_in(server, browser):
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 1024, 768)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    page.wait_for_load_state("load")
    gesture_url = page.url
    context.clear_cookies()  # the session is gone (expired, or ended elsewhere)
    page.locator("li.step").nth(3).get_by_role("button", name="À reprendre").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))  # asked to sign in again
    expect(page.get_by_role("status")).to_contain_text("Session terminée ou expirée")  # why
    page.fill("#email", "formatrice.lyon@gestes.demo")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(gesture_url)  # back on the same attempt
    step = page.locator("li.step").nth(3)
    expect(step.get_by_role("button", name="À reprendre")).to_have_attribute(
        "aria-pressed", "true"
    )  # the tap made while signed out was kept, then sent
    expect(page.locator("#en-attente")).to_be_hidden()
    context.close()


def test_two_tablets_tapping_one_attempt_merge_their_taps(server, browser):
    from playwright.sync_api import expect

    base, trainee = server
    tablets = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, base)
        tablets.append((context, page))
    first, second = (page for _, page in tablets)
    first.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    first.wait_for_load_state("load")
    second.goto(first.url)  # the same attempt, on the other tablet
    second.wait_for_load_state("load")
    attempt = first.url.split("attempt=")[1]
    first.locator("li.step").nth(0).get_by_role("button", name="Réussi").click()
    second.locator("li.step").nth(1).get_by_role("button", name="À reprendre").click()
    expect(
        second.locator("li.step").nth(1).get_by_role("button", name="À reprendre")
    ).to_have_attribute("aria-pressed", "true")
    expect(first.locator("li.step").nth(0).get_by_role("button", name="Réussi")).to_have_attribute(
        "aria-pressed", "true"
    )
    live = first.context.request.get(
        f"{base}/api/trainees/{trainee}/gestures/fibre.g.preparer_cable/attempts/{attempt}"
    ).json()
    assert sorted(live["steps"].values()) == ["a_reprendre", "reussi"]  # both kept, once each
    first.reload()  # the first tablet sees the second's tap too
    expect(
        first.locator("li.step").nth(1).get_by_role("button", name="À reprendre")
    ).to_have_attribute("aria-pressed", "true")
    for context, _ in tablets:
        context.close()


def test_taps_left_waiting_are_sent_from_another_page_never_by_another_account(server, browser):
    """The trainer moved on to the trainee page with two taps still waiting: the banner there
    says so, and they go from that page when the Wi-Fi returns. A colleague who signs in on
    the same tablet meanwhile never sends them as theirs."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 768, 1024)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    page.wait_for_load_state("load")
    attempt = page.url.split("attempt=")[1]
    nadia = page.evaluate("document.body.dataset.user")
    context.route("**/steps", lambda route: route.abort())  # taps no longer get through
    context.route("**/steps/batch", lambda route: route.abort())
    steps = page.locator("li.step")
    steps.nth(0).get_by_role("button", name="Réussi").click()
    steps.nth(2).get_by_role("button", name="À reprendre").click()
    expect(page.locator("#en-attente")).to_contain_text("2 saisies en attente d'envoi")

    page.goto(f"{base}/trainees/{trainee}")  # on to the next thing, taps still waiting
    elsewhere = page.locator("#en-attente-ailleurs")
    expect(elsewhere).to_contain_text("2 saisies faites sur d'autres pages attendent l'envoi")
    expect(elsewhere.get_by_role("link", name="Y aller")).to_have_attribute(
        "href", re.compile(f"fibre.g.preparer_cable\\?attempt={attempt}$")
    )
    shot(page, "10-en-attente-ailleurs")

    # A colleague takes the tablet: signs out, Karim signs in; Nadia's taps stay hers.
    page.get_by_role("button", name="Se déconnecter").click()
    context.unroute("**/steps")
    context.unroute("**/steps/batch")
    page.goto(f"{base}/login")
    page.fill("#email", "formateur.marseille@gestes.demo")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#en-attente-ailleurs")).to_be_hidden()
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('gestes-waiting-taps:{nadia}'))")
    assert len(kept) == 2  # not sent under Karim's account
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, base)  # Nadia again, on any page: they go, and the banner clears
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.wait_for_load_state("networkidle")  # the queue's requests answered
    expect(page.locator("#en-attente-ailleurs")).to_be_hidden()
    assert page.evaluate(f"localStorage.getItem('gestes-waiting-taps:{nadia}')") == "[]"
    live = context.request.get(
        f"{base}/api/trainees/{trainee}/gestures/fibre.g.preparer_cable/attempts/{attempt}"
    )
    assert sorted(live.json()["steps"].values()) == ["a_reprendre", "reussi"]
    context.close()


def test_a_tap_the_server_refuses_says_why_on_its_step(server, browser):
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 390, 844)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    page.wait_for_load_state("load")
    step = page.locator("li.step").nth(1)
    # What an outdated page would send: a step the curriculum no longer has.
    step.locator("input[name=step]").evaluate("(field) => { field.value = 'plus-au-programme'; }")
    step.get_by_role("button", name="Réussi").click()
    expect(step.locator(".refused")).to_contain_text("Saisie refusée :")
    expect(step.locator(".refused")).to_contain_text("plus-au-programme")  # the server's reason
    expect(page.locator("#en-attente")).to_be_hidden()  # refused, not waiting
    shot(page, "11-saisie-refusee")
    context.close()


def test_taps_kept_by_the_earlier_version_are_not_forgotten(server, browser):
    """Taps waiting under the queue's former key (before it was per account) join the
    signed-in trainer's queue and are sent, never left unseen in the browser."""
    base, trainee = server
    context, page = trainer_tablet(browser, base, 1024, 768)
    page.goto(f"{base}/trainees/{trainee}/gestures/fibre.g.preparer_cable")
    page.wait_for_load_state("load")
    attempt = page.url.split("attempt=")[1]
    page.evaluate(
        """([attempt, step]) => localStorage.setItem("gestes-waiting-taps", JSON.stringify([{
             path: location.pathname + "/steps", attempt: attempt, step: step, kind: "tap",
             body: [["csrf_token", "old"], ["attempt", attempt], ["step", step],
                    ["result", "reussi"], ["tap", "0"]]}]))""",
        [attempt, page.locator("li.step input[name=step]").first.get_attribute("value")],
    )
    page.reload()
    page.wait_for_load_state("networkidle")  # the adopted tap's request answered
    live = context.request.get(
        f"{base}/api/trainees/{trainee}/gestures/fibre.g.preparer_cable/attempts/{attempt}"
    ).json()
    assert list(live["steps"].values()) == ["reussi"]
    assert page.evaluate("localStorage.getItem('gestes-waiting-taps')") is None
    context.close()


def test_taps_left_on_a_closed_page_are_delivered_by_the_service_worker(server, browser):
    """The tablet goes to sleep, or the trainer leaves the page, with taps still waiting:
    the page hands a copy of its queue to the service worker (sw.js, workbox-background-
    sync), and when the browser says the network is back (a Background Sync event) the worker
    sends them with no page of Gestes open. The trainee's live attempt then holds exactly
    those taps, once; the page opened again finds nothing left to send."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 1024, 768)
    gesture = "fibre.g.soudure_fusion"
    offline_ready(page, f"{base}/trainees/{trainee}/gestures/{gesture}")
    attempt = page.url.split("attempt=")[1].split("#")[0]

    context.set_offline(True)
    steps = page.locator("li.step")
    chosen = {0: "Réussi", 1: "À reprendre", 2: "Réussi"}
    for n, label in chosen.items():
        steps.nth(n).get_by_role("button", name=label).click()
    expect(page.locator("#en-attente")).to_contain_text("3 saisies en attente d'envoi")
    keys = page.evaluate("Array.from(document.querySelectorAll('li.step')).map(li => li.id)")
    page.goto("about:blank")  # the page is gone (hidden, then unloaded): no Gestes page open
    [worker] = context.service_workers
    held = """new Promise(done => {
        const look = () => courier.size().then(n => n ? done(n) : setTimeout(look, 20));
        look();
    })"""
    assert worker.evaluate(held) == 1  # the three taps, as the one request the page would send

    context.set_offline(False)
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    cdp.send("Runtime.evaluate", {"expression": "0"})  # (its events are delivered by then)
    [ours] = [r for r in registrations if r["scopeURL"].startswith(base) and not r["isDeleted"]]
    # What the browser does when it sees the network again, asked for now instead of waited.
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": base,
            "registrationId": ours["registrationId"],
            "tag": "workbox-background-sync:gestes-waiting-taps",
            "lastChance": False,
        },
    )
    live_url = f"/api/trainees/{trainee}/gestures/{gesture}/attempts/{attempt}"
    page.goto(f"{base}/static/offline.html")  # of the site, without scoring.js: sends nothing
    page.wait_for_function(
        f"async () => Object.keys((await (await fetch('{live_url}')).json()).steps).length === 3"
    )
    live = context.request.get(base + live_url).json()
    expected = {
        keys[n].removeprefix("etape-"): r for n, r in enumerate(("reussi", "a_reprendre", "reussi"))
    }
    assert live["steps"] == expected
    assert set(live["counts"].values()) == {1}  # each stored once
    assert worker.evaluate("courier.size()") == 0

    page.goto(f"{base}/trainees/{trainee}/gestures/{gesture}?attempt={attempt}")
    expect(page.locator("li.step").nth(1)).to_have_class(re.compile(r"done-a_reprendre"))
    expect(page.locator("#en-attente")).to_be_hidden()  # sent again, stored once, forgotten
    live = context.request.get(
        f"{base}/api/trainees/{trainee}/gestures/{gesture}/attempts/{attempt}"
    )
    assert set(live.json()["counts"].values()) == {1}
    context.close()


def fill_splice_series(page, first: str) -> None:
    """The twelve-splice test as a trainer types it: every point checked, twelve losses."""
    for box in page.locator("form.evaluation input[type=checkbox]").all():
        box.check()
    losses = page.locator("form.evaluation input[name^=mesure_]")
    for n in range(losses.count()):
        losses.nth(n).fill(first if n == 0 else "0,05")


def test_a_measurement_typed_with_its_unit_is_read_as_people_type_it(server, browser):
    """Beside the link, a trainer types « 0,42 km » for a length asked in metres: it is
    converted and the page says so; a unit of another dimension is refused saying which unit
    to type, the value kept in its box."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 1024, 768)
    page.goto(f"{base}/trainees/{trainee}/evaluations/fibre.e.bilan_liaison")
    for box in page.locator("form.evaluation input[type=checkbox]").all():
        box.check()
    length = page.locator("input[name=mesure_longueur_m]")
    length.fill("5 V")
    page.locator("input[name=mesure_perte_1310_db]").fill("0,9 dB")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(page.locator("#erreur-longueur_m")).to_contain_text("tapez la valeur en m")
    expect(page.locator("input[name=mesure_longueur_m]")).to_have_value("5 V")
    page.locator("input[name=mesure_longueur_m]").fill("0,42 km")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(page.locator("#epreuve")).to_contain_text("Épreuve enregistrée")
    expect(page.locator("#epreuve")).to_contain_text("Longueur du lien : 0,42 km → 420 m")
    shot(page, "24-epreuve-unite-convertie")
    context.close()


def test_an_evaluation_typed_offline_waits_survives_a_reload_and_is_stored_once(server, browser):
    """Twelve splice losses typed beside the splicer, "Enregistrer" pressed with no network:
    the page says the evaluation waits, a reload (still offline) shows it filled in as it
    waits, and when the network returns it is stored, once, and its score shown."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 768, 1024)
    url = f"{base}/trainees/{trainee}/evaluations/fibre.e.epissures"
    offline_ready(page, url)

    context.set_offline(True)
    fill_splice_series(page, first="0,04")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    banner = page.locator("#en-attente")
    expect(banner).to_contain_text("Épreuve en attente d'envoi")
    shot(page, "20-epreuve-en-attente")
    page.reload()  # the tablet's page reloaded in the basement: nothing typed is gone
    expect(banner).to_contain_text("Épreuve en attente d'envoi")
    losses = page.locator("form.evaluation input[name^=mesure_]")
    expect(losses.first).to_have_value("0,04")
    expect(losses.last).to_have_value("0,05")
    expect(page.locator("form.evaluation input[type=checkbox]").first).to_be_checked()

    context.set_offline(False)
    expect(page.locator("#epreuve")).to_contain_text("Épreuve enregistrée")
    expect(banner).to_be_hidden()
    history = context.request.get(f"{base}/trainees/{trainee}/parts/historique").text()
    assert history.count("· Série de 12 soudures en cassette") == 1  # one entry: stored once
    context.close()


def test_an_evaluation_refused_when_it_finally_goes_comes_back_with_its_values(server, browser):
    """Typed offline with a slip (« 0,0S »), it waits; it goes from another page when the
    network returns and the server refuses it: that page's banner says so, and the
    evaluation page, opened, is filled in with what was typed and says why."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 768, 1024)
    url = f"{base}/trainees/{trainee}/evaluations/fibre.e.epissures"
    offline_ready(page, f"{base}/trainees/{trainee}")
    offline_ready(page, url)
    context.set_offline(True)
    fill_splice_series(page, first="0,0S")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(page.locator("#en-attente")).to_contain_text("Épreuve en attente d'envoi")
    page.goto(f"{base}/trainees/{trainee}")  # back to the trainee, still without network

    context.set_offline(False)  # the queue goes from this page, and is refused
    elsewhere = page.locator("#en-attente-ailleurs")
    expect(elsewhere).to_contain_text("« 0,0S » — tapez la valeur en dB")
    elsewhere.get_by_role("link").last.click()
    expect(page).to_have_url(url)
    expect(page.locator("#en-attente")).to_contain_text("tapez la valeur en dB")
    expect(page.locator("form.evaluation input[name^=mesure_]").first).to_have_value("0,0S")
    shot(page, "21-epreuve-refusee-revenue")
    context.close()


def test_a_comment_written_without_network_is_kept_and_sent_when_it_returns(server, browser):
    """A comment written on the trainee page with no network is kept on the tablet, as typed,
    and said so beside its button; it goes by itself when the network returns, and is stored
    once. A form outside the outbox (a password) posted over Wi-Fi that leads nowhere gets the
    service worker's French page saying the sending is uncertain, not the browser's error."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 390, 844)
    offline_ready(page, f"{base}/trainees/{trainee}?ouvert=commentaires")
    comment = page.get_by_label("Nouveau commentaire")
    comment.fill("Arrivée à l'heure, tenue correcte.")  # online, through the service worker
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator("#commentaires")).to_contain_text("Arrivée à l'heure, tenue correcte.")

    context.set_offline(True)
    text = "Très soigneuse sur le lovage, à revoir : la fiche sécurité."
    page.get_by_label("Nouveau commentaire").fill(text)
    page.get_by_role("button", name="Ajouter").click()
    form = page.locator("form", has=page.get_by_label("Nouveau commentaire"))
    expect(form.get_by_role("alert")).to_contain_text("gardé sur cet appareil")
    expect(page.get_by_label("Nouveau commentaire")).to_have_value(text)
    shot(page, "22-formulaire-garde-phone")
    context.set_offline(False)
    expect(form.get_by_role("status")).to_contain_text("Envoyé et enregistré")
    page.reload()
    expect(page.locator("#commentaires").get_by_text(text)).to_have_count(1)

    page.goto(f"{base}/account/password")
    page.evaluate("Object.defineProperty(navigator, 'onLine', { get: () => true })")
    context.set_offline(True)  # the browser believes it is online: the Wi-Fi leads nowhere
    page.locator("input[type=password]").first.fill("pas envoyé du tout")
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    expect(page.get_by_role("heading", name="Envoi incertain")).to_be_visible()
    context.set_offline(False)
    context.close()


def test_an_evaluations_result_reads_on_a_phone_without_scrolling_sideways(server, browser):
    """On a 390 px phone the result's rows stack, each value named by its column, nothing
    wider than the screen; it is still a table to a screen reader (its roles)."""
    from playwright.sync_api import expect

    base, trainee = server
    context, page = trainer_tablet(browser, base, 390, 844)
    page.goto(f"{base}/trainees/{trainee}/evaluations/fibre.e.epissures")
    fill_splice_series(page, first="0,12")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(page.locator("#epreuve")).to_contain_text("Épreuve enregistrée")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Constaté")).to_have_count(1)
    expect(table.get_by_role("row")).to_have_count(1 + 3 + 12)  # the header, 3 points, 12 splices
    shot(page, "23-epreuve-resultat-phone")
    context.close()


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        (
            "admin@gestes.demo",
            [
                "/dashboard",
                "/admin/users",
                "/admin/users/2",
                "/admin/schools",
                "/cohorts/new",
                "/cohorts/1/settings",
                "/exits?by=school",
            ],
        ),
        ("formatrice.lyon@gestes.demo", ["/cohorts", "/trainees/{trainee}", "/account/password"]),
    ],
)
def test_staff_pages_fit_a_phone_without_scrolling_sideways(server, browser, email, paths):
    """On a 390 px phone no page is wider than the screen: a wide table scrolls in its own
    box (reachable by keyboard), never the page (a fieldset holding one grew to its width,
    and the visually hidden labels inside a scrolled table pushed the page wider)."""
    from core.demo.seed import ADMIN_PASSWORD

    base, trainee = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", ADMIN_PASSWORD if email.startswith("admin") else PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    wider = {}
    for path in paths:
        page.goto(base + path.format(trainee=trainee))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wider[path] = width
    assert wider == {}
    context.close()

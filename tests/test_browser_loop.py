"""The three-way loop in a real browser, on a phone (Debian's Chromium, Playwright).

A coordinator records an immersion and creates its link; the tutor opens it with no account,
records an observation, a week's attendance and the signed appraisal; the trainer gives the
trainee a code; the trainee opens their page with it, self-assesses and signs; the trainer
confirms and signs; the booklet shows the immersion and three signatures with names and dates.
Screenshots go to ``test-artifacts/``.
"""

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
from tests.test_browser import browser, shot  # noqa: F401 (the browser fixture)
from web import create_app

PASSWORD = "un mot de passe assez long"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def school(tmp_path_factory, definitions) -> Iterator[tuple[str, int]]:
    """A fresh store: one school, its coordinator and trainer, a smart-city cohort in its
    last weeks, one trainee. No demo."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("loop"))
    gestes = open_gestes(settings, definitions=definitions, migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(
        "marseille", "École de Marseille", "Marseille", "territoire.marseille"
    )
    directory.create_user(
        "coord@ecole.fr", "Inès Coordination", PASSWORD, Role.COORDINATOR, [school]
    )
    trainer = directory.create_user(
        "formateur@ecole.fr", "Karim Haddad", PASSWORD, Role.TRAINER, [school]
    )
    cohort = directory.create_cohort(
        school,
        "smartcity",
        "Smart city 2026",
        TODAY - dt.timedelta(days=90),
        TODAY + dt.timedelta(days=20),
        [trainer],
    )
    [trainee] = directory.add_trainees(cohort, [NewTrainee("Yanis", "Belkacem")])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(gestes), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", trainee
    server.should_exit = True
    thread.join(timeout=10)


def phone(browser):  # noqa: F811
    from playwright.sync_api import Playwright  # noqa: F401

    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def signed_in(browser, base: str, email: str):  # noqa: F811
    page = phone(browser)
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_placement_tutor_trainee_and_trainer_sign_the_booklet(school, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, trainee = school
    coordinator = signed_in(browser, base, "coord@ecole.fr")
    coordinator.goto(f"{base}/trainees/{trainee}")
    # Folded, drawn when opened (htmx): the part arrives with its link.
    coordinator.get_by_text("Immersion et suivi à trois").click()
    coordinator.get_by_role("link", name="Nouvelle immersion").click()
    coordinator.select_option("#f-choix", label="Free Pro")
    coordinator.get_by_role("button", name="Proposer ses objectifs").click()
    expect(coordinator.locator("#f-company")).to_have_value("Free Pro")
    coordinator.fill("#f-tutor_name", "Sophie Martin")
    coordinator.fill("#f-starts_on", (TODAY - dt.timedelta(days=10)).isoformat())
    coordinator.fill("#f-ends_on", (TODAY + dt.timedelta(days=10)).isoformat())
    shot(coordinator, "loop-01-immersion-phone")
    assert coordinator.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    coordinator.get_by_role("button", name="Enregistrer l'immersion").click()
    expect(coordinator.get_by_role("heading", name="Immersion chez Free Pro")).to_be_visible()
    coordinator.get_by_role("button", name="Créer un lien pour le tuteur ou la tutrice").click()
    link = coordinator.locator("#lien-tuteur").input_value()
    assert "/tuteur/" in link and "Yanis" not in link  # no personal data in the link
    shot(coordinator, "loop-02-lien-phone")
    assert coordinator.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone

    tutor = phone(browser)  # no account, no cookie
    tutor.goto(link)
    expect(tutor.get_by_role("heading", name="Immersion de Yanis")).to_be_visible()
    first = tutor.locator("#objectif-1")
    first.get_by_role("button", name="Réussi").click()
    expect(tutor.locator("#objectif-1")).to_contain_text("Enregistré")
    tutor.fill("#f-hours", "28")
    tutor.fill("#f-absent", "1")
    tutor.context.set_offline(True)  # the company's basement: the week is kept on the phone
    tutor.get_by_role("button", name="Enregistrer la semaine").click()
    said = tutor.locator("#presence").get_by_role("alert")
    expect(said).to_contain_text("gardé sur cet appareil")
    expect(tutor.locator("#f-hours")).to_have_value("28")
    tutor.context.set_offline(False)  # back above ground: it goes by itself
    expect(tutor.locator("#presence")).to_contain_text("Envoyé et enregistré")
    tutor.reload()
    expect(tutor.locator("#presence")).to_contain_text("Total : 28")
    for fieldset in tutor.locator("#appreciation fieldset").all()[:-1]:
        fieldset.get_by_label("Satisfaisant", exact=True).check()
    tutor.fill("#f-text", "Ponctuel, attentif aux consignes, à l'aise avec les habitants.")
    tutor.get_by_label("Souhaite recruter").check()
    tutor.get_by_label("Je signe cette appréciation", exact=False).check()
    shot(tutor, "loop-03-tuteur-phone")
    assert tutor.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    tutor.get_by_role("button", name="Signer l'appréciation").click()
    expect(tutor.locator("#appreciation")).to_contain_text("Appréciation signée et enregistrée")
    tutor.get_by_text("Ce que vous avez signé").click()  # the tutor reads back what they signed
    expect(tutor.locator("#appreciation blockquote")).to_contain_text("Ponctuel, attentif")

    trainer = signed_in(browser, base, "formateur@ecole.fr")
    trainer.goto(f"{base}/trainees/{trainee}")
    trainer.get_by_text("Immersion et suivi à trois").click()
    trainer.get_by_role("button", name="Créer un code d'accès").click()
    code = trainer.locator(".code").inner_text()

    learner = phone(browser)
    learner.goto(f"{base}/moi")
    learner.fill("#f-code", code.lower())
    learner.get_by_role("button", name="Ouvrir").click()
    expect(learner.get_by_role("heading", name="Bonjour Yanis")).to_be_visible()
    expect(learner.locator("body")).to_contain_text("Ponctuel, attentif aux consignes")
    expect(learner.locator("body")).not_to_contain_text("Souhaite recruter")
    learner.locator("#auto li").first.get_by_role("button", name="Je sais faire").click()
    expect(learner.locator("#auto li").first).to_contain_text("En attente de votre formateur")
    learner.get_by_label("J'ai lu mon livret et je le signe.").check()
    learner.get_by_role("button", name="Signer", exact=True).click()
    expect(learner.locator("#signature")).to_contain_text("Signé par Yanis Belkacem")
    shot(learner, "loop-04-stagiaire-phone")
    assert learner.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone

    trainer.goto(f"{base}/trainees/{trainee}?ouvert=suivi#suivi")  # as a form returns there
    trainer.get_by_role("button", name="Je confirme").click()
    expect(trainer.locator("#suivi")).to_contain_text("confirmé (Karim Haddad)")
    trainer.get_by_label("J'ai relu le livret et je le signe").check()
    trainer.get_by_role("button", name="Signer le livret").click()
    shot(trainer, "loop-05-formateur-phone")

    trainer.goto(f"{base}/trainees/{trainee}/booklet")
    booklet = trainer.locator("body")
    expect(booklet).to_contain_text("Free Pro")
    expect(booklet).to_contain_text("28 h effectuées sur")
    expect(booklet).to_contain_text("Ponctuel, attentif aux consignes")
    expect(booklet).not_to_contain_text("Souhaite recruter")
    day = TODAY.strftime("%d/%m/%Y")
    signatures = trainer.locator(".signatures").inner_text()
    for name in ("Yanis Belkacem", "Sophie Martin", "Karim Haddad"):
        assert f"{name}, le {day}" in " ".join(signatures.split()), (name, signatures)
    assert "Signature attendue" not in signatures
    shot(trainer, "loop-06-livret-phone")

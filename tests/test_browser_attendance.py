"""The attendance sheet on the floor's tablet, in a real browser (Debian's Chromium, Playwright,
tablet size): twelve trainees sign a half-day with a finger while the network is gone — two
marked absent, one late —, the trainer countersigns, the network comes back, and the store
holds each entry once, with the hours they prove."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from core.context import open_gestes
from core.domain import NewTrainee, Role
from core.french import SCHOOL_TIME
from core.settings import Settings
from tests.test_browser import ARTIFACTS, browser  # noqa: F401
from web import create_app

PASSWORD = "mot-de-passe-long"
FIRST = [
    "Awa",
    "Lucas",
    "Nour",
    "Inès",
    "Yanis",
    "Léa",
    "Samir",
    "Chloé",
    "Moussa",
    "Jade",
    "Théo",
    "Aya",
]
WAITING = (
    "JSON.parse(localStorage.getItem('gestes-forms:user:' + document.body.dataset.user) || '[]')"
)


@pytest.fixture(scope="module")
def floor(tmp_path_factory, definitions) -> Iterator[tuple[str, object, int, list[int]]]:
    """A school with no demo: a trainer, a cohort of twelve running today, today's morning."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("attendance"))
    gestes = open_gestes(settings, definitions=definitions, migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(
        None, "École de Roubaix", "Roubaix", "territoire.hauts_de_france"
    )
    trainer = directory.create_user(
        "karim@ecole.fr", "Karim Formateur", PASSWORD, Role.TRAINER, [school]
    )
    today = dt.datetime.now(SCHOOL_TIME).date()
    cohort = directory.create_cohort(
        school,
        "fibre",
        "Fibre Roubaix",
        today - dt.timedelta(days=20),
        today + dt.timedelta(days=70),
        [trainer],
    )
    trainees = directory.add_trainees(cohort, [NewTrainee(n, f"Stagiaire{n[0]}") for n in FIRST])
    module = definitions.catalog.sectors["fibre"].curriculum.modules[0].id
    # Open all day: whatever the hour the suite runs at, a signature made now is inside it.
    sheet = gestes.store.attendance.add(cohort, today, "matin", (0, 24 * 60), module, trainer)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(create_app(gestes), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", gestes, sheet.id, trainees
    server.should_exit = True
    thread.join(timeout=10)


def draw(page, canvas) -> None:
    """A finger's signature: one stroke across the pad."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.15, y + h * 0.6)
    page.mouse.down()
    for n in range(1, 8):
        page.mouse.move(x + w * (0.15 + n * 0.1), y + h * (0.6 - 0.3 * (n % 2)), steps=2)
    page.mouse.up()


def test_a_half_day_signed_offline_is_stored_once_when_the_network_is_back(floor, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, gestes, sheet, trainees = floor
    context = browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="fr-FR", service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#email", "karim@ecole.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/sessions/{sheet}")
    context.set_offline(True)
    absent, late = trainees[3:5], trainees[7]
    for trainee in trainees:
        line = page.locator(f"#t{trainee}")
        if trainee in absent:
            line.get_by_role("button", name="Absent·e").click()
        else:
            draw(page, line.locator("canvas"))
            if trainee == late:
                line.get_by_label("Arrivée, si en retard (ex. 9:20)").fill("0:40")
            line.get_by_role("button", name="Valider la signature").click()
        expect(line.locator(".outbox-note")).to_be_visible()  # kept on the tablet, said so
    draw(page, page.locator("#pad-formateur"))
    page.get_by_role("button", name="Contresigner la feuille").click()
    page.wait_for_function(f"() => {WAITING}.length === 13")
    expect(page.locator("#formulaires-en-attente")).to_contain_text("13")
    page.screenshot(path=str(_artifact("emargement-hors-ligne-tablette")), full_page=True)
    assert gestes.store.attendance.sheet(sheet).lines[0].mark.status == "vide"  # nothing left yet

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(f"() => {WAITING}.length === 0", timeout=30_000)
    stored = gestes.store.attendance.sheet(sheet)
    marks = {line.trainee_id: line.mark for line in stored.lines}
    assert [t for t in trainees if marks[t].status == "absent"] == absent
    assert marks[late].status == "retard" and marks[late].arrived == 40
    assert sum(m.signed for m in marks.values()) == 10
    assert stored.countersigned_at is not None and stored.intact
    with gestes.store.database.read() as session:
        from core.store import tables as t

        assert session.query(t.AttendanceEntry).count() == 13  # each entry once
    page.reload()
    expect(page.locator(f"#t{trainees[0]} svg.signature")).to_be_visible()  # drawn back
    page.screenshot(path=str(_artifact("emargement-signee-tablette")), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(_artifact("emargement-signee-telephone")), full_page=False)
    context.close()


def _artifact(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"

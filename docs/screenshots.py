"""The floor guide's screenshots: what a trainer sees in each state of the outbox, at tablet
and phone size, taken from the real app (a demo store in a temporary folder, Debian's
Chromium driven by Playwright). Run again after changing a page, and look at them:

    ./dev python docs/screenshots.py        # writes docs/images/floor-*.png
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.context import open_gestes  # noqa: E402
from core.demo.seed import PASSWORD, seed_demo  # noqa: E402
from core.domain import NewTrainee  # noqa: E402
from core.settings import Settings  # noqa: E402
from web import create_app  # noqa: E402

IMAGES = ROOT / "docs" / "images"
GESTURE = "fibre.g.preparer_cable"
SIZES = {"tablette": (1024, 768), "telephone": (390, 844)}
OUTBOX = (
    "JSON.parse(localStorage.getItem('gestes-waiting-taps:' + document.body.dataset.user) || '[]')"
)


def serve(data: Path) -> tuple[str, int]:
    """The app on a demo store, and a new fibre trainee with nothing recorded yet."""
    gestes = open_gestes(Settings(data_dir=data), migrate=True)
    seed_demo(gestes)
    cohort = next(c for c, _ in gestes.store.lookup.cohorts() if c.sector == "fibre")
    [trainee] = gestes.store.directory.add_trainees(cohort.id, [NewTrainee("Nina", "Nouvelle")])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(gestes), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}", trainee


def tablet(browser, base: str, size: tuple[int, int]):
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="fr-FR", has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#email", "formatrice.lyon@gestes.demo")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cohorts")
    return context, page


def tap(page, n: int, label: str = "Réussi") -> None:
    page.locator("li.step").nth(n).get_by_role("button", name=label).click()


def states(browser, base: str, trainee: int, size_name: str, size: tuple[int, int]) -> None:
    from playwright.sync_api import expect

    def shot(name: str, page) -> None:
        page.screenshot(path=str(IMAGES / f"floor-{name}-{size_name}.png"))

    context, page = tablet(browser, base, size)
    page.goto(f"{base}/trainees/{trainee}/gestures/{GESTURE}")
    for n in range(2):  # online: each tap stored, its step redrawn
        tap(page, n)
        page.wait_for_function(f"() => {OUTBOX}.length === 0")
    page.locator("li.step").nth(1).scroll_into_view_if_needed()
    shot("en-ligne", page)
    context.set_offline(True)  # the Wi-Fi gone: the next taps wait on the tablet
    tap(page, 2)
    tap(page, 3, "À reprendre")
    expect(page.locator("#en-attente")).to_contain_text("2 saisies en attente")
    page.locator("li.step").nth(3).scroll_into_view_if_needed()
    shot("en-attente", page)
    attempt_url = page.url
    page.goto(f"{base}/en-attente")  # the page kept for offline use lists them
    shot("liste-en-attente", page)
    context.set_offline(False)
    page.goto(attempt_url)
    page.wait_for_function(f"() => {OUTBOX}.length === 0")
    other, colleague = tablet(browser, base, size)  # another tablet validates it meanwhile
    colleague.goto(attempt_url)
    colleague.get_by_label("Avec aide").check()
    colleague.get_by_role("button", name="Valider la tentative").click()
    expect(colleague.locator("#resultat")).to_contain_text("Tentative enregistrée")
    colleague.locator("#resultat").scroll_into_view_if_needed()
    shot("validee", colleague)
    other.close()
    tap(page, 4)  # this tablet had not seen it: its tap is refused, said on its step
    expect(page.locator("li.step").nth(4)).to_contain_text("déjà validée")
    page.locator("li.step").nth(4).scroll_into_view_if_needed()
    shot("refusee", page)
    page.goto(f"{base}/trainees/{trainee}/gestures/{GESTURE}")  # a new attempt, left open
    tap(page, 0)
    page.wait_for_function(f"() => {OUTBOX}.length === 0")
    page.goto(f"{base}/cohorts")
    shot("accueil-non-validee", page)
    page.get_by_label("Je confirme l'abandon").check()  # given up: the next size starts clean
    page.get_by_role("button", name="Abandonner").click()
    expect(page.get_by_text("Vos tentatives non validées")).to_have_count(0)
    context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gestes-shots-") as folder:
        base, trainee = serve(Path(folder))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for size_name, size in SIZES.items():
                states(browser, base, trainee, size_name, size)
            browser.close()
    print(f"written: {', '.join(sorted(p.name for p in IMAGES.glob('floor-*.png')))}")


if __name__ == "__main__":
    main()

"""The skill booklet printed: ``render_html`` gives the same HTML the browser previews;
``render_pdf`` prints it with WeasyPrint (fonts from the OS, no network); PDFs are cached by
content, and a cohort's booklets are printed over the machine's cores."""

from __future__ import annotations

import base64
import gc
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from core.booklet.data import TEMPLATES, BookletData
from core.booklet.signing import sign_pdf
from core.catalog.definitions import Autonomy
from core.french import counted, slugify
from core.store import FileStore, LocalFiles, write_private

if TYPE_CHECKING:
    from core.booklet.identity import Identity


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        finalize=_french_spacing,
    )
    env.filters["date"] = lambda d: d.strftime("%d/%m/%Y") if d else "—"
    env.filters["counted"] = counted
    env.filters["base64"] = lambda text: base64.b64encode(text.encode()).decode()
    env.globals["autonomy"] = Autonomy
    return env


def _french_spacing(value: Any) -> Any:
    """Guillemets keep their words on the same line (« acquis », never « at a line's end)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    return value


def render_html(
    data: BookletData, *, inline_css: bool = True, stylesheet_href: str | None = None
) -> str:
    """The booklet as HTML: standalone (stylesheet inline), for a web preview (stylesheet
    linked, so a strict Content-Security-Policy holds), or for ``render_pdf`` (no stylesheet:
    the parsed one is reused there)."""
    css = (TEMPLATES / "booklet.css").read_text(encoding="utf-8") if inline_css else ""
    template = _environment().get_template("booklet.html")
    return template.render(b=data, css=css, stylesheet_href=stylesheet_href)


def stylesheet() -> str:
    return (TEMPLATES / "booklet.css").read_text(encoding="utf-8")


@cache
def _printing() -> tuple[Any, Any, Any, Any]:
    """One FontConfiguration, one parsed stylesheet and one HTML class for every booklet of
    this process: parsing the CSS again for each booklet cost about a quarter of its time
    (bench/booklet.py)."""
    from xml.etree import ElementTree

    from cssselect2 import ElementWrapper
    from weasyprint import CSS, HTML
    from weasyprint.html import UA_COUNTER_STYLE
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(
        filename=str(TEMPLATES / "booklet.css"), font_config=fonts, url_fetcher=fetcher
    )
    user_agent = CSS(filename=str(TEMPLATES / "booklet_ua.css"), counter_style=UA_COUNTER_STYLE)

    class BookletHTML(HTML):  # type: ignore[misc]
        """WeasyPrint's HTML with the booklet's own user-agent stylesheet (booklet_ua.css:
        its HTML5 one, matched against every element, was a fifth of the print time), and
        parsed by expat: our template is well-formed XML, and WeasyPrint's pure-Python HTML5
        parser took 10 ms of a booklet's ~180. Anything expat refuses (a control character
        typed in a comment, say) goes through the HTML5 parser as before."""

        def __init__(self, string: str, url_fetcher: Any, base_url: str) -> None:
            try:
                root = ElementTree.fromstring(string.removeprefix("<!doctype html>"))
            except ElementTree.ParseError:
                super().__init__(string=string, url_fetcher=url_fetcher, base_url=base_url)
                return
            # What HTML.__init__ sets from its parsed tree (WeasyPrint 70, pinned in the lock).
            self.base_url, self.url_fetcher, self.media_type = base_url, url_fetcher, "print"
            self.wrapper_element = ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [user_agent]

    return fonts, fetcher, stylesheet, BookletHTML


def render_pdf(data: BookletData) -> bytes:
    """Print the booklet as PDF/A-3b, its acquired competencies attached as Open Badges 3.0
    credentials (``open-badges.json``). Only ``data:`` URLs may be fetched: never a file or
    the network."""

    from weasyprint import Attachment

    from core.booklet.badges import attachment

    fonts, fetcher, stylesheet, BookletHTML = _printing()
    html = BookletHTML(
        string=render_html(data, inline_css=False), url_fetcher=fetcher, base_url=str(TEMPLATES)
    )
    badges = Attachment(
        string=attachment(data),
        name="open-badges.json",
        relationship="Data",
        url_fetcher=fetcher,
        description="Compétences acquises, Open Badges 3.0 (OpenBadgeCredential, signés VC-JWT)",
    )
    pdf = html.write_pdf(
        stylesheets=[stylesheet],
        font_config=fonts,
        attachments=[badges],
        pdf_variant="pdf/a-3b",
        pdf_tags=True,  # a structure tree: screen readers follow headings, lists, tables
        finisher=_one_entry_per_attachment,
    )
    assert pdf is not None
    return bytes(pdf)


def _one_entry_per_attachment(_document: object, pdf: Any) -> None:
    """WeasyPrint 70's PDF/A pass lists each attachment twice in the catalog's /AF (once from
    the names tree, once from its file specification): keep each once, in order."""
    found = pdf.catalog.get("AF")
    if found:
        unique: dict[str, Any] = {}
        for reference in found:
            unique.setdefault(str(reference), reference)  # the first of each kept, in order
        found[:] = list(unique.values())


def booklet_key(data: BookletData) -> str:
    """A booklet's identity: the hash of everything it shows and of how it is printed (the
    template, its stylesheets, the WeasyPrint version), so that a new layout is never
    served from a PDF cached by the previous one. Not the badges' signatures: ES256 signs
    with a fresh random number each time, so two processes (or two calls) sign the same
    badges differently; what they sign is in the key already."""
    import hashlib

    shown = data.model_dump_json(exclude={"badges"}).encode()
    return hashlib.sha256(_printer_version() + shown).hexdigest()


@cache
def _printer_version() -> bytes:
    import hashlib

    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    for name in ("booklet.html", "booklet.css", "booklet_ua.css"):
        digest.update((TEMPLATES / name).read_bytes())
    return digest.digest()


def cached_pdf(
    data: BookletData, cache: FileStore | Path, signing: Identity | None = None
) -> bytes:
    """The PDF, printed once per content: asking again for an unchanged booklet reads a file
    (``cache``: the file store's booklets folder, or a directory).
    With ``signing`` (every channel that hands booklets out: the identity of the trainee's
    school, ``core.booklet.identity``), signed by the school (PAdES, ``core.booklet.signing``)
    before it is kept; the key then names the certificate too.

    Written to a temporary name then renamed, so a half-written file is never served.
    """
    files = LocalFiles(cache) if isinstance(cache, Path) else cache
    key = booklet_key(data)
    if signing is not None:
        key += "-" + _certificate_digest(signing)
    name = f"{data.trainee_ref or 'unsigned'}-{key}.pdf"  # erasure finds them by reference
    kept = files.read(name)
    if kept is not None:
        return kept
    pdf = render_pdf(data)
    if signing is not None:
        pdf = sign_pdf(pdf, signing, signer_name=data.school, reason=SIGNING_REASON)
    files.write(name, pdf)
    return pdf


SIGNING_REASON = "Livret de compétences établi par l'école"


def _certificate_digest(identity: Identity) -> str:
    import hashlib

    return hashlib.sha256(identity.cert.read_bytes()).hexdigest()[:16]


def _render_to(args: tuple[BookletData, Path, Path | None, Identity | None]) -> Path:
    data, target, cache_dir, signing = args
    if cache_dir:
        write_private(target, cached_pdf(data, cache_dir, signing))
    else:
        pdf = render_pdf(data)
        write_private(
            target,
            sign_pdf(pdf, signing, signer_name=data.school, reason=SIGNING_REASON)
            if signing
            else pdf,
        )
    return target


def render_many(
    jobs: list[tuple[BookletData, Path]],
    *,
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    signing: Identity | None = None,
) -> list[Path]:
    """Print many booklets over the machine's cores (WeasyPrint is CPU-bound, one per core)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = workers or os.cpu_count() or 1
    _printing()  # parse the stylesheet and load fonts once, before forking: workers inherit them
    done: list[Path] = []
    if workers == 1:
        for data, target in jobs:
            done.append(_render_to((data, target, cache_dir, signing)))
            if progress:
                progress(len(done), len(jobs))
        return done
    # Objects that exist before the fork are left out of garbage collection: a collection in
    # a worker would otherwise touch every one of them and copy the parent's memory page by
    # page (copy-on-write), time the workers should spend printing.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_render_to, (data, target, cache_dir, signing)) for data, target in jobs
            ]
            for future in as_completed(futures):
                done.append(future.result())
                if progress:
                    progress(len(done), len(jobs))
    finally:
        gc.unfreeze()
    return done


def booklet_filename(trainee_id: int, full_name: str) -> str:
    """``livret-12-lea-martin.pdf``: ASCII, safe in a Content-Disposition header or a ZIP."""
    return f"livret-{trainee_id}-{slugify(full_name) or 'stagiaire'}.pdf"

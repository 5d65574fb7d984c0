"""The skill booklet (livret de compétences): data for one reader who hires, then HTML, then PDF.

``build_booklet`` turns a ``TraineeRecord`` and an employer (or a whole territory) into a
``BookletData``: that employer's requirements come first, with the trainee's status and the
evidence behind each; then the full grid, the gestures mastered, the practical evaluations,
the sections plugins add, the trainers' appreciation. ``render_html`` gives the same HTML the
browser previews; ``render_pdf`` prints it with WeasyPrint (fonts from the OS, no network).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pluggy
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from core.booklet_sections import BookletSection
from core.catalog import Catalog
from core.fit import employer_fit
from core.french import counted
from core.models import Autonomy, Employer, Phase
from core.settings import Settings
from core.trainee_record import TraineeRecord

TEMPLATES = Path(__file__).parent / "templates"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RequirementLine(Frozen):
    competency: str
    name: str
    priority: str
    required: str
    level: str
    status: str  # acquis / en_cours / non_acquis
    status_label: str
    autonomous_successes: int
    days: int
    first_day: dt.date | None
    last_day: dt.date | None
    assessors: tuple[str, ...]
    evaluation_passed: bool


class EmployerPart(Frozen):
    id: str
    name: str
    description: str | None
    percent: int
    met: int
    total: int
    essentials_met: bool
    lines: tuple[RequirementLine, ...]


class GridLine(Frozen):
    name: str
    level: str
    rank: int
    autonomous_successes: int
    days: int


class GridBlock(Frozen):
    name: str
    lines: tuple[GridLine, ...]


class GestureLine(Frozen):
    name: str
    passed: int
    autonomous_passed: int
    last_day: dt.date | None


class EvaluationLine(Frozen):
    name: str
    day: dt.date
    passed: bool
    summary: str
    assessor: str


class AcquiredCompetency(Frozen):
    """A competency at "acquis" or above, as the Open Badges attachment describes it."""

    id: str
    name: str
    level: str
    evidence: str
    rome: tuple[str, ...] = ()
    rncp: tuple[str, ...] = ()


class BookletData(Frozen):
    trainee: str
    trainee_ref: str = ""  # an opaque reference (no personal data) for the credentials
    sector: str
    program: str
    curriculum_version: str
    school: str
    territory: str
    starts_on: dt.date
    ends_on: dt.date
    hours: tuple[tuple[str, int], ...]
    reader: str  # the employer, or the territory, this booklet is written for
    employers: tuple[EmployerPart, ...]
    grid: tuple[GridBlock, ...]
    gestures: tuple[GestureLine, ...]
    evaluations: tuple[EvaluationLine, ...]
    sections: tuple[BookletSection, ...]
    appreciation: tuple[tuple[dt.date, str, str], ...]
    outcome: str | None
    issued_on: dt.date
    catalog_version: str
    acquired: tuple[AcquiredCompetency, ...] = ()
    immersion: tuple[tuple[str, int, int], ...] = ()  # module, hours, % done
    verify_url: str | None = None
    qr_svg: str | None = None  # the verification link as an inline SVG QR code


def with_verification(
    data: BookletData,
    trainee: int,
    settings: Settings,
    *,
    employer: str | None = None,
    territory: str | None = None,
) -> BookletData:
    """Add the signed verification link (and its QR code) employers use to check the paper."""
    import segno

    from core.verification import Claim, content_key, sign

    claim = Claim(
        trainee=trainee,
        employer=employer,
        territory=territory,
        content=content_key(data),
        issued=data.issued_on,
        expires=data.issued_on + dt.timedelta(days=settings.verification_days),
    )
    url = f"{settings.public_url.rstrip('/')}/verify/{sign(claim, settings.signing_key())}"
    # With its SVG namespace (svg_inline leaves it out): the print path parses the page as
    # XML, where an <svg> without it is an unknown element and the code would not be drawn.
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", xmldecl=False, nl=False, scale=2, dark="#1b1f24"
    )
    return data.model_copy(update={"verify_url": url, "qr_svg": buffer.getvalue().decode()})


class UnknownReader(KeyError):
    """A booklet asked for an employer or territory the catalog does not have; says which
    ones it has (a KeyError, as a missing id is, with a readable message)."""

    def __init__(self, kind: str, given: str | None, known: list[str]) -> None:
        super().__init__(given)
        self.message = f"no {kind} with id {given!r}; known: {', '.join(known) or 'none'}"

    def __str__(self) -> str:
        return self.message


def build_booklet(
    catalog: Catalog,
    record: TraineeRecord,
    *,
    employer: str | None = None,
    territory: str | None = None,
    pm: pluggy.PluginManager | None = None,
    today: dt.date | None = None,
) -> BookletData:
    """One employer's booklet, or a territory's (every employer there, best fit first)."""
    info = record.trainee
    sector = catalog.sectors[info.sector]
    curriculum = sector.curriculum
    scale = curriculum.scale
    territory = territory or (None if employer else info.territory)
    if employer is not None:
        if employer not in catalog.employers:
            hiring = sorted(
                e.id for e in catalog.employers.values() if catalog.hires_in(e, info.sector)
            )
            raise UnknownReader("employer", employer, hiring)
        readers = [catalog.employers[employer]]
        reader = catalog.employers[employer].name
    else:
        if territory is None or territory not in catalog.territories:
            raise UnknownReader("territory", territory, sorted(catalog.territories))
        readers = catalog.employers_in(territory, sector=info.sector)
        reader = catalog.territories[territory].name
    levels = record.level_codes()
    parts = [
        _employer_part(catalog, record, catalog.hiring_for(e, info.sector), levels) for e in readers
    ]
    parts.sort(key=lambda p: (-p.percent, p.name))
    grid = tuple(
        GridBlock(
            name=block.name,
            lines=tuple(
                GridLine(
                    name=c.name,
                    level=scale.label(record.levels[c.id].level),
                    rank=scale.rank(record.levels[c.id].level),
                    autonomous_successes=record.levels[c.id].autonomous_successes,
                    days=len(record.levels[c.id].success_days),
                )
                for c in block.competencies
            ),
        )
        for block in sector.blocks
    )
    gestures = tuple(
        GestureLine(
            name=catalog.gesture(g.gesture).name,
            passed=g.passed,
            autonomous_passed=g.autonomous_passed,
            last_day=g.last_day,
        )
        for g in record.gestures.values()
        if g.autonomous_passed > 0
    )
    evaluations = tuple(
        EvaluationLine(
            name=catalog.evaluation(e.evaluation).name,
            day=e.day,
            passed=e.passed,
            summary=e.summary,
            assessor=e.assessor,
        )
        for e in sorted(record.evaluations.values(), key=lambda e: e.day)
    )
    sections: list[BookletSection] = []
    if pm is not None:
        employer_model: Employer | None = catalog.employers.get(employer) if employer else None
        for found in pm.hook.gestes_booklet_sections(record=record, employer=employer_model):
            sections.extend(found or [])
    sections.sort(key=lambda s: s.order)
    hours = curriculum.hours_by_phase()
    acquired_rank = scale.rank("acquis") if "acquis" in scale.codes else len(scale.codes) - 2
    acquired = []
    for block in sector.blocks:
        for competency in block.competencies:
            level = record.levels[competency.id]
            if scale.rank(level.level) < acquired_rank:
                continue
            refs = competency.references
            evidence = (
                f"{counted(level.autonomous_successes, 'réussite', 'réussites')} en autonomie "
                f"sur {counted(len(level.success_days), 'jour', 'jours')} différents, observées "
                "sur le plateau technique"
                + (" ; épreuve pratique réussie." if level.evaluation_passed else ".")
            )
            if level.decision is not None:
                evidence = f"Niveau fixé par l'équipe pédagogique : {level.decision.justification}"
            acquired.append(
                AcquiredCompetency(
                    id=competency.id,
                    name=competency.name,
                    level=scale.label(level.level),
                    evidence=evidence,
                    rome=refs.rome or block.references.rome or sector.sector.references.rome,
                    rncp=refs.rncp or block.references.rncp or curriculum.references.rncp,
                )
            )
    immersion = tuple(
        (catalog.module(m.module).name, m.hours, round(m.done * 100))
        for m in record.modules
        if m.phase is Phase.IMMERSION
    )
    outcome = None
    if record.outcome is not None:
        from core.store.tables import Exit

        outcome = (
            Exit(record.outcome.kind).label
            + (f" chez {record.outcome.employer_name}" if record.outcome.employer_name else "")
            + f", le {record.outcome.on:%d/%m/%Y}"
        )
    return BookletData(
        trainee=info.full_name,
        trainee_ref=f"{info.cohort_id}-{info.id}",
        immersion=immersion,
        acquired=tuple(acquired),
        sector=sector.sector.name,
        program=curriculum.title,
        curriculum_version=curriculum.version,
        school=info.school,
        territory=catalog.territories[info.territory].name
        if info.territory in catalog.territories
        else info.territory,
        starts_on=info.starts_on,
        ends_on=info.ends_on,
        hours=tuple((phase.label, hours[phase]) for phase in Phase),
        reader=reader,
        employers=tuple(parts),
        grid=grid,
        gestures=gestures,
        evaluations=evaluations,
        sections=tuple(sections),
        appreciation=tuple((c.day, c.author, c.text) for c in record.comments[-6:]),
        outcome=outcome,
        issued_on=today or dt.date.today(),
        catalog_version=catalog.version,
    )


def _employer_part(
    catalog: Catalog, record: TraineeRecord, employer: Employer, levels: dict[str, str]
) -> EmployerPart:
    fit = employer_fit(employer, levels, catalog.grading)
    lines = []
    for status in fit.requirements:
        competency = status.requirement.competency
        scale, _ = catalog.grading(competency)
        evidence = record.levels.get(competency)
        lines.append(
            RequirementLine(
                competency=competency,
                name=catalog.competency(competency).name,
                priority=status.requirement.priority.label,
                required=scale.label(status.requirement.min_level),
                level=scale.label(status.level),
                status=status.status.value,
                status_label=status.status.label,
                autonomous_successes=evidence.autonomous_successes if evidence else 0,
                days=len(evidence.success_days) if evidence else 0,
                first_day=evidence.success_days[0] if evidence and evidence.success_days else None,
                last_day=evidence.success_days[-1] if evidence and evidence.success_days else None,
                assessors=evidence.assessors if evidence else (),
                evaluation_passed=evidence.evaluation_passed if evidence else False,
            )
        )
    return EmployerPart(
        id=employer.id,
        name=employer.name,
        description=employer.description,
        percent=fit.percent,
        met=fit.met,
        total=fit.total,
        essentials_met=fit.essentials_met,
        lines=tuple(lines),
    )


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        finalize=_french_spacing,
    )
    env.filters["date"] = lambda d: d.strftime("%d/%m/%Y") if d else "—"
    env.filters["counted"] = counted
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
    import json

    from weasyprint import Attachment

    from core.badges import credentials

    fonts, fetcher, stylesheet, BookletHTML = _printing()
    html = BookletHTML(
        string=render_html(data, inline_css=False), url_fetcher=fetcher, base_url=str(TEMPLATES)
    )
    badges = Attachment(
        string=json.dumps(credentials(data), ensure_ascii=False, indent=1),
        name="open-badges.json",
        relationship="Data",
        url_fetcher=fetcher,
        description="Compétences acquises, Open Badges 3.0 (OpenBadgeCredential)",
    )
    pdf = html.write_pdf(
        stylesheets=[stylesheet], font_config=fonts, attachments=[badges], pdf_variant="pdf/a-3b"
    )
    assert pdf is not None
    return bytes(pdf)


def booklet_key(data: BookletData) -> str:
    """A booklet's identity: the hash of everything it shows and of how it is printed (the
    template, its stylesheets, the WeasyPrint version), so that a new layout is never
    served from a PDF cached by the previous one."""
    import hashlib

    return hashlib.sha256(_printer_version() + data.model_dump_json().encode()).hexdigest()


@cache
def _printer_version() -> bytes:
    import hashlib

    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    for name in ("booklet.html", "booklet.css", "booklet_ua.css"):
        digest.update((TEMPLATES / name).read_bytes())
    return digest.digest()


def cached_pdf(data: BookletData, cache_dir: Path) -> bytes:
    """The PDF, printed once per content: asking again for an unchanged booklet reads a file.

    Written to a temporary name then renamed, so a half-written file is never served.
    """
    path = cache_dir / f"{booklet_key(data)}.pdf"
    if path.exists():
        return path.read_bytes()
    pdf = render_pdf(data)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(pdf)
    partial.replace(path)
    return pdf


def _render_to(args: tuple[BookletData, Path, Path | None]) -> Path:
    data, target, cache_dir = args
    target.write_bytes(cached_pdf(data, cache_dir) if cache_dir else render_pdf(data))
    return target


def render_many(
    jobs: list[tuple[BookletData, Path]],
    *,
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Print many booklets over the machine's cores (WeasyPrint is CPU-bound, one per core)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = workers or os.cpu_count() or 1
    _printing()  # parse the stylesheet and load fonts once, before forking: workers inherit them
    done: list[Path] = []
    if workers == 1:
        for data, target in jobs:
            done.append(_render_to((data, target, cache_dir)))
            if progress:
                progress(len(done), len(jobs))
        return done
    # Objects that exist before the fork are left out of garbage collection: a collection in
    # a worker would otherwise touch every one of them and copy the parent's memory page by
    # page (copy-on-write), time the workers should spend printing.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_render_to, (data, target, cache_dir)) for data, target in jobs]
            for future in as_completed(futures):
                done.append(future.result())
                if progress:
                    progress(len(done), len(jobs))
    finally:
        gc.unfreeze()
    return done


def verified_booklet(
    catalog: Catalog,
    record: TraineeRecord,
    settings: Settings,
    *,
    employer: str | None = None,
    territory: str | None = None,
    pm: pluggy.PluginManager | None = None,
) -> BookletData:
    """The booklet as every channel hands it out (CLI, download, share link, cohort ZIP):
    built, then signed with its verification link and QR code."""
    data = build_booklet(catalog, record, employer=employer, territory=territory, pm=pm)
    return with_verification(
        data, record.trainee.id, settings, employer=employer, territory=territory
    )


def booklet_filename(trainee_id: int, full_name: str) -> str:
    """``livret-12-lea-martin.pdf``: ASCII, safe in a Content-Disposition header or a ZIP."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"livret-{trainee_id}-{slug or 'stagiaire'}.pdf"

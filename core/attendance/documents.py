"""The documents funders and auditors are paid on, printed from the same record the pages
show (so they cannot contradict it) and signed by the school (PAdES, like the booklet): the
*certificat de réalisation* on the ministry's model, the *attestation de fin de formation*
with the assessment's results, and a cohort's month of attendance sheets, each signature
drawn from its strokes."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.attendance.hours import Mark
from core.attendance.sessions import planned_hours
from core.attendance.views import Sheet
from core.french import SCHOOL_TIME, clock, hours_minutes

if TYPE_CHECKING:
    from core.booklet.identity import Identity
    from core.context import Gestes

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class TraineeDocument:
    """What a certificate and an attestation say about one trainee."""

    organisation: str  # name · NDA · SIRET · Qualiopi, the school's own or the installation's
    organisation_name: str
    identity: Identity  # who signs it
    school: str
    city: str
    trainee: str
    action: str
    starts_on: dt.date
    ends_on: dt.date
    floor: int  # minutes attended on the floor (the sheets)
    immersion: int  # minutes in the company (the tutor's weeks)
    planned: int  # hours planned, all phases
    issued_on: dt.date
    referential: str = ""
    objectives: tuple[str, ...] = ()
    results: tuple[tuple[str, str], ...] = ()

    @property
    def done(self) -> int:
        return self.floor + self.immersion

    @property
    def until(self) -> dt.date:
        """The last day the hours count to: the end, or the day it is issued if earlier."""
        return min(self.ends_on, self.issued_on)


@dataclass(frozen=True)
class MonthSheets:
    organisation: str
    identity: Identity
    school: str
    cohort: str
    action: str
    month: str
    days: list[dict[str, Any]] = field(default_factory=list)


def trainee_document(gestes: Gestes, trainee_id: int, today: dt.date) -> TraineeDocument:
    store = gestes.store
    record = store.records.trainee_record(trainee_id)
    info = record.trainee
    sector = gestes.catalog_for(info).sectors[info.sector]
    curriculum = sector.curriculum
    hours = store.attendance.trainee_hours(trainee_id, today)
    journey = gestes.immersion_record(trainee_id)
    school = store.lookup.cohort_school(info.cohort_id)
    identity = gestes.cohort_identity(info.cohort_id)
    name, line = organisation_of(identity, info.school)
    scale = curriculum.scale
    results = tuple(
        (c.name, scale.label(record.levels[c.id].level))
        for block in sector.blocks
        for c in block.competencies
    )
    return TraineeDocument(
        organisation=line,
        organisation_name=name,
        identity=identity,
        school=info.school,
        city=school.city if school else "",
        trainee=info.full_name,
        action=curriculum.title,
        starts_on=info.starts_on,
        ends_on=info.ends_on,
        floor=hours.total_done if hours else 0,
        immersion=round(sum(i.hours_done for i in journey.immersions) * 60),
        planned=sum(planned_hours(curriculum, info.planned_hours).values()),
        issued_on=today,
        referential=f"{curriculum.title}, version {curriculum.version}",
        objectives=tuple(f"{m.name} ({m.hours} h)" for m in curriculum.modules),
        results=results,
    )


def month_sheets(gestes: Gestes, cohort_id: int, year: int, month: int) -> MonthSheets:
    store = gestes.store
    cohort = store.lookup.cohort(cohort_id)
    school = store.lookup.cohort_school(cohort_id)
    assert cohort is not None and school is not None
    curriculum = gestes.catalog_for(cohort).sectors[cohort.sector].curriculum
    modules = {m.id: m.name for m in curriculum.modules}
    people = {a.id: a.name for a in store.lookup.staff(school.id)}
    days: dict[dt.date, list[Sheet]] = {}
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    for sheet in store.attendance.sheets(cohort_id, first, last):
        if not sheet.session.cancelled:
            days.setdefault(sheet.session.day, []).append(sheet)
    identity = gestes.identity(school.id)
    _, line = organisation_of(identity, school.name)
    return MonthSheets(
        organisation=line,
        identity=identity,
        school=f"{school.name}, {school.city}",
        cohort=cohort.name,
        action=curriculum.title,
        month=f"{month:02d}/{year}",
        days=[_day(day, sheets, modules, people) for day, sheets in sorted(days.items())],
    )


def _day(
    day: dt.date, sheets: list[Sheet], modules: dict[str, str], people: dict[int, str]
) -> dict[str, Any]:
    names = list(dict.fromkeys(line.name for sheet in sheets for line in sheet.lines))
    sessions = []
    for sheet in sheets:
        s = sheet.session
        cells = {line.name: _cell(line.mark, line.strokes, line.signed_at) for line in sheet.lines}
        for name in names:  # a trainee of another half-day of that day: an empty cell
            cells.setdefault(name, {"image": None, "words": ""})
        countersigned = "non contresignée"
        if sheet.countersigned_at is not None:
            at = sheet.countersigned_at.astimezone(SCHOOL_TIME)
            countersigned = f"{people.get(sheet.countersigned_by or 0, '')}, {at:%H:%M}"
        sessions.append(
            {
                "label": s.label,
                "times": f"{clock(s.starts)}–{clock(s.ends)}",
                "module": modules.get(s.module, s.module),
                "trainer": people.get(s.trainer_id or 0, "—"),
                "cells": cells,
                "countersign": _image(sheet.countersign_strokes),
                "countersigned": countersigned,
                "flags": [flag.words for flag in sheet.flags],
            }
        )
    return {"day": day, "names": names, "sessions": sessions}


def _cell(
    mark: Mark, strokes: list[list[int]] | None, signed_at: dt.datetime | None
) -> dict[str, Any]:
    words = {"vide": "non signé", "absent": "absent·e"}.get(mark.status, "")
    if signed_at is not None:  # the moment it was signed: part of the evidence
        words = f"{signed_at.astimezone(SCHOOL_TIME):%H:%M}"
    if mark.arrived is not None:
        words += f" · arrivée {clock(mark.arrived)}"
    if mark.left is not None:
        words = (words + " · " if words else "") + f"départ {clock(mark.left)}"
    if mark.justified:  # justified, not why: a reason can be a health matter, the school's
        words += " (justifiée)"
    if mark.corrected:
        words += " — corrigé par la coordination"
    return {"image": _image(strokes), "words": words.strip()}


def _image(strokes: list[list[int]] | None) -> str | None:
    """A signature's strokes as an SVG image (a data: URL: the printer fetches nothing)."""
    if not strokes:
        return None
    lines = "".join(
        '<polyline fill="none" stroke="#1b1f24" stroke-width="10" stroke-linecap="round" '
        'stroke-linejoin="round" points="'
        + " ".join(f"{s[i]},{s[i + 1]}" for i in range(0, len(s) - 1, 2))
        + '"/>'
        for s in strokes
    )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 400">{lines}</svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def organisation_of(identity: Identity, school: str) -> tuple[str, str]:
    """The organisation's name and its line (NDA, SIRET, Qualiopi), the school's own or the
    installation's; the school's name when none is set."""
    organisation = identity.organisation
    return organisation.name or school, organisation.line or school


# ---------------------------------------------------------------- printing


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["date"] = lambda d: d.strftime("%d/%m/%Y")
    env.filters["duration"] = hours_minutes
    return env


def printed(identity: Identity, template: str, signer: str, reason: str, **data: Any) -> bytes:
    """A document printed by WeasyPrint (only ``data:`` URLs fetched) and signed (PAdES)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    from core.booklet.signing import sign_pdf

    fetcher = URLFetcher(allowed_protocols={"data"})
    html = _environment().get_template(template).render(**data)
    css = CSS(filename=str(TEMPLATES / "documents.css"), url_fetcher=fetcher)
    pdf = HTML(string=html, url_fetcher=fetcher, base_url=str(TEMPLATES)).write_pdf(
        stylesheets=[css], pdf_tags=True
    )
    assert pdf is not None
    return sign_pdf(bytes(pdf), identity, signer_name=signer, reason=reason)


def certificate_pdf(gestes: Gestes, trainee_id: int, today: dt.date) -> bytes:
    return trainee_pdfs(gestes, trainee_id, today, ("certificate",))[0]


def attestation_pdf(gestes: Gestes, trainee_id: int, today: dt.date) -> bytes:
    return trainee_pdfs(gestes, trainee_id, today, ("attestation",))[0]


DOCUMENTS = {
    "certificate": ("certificate.html", "Certificat de réalisation"),
    "attestation": ("attestation.html", "Attestation de fin de formation"),
}


def trainee_pdfs(
    gestes: Gestes, trainee_id: int, today: dt.date, which: tuple[str, ...]
) -> list[bytes]:
    """A trainee's documents (``certificate``, ``attestation``), from one reading of their
    record: a cohort's ZIP asks for both."""
    d = trainee_document(gestes, trainee_id, today)
    return [
        printed(d.identity, DOCUMENTS[kind][0], d.organisation_name, DOCUMENTS[kind][1], d=d)
        for kind in which
    ]


def month_pdf(gestes: Gestes, cohort_id: int, year: int, month: int) -> bytes:
    m = month_sheets(gestes, cohort_id, year, month)
    name, _ = organisation_of(m.identity, m.school)
    return printed(m.identity, "month.html", name, "Feuilles d'émargement", m=m)

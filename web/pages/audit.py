"""What an auditor opens with the link a school gave (``/audit/<code>``), without an account:
the school's Qualiopi file over the period, its signed ZIP, and the trainees of the sample
drawn when the link was made — read-only (no form, no write route), until the link expires
or is withdrawn, and nothing outside the link's school and sample (404, like any unknown
link; wrong guesses are throttled as for tutors' and trainees' codes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from core.attendance.sessions import planned_hours
from core.catalog.definitions import Phase
from core.domain import ENTRY_STATUSES, OBSERVED, PLAN_KINDS, QUALIFICATIONS, age_band
from core.followup.plans import entry_file
from core.qualiopi import QualiopiFile, file_zip, school_file
from core.store import AuditLink
from web.contract import served_as
from web.deps import Id, gestes_of, served_at
from web.forms import today
from web.pages.links import opened_or_refused
from web.pages.qualiopi import zip_response
from web.rendering import render

router = APIRouter(tags=["pages"])
OUTSIDE = "Ce ou cette stagiaire ne fait pas partie de l'échantillon de ce lien."


def _opened(request: Request, code: str) -> AuditLink:
    link = gestes_of(request).store.audits.open(code[:64])
    return opened_or_refused(request, link, today())  # type: ignore[no-any-return]


def _file(request: Request, link: AuditLink) -> QualiopiFile:
    gestes = gestes_of(request)
    address = gestes.settings.address(served_at(request))
    return school_file(gestes, link.school_id, link.starts_on, link.ends_on, address)


@router.get("/audit/{code}")
def audit_page(request: Request, code: str) -> Response:
    link = _opened(request, code)
    store = gestes_of(request).store
    sample = [store.lookup.trainee(t) for t in link.sample]
    view: dict[str, Any] = {
        "code": code,
        "link": link,
        "file": _file(request, link),
        "sample": [(found[0], found[1]) for found in sample if found and not found[0].erased],
    }
    return render(request, "audit.html", view)


@router.get(
    "/audit/{code}/dossier.zip",
    response_class=Response,
    responses=served_as("application/zip", "The Qualiopi file, signed, with its CSV"),
)
def audit_zip(request: Request, code: str) -> Response:
    link = _opened(request, code)
    return zip_response(
        file_zip(gestes_of(request), _file(request, link)), link.starts_on, link.ends_on
    )


@router.get("/audit/{code}/stagiaires/{trainee_id}")
def audited_trainee(request: Request, code: str, trainee_id: Id) -> Response:
    """One trainee of the sample, read-only: entry, plan, levels, hours, immersion, the
    call log's dates (not its words: they are the school's), the exit."""
    link = _opened(request, code)
    if trainee_id not in link.sample:
        raise HTTPException(
            status_code=404, detail="Ce stagiaire ne fait pas partie de l'échantillon."
        )
    gestes = gestes_of(request)
    store = gestes.store
    found = store.lookup.trainee(trainee_id)
    if found is None or found[0].erased:
        raise HTTPException(status_code=404, detail="Introuvable.")
    trainee, cohort = found
    record = store.records.trainee_record(trainee_id)
    sector = gestes.catalog_for(cohort).sectors[cohort.sector]
    view: dict[str, Any] = {
        "code": code,
        "trainee": trainee,
        "cohort": cohort,
        "record": record,
        "sector": sector,
        "scale": sector.curriculum.scale,
        "entry": entry_file(gestes, trainee_id),
        "observed": OBSERVED,
        "plan_kinds": PLAN_KINDS,
        "statuses": [ENTRY_STATUSES.get(s, s) for s in trainee.statuses],
        "qualification": QUALIFICATIONS.get(trainee.qualification or ""),
        "age": age_band(trainee.birth_date, trainee.joined_on or cohort.starts_on),
        "attendance": store.attendance.trainee_hours(trainee_id),
        "planned": planned_hours(sector.curriculum, cohort.planned_hours),
        "phases": list(Phase),
        "journey": gestes.immersion_record(trainee_id),
        "contacts": store.followups.of(trainee_id),
        "today": dt.date.today(),
    }
    return render(request, "audit_trainee.html", view)

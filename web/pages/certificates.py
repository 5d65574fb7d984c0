"""The documents funders pay on, as signed PDFs (``core.attendance.documents``): a trainee's
*certificat de réalisation* and *attestation de fin de formation* (the coordination's), and a
cohort's month of attendance sheets (its school's staff). Printed from the record each time:
they cannot say other than the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.french import SCHOOL_TIME, slugify
from web.contract import served_as
from web.deps import Id, User, cohort_of, gestes_of, require_coordinator, trainee_of

router = APIRouter(tags=["pages"])
Month = Annotated[str, Path(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")]


@router.get(
    "/trainees/{trainee_id}/certificat-de-realisation.pdf",
    response_class=Response,
    responses=served_as("application/pdf", "The certificat de réalisation, signed"),
)
def certificate(request: Request, user: User, trainee_id: Id) -> Response:
    from core.attendance.documents import certificate_pdf

    trainee, _ = trainee_of(gestes_of(request).store, user, trainee_id)
    require_coordinator(user)
    pdf = certificate_pdf(gestes_of(request), trainee_id, _today())
    name = f"certificat-de-realisation-{trainee_id}-{slugify(trainee.last_name)}.pdf"
    return _pdf(pdf, name)


@router.get(
    "/trainees/{trainee_id}/attestation-de-fin-de-formation.pdf",
    response_class=Response,
    responses=served_as("application/pdf", "The attestation de fin de formation, signed"),
)
def attestation(request: Request, user: User, trainee_id: Id) -> Response:
    from core.attendance.documents import attestation_pdf

    trainee, _ = trainee_of(gestes_of(request).store, user, trainee_id)
    require_coordinator(user)
    pdf = attestation_pdf(gestes_of(request), trainee_id, _today())
    name = f"attestation-de-fin-de-formation-{trainee_id}-{slugify(trainee.last_name)}.pdf"
    return _pdf(pdf, name)


@router.get(
    "/cohorts/{cohort_id}/attendance/{month}.pdf",
    response_class=Response,
    responses=served_as("application/pdf", "A month of the cohort's attendance sheets, signed"),
)
def month_sheets(request: Request, user: User, cohort_id: Id, month: Month) -> Response:
    from core.attendance.documents import month_pdf

    cohort = cohort_of(gestes_of(request).store, user, cohort_id)
    pdf = month_pdf(gestes_of(request), cohort_id, int(month[:4]), int(month[5:]))
    return _pdf(pdf, f"emargement-{slugify(cohort.name)}-{month}.pdf")


def _today() -> dt.date:
    return dt.datetime.now(SCHOOL_TIME).date()


def _pdf(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

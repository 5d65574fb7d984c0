"""The documents funders pay on, as signed PDFs (``core.attendance.documents``): a trainee's
*certificat de réalisation* and *attestation de fin de formation* (the coordination's), and a
cohort's month of attendance sheets (its school's staff). Printed from the record each time:
they cannot say other than the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/cohorts/{cohort_id}/certificates")
def export_certificates(request: Request, user: User, cohort_id: Id) -> Response:
    """Every trainee's certificat and attestation, signed and zipped, as a job like the
    booklets (``core.booklet.jobs``); its progress page has its own address."""
    from core.booklet.jobs import COHORT_CERTIFICATES, submit

    gestes = gestes_of(request)
    cohort_of(gestes.store, user, cohort_id)
    require_coordinator(user)
    job = submit(gestes, cohort_id, user.id, None, kind=COHORT_CERTIFICATES)
    return RedirectResponse(f"/exports/{job}", status_code=303)


@router.get(
    "/cohorts/{cohort_id}/hours.{kind}",
    response_class=Response,
    responses=served_as(("text/csv", XLSX), "Every trainee's hours and absences"),
)
def hours_file(
    request: Request,
    user: User,
    cohort_id: Id,
    kind: Annotated[str, Path(pattern="^(csv|xlsx)$")],
) -> Response:
    """Each trainee's hours attended per phase against those held and planned, and their
    absences — the funder's report, from the same derivation as the pages."""
    from core.tabular import inert, write_csv, write_rows_xlsx

    gestes = gestes_of(request)
    cohort = cohort_of(gestes.store, user, cohort_id)
    rows = [[inert(cell) for cell in row] for row in hours_table(gestes, cohort, _today())]
    data = write_csv(rows) if kind == "csv" else write_rows_xlsx(rows, "Heures")
    return Response(
        data,
        media_type="text/csv; charset=utf-8" if kind == "csv" else XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="heures-{slugify(cohort.name)}.{kind}"'
        },
    )


def hours_table(gestes: Any, cohort: Any, today: dt.date) -> list[list[str]]:
    from core.attendance.sessions import planned_hours
    from core.catalog.definitions import Phase

    curriculum = gestes.catalog_for(cohort).sectors[cohort.sector].curriculum
    planned = planned_hours(curriculum, cohort.planned_hours)
    attendance = gestes.store.attendance
    hours = attendance.hours(cohort.id, today)
    floor = [p for p in Phase if p is not Phase.IMMERSION]
    header = ["Stagiaire"]
    for phase in floor:
        header += [f"{phase.label} : heures effectuées", "heures tenues", "heures prévues"]
    header += [
        "absences non justifiées (demi-journées)",
        "absences justifiées",
        "retards ou départs",
    ]
    rows = [header]
    for trainee, name in attendance.roster(cohort.id).items():
        h = hours.get(trainee)
        if h is None:
            continue
        line = [name]
        for phase in floor:
            line += [
                _decimal(h.done.get(phase.value, 0)),
                _decimal(h.held.get(phase.value, 0)),
                str(planned.get(phase.value, 0)),
            ]
        rows.append([*line, str(h.unjustified), str(h.justified), str(h.late)])
    return rows


def _decimal(minutes: int) -> str:
    """Hours with two decimals, as a spreadsheet sums them (« 14,75 »): exact to the minute
    a quarter-hour rule leaves."""
    return f"{minutes / 60:.2f}".replace(".", ",")


def _today() -> dt.date:
    return dt.datetime.now(SCHOOL_TIME).date()


def _pdf(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

"""The Qualiopi file of a school over a period (``core.qualiopi``): each indicator Gestes can
evidence with the records behind it, counted; those it does not hold yet, said so. A page
for the coordination, the same file as a signed PDF in a ZIP, and the read-only links an
auditor opens without an account (made and withdrawn here, opened in ``web.pages.audit``);
the same file in the API (``web.api.followups``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import RecordError
from core.qualiopi import file_zip
from web.actions import qualiopi_file
from web.contract import served_as
from web.deps import Id, User, gestes_of, require_coordinator, served_at
from web.forms import period, today
from web.rendering import render
from web.security import require_school

router = APIRouter(tags=["pages"])
Day = Annotated[dt.date | None, Query()]


@router.get("/qualiopi")
def qualiopi_page(
    request: Request, user: User, ecole: Annotated[int | None, Query(ge=1)] = None,
    du: Day = None, au: Day = None,
) -> Response:  # fmt: skip
    require_coordinator(user)
    schools = [s for s in gestes_of(request).store.lookup.schools() if user.can_see_school(s.id)]
    if not schools:
        raise HTTPException(status_code=404, detail="Introuvable.")
    school_id = ecole or schools[0].id
    start, end = period(du, au)
    return render(request, "qualiopi.html", _view(request, user, school_id, start, end, schools))


def _view(
    request: Request, user: User, school_id: int, start: dt.date, end: dt.date, schools: Any
) -> dict[str, Any]:
    return {
        "schools": schools,
        "school_id": school_id,
        "start": start,
        "end": end,
        "file": qualiopi_file(request, user, school_id, start, end),
        "links": gestes_of(request).store.audits.of_school(school_id),
        "today": today(),
        "made": None,
    }


@router.get(
    "/qualiopi/dossier.zip",
    response_class=Response,
    responses=served_as("application/zip", "The Qualiopi file, signed, with its CSV"),
)
def qualiopi_zip(
    request: Request, user: User, ecole: Annotated[int, Query(ge=1)], du: Day = None, au: Day = None
) -> Response:
    start, end = period(du, au)
    file = qualiopi_file(request, user, ecole, start, end)
    return zip_response(file_zip(gestes_of(request), file), file.start, file.end)


def zip_response(archive: bytes, start: dt.date, end: dt.date) -> Response:
    name = f"dossier-qualiopi-{start.isoformat()}-{end.isoformat()}.zip"
    disposition = f'attachment; filename="{name}"'
    return Response(
        archive, media_type="application/zip", headers={"Content-Disposition": disposition}
    )


@router.post("/qualiopi/auditor-links")
def make_auditor_link(
    request: Request,
    user: User,
    ecole: Annotated[int, Form(ge=1)],
    du: Annotated[dt.date, Form()],
    au: Annotated[dt.date, Form()],
    jours: Annotated[int, Form(ge=1, le=30)] = 14,
) -> Response:
    """A read-only link to the file for an auditor, with its sample of trainees drawn now;
    its address is shown once (only its hash is kept)."""
    require_coordinator(user)
    require_school(user, ecole)
    store = gestes_of(request).store
    trainees = store.qualiopi.trainees(ecole, du, au)
    try:
        _, code = store.audits.create(ecole, du, au, trainees, jours, today(), user.id)
    except RecordError as error:
        status = 404 if error.field == "ecole" else 400
        raise HTTPException(status_code=status, detail=str(error)) from None
    schools = [s for s in store.lookup.schools() if user.can_see_school(s.id)]
    view = _view(request, user, ecole, du, au, schools)
    view["made"] = f"{gestes_of(request).settings.address(served_at(request))}/audit/{code}"
    return render(request, "qualiopi.html", view)


@router.post("/qualiopi/auditor-links/{link_id}/revoke")
def revoke_auditor_link(
    request: Request, user: User, link_id: Id, ecole: Annotated[int, Form(ge=1)]
) -> Response:
    """Withdrawn at once: the link then says so, and opens nothing."""
    require_coordinator(user)
    require_school(user, ecole)
    try:
        gestes_of(request).store.audits.revoke(ecole, link_id)
    except RecordError:
        raise HTTPException(status_code=404, detail="Introuvable.") from None
    return RedirectResponse(f"/qualiopi?ecole={ecole}#auditeurs", status_code=303)

"""The Qualiopi file of a school over a period (``core.qualiopi``): each indicator Gestes can
evidence with the records behind it, counted; those it does not hold yet, said so. A page
for the coordination; the same file in the API (``web.api.followups``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.actions import qualiopi_file
from web.deps import User, gestes_of, require_coordinator
from web.rendering import render

router = APIRouter(tags=["pages"])
Day = Annotated[dt.date | None, Query()]


def _period(du: dt.date | None, au: dt.date | None) -> tuple[dt.date, dt.date]:
    end = au or dt.date.today()
    return du or end - dt.timedelta(days=365), end  # the last twelve months


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
    start, end = _period(du, au)
    view: dict[str, Any] = {
        "schools": schools,
        "school_id": school_id,
        "start": start,
        "end": end,
        "file": qualiopi_file(request, user, school_id, start, end),
    }
    return render(request, "qualiopi.html", view)

"""The results a school publishes (Qualiopi indicator 2): for each programme, the trainees of
the cohorts that ended in a year, their positive and lasting exits at the end and six months
after, and their satisfaction at the end (their questionnaire), with the period and headcount
beside every rate — drawn from the exits and answers recorded, never typed again. Public: a
page the school links from its own site; aggregates only, and a programme with fewer than
``SMALLEST`` trainees (or answers) is not broken down: its rates would name people."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response

from core.followup.satisfaction import programme_satisfaction
from web.deps import gestes_of
from web.rendering import render

router = APIRouter(tags=["pages"])
SMALLEST = 5
Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]


@router.get("/resultats/{slug}")
def published_results(
    request: Request, slug: Slug, annee: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> Response:
    gestes = gestes_of(request)
    school = next((s for s in gestes.store.lookup.schools() if s.slug == slug), None)
    if school is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    year = annee or dt.date.today().year - 1  # the last whole year
    store = gestes.store
    satisfaction = programme_satisfaction(gestes, school.id, year)
    at_end = store.exit_stats("sector", [school.id], year)
    later = {s.key: s for s in store.exit_stats("sector", [school.id], year, follow_up=6)}
    rows = [
        {
            "programme": gestes.catalog.sectors[s.key].sector.name
            if s.key in gestes.catalog.sectors
            else s.label,
            "end": s,
            "six": later.get(s.key),
            "shown": s.trainees >= SMALLEST,
            "opinion": satisfaction.get(s.key),
        }
        for s in at_end
    ]
    view = {
        "school": school,
        "organisation": gestes.identity(school.id).organisation,
        "year": year,
        "rows": rows,
        "smallest": SMALLEST,
        "drawn_on": dt.date.today(),
    }
    return render(request, "results.html", view)

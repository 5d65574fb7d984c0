"""Exits as funders read them: positive and lasting exits over all trainees, unknown ones
shown, by cohort, school, territory or sector, for the cohorts that ended in a year — on a
page, and as CSV or XLSX for a funder's report. A coordinator sees their schools only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from core.domain import ExitKind, ExitStats
from core.store import BREAKDOWNS
from web.contract import served_as
from web.deps import User, require_coordinator, store_of
from web.rendering import render

router = APIRouter(tags=["pages"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
By = Annotated[str, Query(pattern="^(cohort|school|territory|sector)$")]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Moment = Annotated[int | None, Query(ge=3, le=6, description="3 or 6: months after the end")]


def breakdown(
    request: Request, user: Any, by: str, year: int | None, moment: int | None = None
) -> list[ExitStats]:
    require_coordinator(user)
    schools = None if user.is_admin else user.schools
    return store_of(request).exit_stats(by, schools, year, moment)


def table(stats: list[ExitStats], by: str) -> list[list[str]]:
    """The rows of the report, as a funder reads it: counts and shares of all trainees."""
    kinds = list(ExitKind)
    header = [
        BREAKDOWNS[by],
        "stagiaires",
        "sorties inconnues",
        "positives",
        "% positives",
        "durables",
        "% durables",
        *[k.label for k in kinds],
    ]
    rows = [header]
    for s in stats:
        rows.append(
            [
                s.label,
                str(s.trainees),
                str(s.unknown),
                str(s.positive),
                _percent(s.rate),
                str(s.lasting),
                _percent(s.lasting_rate),
                *[str(s.by_kind.get(k.value, 0)) for k in kinds],
            ]
        )
    return rows


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{int(rate * 100)} %"  # rounded down: never overstates


@router.get("/exits")
def exits_page(
    request: Request, user: User, by: By = "cohort", year: Year = None, moment: Moment = None
) -> Response:
    stats = breakdown(request, user, by, year, moment)
    view = {
        "rows": table(stats, by),
        "by": by,
        "year": year,
        "moment": moment,
        "breakdowns": BREAKDOWNS,
        "years": range(dt.date.today().year + 1, dt.date.today().year - 6, -1),
    }
    return render(request, "exits.html", view)


@router.get(
    "/exits.{kind}",
    response_class=Response,
    responses=served_as(("text/csv", XLSX), "The exits' report"),
)
def exits_file(
    request: Request,
    user: User,
    kind: str,
    by: By = "cohort",
    year: Year = None,
    moment: Moment = None,
) -> Response:
    from core.tabular import write_csv, write_rows_xlsx

    if kind not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="Introuvable.")
    rows = table(breakdown(request, user, by, year, moment), by)
    data = write_csv(rows) if kind == "csv" else write_rows_xlsx(rows, "Sorties")
    name = f"sorties-par-{by}{f'-{year}' if year else ''}.{kind}"
    return Response(
        data,
        media_type="text/csv; charset=utf-8" if kind == "csv" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

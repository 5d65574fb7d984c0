"""A cohort's lists in and out: its trainees imported from a CSV or XLSX file, all or none,
never twice — when the file holds trainees already in the school (same e-mail, same France
Travail id, same name) or columns nobody reads, a preview says so first and the coordinator
decides (leave the duplicates out, or add them anyway); otherwise the list is added at
once — and its grid downloaded as CSV or XLSX (level labels, as the CLI's export)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from core.domain import NewTrainee, RecordError
from core.french import slugify
from web.contract import served_as
from web.deps import Id, User, cohort_of, gestes_of, require_coordinator, store_of
from web.rendering import render

router = APIRouter(tags=["pages"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
POLICIES: dict[str, Literal["refuse", "skip", "update", "add"]] = {
    "skip": "skip",
    "update": "update",
    "add": "add",
}  # the preview's choices for trainees already in the school
DECISIONS = set(POLICIES)


@router.post("/cohorts/{cohort_id}/trainees")
async def import_trainees(request: Request, user: User, cohort_id: Id) -> Response:
    """A file (first send) or the preview's rows with the coordinator's decision."""
    from core.tabular import TableImportError, TraineeTable, read_rows, read_trainees

    require_coordinator(user)
    store = store_of(request)
    cohort = cohort_of(store, user, cohort_id)
    form = await request.form()
    decision = str(form.get("duplicates") or "")
    kept, upload = form.get("rows"), form.get("file")
    try:
        if isinstance(kept, str) and decision in DECISIONS:
            table = TraineeTable(_rows(kept), [])
        elif upload is None or isinstance(upload, str) or not upload.filename:
            raise RecordError("Choisissez un fichier .csv ou .xlsx.")
        else:
            data, name = await upload.read(MAX_IMPORT_BYTES + 1), upload.filename
            table = await run_in_threadpool(lambda: read_trainees(read_rows(name, data)))
        if decision not in DECISIONS:
            found = store.directory.find_duplicates(cohort_id, table.trainees)
            if found or table.ignored:
                view = _preview(cohort, table, found)
                return render(request, "import_preview.html", view)
        policy = POLICIES.get(decision, "refuse")
        added = await run_in_threadpool(
            store.directory.add_trainees, cohort_id, table.trainees, policy, user.id
        )
    except TableImportError as error:
        return _refused(request, error.problems)
    except RecordError as error:
        return _refused(request, [str(error)])
    updated = len(table.trainees) - len(added) if decision == "update" else 0
    said = f"/dashboard?added={len(added)}" + (f"&updated={updated}" if updated else "")
    return RedirectResponse(said, status_code=303)


def _preview(cohort: Any, table: Any, found: list[Any]) -> dict[str, Any]:
    rows = [
        [
            t.first_name,
            t.last_name,
            t.email or "",
            t.external_ref or "",
            t.joined_on.isoformat() if t.joined_on else "",
            t.birth_date.isoformat() if t.birth_date else "",
            t.phone or "",
            t.prescriber or "",
        ]
        for t in table.trainees
    ]
    return {
        "cohort": cohort,
        "trainees": table.trainees,
        "ignored": table.ignored,
        "duplicates": {d.line: d for d in found},
        "rows": json.dumps(rows, ensure_ascii=False),
    }


def _rows(kept: str) -> list[NewTrainee]:
    """The preview's rows sent back: checked again by the store like any list."""
    try:
        rows = json.loads(kept)
        return [
            NewTrainee(
                str(r[0]),
                str(r[1]),
                str(r[2]) or None,
                str(r[3]) or None,
                dt.date.fromisoformat(r[4]) if r[4] else None,
                dt.date.fromisoformat(r[5]) if r[5] else None,
                str(r[6]) or None,
                str(r[7]) or None,
            )
            for r in rows[:500]
        ]
    except (ValueError, TypeError, IndexError, KeyError):
        raise RecordError("Aperçu illisible : importez le fichier à nouveau.") from None


def _refused(request: Request, problems: list[str]) -> Response:
    return render(
        request,
        "error.html",
        {"status": 400, "message": " ".join(["Aucun stagiaire importé.", *problems])},
        status_code=400,
    )


@router.get(
    "/cohorts/{cohort_id}/grid.{kind}",
    response_class=Response,
    responses=served_as(("text/csv", XLSX), "The cohort's grid: trainees × competencies"),
)
def grid_file(request: Request, user: User, cohort_id: Id, kind: str) -> Response:
    """The grid any of the cohort's staff sees, to open in a spreadsheet."""
    from core.tabular import grid_table, write_csv, write_xlsx

    if kind not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="Introuvable.")
    gestes = gestes_of(request)
    cohort = cohort_of(gestes.store, user, cohort_id)
    grid = gestes.store.records.cohort_grid(cohort_id)
    catalog = gestes.catalog_for(cohort)
    data = write_csv(grid_table(grid, catalog)) if kind == "csv" else write_xlsx(grid, catalog)
    name = f"grille-{slugify(cohort.name) or cohort_id}.{kind}"
    return Response(
        data,
        media_type="text/csv; charset=utf-8" if kind == "csv" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

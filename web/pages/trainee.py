"""A trainee's page. It opens on what a trainer needs next — the modules with their gestures
and evaluations, the competencies' levels — and folds the rest: each folded part is drawn
only when opened (``/trainees/{id}/parts/{name}`` through htmx, ``?ouvert=name`` without
JavaScript), so the page a trainer opens beside the rack reads and draws little."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from core.attendance.sessions import planned_hours
from core.booklet.immersion import signature_lines
from core.catalog.definitions import Phase
from core.context import Gestes
from core.domain import ABANDON_REASONS, Cohort, ExitKind, Role
from core.judging.record import TraineeRecord
from web import forms
from web.deps import Id, User, gestes_of, is_htmx, trainee_of
from web.rendering import render
from web.security import CurrentUser

router = APIRouter(tags=["pages"])

# The folded parts, in page order (each one a template in ``trainee_parts/``).
PARTS = ("positionnement", "historique", "phases", "livret", "suivi", "decision", "commentaires")
# coordinators and admins
STAFF_PARTS = ("accompagnement", "sortie", "partages", "livrets", "changement", "identite")


@router.get("/trainees/{trainee_id}")
def trainee_page(
    request: Request,
    user: User,
    trainee_id: Id,
    ouvert: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """``ouvert``: parts drawn open (comma-separated names, or ``tout``)."""
    opened = PARTS + STAFF_PARTS if ouvert == "tout" else tuple(ouvert.split(","))
    return render(request, "trainee.html", trainee_view(request, user, trainee_id, opened))


@router.get("/trainees/{trainee_id}/parts/{name}")
def trainee_part(request: Request, user: User, trainee_id: Id, name: str) -> Response:
    """One folded part, drawn when opened (htmx); without htmx, the page with it open."""
    _, cohort = trainee_of(gestes_of(request).store, user, trainee_id)
    if name not in _folds(user, cohort):  # unknown, a coordinator's, or a closed cohort's form
        raise HTTPException(status_code=404, detail="Partie inconnue.")
    if not is_htmx(request):
        return RedirectResponse(opened_at(trainee_id, name), status_code=303)
    view = trainee_view(request, user, trainee_id, (name,))
    return render(request, f"trainee_parts/{name}.html", view)


def opened_at(trainee_id: int, part: str) -> str:
    """Where a form of a folded part returns: the page with that part open, scrolled to it."""
    return f"/trainees/{trainee_id}?ouvert={part}#{part}"


def refused_on_page(
    request: Request,
    user: CurrentUser,
    trainee_id: int,
    errors: forms.Errors,
    form: Any,
    part: str,
) -> Response:
    """The trainee page again, the refusal beside its field (its part open) and what was
    typed kept."""
    view = trainee_view(request, user, trainee_id, (part,), errors=errors, form=forms.values(form))
    return render(request, "trainee.html", view, status_code=400)


def trainee_view(
    request: Request,
    user: CurrentUser,
    trainee_id: int,
    opened: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """What trainee.html shows: the modules and levels, and the data of the parts opened."""
    gestes = gestes_of(request)
    store = gestes.store
    _, cohort = trainee_of(store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)  # its pinned curriculum's
    record = store.records.trainee_record(trainee_id)
    sector = catalog.sectors[cohort.sector]
    folds = _folds(user, cohort)
    view: dict[str, Any] = {
        "record": record,
        "info": record.trainee,
        "cohort": cohort,
        "sector": sector,
        "catalog": catalog,
        "scale": sector.curriculum.scale,
        "moves": store.lookup.moves(trainee_id),
        "folds": folds,
        "opened": [name for name in opened if name in folds],
        "submit": uuid.uuid4().hex,
        "today": dt.date.today(),
        "unfinished": [(u, catalog) for u in store.taps.unfinished(trainee_id)],
        "errors": {},
        "form": {},
    }
    for name in view["opened"]:
        if reads := _PART_DATA.get(name):  # the others draw from the record alone
            view.update(reads(gestes, user, record, cohort))
    return {**view, **extra}


def _folds(user: CurrentUser, cohort: Cohort) -> list[str]:
    names = [n for n in PARTS if not (n == "decision" and cohort.closed)]
    if user.role is not Role.TRAINER:
        names += [n for n in STAFF_PARTS if not (n in ("changement", "identite") and cohort.closed)]
    return names


# ---------------------------------------------------------------- what each part reads

PartData = Callable[[Gestes, CurrentUser, TraineeRecord, Cohort], dict[str, Any]]


def _positioning(gestes: Gestes, _u: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    from core.domain import OBSERVED, PLAN_KINDS
    from core.followup.plans import entry_file

    return {
        "entry": entry_file(gestes, record.trainee.id, record),
        "observed": OBSERVED,
        "plan_kinds": PLAN_KINDS,
    }


def _history(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    return {"history": gestes.store.lookup.latest_entries(record.trainee.id)}


def _phases(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, cohort: Cohort) -> Any:
    return {
        "phases": list(Phase),
        "journey": gestes.immersion_record(record.trainee.id),
        "attendance": gestes.store.attendance.trainee_hours(record.trainee.id),
        "planned": planned_hours(
            gestes.catalog_for(cohort).sectors[cohort.sector].curriculum, cohort.planned_hours
        ),
    }


def _booklet(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, cohort: Cohort) -> Any:
    info = record.trainee  # the school's partner companies with the plugins' employers
    catalog = gestes.definitions_for(info).catalog
    return {"employers": catalog.employers_in(info.territory, sector=info.sector)}


def _follow_up(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    info, today = record.trainee, dt.date.today()
    journey = gestes.immersion_record(info.id)
    return {
        "journey": journey,
        "signatures": signature_lines(journey, info.full_name, info.school),
        "codes": [
            link
            for link in gestes.store.placements.links_of(info.id)
            if link.kind.value == "trainee" and not link.refusal(today)
        ],
    }


def _support(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    from core.domain import CONTACT_KINDS
    from core.followup.derive import trainee_signals

    return {
        "risk": trainee_signals(gestes, record.trainee.id),
        "followups": gestes.store.followups.of(record.trainee.id),
        "contact_kinds": CONTACT_KINDS,
    }


def _exit(*_: Any) -> dict[str, Any]:
    return {
        "exits": list(ExitKind),
        "exits_by_code": {e.value: e for e in ExitKind},
        "reasons": ABANDON_REASONS,
    }


def _shares(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    return {"shares": gestes.store.shares.of(record.trainee.id)}


def _handed(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    return {"handed": gestes.store.verifications.of(record.trainee.id)}


def _destinations(gestes: Gestes, user: CurrentUser, _r: TraineeRecord, cohort: Cohort) -> Any:
    schools = None if user.is_admin else user.schools
    return {
        "destinations": [
            c
            for c, _ in gestes.store.lookup.cohorts(schools)
            if c.sector == cohort.sector and c.id != cohort.id and not c.closed
        ]
    }


def _identity(gestes: Gestes, _user: CurrentUser, record: TraineeRecord, _c: Cohort) -> Any:
    found = gestes.store.lookup.trainee(record.trainee.id)
    corrections = gestes.store.corrections
    from core.domain import ENTRY_STATUSES, QUALIFICATIONS

    return {
        "entry_statuses": ENTRY_STATUSES,
        "qualifications": QUALIFICATIONS,
        "identity": found[0] if found else None,
        "identity_history": corrections.history("trainee", [record.trainee.id]),
    }


_PART_DATA: dict[str, PartData] = {
    "positionnement": _positioning,
    "historique": _history,
    "phases": _phases,
    "livret": _booklet,
    "suivi": _follow_up,
    "accompagnement": _support,
    "sortie": _exit,
    "partages": _shares,
    "livrets": _handed,
    "changement": _destinations,
    "identite": _identity,
}

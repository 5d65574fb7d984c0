"""A practical evaluation on the training floor: its form (the splice losses typed beside the
splicer), checked field by field, stored once under its submit_id."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from core.catalog.catalog import Catalog
from core.context import Gestes
from core.domain import RecordError
from core.judging.evaluation import FieldError, parse_submission
from web.deps import Id, User, check_evaluation, gestes_of, is_htmx, trainee_of, valid_key
from web.pages.scoring import REFUSED, SAVED, day_of
from web.rendering import render

router = APIRouter(tags=["pages"])


def _evaluation_view(
    gestes: Gestes, catalog: Catalog, trainee_id: Id, evaluation_id: str
) -> dict[str, Any]:
    record = gestes.store.records.trainee_record(trainee_id)
    return {
        "trainee": record.trainee,
        "evaluation": catalog.evaluation(evaluation_id),
        "errors": {},
        "values": {},
        "checked": {},
        "score": None,
        "latest": record.evaluations.get(evaluation_id),
        "refresh_latest": False,
        "wrong_boxes": {},
        "submit": uuid.uuid4().hex,
        "today": dt.date.today(),
        "observed_on": "",
    }


@router.get("/trainees/{trainee_id}/evaluations/{evaluation_id}")
def evaluation_page(request: Request, user: User, trainee_id: Id, evaluation_id: str) -> Response:
    gestes = gestes_of(request)
    _, cohort = trainee_of(gestes.store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_evaluation(catalog, cohort.sector, evaluation_id)
    view = _evaluation_view(gestes, catalog, trainee_id, evaluation_id)
    return render(request, "evaluation.html", view)


@router.post("/trainees/{trainee_id}/evaluations/{evaluation_id}")
async def submit_evaluation(
    request: Request, user: User, trainee_id: Id, evaluation_id: str
) -> Response:
    gestes = gestes_of(request)
    store = gestes.store
    _, cohort = trainee_of(store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_evaluation(catalog, cohort.sector, evaluation_id)
    evaluation = catalog.evaluation(evaluation_id)
    form = await request.form()
    criteria = {c.key: form.get(f"critere_{c.key}") for c in evaluation.criteria}
    measurements = {
        m.key: [str(v) for v in form.getlist(f"mesure_{m.key}")] for m in evaluation.measurements
    }
    view = _evaluation_view(gestes, catalog, trainee_id, evaluation_id)
    view["values"] = measurements
    view["checked"] = {k: bool(v) for k, v in criteria.items()}
    submit = str(form.get("submit_id", ""))
    view["observed_on"] = str(form.get("observed_on") or "")
    parsed = parse_submission(evaluation, criteria, measurements, catalog.units)
    date_errors: dict[str, str] = {}
    day = day_of(view["observed_on"], date_errors)
    if isinstance(parsed, list) or date_errors:
        view["errors"] = (_by_field(parsed) if isinstance(parsed, list) else {}) | {
            field: [message] for field, message in date_errors.items()
        }
        view["wrong_boxes"] = _wrong_boxes(parsed) if isinstance(parsed, list) else {}
        view["submit"] = submit if valid_key(submit) else view["submit"]
    else:
        key = f"eval:{submit}" if valid_key(submit) else uuid.uuid4().hex
        try:
            view["score"] = store.observations.record_evaluation(
                trainee_id, user.id, evaluation_id, parsed, day, key
            ).score
            view["conversions"] = parsed.conversions
        except RecordError as error:
            view["errors"] = {error.field or "": [str(error)]}
        else:  # the heading's "Dernier résultat" follows (htmx: swapped out of band)
            latest = store.records.trainee_record(trainee_id).evaluations.get(evaluation_id)
            view.update(latest=latest, refresh_latest=is_htmx(request))
    blocks = ["form"] if is_htmx(request) else None
    response = render(request, "evaluation.html", view, blocks=blocks)
    if view.get("score") is not None and not view.get("errors"):
        response.headers[SAVED] = submit
    if view.get("errors"):  # the form again, the reasons beside the fields; a tablet's queue
        # (scoring.js), which sent it for the trainer, must know it was not stored
        refused = [[field, " ".join(words)] for field, words in view["errors"].items()]
        response.headers[REFUSED] = json.dumps(refused)  # ASCII: a header's charset
    return response


def _wrong_boxes(errors: list[FieldError]) -> dict[str, list[int]]:
    """Which boxes of a series to flag, per measurement: only the wrong ones when the
    errors name them; a measurement missing from here is flagged whole."""
    boxes: dict[str, list[int]] = {}
    whole = {error.field for error in errors if error.index is None}
    for error in errors:
        if error.index is not None and error.field not in whole:
            boxes.setdefault(error.field, []).append(error.index)
    return boxes


def _by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped

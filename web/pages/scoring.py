"""Scoring on the training floor: a gesture step by step (practical evaluations:
``web.pages.evaluations``)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import astuple
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from core.catalog.catalog import Catalog
from core.catalog.definitions import Autonomy
from core.context import Gestes
from core.domain import MAX_ATTEMPT_SECONDS, RecordError
from core.judging.attempts import StepResult, attempt_outcome
from core.store import LiveAttempt, RecordedTap, Tap
from core.units import resolve, typed_value
from web import i18n
from web.actions import (
    DEVICE,
    MAX_MILLIS,
    Made,
    check_tap_scope,
    submit_tap,
    write_taps,
)
from web.deps import (
    Id,
    User,
    check_gesture,
    gestes_of,
    is_htmx,
    store_of,
    trainee_of,
    valid_key,
)
from web.rendering import render

MAX_QUEUED = 200  # taps sent in one request; a longer queue goes in several
# The acknowledgement a tablet's outbox waits for: the counts (seq) of the taps stored. Any
# other answer (a redirect to the login page, a page of the service worker) keeps them.
STORED = "X-Gestes-Stored"
# The same for a validation or an evaluation: the key it was sent under (its attempt, its
# submit_id); an answer with the reasons it was not stored says X-Gestes-Refused instead.
SAVED = "X-Gestes-Saved"
REFUSED = "X-Gestes-Refused"

router = APIRouter(tags=["pages"])


# ---------------------------------------------------------------- scoring a gesture


def _gesture_view(
    request: Request,
    catalog: Catalog,
    trainee_id: Id,
    gesture_id: str,
    attempt: str,
    recorded: dict[str, Any] | None = None,
    *,
    live: LiveAttempt | None = None,
    levels: bool = True,
) -> dict[str, Any]:
    """What gesture.html shows. A tap re-renders only the steps and the provisional outcome,
    with the attempt the write returned (``live``) and without deriving the trainee's record
    (``levels=False``): the hot path reads nothing more."""
    store = store_of(request)
    translate = i18n.translator(request)
    gesture = catalog.gesture(gesture_id)
    live = live or store.taps.live_attempt(trainee_id, attempt)
    view: dict[str, Any] = {
        "gesture": gesture,
        "attempt": attempt,
        "taps": live.taps,
        "counts": live.counts,
        "outcome": attempt_outcome(gesture, live.taps) if live.taps else None,
        "autonomies": list(Autonomy),
        "results": [(result, translate(result.label)) for result in StepResult],
        "recorded": recorded,
        "today": dt.date.today(),
        "errors": {},
    }
    if not levels:  # the steps and outcome blocks only need the trainee's id
        view["trainee"] = {"id": trainee_id}
        return view
    record = store.records.trainee_record(trainee_id)
    view.update(
        trainee=record.trainee,
        progress=record.gestures[gesture_id],
        scale=catalog.sectors[record.trainee.sector].curriculum.scale,
        levels=[(catalog.competency(c), record.levels[c]) for c in gesture.competencies],
    )
    return view


@router.get("/trainees/{trainee_id}/gestures/{gesture_id}")
def gesture_page(
    request: Request,
    user: User,
    trainee_id: Id,
    gesture_id: str,
    attempt: str = "",
    photo: str = "",
) -> Response:
    gestes = gestes_of(request)
    _, cohort = trainee_of(gestes.store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_gesture(catalog, cohort.sector, gesture_id)
    if not valid_key(attempt):  # the attempt's key goes in the URL: a reload resumes it
        fresh = uuid.uuid4().hex
        return RedirectResponse(f"{request.url.path}?attempt={fresh}", status_code=303)
    view = _gesture_view(request, catalog, trainee_id, gesture_id, attempt)
    validated = gestes.store.taps.validation(trainee_id, attempt)
    if validated is not None and view["outcome"] is not None:  # opened again: read-only
        view["recorded"] = {
            "outcome": view["outcome"],
            "before": {competency.id: level.level for competency, level in view["levels"]},
            "id": validated,
            "next": uuid.uuid4().hex,
        }
        view.update(_what_next(gestes, catalog, cohort, trainee_id, gesture_id))
    view["photo_added"] = photo == "1"  # back from attaching one to the attempt just recorded
    return render(request, "gesture.html", view)


@router.post("/trainees/{trainee_id}/gestures/{gesture_id}/steps")
async def tap_step(
    request: Request,
    user: User,
    trainee_id: Id,
    gesture_id: str,
    attempt: Annotated[str, Form(max_length=40)],
    step: Annotated[str, Form(max_length=60)],
    result: Annotated[StepResult, Form()],
    tap: Annotated[int, Form(ge=0, le=1000)] = 0,
    made: Annotated[int | None, Form(ge=0, le=MAX_MILLIS)] = None,
    device: Annotated[str, Form(pattern=DEVICE)] = "",
    seq: Annotated[int | None, Form(ge=0, le=2**31 - 1)] = None,
) -> Response:
    """The hottest route: a trainer taps a step (see ``submit_tap``). The tablet's page says
    when and where it was made (``made``, ``device``, ``seq``): the step's value is the tap
    made last, and ``X-Gestes-Stored`` acknowledges it by its count, so that its outbox lets
    it go only then."""
    recorded = await submit_tap(
        request,
        user,
        trainee_id,
        gesture_id,
        attempt,
        step,
        result,
        tap,
        made=Made.said(made, device, seq),
    )
    if is_htmx(request):
        view = _gesture_view(  # drawn by the definitions the store judged the tap by
            request,
            recorded.catalog,
            trainee_id,
            gesture_id,
            attempt,
            live=recorded.attempt,
            levels=False,
        )
        view["step"] = next(s for s in view["gesture"].steps if s.key == step)
        response = render(request, "gesture.html", view, blocks=["step", "outcome"])
        response.headers[STORED] = json.dumps([seq] if seq is not None else [])
        return response
    return RedirectResponse(
        f"{request.url.path.rsplit('/', 1)[0]}?attempt={attempt}#etape-{step}", status_code=303
    )


class QueuedTap(BaseModel):
    step: str = Field(max_length=60)
    result: StepResult
    tap: int = Field(default=0, ge=0, le=1000)
    made: int | None = Field(
        default=None, ge=0, le=MAX_MILLIS, description="When it was made (epoch ms)"
    )
    device: str = Field(default="", pattern=DEVICE)
    seq: int | None = Field(default=None, ge=0, le=2**31 - 1)


class QueuedTaps(BaseModel):
    attempt: str = Field(max_length=40)
    taps: list[QueuedTap] = Field(min_length=1, max_length=MAX_QUEUED)


@router.post("/trainees/{trainee_id}/gestures/{gesture_id}/steps/batch")
async def tap_steps(
    request: Request, user: User, trainee_id: Id, gesture_id: str, body: QueuedTaps
) -> Response:
    """Taps a tablet kept while the network was down, sent in one request when it is back
    (``scoring.js``): handed to the tap writer together (one transaction), each checked on
    its own and idempotent by its key, as if sent one by one. Answers with the steps and
    the outcome redrawn, and the refused ones in ``X-Gestes-Refused`` (JSON: step, why)."""
    check_tap_scope(request, user, trainee_id, gesture_id, body.attempt)
    taps = []
    for queued in body.taps:
        made = Made.said(queued.made, queued.device, queued.seq)
        tap = Tap(
            trainee_id,
            user.id,
            gesture_id,
            body.attempt,
            queued.step,
            queued.result,
            made.day(),  # a tap kept since yesterday was observed yesterday
            "",
            *astuple(made),
        )
        taps.append((tap, queued.tap))
    outcomes = await write_taps(request, taps)
    refused = [
        [t.step, str(o), t.seq]
        for t, o in zip(body.taps, outcomes, strict=True)
        if isinstance(o, RecordError)
    ]
    stored = [t.seq for t, o in zip(body.taps, outcomes, strict=True) if isinstance(o, RecordedTap)]
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, RecordError):
            raise outcome
    written = [o for o in outcomes if isinstance(o, RecordedTap)]
    gestes = gestes_of(request)
    if written:
        catalog, live = written[-1].catalog, written[-1].attempt
    else:
        _, cohort = trainee_of(gestes.store, user, trainee_id)
        catalog, live = gestes.catalog_for(cohort), None
    view = _gesture_view(
        request, catalog, trainee_id, gesture_id, body.attempt, live=live, levels=False
    )
    response = render(request, "gesture.html", view, blocks=["steps", "outcome"])
    response.headers[REFUSED] = json.dumps(refused)  # ASCII: a header's charset
    response.headers[STORED] = json.dumps(stored)
    return response


@router.post("/trainees/{trainee_id}/gestures/{gesture_id}/attempts")
def validate_attempt(
    request: Request,
    user: User,
    trainee_id: Id,
    gesture_id: str,
    attempt: Annotated[str, Form(max_length=40)],
    autonomy: Annotated[str, Form(max_length=20)] = "",
    minutes: Annotated[str, Form(max_length=10)] = "",
    observed_on: Annotated[str, Form(max_length=10)] = "",
    seen: Annotated[str, Form(max_length=8000)] = "",
    device: Annotated[str, Form(pattern=DEVICE)] = "",
) -> Response:
    """Record a live attempt from its taps. ``seen``: the steps as the tablet showed them
    (JSON, step → result) as its validation left; when a step's stored value came from
    another tablet and differs, nothing is recorded: the steps are redrawn as stored and the
    trainer validates again, having seen what is judged (``_as_seen``)."""
    gestes = gestes_of(request)
    store = gestes.store
    _, cohort = trainee_of(store, user, trainee_id)
    catalog = gestes.catalog_for(cohort)
    check_gesture(catalog, cohort.sector, gesture_id)
    if not valid_key(attempt) or (autonomy and autonomy.upper() not in Autonomy.__members__):
        raise HTTPException(status_code=400, detail="Formulaire invalide.")
    live = store.taps.live_attempt(trainee_id, attempt)
    taps = live.taps
    errors = _before_validating(autonomy, live, seen, device)
    changed = errors.pop("changed", None) is not None
    seconds = _seconds(minutes)
    if seconds == _INVALID:
        errors["minutes"] = "Durée invalide : indiquez des minutes, par exemple 12 ou 7,5."
    day = day_of(observed_on, errors)
    before = {c: lvl.level for c, lvl in store.records.trainee_record(trainee_id).levels.items()}
    if not errors:
        try:
            recorded = store.observations.record_attempt(
                trainee_id,
                user.id,
                gesture_id,
                taps,
                Autonomy.from_key(autonomy),
                day,
                f"{attempt}:final",
                seconds=seconds,
                attempt_key=attempt,
            )
        except RecordError as error:
            errors[error.field or ""] = str(error)
    if errors:  # said beside its field, what was typed kept, nothing stored
        view = _gesture_view(request, catalog, trainee_id, gesture_id, attempt)
        view.update(errors=errors, minutes=minutes, observed_on=observed_on, redraw=changed)
        # the form with its messages; the steps too when they changed, as stored now
        drawn = ["steps", "outcome", "validate"] if changed else ["validate"]
        blocks = drawn if is_htmx(request) else None
        refused = render(request, "gesture.html", view, blocks=blocks)
        refused.headers[REFUSED] = json.dumps([[field, words] for field, words in errors.items()])
        return refused
    done: dict[str, Any] = {"outcome": recorded.outcome, "before": before, "id": recorded.id}
    page = _recorded_page(request, catalog, cohort, trainee_id, gesture_id, attempt, done)
    page.headers[SAVED] = attempt
    return page


def _recorded_page(
    request: Request,
    catalog: Catalog,
    cohort: Any,
    trainee_id: int,
    gesture_id: str,
    attempt: str,
    done: dict[str, Any],
) -> Response:
    """The attempt recorded: its result, the levels that moved, and what comes next."""
    done["next"] = uuid.uuid4().hex
    view = _gesture_view(request, catalog, trainee_id, gesture_id, attempt, recorded=done)
    view.update(_what_next(gestes_of(request), catalog, cohort, trainee_id, gesture_id))
    return render(
        request,
        "gesture.html",
        view,
        blocks=["progress", "steps", "outcome", "validate", "levels"] if is_htmx(request) else None,
    )


_INVALID = -1


def _before_validating(autonomy: str, live: LiveAttempt, seen: str, device: str) -> dict[str, str]:
    """What stops a validation, by field: no autonomy, no step, or steps that changed since
    the page showed them (then also ``changed``: the steps are to be redrawn)."""
    errors: dict[str, str] = {}
    if not autonomy:  # never assumed: « en autonomie » is what makes a competency acquired
        errors["autonomy"] = "Choisissez le degré d'autonomie observé."
    if not live.taps:
        errors[""] = "Aucune étape notée : notez au moins une étape avant de valider."
    elif not _as_seen(seen, live, device):
        errors[""] = (
            "Les étapes ont changé depuis leur affichage (une autre tablette) : "
            "vérifiez-les ci-dessus, puis validez à nouveau."
        )
        errors["changed"] = "1"
    return errors


def _as_seen(seen: str, live: LiveAttempt, device: str) -> bool:
    """Whether the steps the tablet showed are those stored (nothing said: not checked).
    Only steps whose value another device gave are compared: this tablet's own taps are all
    stored before its validation goes (it waits behind them), whatever its page showed."""
    if not seen:
        return True
    try:
        shown = json.loads(seen)
    except ValueError:
        return True  # not the page's own: the check is the page's, not a refusal
    if not isinstance(shown, dict):
        return True
    others = {step for step in live.taps if not device or live.devices.get(step) != device}
    return all(shown.get(step) == live.taps[step].value for step in others)


def _what_next(
    gestes: Gestes, catalog: Catalog, cohort: Any, trainee_id: int, gesture_id: str
) -> dict[str, Any]:
    """After an attempt: the same gesture for the next trainee of the cohort (grid order), and
    the next gesture of the sector for this trainee — the two ways a session goes on."""
    rows = [info for info, _ in gestes.store.records.cohort_grid(cohort.id).rows if not info.erased]
    ids = [info.id for info in rows]
    after = ids.index(trainee_id) + 1 if trainee_id in ids else len(ids)
    gestures = [g.id for g in catalog.sectors[cohort.sector].gestures]
    position = gestures.index(gesture_id) + 1 if gesture_id in gestures else len(gestures)
    return {
        "next_trainee": rows[after] if after < len(rows) else None,
        "next_gesture": (catalog.gesture(gestures[position]) if position < len(gestures) else None),
    }


def day_of(observed_on: str, errors: dict[str, str]) -> dt.date:
    """The day an attempt was observed (blank: today); the store checks it is possible."""
    if not observed_on.strip():
        return dt.date.today()
    try:
        return dt.date.fromisoformat(observed_on.strip())
    except ValueError:
        errors["observed_on"] = "Date attendue (JJ/MM/AAAA)."
        return dt.date.today()


def _seconds(minutes: str) -> int | None:
    """A typed duration in minutes (« 7,5 »), or with its unit (« 450 s », « 1 h »), as
    seconds; None if blank, _INVALID if wrong."""
    if not minutes.strip():
        return None
    typed = typed_value(minutes)
    unit = resolve(typed[1] or "min") if typed else None
    if typed is None or unit is None or unit.dimension != "durée":
        return _INVALID
    seconds = round(typed[0] * unit.factor)
    return seconds if 0 < seconds <= MAX_ATTEMPT_SECONDS else _INVALID

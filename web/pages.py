"""HTML pages. Each route computes a view and renders one template (or named blocks of it).

Every route takes the current user through ``user_of`` (login, CSRF) and checks the school
of what it touches with ``require_school``: a trainer of another school gets a 404.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from core.attempts import StepResult, attempt_outcome
from core.directory import Directory
from core.evaluation import FieldError, parse_submission
from core.models import Autonomy, Phase, Sector
from core.records import RecordError, Records
from core.store import tables as t
from core.taps import LiveAttempt, Tap, TapWriter
from web import i18n
from web.app import is_htmx, records_of, render, user_of
from web.i18n import LANGUAGES
from web.security import (
    COOKIE,
    SESSION_HOURS,
    CurrentUser,
    close_session,
    open_session,
    require_school,
)

router = APIRouter()
User = Annotated[CurrentUser, Depends(user_of)]


# ---------------------------------------------------------------- sign in and out


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    records = records_of(request)
    limiter = request.app.state.limiter
    keys = (f"ip:{request.client.host if request.client else '?'}", f"email:{email.lower()}")
    if limiter.blocked(*keys):
        message = "Trop de tentatives : réessayez dans quinze minutes."
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": message, "email": email},
            status_code=429,
        )
    user = Directory(records).authenticate(email, password)
    if user is None:
        limiter.failed(*keys)
        return render(
            request,
            "login.html",
            {
                "next": _safe_next(next),
                "email": email,
                "error": "Adresse ou mot de passe incorrect.",
            },
            status_code=401,
        )
    limiter.succeeded(*keys)
    previous = request.cookies.get(COOKIE)
    token = open_session(records, user.id, previous)
    if previous:
        request.app.state.sessions.forget(previous)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, user: User) -> Response:
    token = request.cookies.get(COOKIE, "")
    close_session(records_of(request), token)
    request.app.state.sessions.forget(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/lang/{language}")
def choose_language(language: str, request: Request) -> Response:
    """A display preference kept in the browser, not a change of server state."""
    if language not in LANGUAGES:
        raise HTTPException(status_code=404, detail="Langue inconnue.")
    back = _safe_next(request.headers.get("referer", "/").split(str(request.base_url))[-1])
    response = RedirectResponse(back if back.startswith("/") else "/", status_code=303)
    response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _safe_next(target: str) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ---------------------------------------------------------------- cohorts


@router.get("/")
def home(user: User) -> Response:
    return RedirectResponse("/cohorts", status_code=303)


@router.get("/cohorts")
def cohorts(request: Request, user: User) -> Response:
    records = records_of(request)
    with records._read() as session:
        query = select(t.Cohort, t.School).join(t.School).order_by(t.Cohort.starts_on.desc())
        if not user.is_admin:
            query = query.where(t.Cohort.school_id.in_(user.schools))
        rows = session.execute(query).all()
    items = [
        {
            "cohort": cohort,
            "school": school,
            "sector": records.catalog.sectors[cohort.sector].sector.name,
        }
        for cohort, school in rows
    ]
    return render(request, "cohorts.html", {"items": items})


def _cohort(records: Records, user: CurrentUser, cohort_id: int) -> t.Cohort:
    with records._read() as session:
        cohort = session.get(t.Cohort, cohort_id)
    require_school(user, cohort.school_id if cohort else None)
    assert cohort is not None
    return cohort


@router.get("/cohorts/{cohort_id}")
def cohort_grid(
    request: Request, user: User, cohort_id: int, block: str = "", module: str = ""
) -> Response:
    """Trainees × competencies, filtered by competency block and/or by module."""
    records = records_of(request)
    cohort = _cohort(records, user, cohort_id)
    sector = records.catalog.sectors[cohort.sector]
    grid = records.cohort_grid(cohort_id)
    shown = [c.id for b in sector.blocks if not block or b.id == block for c in b.competencies]
    if module:
        taught = module_competencies(records, sector, module)
        shown = [c for c in shown if c in taught]
    columns = [grid.competencies.index(c) for c in shown]
    rows = [(info, [levels[i] for i in columns]) for info, levels in grid.rows]
    return render(
        request,
        "cohort.html",
        {
            "cohort": cohort,
            "sector": sector,
            "blocks": sector.blocks,
            "block": block,
            "modules": [
                m for m in sector.curriculum.modules if module_competencies(records, sector, m.id)
            ],
            "module": module,
            "competencies": [records.catalog.competency(c) for c in shown],
            "rows": rows,
            "scale": sector.curriculum.scale,
        },
        blocks=["grid"] if is_htmx(request) else None,
    )


def module_competencies(records: Records, sector: Sector, module_id: str) -> set[str]:
    """What a module works on: its own competencies and those its gestures and evaluations
    evidence. An unknown module id works on nothing (an empty grid, not an error page)."""
    found = [m for m in sector.curriculum.modules if m.id == module_id]
    if not found:
        return set()
    module = found[0]
    catalog = records.catalog
    competencies = set(module.competencies)
    for gesture in module.gestures:
        competencies.update(catalog.gesture(gesture).competencies)
    for evaluation in module.evaluations:
        competencies.update(catalog.evaluation(evaluation).competencies)
    return competencies


# ---------------------------------------------------------------- trainee


def _trainee(records: Records, user: CurrentUser, trainee_id: int) -> tuple[t.Trainee, t.Cohort]:
    with records._read() as session:
        row = session.execute(
            select(t.Trainee, t.Cohort).join(t.Cohort).where(t.Trainee.id == trainee_id)
        ).first()
    require_school(user, row[1].school_id if row else None)
    assert row is not None
    return row[0], row[1]


@router.get("/trainees/{trainee_id}")
def trainee_page(request: Request, user: User, trainee_id: int) -> Response:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    record = records.trainee_record(trainee_id)
    sector = records.catalog.sectors[cohort.sector]
    with records._read() as session:
        history = (
            session.execute(
                records.current(
                    t.Observation.trainee_id == trainee_id,
                    t.Observation.kind.in_([t.Kind.ATTEMPT, t.Kind.EVALUATION]),
                )
                .order_by(t.Observation.id.desc())
                .limit(15)
            )
            .scalars()
            .all()
        )
        photos = dict(
            session.execute(
                select(t.Evidence.observation_id, func.count())
                .where(t.Evidence.observation_id.in_([h.id for h in history]))
                .group_by(t.Evidence.observation_id)
            ).all()
        )
    return render(
        request,
        "trainee.html",
        {
            "record": record,
            "sector": sector,
            "catalog": records.catalog,
            "phases": list(Phase),
            "scale": sector.curriculum.scale,
            "history": history,
            "photos": photos,
            "exits": list(t.Exit),
            "exits_by_code": {e.value: e for e in t.Exit},
            "employers": records.catalog.employers_in(record.trainee.territory),
            "submit": uuid.uuid4().hex,
            "today": dt.date.today(),
        },
    )


# ---------------------------------------------------------------- scoring a gesture


def _gesture_view(
    request: Request,
    trainee_id: int,
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
    records = records_of(request)
    translate = i18n.translator(request)
    gesture = records.catalog.gesture(gesture_id)
    live = live or records.live_attempt(trainee_id, attempt)
    view: dict[str, Any] = {
        "gesture": gesture,
        "attempt": attempt,
        "taps": live.taps,
        "counts": live.counts,
        "outcome": attempt_outcome(gesture, live.taps) if live.taps else None,
        "autonomies": list(Autonomy),
        "results": [(result, translate(result.label)) for result in StepResult],
        "recorded": recorded,
    }
    if not levels:  # the steps and outcome blocks only need the trainee's id
        view["trainee"] = {"id": trainee_id}
        return view
    record = records.trainee_record(trainee_id)
    view.update(
        trainee=record.trainee,
        progress=record.gestures[gesture_id],
        scale=records.catalog.sectors[record.trainee.sector].curriculum.scale,
        levels=[(records.catalog.competency(c), record.levels[c]) for c in gesture.competencies],
    )
    return view


def _check_gesture(records: Records, sector: str, gesture_id: str) -> None:
    entry = records.catalog.entries.get(gesture_id)
    if entry is None or entry.kind != "gesture" or entry.sector != sector:
        raise HTTPException(status_code=404, detail="Geste inconnu pour cette promotion.")


@router.get("/trainees/{trainee_id}/gestures/{gesture_id}")
def gesture_page(
    request: Request, user: User, trainee_id: int, gesture_id: str, attempt: str = ""
) -> Response:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    _check_gesture(records, cohort.sector, gesture_id)
    attempt = attempt if _valid_key(attempt) else uuid.uuid4().hex
    return render(request, "gesture.html", _gesture_view(request, trainee_id, gesture_id, attempt))


@router.post("/trainees/{trainee_id}/gestures/{gesture_id}/steps")
async def tap_step(
    request: Request,
    user: User,
    trainee_id: int,
    gesture_id: str,
    attempt: Annotated[str, Form(max_length=40)],
    step: Annotated[str, Form(max_length=60)],
    result: Annotated[StepResult, Form()],
    tap: Annotated[int, Form(ge=0, le=1000)] = 0,
) -> Response:
    """The hottest route: a trainer taps a step. It runs on the event loop and waits for the
    store without blocking it: the scope is remembered, the write goes to the tap writer
    (group commit) and comes back with the attempt to redraw."""
    records = records_of(request)
    scope = records.trainee_scope(trainee_id)  # remembered: one read per trainee
    require_school(user, scope.school_id if scope else None)
    assert scope is not None
    _check_gesture(records, scope.sector, gesture_id)
    if not _valid_key(attempt):
        raise HTTPException(status_code=400, detail="Tentative invalide.")
    # The same rendered button submitted twice carries the same tap number: stored once.
    key = f"{attempt}:{step}:{tap}:{result.value}"
    writer: TapWriter = request.app.state.taps
    today = dt.date.today()
    pending = writer.submit(Tap(trainee_id, user.id, gesture_id, attempt, step, result, today, key))
    recorded = await asyncio.wrap_future(pending)
    if is_htmx(request):
        view = _gesture_view(
            request, trainee_id, gesture_id, attempt, live=recorded.attempt, levels=False
        )
        view["step"] = next(s for s in view["gesture"].steps if s.key == step)
        return render(request, "gesture.html", view, blocks=["step", "outcome"])
    return RedirectResponse(
        f"{request.url.path.rsplit('/', 1)[0]}?attempt={attempt}#etape-{step}", status_code=303
    )


@router.post("/trainees/{trainee_id}/gestures/{gesture_id}/attempts")
def validate_attempt(
    request: Request,
    user: User,
    trainee_id: int,
    gesture_id: str,
    attempt: Annotated[str, Form(max_length=40)],
    autonomy: Annotated[str, Form(max_length=20)],
    minutes: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    _check_gesture(records, cohort.sector, gesture_id)
    if not _valid_key(attempt) or autonomy.upper() not in Autonomy.__members__:
        raise HTTPException(status_code=400, detail="Formulaire invalide.")
    seconds = None
    if minutes.strip():
        try:
            seconds = round(float(minutes.replace(",", ".")) * 60)
        except ValueError:
            seconds = -1
        if not 0 < seconds <= 24 * 3600:
            view = _gesture_view(request, trainee_id, gesture_id, attempt)
            view["error"] = "Durée invalide : indiquez des minutes, par exemple 12 ou 7,5."
            view["minutes"] = minutes
            return render(
                request,
                "gesture.html",
                view,
                blocks=["validate"] if is_htmx(request) else None,
                status_code=200,
            )
    before = {c: lvl.level for c, lvl in records.trainee_record(trainee_id).levels.items()}
    taps = records.live_attempt(trainee_id, attempt).taps
    recorded = records.record_attempt(
        trainee_id,
        user.id,
        gesture_id,
        taps,
        Autonomy.from_key(autonomy),
        dt.date.today(),
        f"{attempt}:final",
        seconds=seconds,
        attempt_key=attempt,
    )
    view = _gesture_view(
        request,
        trainee_id,
        gesture_id,
        attempt,
        recorded={
            "outcome": recorded.outcome,
            "before": before,
            "id": recorded.id,
            "next": uuid.uuid4().hex,
        },
    )
    return render(
        request,
        "gesture.html",
        view,
        blocks=["steps", "outcome", "validate", "levels"] if is_htmx(request) else None,
    )


def _valid_key(key: str) -> bool:
    return 8 <= len(key) <= 40 and key.isalnum()


# ---------------------------------------------------------------- practical evaluations


def _evaluation_view(records: Records, trainee_id: int, evaluation_id: str) -> dict[str, Any]:
    record = records.trainee_record(trainee_id)
    return {
        "trainee": record.trainee,
        "evaluation": records.catalog.evaluation(evaluation_id),
        "errors": {},
        "values": {},
        "checked": {},
        "score": None,
        "latest": record.evaluations.get(evaluation_id),
        "submit": uuid.uuid4().hex,
    }


def _check_evaluation(records: Records, cohort: t.Cohort, evaluation_id: str) -> None:
    entry = records.catalog.entries.get(evaluation_id)
    if entry is None or entry.kind != "evaluation" or entry.sector != cohort.sector:
        raise HTTPException(status_code=404, detail="Épreuve inconnue pour cette promotion.")


@router.get("/trainees/{trainee_id}/evaluations/{evaluation_id}")
def evaluation_page(request: Request, user: User, trainee_id: int, evaluation_id: str) -> Response:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    _check_evaluation(records, cohort, evaluation_id)
    return render(request, "evaluation.html", _evaluation_view(records, trainee_id, evaluation_id))


@router.post("/trainees/{trainee_id}/evaluations/{evaluation_id}")
async def submit_evaluation(
    request: Request, user: User, trainee_id: int, evaluation_id: str
) -> Response:
    records = records_of(request)
    _, cohort = _trainee(records, user, trainee_id)
    _check_evaluation(records, cohort, evaluation_id)
    evaluation = records.catalog.evaluation(evaluation_id)
    form = await request.form()
    criteria = {c.key: form.get(f"critere_{c.key}") for c in evaluation.criteria}
    measurements = {
        m.key: [str(v) for v in form.getlist(f"mesure_{m.key}")] for m in evaluation.measurements
    }
    view = _evaluation_view(records, trainee_id, evaluation_id)
    view["values"] = measurements
    view["checked"] = {k: bool(v) for k, v in criteria.items()}
    submit = str(form.get("submit_id", ""))
    parsed = parse_submission(evaluation, criteria, measurements)
    if isinstance(parsed, list):
        view["errors"] = _by_field(parsed)
        view["submit"] = submit if _valid_key(submit) else view["submit"]
    else:
        key = f"eval:{submit}" if _valid_key(submit) else uuid.uuid4().hex
        try:
            view["score"] = records.record_evaluation(
                trainee_id, user.id, evaluation_id, parsed, dt.date.today(), key
            ).score
        except RecordError as error:
            view["errors"] = {"": [str(error)]}
    return render(request, "evaluation.html", view, blocks=["form"] if is_htmx(request) else None)


def _by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped


# ---------------------------------------------------------------- coordinators

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _require_coordinator(user: CurrentUser) -> None:
    if user.role not in {t.Role.COORDINATOR, t.Role.ADMIN}:
        raise HTTPException(status_code=403, detail="Réservé à la coordination.")


@router.get("/dashboard")
def dashboard(request: Request, user: User) -> Response:
    """Cohorts of the user's schools with their exits, the import and outcome forms."""
    _require_coordinator(user)
    records = records_of(request)
    with records._read() as session:
        query = select(t.Cohort, t.School).join(t.School).order_by(t.Cohort.starts_on.desc())
        if not user.is_admin:
            query = query.where(t.Cohort.school_id.in_(user.schools))
        cohorts = session.execute(query).all()
    stats = {int(s.key): s for s in records.outcome_stats("cohort")}
    items = [{"cohort": c, "school": s, "stats": stats.get(c.id)} for c, s in cohorts]
    return render(
        request,
        "dashboard.html",
        {"items": items, "exits": list(t.Exit), "message": request.query_params.get("ok")},
    )


@router.post("/cohorts/{cohort_id}/trainees")
async def import_trainees(request: Request, user: User, cohort_id: int) -> Response:
    """Add the trainees of an uploaded CSV or XLSX file: all of them, or none."""
    from core.tabular import TableImportError, parse_trainees, read_rows

    _require_coordinator(user)
    records = records_of(request)
    _cohort(records, user, cohort_id)
    form = await request.form()
    upload = form.get("file")
    problems: list[str] = []
    if upload is None or isinstance(upload, str) or not upload.filename:
        problems = ["Choisissez un fichier .csv ou .xlsx."]
    else:
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        try:
            trainees = parse_trainees(read_rows(upload.filename, data))
            added = Directory(records).add_trainees(cohort_id, trainees)
        except TableImportError as error:
            problems = error.problems
        except RecordError as error:
            problems = [str(error)]
    if problems:
        return render(
            request,
            "error.html",
            {"status": 400, "message": " ".join(["Aucun stagiaire importé.", *problems])},
            status_code=400,
        )
    return RedirectResponse(f"/dashboard?ok={len(added)}+stagiaire(s)+ajouté(s)", status_code=303)


@router.post("/trainees/{trainee_id}/outcome")
def record_outcome(
    request: Request,
    user: User,
    trainee_id: int,
    kind: Annotated[t.Exit, Form()],
    on: Annotated[dt.date, Form()],
    submit_id: Annotated[str, Form(max_length=40)],
    employer_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A trainee's exit (sortie): CDI, CDD, intérim, alternance, formation, sans solution."""
    _require_coordinator(user)
    records = records_of(request)
    _trainee(records, user, trainee_id)
    if not _valid_key(submit_id):
        raise HTTPException(status_code=400, detail="Formulaire invalide.")
    records.record_outcome(
        trainee_id,
        user.id,
        kind,
        on,
        f"exit:{submit_id}",
        employer_name=employer_name.strip() or None,
    )
    return RedirectResponse(f"/trainees/{trainee_id}", status_code=303)


# ---------------------------------------------------------------- comments, evidence, corrections


@router.post("/trainees/{trainee_id}/comments")
def add_comment(
    request: Request,
    user: User,
    trainee_id: int,
    text: Annotated[str, Form(max_length=4000)],
    submit_id: Annotated[str, Form(max_length=40)],
) -> Response:
    records = records_of(request)
    _trainee(records, user, trainee_id)
    if not _valid_key(submit_id):
        raise HTTPException(status_code=400, detail="Formulaire invalide.")
    records.record_comment(trainee_id, user.id, text, dt.date.today(), f"comment:{submit_id}")
    return RedirectResponse(f"/trainees/{trainee_id}#commentaires", status_code=303)


def _observation_scope(records: Records, user: CurrentUser, observation_id: int) -> t.Observation:
    with records._read() as session:
        row = session.execute(
            select(t.Observation, t.Cohort.school_id)
            .join(t.Cohort, t.Cohort.id == t.Observation.cohort_id)
            .where(t.Observation.id == observation_id)
        ).first()
    require_school(user, row[1] if row else None)
    assert row is not None
    return row[0]


@router.post("/observations/{observation_id}/evidence")
async def add_evidence(request: Request, user: User, observation_id: int) -> Response:
    """A photo (or PDF report) for an observation; size and type checked by the store."""
    records = records_of(request)
    observation = _observation_scope(records, user, observation_id)
    limit = records.settings.evidence_max_bytes
    if int(request.headers.get("content-length", "0")) > limit + 64 * 1024:
        raise RecordError(f"Fichier trop lourd : {limit // (1024 * 1024)} Mo au maximum.")
    form = await request.form()
    upload = form.get("photo")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise RecordError("Choisissez une photo.")
    data = await upload.read(limit + 1)
    records.add_evidence(observation_id, data, upload.filename, upload.content_type)
    return RedirectResponse(f"/trainees/{observation.trainee_id}#historique", status_code=303)


@router.post("/observations/{observation_id}/retract")
def retract(
    request: Request,
    user: User,
    observation_id: int,
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    """Cancel a mistaken entry: a new observation supersedes it; nothing is erased."""
    records = records_of(request)
    observation = _observation_scope(records, user, observation_id)
    records.retract(observation_id, user.id, reason, f"retract:{observation_id}")
    return RedirectResponse(f"/trainees/{observation.trainee_id}#historique", status_code=303)


# ---------------------------------------------------------------- user administration


def _require_admin(user: CurrentUser) -> None:
    if not user.is_admin:
        raise HTTPException(status_code=403, detail="Réservé à l'administration.")


def _users_view(records: Records) -> dict[str, Any]:
    with records._read() as session:
        users = session.scalars(select(t.User).order_by(t.User.name)).all()
        schools = session.scalars(select(t.School).order_by(t.School.name)).all()
        links = session.execute(select(t.UserSchool.user_id, t.UserSchool.school_id)).all()
    names = {school.id: school.name for school in schools}
    scopes: dict[int, list[str]] = {}
    for user_id, school_id in links:
        scopes.setdefault(user_id, []).append(names[school_id])
    return {
        "users": users,
        "schools": schools,
        "scopes": scopes,
        "roles": list(t.Role),
        "error": None,
        "form": {},
    }


@router.get("/admin/users")
def users_page(request: Request, user: User) -> Response:
    _require_admin(user)
    return render(request, "users.html", _users_view(records_of(request)))


@router.post("/admin/users")
async def create_user(request: Request, user: User) -> Response:
    _require_admin(user)
    records = records_of(request)
    form = await request.form()
    fields = {key: str(form.get(key, "")).strip() for key in ("email", "name", "password", "role")}
    try:
        role = t.Role(fields["role"])
        schools = [int(str(value)) for value in form.getlist("schools")]
        if not fields["name"]:
            raise RecordError("Le nom est obligatoire.")
        Directory(records).create_user(
            fields["email"], fields["name"], fields["password"], role, schools
        )
    except (ValueError, RecordError) as error:
        view = _users_view(records)
        message = str(error) if isinstance(error, RecordError) else "Rôle ou école invalide."
        view.update(error=message, form=fields)
        return render(request, "users.html", view, status_code=400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active")
def toggle_user(
    request: Request, user: User, user_id: int, active: Annotated[bool, Form()]
) -> Response:
    _require_admin(user)
    if user_id == user.id and not active:
        raise HTTPException(
            status_code=400, detail="Vous ne pouvez pas désactiver votre propre compte."
        )
    from core.directory import set_active

    set_active(records_of(request), user_id, active)
    request.app.state.sessions.clear()  # a deactivated user's sessions end now
    return RedirectResponse("/admin/users", status_code=303)


# ---------------------------------------------------------------- skill booklets


def _booklet(
    request: Request, user: CurrentUser, trainee_id: int, employer: str, territory: str
) -> Any:
    from core.booklet import verified_booklet

    records = records_of(request)
    _trainee(records, user, trainee_id)
    try:  # with its verification QR code: a downloaded booklet is handed to employers too
        return verified_booklet(
            records.catalog,
            records.trainee_record(trainee_id),
            records.settings,
            employer=employer or None,
            territory=territory or None,
            pm=request.app.state.plugins,
        )
    except KeyError:
        raise HTTPException(status_code=404, detail="Employeur ou territoire inconnu.") from None


@router.get("/trainees/{trainee_id}/booklet")
def booklet_preview(
    request: Request, user: User, trainee_id: int, employer: str = "", territory: str = ""
) -> Response:
    """The booklet in the browser: the same HTML that is printed."""
    from core.booklet import render_html

    data = _booklet(request, user, trainee_id, employer, territory)
    return Response(
        render_html(data, inline_css=False, stylesheet_href="/booklet.css"),
        media_type="text/html; charset=utf-8",
    )


@router.get("/trainees/{trainee_id}/booklet.pdf")
def booklet_pdf(
    request: Request, user: User, trainee_id: int, employer: str = "", territory: str = ""
) -> Response:
    from core.booklet import booklet_filename, cached_pdf

    data = _booklet(request, user, trainee_id, employer, territory)
    pdf = cached_pdf(data, records_of(request).settings.data_dir / "booklets")
    return _pdf_response(pdf, booklet_filename(trainee_id, data.trainee))


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/booklet.css", include_in_schema=False)
def booklet_stylesheet() -> Response:
    from core.booklet import stylesheet

    return Response(stylesheet(), media_type="text/css")


@router.get("/verify/{token}")
def verify_booklet(request: Request, token: str) -> Response:
    """Public: what an employer sees after scanning a booklet's QR code. No sign-in: the
    signed token is the authorisation, and it shows only the booklet's key facts."""
    from core.booklet import build_booklet
    from core.verification import InvalidToken, content_key, verify

    records = records_of(request)
    try:
        claim = verify(token, records.settings.signing_key())
    except InvalidToken as error:
        return render(request, "verify.html", {"error": str(error)}, status_code=400)
    try:
        record = records.trainee_record(claim.trainee)
    except RecordError:
        return render(
            request,
            "verify.html",
            {"error": "Ce livret ne correspond à aucun dossier."},
            status_code=404,
        )
    if record.trainee.erased:
        return render(
            request,
            "verify.html",
            {"error": "Le ou la titulaire de ce livret a exercé son droit à l'effacement."},
        )
    data = build_booklet(
        records.catalog,
        record,
        employer=claim.employer,
        territory=claim.territory,
        pm=request.app.state.plugins,
        today=claim.issued,
    )
    return render(
        request,
        "verify.html",
        {
            "claim": claim,
            "data": data,
            "error": None,
            "current": content_key(data) == claim.content,
        },
    )


@router.post("/trainees/{trainee_id}/booklet/share")
def share_booklet(
    request: Request,
    user: User,
    trainee_id: int,
    employer: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """A coordinator makes an expiring link that lets one employer download the booklet."""
    from core.verification import Claim, sign

    _require_coordinator(user)
    records = records_of(request)
    _trainee(records, user, trainee_id)
    if employer and employer not in records.catalog.employers:
        raise HTTPException(status_code=404, detail="Employeur inconnu.")
    settings = records.settings
    today = dt.date.today()
    claim = Claim(
        purpose="share",
        trainee=trainee_id,
        employer=employer or None,
        content="",
        issued=today,
        expires=today + dt.timedelta(days=settings.share_days),
    )
    url = f"{settings.public_url.rstrip('/')}/share/{sign(claim, settings.signing_key())}"
    return render(request, "share.html", {"url": url, "claim": claim, "trainee_id": trainee_id})


@router.get("/share/{token}")
def shared_booklet(request: Request, token: str) -> Response:
    """Public: the booklet a coordinator shared, as a PDF, while the link is valid."""
    from core.booklet import booklet_filename, cached_pdf, verified_booklet
    from core.verification import InvalidToken, verify

    records = records_of(request)
    try:
        claim = verify(token, records.settings.signing_key(), purpose="share")
        record = records.trainee_record(claim.trainee)
    except (InvalidToken, RecordError) as error:
        return render(request, "verify.html", {"error": str(error)}, status_code=400)
    if record.trainee.erased:
        return render(
            request,
            "verify.html",
            {"error": "Le ou la titulaire de ce livret a exercé son droit à l'effacement."},
        )
    data = verified_booklet(
        records.catalog,
        record,
        records.settings,
        employer=claim.employer,
        pm=request.app.state.plugins,
    )
    pdf = cached_pdf(data, records.settings.data_dir / "booklets")
    return _pdf_response(pdf, booklet_filename(claim.trainee, data.trainee))


# ---------------------------------------------------------------- whole-cohort booklet exports


@dataclasses.dataclass
class Export:
    """A cohort's booklets being zipped in the background; polled by the page."""

    id: str
    cohort: int
    user: int
    total: int
    done: int = 0
    error: str | None = None
    path: Path | None = None
    finished: threading.Event = dataclasses.field(default_factory=threading.Event)


def _run_export(records: Records, export: Export, jobs: list[tuple[Any, str]]) -> None:
    import zipfile

    from core.booklet import cached_pdf

    folder = records.settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{export.id}.zip"
    try:
        with zipfile.ZipFile(target.with_suffix(".part"), "w") as archive:
            for data, name in jobs:
                archive.writestr(name, cached_pdf(data, records.settings.data_dir / "booklets"))
                export.done += 1
        target.with_suffix(".part").replace(target)
        export.path = target
    except Exception as error:  # reported on the page: the coordinator can try again
        export.error = f"Export interrompu : {error}"
    finally:
        export.finished.set()


@router.post("/cohorts/{cohort_id}/booklets")
def export_booklets(request: Request, user: User, cohort_id: int) -> Response:
    """Start zipping every booklet of a cohort; answers with the progress block."""
    from core.booklet import booklet_filename, verified_booklet

    _require_coordinator(user)
    records = records_of(request)
    _cohort(records, user, cohort_id)
    pm = request.app.state.plugins
    jobs = []
    for record in records.cohort_records(cohort_id):
        data = verified_booklet(records.catalog, record, records.settings, pm=pm)
        jobs.append((data, booklet_filename(record.trainee.id, record.trainee.full_name)))
    export = Export(id=uuid.uuid4().hex, cohort=cohort_id, user=user.id, total=len(jobs))
    request.app.state.exports[export.id] = export
    threading.Thread(target=_run_export, args=(records, export, jobs), daemon=True).start()
    return _export_page(request, export)


def _export_of(request: Request, user: CurrentUser, export_id: str) -> Export:
    export: Export | None = request.app.state.exports.get(export_id)
    if export is None or (export.user != user.id and not user.is_admin):
        raise HTTPException(status_code=404, detail="Export introuvable.")
    return export


def _export_page(request: Request, export: Export) -> Response:
    return render(
        request,
        "export.html",
        {"export": export},
        blocks=["progress"] if is_htmx(request) else None,
    )


@router.get("/exports/{export_id}")
def export_progress(request: Request, user: User, export_id: str) -> Response:
    return _export_page(request, _export_of(request, user, export_id))


@router.get("/exports/{export_id}/download")
def export_download(request: Request, user: User, export_id: str) -> Response:
    from fastapi.responses import FileResponse

    export = _export_of(request, user, export_id)
    if export.path is None:
        raise HTTPException(status_code=404, detail="L'export n'est pas encore prêt.")
    return FileResponse(
        export.path, media_type="application/zip", filename=f"livrets-promotion-{export.cohort}.zip"
    )

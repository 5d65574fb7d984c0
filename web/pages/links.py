"""Pages opened without an account: the host company's tutor (``/tuteur/<code>``) and the
trainee (``/moi``: the code typed once, then kept in a cookie, out of the address).

The code is the authorisation, and it reaches exactly one placement (a tutor's) or one trainee
(a trainee's): every route reads the trainee and the placement from the link, never from the
request. An unknown, altered, expired or revoked code is answered with a French page and
stores nothing; unknown codes count against the address like failed sign-ins (rate limit).
Forms carry a token derived from the link (they have no session to hold a CSRF token).
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.attendance.sessions import planned_hours
from core.catalog.definitions import Phase
from core.domain import RecordError
from core.followup.opinions import QUESTIONNAIRES, SCALE, due
from core.followup.plans import entry_file
from core.immersion.placements import (
    AccessLink,
    CompanyResult,
    EntryKind,
    Hiring,
    LinkKind,
    Rating,
    appraisal_criteria,
    form_token,
    normalised,
    week_of,
)
from core.immersion.record import immersion
from web.deps import gestes_of
from web.rendering import render
from web.security import LoginLimiter

router = APIRouter(tags=["pages"])

Note = Annotated[str, Form(max_length=2000)]
Token = Annotated[str, Form(max_length=64)]
UNKNOWN = (
    "Lien inconnu ou incomplet : vérifiez qu'il a été copié en entier, "
    "ou demandez-en un nouveau à l'école."
)


def _limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.link_limiter
    return limiter


def throttled_guess(request: Request) -> None:
    """A code that opens nothing, counted against its address (429 once blocked).

    Only guesses are throttled: a genuine code always opens, whatever the address's count
    (one person's wrong guesses locked a whole school's network out for a quarter of an
    hour). What protects a code is its length, 58 to 128 bits: years of requests at any
    rate a server answers; the limit only slows an enumeration."""
    address = f"ip:{request.client.host if request.client else '?'}"
    limiter = _limiter(request)
    limiter.refuse_if_blocked(address)
    limiter.failed(address)


def opened_or_refused(request: Request, link: Any, today: dt.date) -> Any:
    """A link found by its code (an auditor's, a partner's questionnaire), or a refusal:
    404 for a code that opens nothing (a guess, throttled), 410 with why it no longer opens."""
    if link is None:
        throttled_guess(request)
        raise HTTPException(status_code=404, detail=UNKNOWN)
    refusal = link.refusal(today)
    if refusal:
        raise HTTPException(status_code=410, detail=refusal)
    return link


def opened_link(request: Request, code: str, kind: LinkKind) -> AccessLink:
    """The link ``code`` opens, or a refusal page (HTTPException) saying why."""
    link = gestes_of(request).store.placements.open_link(code[:64])
    if link is None or link.kind is not kind:
        throttled_guess(request)
        raise HTTPException(status_code=404, detail=UNKNOWN)
    refusal = link.refusal(dt.date.today())
    if refusal:
        raise HTTPException(status_code=410, detail=refusal)
    return link


def check_token(request: Request, code: str, sent: str) -> None:
    expected = form_token(gestes_of(request).settings.signing_key(), code)
    if not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="Formulaire périmé : rechargez la page.")


def _refused(request: Request, code: str, error: RecordError, anchor: str) -> Response:
    """A value the store refused: the page again, the message beside the field."""
    return _tutor_page(request, code, errors={error.field or "": str(error)}, anchor=anchor)


# ---------------------------------------------------------------- the tutor


@router.get("/tuteur/{code}")
def tutor_page(request: Request, code: str) -> Response:
    """The tutor's page: objectives to observe, attendance by week, the appraisal to sign."""
    return _tutor_page(request, code)


def _tutor_page(request: Request, code: str, status: int = 200, **extra: Any) -> Response:
    gestes = gestes_of(request)
    link = opened_link(request, code, LinkKind.TUTOR)
    store = gestes.store
    placement = store.placements.get(link.placement_id or 0)
    found = store.lookup.trainee(link.trainee_id)
    if placement is None or found is None:
        raise HTTPException(status_code=404, detail=UNKNOWN)
    trainee, cohort = found
    criteria = appraisal_criteria(gestes.plugins, cohort.sector)
    view = immersion(placement, store.placements.entries(trainee.id), criteria)
    today = dt.date.today()
    weeks: list[dt.date] = []
    monday = week_of(placement.starts_on)
    while monday <= min(placement.ends_on, today) and len(weeks) < 60:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    context = {
        "code": code,
        "token": form_token(gestes.settings.signing_key(), code),
        "first_name": trainee.first_name,
        "found": view,
        "criteria": criteria,
        "ratings": list(Rating),
        "hiring": list(Hiring),
        "results": list(CompanyResult),
        "weeks": list(reversed(weeks)),
        "recorded": {w.week: w for w in view.weeks},
        "errors": {},
        "opinion": QUESTIONNAIRES["tuteur"],
        "opinion_given": store.opinions.given(f"tutor:{placement.id}"),
        "faces": SCALE,
        "saved": request.query_params.get("ok", ""),
        **extra,
    }
    return render(
        request, "tutor.html", context, status_code=status if not extra.get("errors") else 400
    )


@router.post("/tuteur/{code}/observations")
def tutor_observation(
    request: Request,
    code: str,
    token: Token,
    objective: Annotated[int, Form(ge=1, le=40)],
    result: Annotated[str, Form(max_length=20)],
    note: Note = "",
) -> Response:
    link = opened_link(request, code, LinkKind.TUTOR)
    check_token(request, code, token)
    try:
        _add(
            request,
            link,
            EntryKind.COMPANY_OBSERVATION,
            {"result": result, "note": note.strip()},
            str(objective),
        )
    except RecordError as error:
        return _refused(request, code, error, f"objectif-{objective}")
    return RedirectResponse(
        f"/tuteur/{code}?ok=objectif-{objective}#objectif-{objective}", status_code=303
    )


@router.post("/tuteur/{code}/attendance")
def tutor_attendance(
    request: Request,
    code: str,
    token: Token,
    week: Annotated[dt.date, Form()],
    hours: Annotated[float, Form(ge=0, le=60)],
    days_absent: Annotated[int, Form(ge=0, le=7)] = 0,
) -> Response:
    link = opened_link(request, code, LinkKind.TUTOR)
    check_token(request, code, token)
    payload = {"hours": hours, "days_absent": days_absent}
    try:
        _add(request, link, EntryKind.ATTENDANCE, payload, week_of(week).isoformat())
    except RecordError as error:
        return _refused(request, code, error, "presence")
    return RedirectResponse(f"/tuteur/{code}?ok=presence#presence", status_code=303)


@router.post("/tuteur/{code}/appraisal")
async def tutor_appraisal(request: Request, code: str) -> Response:
    """The appraisal grid (one choice per criterion), the text for the booklet, the hiring
    intention (for the school only), signed with the tutor's name and a consent box."""
    link = opened_link(request, code, LinkKind.TUTOR)
    form = await request.form()
    check_token(request, code, str(form.get("token", ""))[:64])
    ratings = {
        key[2:]: str(value)[:20]
        for key, value in form.items()
        if key.startswith("r_") and len(key) <= 42 and value
    }
    payload = {
        "ratings": ratings,
        "text": str(form.get("text", "")).strip()[:2001],
        "hiring": str(form.get("hiring", ""))[:20],
        "consent": form.get("consent") == "on",
    }
    signer = str(form.get("signer", ""))[:201]
    try:
        _add(request, link, EntryKind.APPRAISAL, payload, "", signer=signer)
    except RecordError as error:
        return _refused(request, code, error, "appreciation")
    return RedirectResponse(f"/tuteur/{code}?ok=appreciation#appreciation", status_code=303)


def _add(
    request: Request,
    link: AccessLink,
    kind: EntryKind,
    payload: dict[str, Any],
    subject: str,
    signer: str | None = None,
) -> None:
    """Append an entry through a link, attributed to it (and to the name typed, if any)."""
    gestes_of(request).store.placements.add(
        link.trainee_id,
        kind,
        payload,
        subject=subject,
        placement_id=link.placement_id,
        signer=signer,
        link=link,
    )


# ---------------------------------------------------------------- the trainee

# The trainee's code rides in a cookie, never in the address: on a floor's shared tablet the
# history and the address bar would hand it to the next person. It lasts half an hour from
# the last page (each page renews it), and « Quitter » ends it at once.
ME_COOKIE = "gestes_moi"
ME_MINUTES = 30


def _remember(response: Response, request: Request, code: str) -> Response:
    response.set_cookie(
        ME_COOKIE,
        code,
        max_age=ME_MINUTES * 60,
        path="/moi",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def my_code(request: Request) -> str:
    """The code the trainee opened their page with (the cookie), or a refusal page."""
    code = request.cookies.get(ME_COOKIE, "")
    if not code:
        raise HTTPException(status_code=404, detail=UNKNOWN)
    return code[:64]


@router.get("/moi")
def trainee_page(request: Request) -> Response:
    """The trainee's own progress in plain words, their self-assessment, the tutor's
    appraisal, and the booklet to sign; the form to type a code when none is held."""
    code = request.cookies.get(ME_COOKIE)
    if not code:
        left = request.query_params.get("quitte") == "1"
        return render(request, "me_code.html", {"error": "", "left": left})
    try:
        link = opened_link(request, code[:64], LinkKind.TRAINEE)
    except HTTPException as refusal:  # expired or withdrawn since: typed again
        if refusal.status_code == 429:
            raise
        page = render(request, "me_code.html", {"error": refusal.detail}, status_code=400)
        page.delete_cookie(ME_COOKIE, path="/moi")
        return page
    return _remember(_me(request, code[:64], link), request, code[:64])


def _me(request: Request, code: str, link: AccessLink) -> Response:
    gestes = gestes_of(request)
    store = gestes.store
    record = store.records.trainee_record(link.trainee_id)
    sector = gestes.catalog_for(record.trainee).sectors[record.trainee.sector]
    return render(
        request,
        "me.html",
        {
            "token": form_token(gestes.settings.signing_key(), code),
            "record": record,
            "sector": sector,
            "scale": sector.curriculum.scale,
            "journey": gestes.immersion_record(link.trainee_id),
            "attendance": store.attendance.trainee_hours(link.trainee_id),
            "planned": planned_hours(sector.curriculum, record.trainee.planned_hours),
            "phases": list(Phase),
            "saved": request.query_params.get("ok", ""),
            "minutes": ME_MINUTES,
            "since": entry_file(gestes, link.trainee_id, record).since,
            "opinions": [
                (QUESTIONNAIRES[kind], store.opinions.given(f"trainee:{link.trainee_id}:{kind}"))
                for kind in due(record.trainee.ends_on, dt.date.today())
            ],
            "faces": SCALE,
            # this code's own outbox on the device (never the code itself: it is a cookie's)
            "outbox_scope": f"moi:{form_token(gestes.settings.signing_key(), code)}",
        },
    )


@router.post("/moi")
def trainee_code_entered(request: Request, code: Annotated[str, Form(max_length=40)]) -> Response:
    try:
        opened_link(request, normalised(code), LinkKind.TRAINEE)  # refused here, said in the form
    except HTTPException as refusal:
        if refusal.status_code == 429:
            raise
        return render(request, "me_code.html", {"error": refusal.detail}, status_code=400)
    return _remember(RedirectResponse("/moi", status_code=303), request, normalised(code))


@router.get("/moi/{code}")
def trainee_link(request: Request, code: str) -> Response:
    """A code in an address (a link sent earlier): kept in the cookie, then out of sight."""
    opened_link(request, code, LinkKind.TRAINEE)
    return _remember(RedirectResponse("/moi", status_code=303), request, code[:64])


@router.post("/moi/quitter")
def trainee_leaves(request: Request) -> Response:
    """« Quitter »: the page closed on this device (a shared tablet); the code still works."""
    response = RedirectResponse("/moi?quitte=1", status_code=303)
    response.delete_cookie(ME_COOKIE, path="/moi")
    return response


@router.post("/moi/self-assessments")
def trainee_self_assessment(
    request: Request,
    token: Token,
    competency: Annotated[str, Form(max_length=120)],
    can: Annotated[bool, Form()],
) -> Response:
    """« Je sais faire / pas encore »: the trainee's word, never evidence by itself."""
    code = my_code(request)
    link = opened_link(request, code, LinkKind.TRAINEE)
    check_token(request, code, token)
    gestes = gestes_of(request)
    found = gestes.store.lookup.trainee(link.trainee_id)
    entry = gestes.catalog_for(found[1]).entries.get(competency) if found else None
    if (
        found is None
        or entry is None
        or entry.kind != "competency"
        or entry.sector != found[1].sector
    ):
        raise HTTPException(status_code=404, detail="Compétence inconnue pour cette formation.")
    _add(request, link, EntryKind.SELF_ASSESSMENT, {"can": can}, competency)
    return RedirectResponse("/moi?ok=auto#auto", status_code=303)


@router.post("/moi/progression")
def trainee_shows_progress(
    request: Request, token: Token, shown: Annotated[bool, Form()]
) -> Response:
    """The trainee's choice: their progress since entry in their booklet, or no longer."""
    code = my_code(request)
    link = opened_link(request, code, LinkKind.TRAINEE)
    check_token(request, code, token)
    _add(request, link, EntryKind.PROGRESS_SHOWN, {"shown": shown}, "")
    return RedirectResponse("/moi?ok=entree#entree", status_code=303)


@router.post("/moi/signature")
def trainee_signature(
    request: Request,
    token: Token,
    signer: Annotated[str, Form(max_length=200)] = "",
    consent: Annotated[bool, Form()] = False,
) -> Response:
    code = my_code(request)
    link = opened_link(request, code, LinkKind.TRAINEE)
    check_token(request, code, token)
    try:
        _add(
            request,
            link,
            EntryKind.TRAINEE_SIGNATURE,
            {"consent": consent},
            "",
            signer=signer or None,
        )
    except RecordError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return RedirectResponse("/moi?ok=signature#signature", status_code=303)

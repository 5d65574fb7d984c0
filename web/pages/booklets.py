"""Skill booklets on the web: preview, download, verification and sharing links, and a
whole cohort's booklets zipped in the background."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from core.booklet.jobs import JobState
from core.domain import RecordError
from core.french import SCHOOL_TIME
from web.actions import withdraw_booklet
from web.contract import served_as
from web.deps import (
    Id,
    User,
    cohort_of,
    gestes_of,
    is_htmx,
    require_coordinator,
    served_at,
    store_of,
    trainee_of,
)
from web.pages.trainee import opened_at
from web.rendering import render
from web.security import CurrentUser

if TYPE_CHECKING:
    from core.booklet.identity import Identity

router = APIRouter(tags=["pages"])
Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]  # a school's short name
ERASED = "Le ou la titulaire de ce livret a exercé son droit à l'effacement."


# ---------------------------------------------------------------- skill booklets


def _booklet(
    request: Request, user: CurrentUser, trainee_id: Id, employer: str, territory: str
) -> Any:
    from core.booklet.handing import verified_booklet

    gestes = gestes_of(request)
    store = gestes.store
    trainee_of(store, user, trainee_id)
    try:  # with its verification QR code: a downloaded booklet is handed to employers too
        return verified_booklet(
            gestes,
            store.records.trainee_record(trainee_id),
            employer=employer or None,
            territory=territory or None,
            served_at=served_at(request),
        )
    except KeyError:
        raise HTTPException(status_code=404, detail="Employeur ou territoire inconnu.") from None


@router.get("/trainees/{trainee_id}/booklet")
def booklet_preview(
    request: Request, user: User, trainee_id: Id, employer: str = "", territory: str = ""
) -> Response:
    """The booklet in the browser: the same HTML that is printed."""
    from core.booklet.printing import render_html

    data = _booklet(request, user, trainee_id, employer, territory)
    return Response(
        render_html(data, inline_css=False, stylesheet_href="/booklet.css"),
        media_type="text/html; charset=utf-8",
    )


@router.get(
    "/trainees/{trainee_id}/booklet.pdf",
    response_class=Response,
    responses=served_as("application/pdf", "The signed PDF/A-3b booklet"),
)
def booklet_pdf(
    request: Request, user: User, trainee_id: Id, employer: str = "", territory: str = ""
) -> Response:
    from core.booklet.printing import booklet_filename, cached_pdf

    data = _booklet(request, user, trainee_id, employer, territory)
    gestes = gestes_of(request)
    identity = gestes.trainee_identity(trainee_id)
    pdf = cached_pdf(data, gestes.store.files.within("booklets"), identity)
    return _pdf_response(pdf, booklet_filename(trainee_id, data.trainee))


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/booklet.css", include_in_schema=False)
def booklet_stylesheet() -> Response:
    from core.booklet.printing import stylesheet

    return Response(stylesheet(), media_type="text/css")


@router.get("/issuer", response_class=JSONResponse)
def issuer_profile(request: Request) -> dict[str, Any]:
    """Public: the Open Badges issuer profile the booklets' signed credentials name (their
    ``issuer.id`` is this address), with the key that verifies them."""
    return _profile(request, gestes_of(request).identity(None))


@router.get("/issuer/ecole/{slug}", response_class=JSONResponse)
def school_issuer_profile(request: Request, slug: Slug) -> dict[str, Any]:
    """Public: the issuer profile of a school that signs with its own certificate."""
    return _profile(request, _school_identity(request, slug))


def _profile(request: Request, identity: Identity) -> dict[str, Any]:
    from core.booklet.badges import issuer_id

    address = gestes_of(request).settings.address(served_at(request))
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": issuer_id(address, identity),
        "type": ["Profile"],
        "name": identity.name,
        "url": address,
        "description": "Écoles du réseau : livrets de compétences et Open Badges signés.",
    }


def _school_identity(request: Request, slug: str) -> Identity:
    """The identity of the school with that short name, if it signs with its own."""
    gestes = gestes_of(request)
    school = next((s for s in gestes.store.lookup.schools() if s.slug == slug), None)
    if school is None or not school.signing_certificate:
        raise HTTPException(status_code=404, detail="Introuvable.")
    return gestes.identity(school.id)


@router.get(
    "/status/revocation",
    response_class=Response,
    responses=served_as("application/vc+jwt", "The badges' revocation list, signed"),
)
def revocation_list(request: Request) -> Response:
    """Public: the badges' revocation list (W3C Bitstring Status List, signed VC-JWT): a
    badge names its bit; a booklet withdrawn by its school sets it."""
    from core.booklet.badges import status_list

    gestes = gestes_of(request)
    revoked, highest = gestes.store.verifications.revoked_indexes()
    address = gestes.settings.address(served_at(request))
    signed = status_list(address, revoked, highest, gestes.identity(None))
    return Response(signed, media_type="application/vc+jwt", headers={"Cache-Control": "no-cache"})


@router.get("/issuer/key", response_class=JSONResponse)
def issuer_key(request: Request) -> dict[str, Any]:
    """Public: the key (JWK) the badges are signed with — the ``kid`` of every VC-JWT."""
    from core.booklet.badges import public_key

    return public_key(gestes_of(request).identity(None))


@router.get("/issuer/ecole/{slug}/key", response_class=JSONResponse)
def school_issuer_key(request: Request, slug: Slug) -> dict[str, Any]:
    """Public: the key of a school that signs its badges with its own certificate."""
    from core.booklet.badges import public_key

    return public_key(_school_identity(request, slug))


@router.get("/v/{code}")
def verify_short(request: Request, code: str) -> Response:
    """Public: what an employer sees after scanning a booklet's QR code (or typing its short
    link). No sign-in: the code is the authorisation; unknown codes are throttled per
    address like the tutors' links. It never expires; a booklet the school withdrew says so."""
    from core.booklet.verification import Handed

    gestes = gestes_of(request)
    address = f"ip:{request.client.host if request.client else '?'}"
    limiter = request.app.state.link_limiter
    handed: Handed | None = gestes.store.verifications.get(code[:20].lower())
    if handed is None:  # only guesses are throttled: a genuine code always answers
        limiter.refuse_if_blocked(address)
        limiter.failed(address)
        error = "Ce lien de vérification ne correspond à aucun livret : vérifiez-le."
        return render(request, "verify.html", {"error": error}, status_code=404)
    if handed.revoked_at is not None:
        withdrawn = handed.revoked_at.astimezone(SCHOOL_TIME)
        error = f"Ce livret a été retiré par l'école le {withdrawn:%d/%m/%Y} : il ne vaut plus."
        return render(request, "verify.html", {"error": error}, status_code=410)
    return _verify_page(request, handed, expires=None)


@router.post("/v/{code}")
async def check_booklet_file(request: Request, code: str) -> Response:
    """Public: the PDF an employer or an auditor holds, dropped on the verification page,
    says whether it is this booklet exactly as the school signed it. Read, checked and
    forgotten: never stored. (No session, nothing changed: no CSRF token to ask for.)"""
    from core.booklet.signing import file_check

    gestes = gestes_of(request)
    handed = gestes.store.verifications.get(code[:20].lower())
    if handed is None:
        return verify_short(request, code)  # the same throttled refusal as for a GET
    form = await request.form()
    upload = form.get("livret")
    if upload is None or isinstance(upload, str):
        checked = (False, "Choisissez le fichier PDF du livret.")
        digest = ""
    else:
        pdf = await upload.read(gestes.settings.evidence_max_bytes + 1)
        digest = hashlib.sha256(pdf).hexdigest()
        identity = gestes.trainee_identity(handed.trainee)
        checked = await anyio.to_thread.run_sync(file_check, pdf, identity, handed.code)
    if handed.revoked_at is not None:
        return verify_short(request, code)
    return _verify_page(request, handed, expires=None, checked=(*checked, digest))


@router.get("/verify/{token}")
def verify_booklet(request: Request, token: str) -> Response:
    """Public: the signed links of booklets printed before the short codes (still honoured
    until their expiry)."""
    from core.booklet.verification import Handed, InvalidToken, verify

    gestes = gestes_of(request)
    try:
        claim = verify(token, gestes.settings.signing_key())
    except InvalidToken as error:
        return render(request, "verify.html", {"error": str(error)}, status_code=400)
    handed = Handed(
        code="",
        trainee=claim.trainee,
        employer=claim.employer,
        territory=claim.territory,
        content=claim.content,
        issued=claim.issued,
    )
    return _verify_page(request, handed, expires=claim.expires)


def _verify_page(
    request: Request,
    handed: Any,
    expires: dt.date | None,
    checked: tuple[bool, str, str] | None = None,
) -> Response:
    """Rebuild the booklet as it stands today and say whether the paper is authentic and
    still current, with a summary of what it shows and its fingerprint."""
    from core.booklet.handing import booklet_of
    from core.booklet.signing import certificate_fingerprint
    from core.booklet.verification import changes_since, content_key

    gestes = gestes_of(request)
    try:
        record = gestes.store.records.trainee_record(handed.trainee)
    except RecordError:
        error = "Ce livret ne correspond à aucun dossier."
        return render(request, "verify.html", {"error": error}, status_code=404)
    if record.trainee.erased:
        return render(request, "verify.html", {"error": ERASED})
    today = booklet_of(
        gestes, record, employer=handed.employer, territory=handed.territory, today=handed.issued
    )
    data = _as_issued(handed.shown) or today
    identity = gestes.trainee_identity(handed.trainee)
    return render(
        request,
        "verify.html",
        {
            "handed": handed,
            "expires": expires,
            "data": data,
            "organisation": identity.organisation,
            "error": None,
            "current": content_key(today) == handed.content,
            "as_issued": data is not today,
            "changes": changes_since(data, today),
            "fingerprint": " ".join(handed.content[i : i + 4] for i in range(0, 32, 4)),
            "certificate": certificate_fingerprint(identity),
            "checked": checked,
        },
    )


def _as_issued(shown: dict[str, Any] | None) -> Any:
    """The paper's summary as it was issued; None for a code kept before summaries were, or
    in a shape this version no longer reads (its page then shows today's record, and says so)."""
    from pydantic import ValidationError

    from core.booklet.data import BookletData

    try:
        return BookletData.model_validate(shown) if shown else None
    except ValidationError:
        return None


@router.post("/trainees/{trainee_id}/booklet/share")
def share_booklet(
    request: Request,
    user: User,
    trainee_id: Id,
    employer: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """A coordinator makes an expiring link that lets one employer download the booklet: an
    opaque code kept by the store, so it can be withdrawn before it expires."""
    require_coordinator(user)
    gestes = gestes_of(request)
    store, catalog = gestes.store, gestes.catalog
    trainee_of(store, user, trainee_id)
    if employer and employer not in catalog.employers:
        raise HTTPException(status_code=404, detail="Employeur inconnu.")
    settings = gestes.settings
    share = store.shares.create(trainee_id, employer or None, settings.share_days, user.id)
    url = f"{settings.address(served_at(request))}/share/{share.code}"
    return render(request, "share.html", {"url": url, "share": share, "trainee_id": trainee_id})


@router.post("/shares/{code}/revoke")
def revoke_share(request: Request, user: User, code: str) -> Response:
    """Withdraw a sharing link: the employer's download answers that the school withdrew it."""
    require_coordinator(user)
    store = store_of(request)
    share = store.shares.find(code[:64])
    if share is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    trainee_of(store, user, share.trainee_id)  # the coordinator's own schools only
    store.shares.revoke(share.id)
    return RedirectResponse(opened_at(share.trainee_id, "partages"), status_code=303)


@router.post("/verifications/{code}/revoke")
def revoke_verification(request: Request, user: User, code: str) -> Response:
    """Withdraw a booklet handed out: its verification link then says it no longer holds."""
    trainee = withdraw_booklet(request, user, code)
    return RedirectResponse(opened_at(trainee, "livrets"), status_code=303)


@router.get("/share/{code}")
def shared_booklet(request: Request, code: str) -> Response:
    """Public: the booklet a coordinator shared, as a PDF, while the link is valid and not
    withdrawn. The code is the authorisation; it names nothing."""
    from core.booklet.handing import verified_booklet
    from core.booklet.printing import booklet_filename, cached_pdf

    gestes = gestes_of(request)
    store = gestes.store
    share = store.shares.get(code[:40])
    address = f"ip:{request.client.host if request.client else '?'}"
    limiter = request.app.state.link_limiter
    if share is None:  # only guesses are throttled, like the tutors' and trainees' codes
        limiter.refuse_if_blocked(address)
        limiter.failed(address)
        return render(request, "verify.html", {"error": "Lien inconnu."}, status_code=404)
    refusal = share.refusal(dt.date.today())
    if refusal is not None:
        return render(request, "verify.html", {"error": refusal}, status_code=410)
    try:
        record = store.records.trainee_record(share.trainee_id)
    except RecordError as error:
        return render(request, "verify.html", {"error": str(error)}, status_code=404)
    if record.trainee.erased:
        return render(request, "verify.html", {"error": ERASED})
    data = verified_booklet(gestes, record, employer=share.employer, served_at=served_at(request))
    identity = gestes.trainee_identity(share.trainee_id)
    pdf = cached_pdf(data, gestes.store.files.within("booklets"), identity)
    return _pdf_response(pdf, booklet_filename(share.trainee_id, data.trainee))


# ---------------------------------------------------------------- whole-cohort booklet exports


@router.post("/cohorts/{cohort_id}/booklets")
def export_booklets(request: Request, user: User, cohort_id: Id) -> Response:
    """Queue every booklet of a cohort, zipped (``core.booklet.jobs``), and go to its progress
    page (its own address: a reload or Back shows it again, never re-posts)."""
    from core.booklet.jobs import submit

    require_coordinator(user)
    gestes = gestes_of(request)
    cohort_of(gestes.store, user, cohort_id)
    job = submit(gestes, cohort_id, user.id, served_at(request))
    return RedirectResponse(f"/exports/{job}", status_code=303)


def _export_of(request: Request, user: CurrentUser, export_id: str) -> JobState:
    """The job, for the coordinator who asked (or an administrator), whichever process
    serves the page."""
    export = store_of(request).jobs.get(export_id[:32])
    if export is None or (export.user != user.id and not user.is_admin):
        raise HTTPException(status_code=404, detail="Export introuvable.")
    return export


def _export_page(request: Request, export: JobState) -> Response:
    gestes = gestes_of(request)
    unattended = (  # queued with no worker running: say so, rather than wait in silence
        export.state == "queued"
        and gestes.settings.jobs == "queue"
        and not gestes.store.jobs.workers_alive()
    )
    return render(
        request,
        "export.html",
        {"export": export, "unattended": unattended},
        blocks=["progress"] if is_htmx(request) else None,
    )


@router.get("/exports/{export_id}")
def export_progress(request: Request, user: User, export_id: str) -> Response:
    return _export_page(request, _export_of(request, user, export_id))


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses=served_as("application/zip", "A cohort's booklets"),
)
def export_download(request: Request, user: User, export_id: str) -> Response:
    from core.booklet.jobs import archive_of

    export = _export_of(request, user, export_id)
    archive = archive_of(gestes_of(request), export)
    if archive is None:
        raise HTTPException(status_code=404, detail="L'export n'est pas encore prêt.")
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": (f'attachment; filename="livrets-promotion-{export.cohort}.zip"')
        },
    )

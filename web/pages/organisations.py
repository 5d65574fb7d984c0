"""A school's legal body and signing certificate, set by the network's administration: the
organisation printed on its booklets, certificates and attendance sheets, and the certificate
they are signed with (made here in its name, its own seal given as PEM files, or the
installation's). Every change is kept and shown. The same store functions as the CLI
(``gestes school organisation``, ``gestes school certificate``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from core.domain import Organisation, RecordError, School
from web import forms
from web.deps import Id, User, gestes_of, require_admin
from web.rendering import render

router = APIRouter(tags=["pages"])
PEM_MAX_BYTES = 64 * 1024  # a key or a certificate with its chain fits many times over
FIELDS = ("name", "nda", "siret", "qualiopi", "contact")


def _school(request: Request, school_id: int) -> School:
    school = gestes_of(request).store.lookup.school(school_id)
    if school is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    return school


def _view(request: Request, school: School, **extra: Any) -> dict[str, Any]:
    from core.booklet.identity import installation_organisation
    from core.booklet.signing import certificate_fingerprint, certificate_name

    gestes = gestes_of(request)
    identity = gestes.identity(school.id)
    return {
        "school": school,
        "identity": identity,
        "default": installation_organisation(gestes.settings),
        "signer": certificate_name(identity.cert),
        "fingerprint": certificate_fingerprint(identity),
        "history": gestes.store.corrections.history("school", [school.id]),
        "form": {f: v or "" for f, v in zip(FIELDS, school.organisation.fields(), strict=True)},
        "errors": {},
        **extra,
    }


@router.get("/admin/schools/{school_id}/organisation")
def organisation_page(request: Request, user: User, school_id: Id) -> Response:
    require_admin(user)
    return render(request, "organisation.html", _view(request, _school(request, school_id)))


@router.post("/admin/schools/{school_id}/organisation")
async def save_organisation(request: Request, user: User, school_id: Id) -> Response:
    require_admin(user)
    school = _school(request, school_id)
    form = await request.form()
    errors: forms.Errors = {}
    values = {f: forms.text(form, f, errors, limit=300, required=False) for f in FIELDS}
    if not errors:
        try:
            organisations = gestes_of(request).store.organisations
            organisations.set(school_id, Organisation(**values), user.id)
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        view = _view(request, school, form=forms.values(form), errors=errors)
        return render(request, "organisation.html", view, status_code=400)
    return RedirectResponse(f"/admin/schools/{school_id}/organisation?enregistre=1", 303)


@router.post("/admin/schools/{school_id}/certificate")
async def set_certificate(request: Request, user: User, school_id: Id) -> Response:
    """``choice``: ``own`` (a certificate made now in the organisation's name), ``upload``
    (the school's own seal: key and certificate, PEM) or ``installation``."""
    require_admin(user)
    school = _school(request, school_id)
    gestes = gestes_of(request)
    form = await request.form()
    try:
        key, cert = await _pair(request, school, form)
        gestes.store.organisations.set_signing(school_id, key, cert, user.id)
    except RecordError as error:
        view = _view(request, school, certificate_errors=forms.refusal(error))
        return render(request, "organisation.html", view, status_code=400)
    return RedirectResponse(f"/admin/schools/{school_id}/organisation?signature=1", 303)


async def _pair(request: Request, school: School, form: Any) -> tuple[bytes | None, str | None]:
    from core.booklet.identity import checked_pair, new_certificate

    choice = str(form.get("choice") or "")
    if choice == "own":
        name = gestes_of(request).identity(school.id).organisation.name or school.name
        return new_certificate(name)
    if choice == "upload":
        return checked_pair(await _pem(form, "key"), await _pem(form, "cert"))
    if choice == "installation":
        return None, None
    raise RecordError("Choisissez une des trois façons de signer.", "choice")


async def _pem(form: Any, field: str) -> bytes:
    upload = form.get(field)
    if upload is None or isinstance(upload, str):
        raise RecordError("Joignez la clé et le certificat (fichiers PEM).", field)
    data: bytes = await upload.read(PEM_MAX_BYTES + 1)
    if len(data) > PEM_MAX_BYTES:
        raise RecordError("Fichier trop grand pour une clé ou un certificat (64 Ko).", field)
    return data

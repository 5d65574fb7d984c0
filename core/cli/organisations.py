"""``gestes school organisation`` and ``gestes school certificate``: a school's legal body and
the certificate its documents are signed with, as on the school's page (every change traced,
by « ligne de commande »)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.cli.common import Opener, refused

if TYPE_CHECKING:
    from core.context import Gestes
    from core.domain import School


def organisation_commands(school: typer.Typer, opener: Opener) -> None:
    @school.command("organisation")
    def school_organisation(
        school_id: Annotated[int, typer.Argument(help="School id.")],
        name: Annotated[str | None, typer.Option(help="The organisation's name.")] = None,
        nda: Annotated[str | None, typer.Option(help="NDA (11 digits).")] = None,
        siret: Annotated[str | None, typer.Option(help="SIRET (14 digits).")] = None,
        qualiopi: Annotated[str | None, typer.Option(help="Qualiopi certificate.")] = None,
        contact: Annotated[str | None, typer.Option(help="Who answers for it.")] = None,
        clear: Annotated[bool, typer.Option(help="Empty every field not given.")] = False,
    ) -> None:
        """Set the organisation printed on a school's booklets and documents (a field left
        empty takes the installation's GESTES_ORGANISATION_*); without options, show it."""
        from core.domain import Organisation

        gestes = opener.gestes()
        school: School = refused(lambda: _school(gestes, school_id))
        given = (name, nda, siret, qualiopi, contact)
        if any(v is not None for v in given) or clear:
            kept = school.organisation.fields()
            values = [
                g if g is not None else (None if clear else k)
                for g, k in zip(given, kept, strict=True)
            ]
            refused(lambda: gestes.store.organisations.set(school_id, Organisation(*values), None))
        identity = gestes.identity(school_id)
        typer.echo(identity.organisation.line or f"(none: « {school.name} » is printed)")

    @school.command("certificate")
    def school_certificate(
        school_id: Annotated[int, typer.Argument(help="School id.")],
        make: Annotated[bool, typer.Option(help="Make one in its organisation's name.")] = False,
        key: Annotated[Path | None, typer.Option(help="Its own key (PEM).")] = None,
        cert: Annotated[Path | None, typer.Option(help="Its own certificate (PEM).")] = None,
        installation: Annotated[bool, typer.Option(help="Sign with the installation's.")] = False,
    ) -> None:
        """Choose the certificate a school's documents are signed with; without options,
        show it (its name and SHA-256 fingerprint)."""
        from core.booklet.identity import checked_pair, new_certificate
        from core.booklet.signing import certificate_fingerprint, certificate_name

        gestes = opener.gestes()
        school: School = refused(lambda: _school(gestes, school_id))
        if sum((make, installation, key is not None or cert is not None)) > 1:
            raise typer.BadParameter("give --make, --key with --cert, or --installation")
        organisations = gestes.store.organisations
        if make:
            name = gestes.identity(school_id).organisation.name or school.name
            organisations.set_signing(school_id, *new_certificate(name), None)
        elif key or cert:
            if not (key and cert):
                raise typer.BadParameter("give both --key and --cert")
            own_key, own_cert = refused(lambda: checked_pair(key.read_bytes(), cert.read_bytes()))
            organisations.set_signing(school_id, own_key, own_cert, None)
        elif installation:
            organisations.set_signing(school_id, None, None, None)
        identity = gestes.identity(school_id)
        own = "its own" if identity.issuer != "/issuer" else "the installation's"
        typer.echo(f"Signed as « {certificate_name(identity.cert)} » ({own} certificate)")
        typer.echo(f"SHA-256 {certificate_fingerprint(identity)}")


def _school(gestes: Gestes, school_id: int) -> School:
    from core.domain import RecordError

    school = gestes.store.lookup.school(school_id)
    if school is None:
        raise RecordError(f"unknown school {school_id}")
    return school

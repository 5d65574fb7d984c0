"""Who answers for a school's documents and signs them: its organisation (name, NDA, SIRET,
Qualiopi, contact) and its key and certificate.

A school names its own legal body, or takes the installation's (``GESTES_ORGANISATION_*``);
it signs with its own certificate (made here in its name, or its own qualified seal given as
PEM files), or with the installation's (``core.booklet.signing.signing_files``). Booklets,
badges and attendance documents all ask ``identity_of`` for the school they are about; the
verification page trusts every certificate the school ever signed with, so that a booklet
signed before a change still verifies.

The school's key is read from the file store (``core.store.organisations``) into the data
directory once per machine, mode 0600, where pyHanko reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.booklet.signing import self_signed, signing_files
from core.domain import Organisation, RecordError, School
from core.settings import Settings
from core.store import certificate_digest, write_private

if TYPE_CHECKING:
    from core.store import Store


@dataclass(frozen=True)
class Identity:
    organisation: Organisation  # the school's over the installation's
    key: Path
    cert: Path
    issuer: str  # where its Open Badges profile is served: /issuer or /issuer/ecole/<slug>
    trusted: tuple[Path, ...]  # certificates its signed documents may carry

    @property
    def name(self) -> str:
        """The name it signs and issues badges under."""
        return self.organisation.name or "Gestes"


def installation_organisation(settings: Settings) -> Organisation:
    return Organisation(
        settings.organisation_name,
        settings.organisation_nda,
        settings.organisation_siret,
        settings.organisation_qualiopi,
        settings.organisation_contact,
    )


def installation_identity(settings: Settings) -> Identity:
    """The installation's: what a school without its own organisation and certificate uses."""
    key, cert = signing_files(settings)
    return Identity(installation_organisation(settings), key, cert, "/issuer", (cert,))


def identity_of(settings: Settings, store: Store, school: School | None) -> Identity:
    """The identity a school's documents carry (``None``: the installation's)."""
    default = installation_identity(settings)
    if school is None:
        return default
    organisation = school.organisation.over(default.organisation)
    if not school.signing_certificate:
        return Identity(organisation, default.key, default.cert, default.issuer, default.trusted)
    key, cert = _local_pair(settings, store, school.id, school.signing_certificate)
    earlier = [
        _local_certificate(settings, school.id, pem)
        for pem in store.organisations.certificates(school.id)
    ]
    trusted = tuple(dict.fromkeys([cert, *earlier, default.cert]))
    return Identity(organisation, key, cert, f"/issuer/ecole/{school.slug}", trusted)


def _local_pair(settings: Settings, store: Store, school_id: int, pem: str) -> tuple[Path, Path]:
    cert = _local_certificate(settings, school_id, pem.encode())
    key = cert.with_name(cert.name.replace(".cert.pem", ".key.pem"))
    if not key.exists():
        found = store.organisations.key(school_id, pem)
        if found is None:
            raise RecordError(
                "La clé du certificat de l'école est introuvable dans le stockage : "
                "donnez-lui à nouveau sa clé et son certificat, ou un nouveau certificat."
            )
        write_private(key, found)
    return key, cert


def _local_certificate(settings: Settings, school_id: int, pem: bytes) -> Path:
    digest = certificate_digest(pem.decode())
    path = settings.data_dir / "schools" / str(school_id) / f"{digest}.cert.pem"
    if not path.exists():
        write_private(path, pem)
    return path


def new_certificate(name: str) -> tuple[bytes, str]:
    """A key and a self-signed certificate in ``name`` for a school that has no seal of its
    own: its booklets are signed in its organisation's name."""
    key, cert = self_signed(name)
    return key, cert.decode()


def checked_pair(key_pem: bytes, cert_pem: bytes) -> tuple[bytes, str]:
    """A key and certificate a school gives (its own seal), checked to belong together, or
    a ``RecordError`` in words an administrator reads."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise RecordError("Le certificat n'est pas un fichier PEM lisible.", "cert") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise RecordError(
            "La clé n'est pas un fichier PEM lisible sans mot de passe.", "key"
        ) from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.PEM, public
    ) != certificate.public_key().public_bytes(serialization.Encoding.PEM, public):
        raise RecordError("Cette clé n'est pas celle du certificat.", "key")
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private, pem

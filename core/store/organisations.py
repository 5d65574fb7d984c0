"""Each school's legal body and its own signing identity, every change traced.

A network's schools are often as many legal bodies: each prints its own name, NDA, SIRET and
Qualiopi certificate on its booklets and documents, and may sign them with its own key. The
certificate (public) is kept on the school; its key in the file store, under the
certificate's digest, so that every machine of a network finds the same pair and a replaced
certificate never meets the key of another. Every certificate a school ever had stays in the
file store: a booklet signed before a change still verifies. Which fields fall back to the
installation's is ``Organisation.over``; making and reading keys is
``core.booklet.identity``.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.orm import Session

from core.domain import Organisation, RecordError
from core.store import tables as t
from core.store.changes import apply_changes, record_change
from core.store.database import Database
from core.store.files import FileStore

FOLDER = "keys/schools"
LIMITS = {"name": 200, "nda": 20, "siret": 20, "qualiopi": 100, "contact": 300}
LABELS = {
    "name": "organisme",
    "nda": "NDA",
    "siret": "SIRET",
    "qualiopi": "certificat Qualiopi",
    "contact": "contact de l'organisme",
}


def certificate_digest(certificate_pem: str) -> str:
    """The name a certificate and its key are kept under."""
    return hashlib.sha256(certificate_pem.strip().encode()).hexdigest()[:32]


def checked(organisation: Organisation) -> Organisation:
    """The organisation with its numbers in their usual spacing, or a ``RecordError`` naming
    the field: an NDA has 11 digits, a SIRET 14."""
    values: dict[str, str | None] = {}
    for field in LIMITS:
        value = (getattr(organisation, field) or "").strip() or None
        if value and len(value) > LIMITS[field]:
            raise RecordError(f"{LABELS[field]} : {LIMITS[field]} caractères au plus.", field)
        values[field] = value
    for field, digits, spacing in (("nda", 11, (2, 2, 5, 2)), ("siret", 14, (3, 3, 3, 5))):
        value = values[field]
        if value:
            bare = re.sub(r"[\s.]", "", value)
            if not (bare.isdigit() and len(bare) == digits):
                raise RecordError(f"Le {LABELS[field]} compte {digits} chiffres.", field)
            values[field] = _spaced(bare, spacing)
    return Organisation(**values)


def _spaced(digits: str, groups: tuple[int, ...]) -> str:
    parts, start = [], 0
    for size in groups:
        parts.append(digits[start : start + size])
        start += size
    return " ".join(parts)


class Organisations:
    def __init__(self, database: Database, files: FileStore) -> None:
        self._db = database
        self._files = files

    def set(self, school_id: int, organisation: Organisation, by: int | None) -> None:
        """The school's own organisation (a field left empty: the installation's)."""
        organisation = checked(organisation)
        with self._db.write() as session:
            school = _school(session, school_id)
            new = {f"organisation_{f}": getattr(organisation, f) for f in LIMITS}
            labels = {f"organisation_{f}": LABELS[f] for f in LIMITS}
            apply_changes(session, school, new, by, "school", school_id, labels)

    def set_signing(
        self, school_id: int, key_pem: bytes | None, certificate_pem: str | None, by: int | None
    ) -> None:
        """The school signs with this key and certificate from now on (``None``: with the
        installation's again). The caller checked that they belong together
        (``core.booklet.identity``); the key is kept before the school names its certificate,
        so no reader ever finds a certificate without its key."""
        if certificate_pem is not None:
            assert key_pem is not None
            digest = certificate_digest(certificate_pem)
            self._files.write(f"{FOLDER}/{school_id}/{digest}.key.pem", key_pem)
            self._files.write(f"{FOLDER}/{school_id}/{digest}.cert.pem", certificate_pem.encode())
        with self._db.write() as session:
            school = _school(session, school_id)
            before = school.signing_certificate
            school.signing_certificate = certificate_pem
            record_change(
                session, by, "school", school_id, school_id, "certificat de signature",
                before and certificate_digest(before),
                certificate_pem and certificate_digest(certificate_pem),
            )  # fmt: skip

    def key(self, school_id: int, certificate_pem: str) -> bytes | None:
        """The key of the school's certificate, from the file store."""
        digest = certificate_digest(certificate_pem)
        return self._files.read(f"{FOLDER}/{school_id}/{digest}.key.pem")

    def certificates(self, school_id: int) -> list[bytes]:
        """Every certificate the school signed with, current or earlier (PEM)."""
        names = self._files.names(f"{FOLDER}/{school_id}/")
        found = (self._files.read(name) for name in names if name.endswith(".cert.pem"))
        return [pem for pem in found if pem]


def _school(session: Session, school_id: int) -> t.School:
    school = session.get(t.School, school_id)
    if school is None:
        raise RecordError("École inconnue.")
    return school

"""A justified absence's proof — a photo of a sick note, a PDF — kept like evidence: checked by
its content (never its name or declared type alone), photos decoded and re-encoded (what
hides in them dropped), PDFs with active content refused, each file once under its SHA-256 in
its own folder of the file store. The sheet's entry names the file by that digest, inside its
hash: a proof swapped afterwards shows as a broken sheet."""

from __future__ import annotations

import hashlib

from core.domain import RecordError
from core.settings import Settings
from core.store.evidence import EvidenceFiles, cleaned, sniff
from core.store.files import FileStore


class Proofs:
    def __init__(self, settings: Settings, files: FileStore) -> None:
        self._settings = settings
        self._files = files  # the proofs' folder of the file store

    def keep(self, data: bytes, declared_type: str | None = None) -> tuple[str, str]:
        """Store a proof; its digest and media type. Slow for a large photo: called off the
        event loop."""
        if len(data) > self._settings.evidence_max_bytes:
            limit = self._settings.evidence_max_bytes // (1024 * 1024)
            raise RecordError(f"Fichier trop lourd : {limit} Mo au maximum.", "proof")
        media_type = sniff(data)
        if media_type is None or media_type not in self._settings.evidence_types:
            raise RecordError("Type de fichier refusé : photo JPEG, PNG ou WebP, ou PDF.", "proof")
        if declared_type and declared_type != media_type:
            raise RecordError("Le contenu du fichier ne correspond pas à son type.", "proof")
        data = cleaned(data, media_type)
        digest = hashlib.sha256(data).hexdigest()
        self._files.write_once(EvidenceFiles.name(digest), data)
        return digest, media_type

    def read(self, digest: str) -> bytes | None:
        return self._files.read(EvidenceFiles.name(digest))

    def delete(self, digests: set[str]) -> int:
        """Delete these proofs' files (their sheets purged); how many were there."""
        return sum(self._files.delete(EvidenceFiles.name(digest)) for digest in digests)

"""Evidence files (a photo of a splice, a certification report) attached to observations.

Files are stored once by content hash under the data directory, written before the row: a
failed insert leaves at most an unreferenced file, never a row without its file. The
browser's declared type is not trusted: the content is sniffed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from core.domain import RecordError
from core.settings import Settings
from core.store import tables as t
from core.store.database import Database
from core.store.files import FileStore
from core.store.observations import trainee_rows

_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def sniff(data: bytes) -> str | None:
    """The media type the content shows, or None for anything not accepted."""
    for media_type, signatures in _SIGNATURES.items():
        if data.startswith(signatures):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_ACTIVE_PDF = (b"/JavaScript", b"/JS", b"/OpenAction", b"/Launch", b"/EmbeddedFile", b"/AA")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond, a decompression bomb is more likely


def cleaned(data: bytes, media_type: str) -> bytes:
    """What is kept of an upload. A photo is decoded and encoded again by Pillow: its metadata
    (GPS position, camera, owner) and anything hidden after or inside it (an HTML or script
    polyglot) are gone; one Pillow cannot decode is refused. A PDF with active content
    (JavaScript, launch actions, embedded files) is refused."""
    if media_type == "application/pdf":
        if any(marker in data for marker in _ACTIVE_PDF) or _active_pdf(data):
            raise RecordError("PDF refusé : il contient du code ou des fichiers joints.")
        return data
    import io

    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise RecordError("Photo trop grande : 40 millions de pixels au plus.")
            upright = ImageOps.exif_transpose(image)  # the orientation kept, EXIF dropped
            if media_type == "image/jpeg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, format=_FORMATS[media_type], quality=90)
    except RecordError:
        raise
    except Exception:  # Pillow's many kinds: truncated, polyglot, bomb
        raise RecordError("Photo illisible : reprenez-la ou choisissez-en une autre.") from None
    return out.getvalue()


_ACTIVE_NAMES = frozenset(
    name.decode() for name in (*_ACTIVE_PDF, b"/RichMedia", b"/SubmitForm", b"/ImportData")
)
MAX_PDF_OBJECTS = 50_000  # an evidence PDF is a scan or an export: a few hundred objects


def _active_pdf(data: bytes) -> bool:
    """Whether the parsed PDF holds active content under any spelling: names are read decoded
    (``/J#61vaScript`` is ``/JavaScript``) and compressed object streams are read, which a
    search of the bytes misses. One that cannot be read, or is too large to walk, is refused."""
    import io

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        stack: list[object] = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        while stack:
            found = stack.pop()
            if isinstance(found, IndirectObject):
                if (found.idnum, found.generation) in seen:
                    continue
                seen.add((found.idnum, found.generation))
                if len(seen) > MAX_PDF_OBJECTS:
                    return True
                found = found.get_object()
            if isinstance(found, DictionaryObject):
                if _ACTIVE_NAMES.intersection(found.keys()) or found.get("/S") in _ACTIVE_NAMES:
                    return True
                stack.extend(found.values())
            elif isinstance(found, ArrayObject):
                stack.extend(found)
    except Exception:  # pypdf's many kinds: truncated, broken xref, loops
        return True
    return False


@dataclass(frozen=True)
class Attached:
    """A file attached to an observation, as the page that shows it needs it."""

    id: int
    trainee_id: int
    media_type: str
    filename: str
    name: str  # in the file store's evidence folder (core.store.files)

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


class EvidenceFiles:
    def __init__(self, database: Database, settings: Settings, files: FileStore) -> None:
        self._db = database
        self._settings = settings
        self._files = files  # the evidence folder of the file store

    def add(
        self, observation_id: int, data: bytes, filename: str, declared_type: str | None = None
    ) -> int:
        """Attach a file to an observation; returns the evidence id."""
        if len(data) > self._settings.evidence_max_bytes:
            limit = self._settings.evidence_max_bytes // (1024 * 1024)
            raise RecordError(f"Fichier trop lourd : {limit} Mo au maximum.")
        media_type = sniff(data)
        if media_type is None or media_type not in self._settings.evidence_types:
            raise RecordError("Type de fichier refusé : photo JPEG, PNG ou WebP, ou PDF.")
        if declared_type and declared_type != media_type:
            raise RecordError("Le contenu du fichier ne correspond pas à son type.")
        with self._db.read() as session:  # never a file for an erased trainee or no entry
            observation = session.get(t.Observation, observation_id)
            if observation is None:
                raise RecordError("La saisie à laquelle joindre le fichier n'existe pas.")
            trainee_rows(session, observation.trainee_id)
        data = cleaned(data, media_type)  # after the trainee check: never decode for nothing
        digest = hashlib.sha256(data).hexdigest()
        # Written first: a failed insert leaves only an orphan file, never a row without one.
        self._files.write_once(self.name(digest), data)
        with self._db.write() as session:
            observation = session.get(t.Observation, observation_id)
            if observation is None:
                raise RecordError("La saisie à laquelle joindre le fichier n'existe pas.")
            trainee_rows(session, observation.trainee_id)
            # The same file sent again (a tablet's outbox after a lost answer): stored once.
            same = session.scalar(
                select(t.Evidence.id).where(
                    t.Evidence.observation_id == observation_id, t.Evidence.sha256 == digest
                )
            )
            if same is not None:
                return int(same)
            row = t.Evidence(
                observation_id=observation_id,
                sha256=digest,
                size=len(data),
                media_type=media_type,
                filename=Path(filename).name[:200] or "fichier",
            )
            session.add(row)
            session.flush()
            return row.id

    def get(self, evidence_id: int) -> Attached | None:
        """A stored file with the trainee it belongs to (for the scope check), or None."""
        with self._db.read() as session:
            row = session.execute(
                select(t.Evidence, t.Observation.trainee_id)
                .join(t.Observation, t.Observation.id == t.Evidence.observation_id)
                .where(t.Evidence.id == evidence_id)
            ).first()
        if row is None:
            return None
        evidence, trainee_id = row
        return Attached(
            evidence.id,
            trainee_id,
            evidence.media_type,
            evidence.filename,
            self.name(evidence.sha256),
        )

    def content(self, attached: Attached) -> bytes | None:
        """The file's bytes, or None when it is gone (erased meanwhile)."""
        return self._files.read(attached.name)

    @staticmethod
    def name(digest: str) -> str:
        """Where a file is kept in the evidence folder (fanned out: no folder grows huge)."""
        return f"{digest[:2]}/{digest[2:4]}/{digest}"

    def delete_unused(self, digests: set[str]) -> int:
        """Delete files no evidence row points to any more; returns how many were deleted."""
        return sum(self._files.delete(self.name(digest)) for digest in digests)

"""Verification links printed in booklets (as a link and a QR code).

Booklets print a short link, ``/v/<code>``: an opaque code (``short_code``) the store keeps
with what the booklet showed (``Handed``, ``core.store.verifications``); it never expires and
the school can withdraw it. Booklets printed before carry a signed token, ``/verify/<token>``,
still honoured: a token says which booklet it vouches for (trainee, employer or territory)
and what it showed (the hash of its content); an HMAC-SHA256 with the deployment's secret
makes it unforgeable.
The verification page checks the signature and the expiry, rebuilds the booklet from today's
records and says whether the paper in the employer's hands is authentic and still current.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class InvalidToken(ValueError):
    """A token that is malformed, tampered with or expired. The message is French."""


class Claim(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Signed with the rest: a link made to share a booklet cannot pass as a verification
    # link, nor the other way round.
    purpose: str = "verify"
    trainee: int
    employer: str | None = None
    territory: str | None = None
    content: str  # content_key() of the booklet as printed
    issued: dt.date
    expires: dt.date


class Handed(BaseModel):
    """A booklet as it was handed out, behind its short verification code."""

    model_config = ConfigDict(frozen=True)

    code: str
    trainee: int
    employer: str | None = None
    territory: str | None = None
    content: str  # content_key() of the booklet as printed
    issued: dt.date  # the first time it was handed out
    revoked_at: dt.datetime | None = None
    shown: dict[str, Any] | None = None  # what it showed then (BookletData as JSON)
    status_index: int | None = None  # its bit in the badges' revocation list


# Lower-case letters and digits a reader will not confuse (no 0/o, 1/l/i).
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 14  # about 69 bits: guessing one is hopeless, and the QR code stays small


def short_code(
    key: bytes, trainee: int, employer: str | None, territory: str | None, content: str
) -> str:
    """The code of one booklet's content for one reader: the same booklet, the same code."""
    digest = hmac.new(
        key, f"verify:{trainee}:{employer or ''}:{territory or ''}:{content}".encode(), "sha256"
    ).digest()
    number = int.from_bytes(digest, "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def trainee_reference(key: bytes, trainee_id: int) -> str:
    """A trainee's opaque reference: keyed by the deployment's secret, so it reveals nothing
    and cannot be traced back to the internal id; stable for the same trainee. It names the
    credentials' subject and the trainee's cached booklets (so erasure finds them)."""
    import hmac

    return hmac.new(key, f"trainee:{trainee_id}".encode(), "sha256").hexdigest()[:24]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claim: Claim, key: bytes) -> str:
    body = _b64(claim.model_dump_json().encode())
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(token: str, key: bytes, today: dt.date | None = None, purpose: str = "verify") -> Claim:
    """The claim of a genuine, unexpired token made for ``purpose``; InvalidToken otherwise."""
    try:
        body, mac = token.split(".", 1)
        expected = hmac.new(key, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise InvalidToken("Ce lien de vérification n'est pas authentique.")
        claim = Claim.model_validate_json(_unb64(body))
    except (ValueError, binascii.Error, ValidationError) as error:
        if isinstance(error, InvalidToken):
            raise
        raise InvalidToken("Ce lien de vérification est illisible.") from None
    if claim.purpose != purpose:
        raise InvalidToken("Ce lien ne sert pas à cela.")
    if (today or dt.date.today()) > claim.expires:
        raise InvalidToken(f"Ce lien de vérification a expiré le {claim.expires:%d/%m/%Y}.")
    return claim


def content_key(data: Any) -> str:
    """What a booklet shows, without the day it was printed nor its own verification link:
    the same key today means the same levels, evidence and results as on paper."""
    shown = data.model_dump(mode="json", exclude={"issued_on", "verify_url", "qr_svg", "badges"})
    # 128 bits tell any change apart and keep the link (and its QR code) short.
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


def changes_since(issued: Any, today: Any) -> list[str]:
    """What changed between a booklet as issued and as it would be today (two
    ``BookletData``), in plain words: levels, practical evaluations, each employer's share."""
    said = []
    before = {line.name: line.level for block in issued.grid for line in block.lines}
    for block in today.grid:
        for line in block.lines:
            if line.name in before and before[line.name] != line.level:
                said.append(f"{line.name} : {before[line.name]} → {line.level}")
    known = {(e.name, e.day) for e in issued.evaluations}
    for e in today.evaluations:
        if (e.name, e.day) not in known:
            result = "réussie" if e.passed else "à reprendre"
            said.append(f"Épreuve « {e.name} » le {e.day:%d/%m/%Y} : {result}")
    shares = {e.name: (e.met, e.total) for e in issued.employers}
    for e in today.employers:
        if e.name in shares and shares[e.name] != (e.met, e.total):
            was, now = shares[e.name], (e.met, e.total)
            said.append(f"{e.name} : {was[0]} sur {was[1]} → {now[0]} sur {now[1]} exigences")
    return said

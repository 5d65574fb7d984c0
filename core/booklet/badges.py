"""The booklet's acquired competencies as Open Badges 3.0 achievement credentials.

One ``OpenBadgeCredential`` per competency at *acquis* or above, embedded in the booklet's
PDF/A-3b as ``open-badges.json`` so that a wallet or an HR system can read what the paper says.

Fields filled (Open Badges 3.0, 1EdTech's specification): ``@context`` (VC v2 + OB 3.0.3),
``id``, ``type``, ``issuer`` (``id``, ``type``, ``name``: the organisation, as its profile),
``validFrom`` (the booklet's date), ``name``, ``credentialSubject`` (``type``, ``id``: the
trainee as an opaque URN, no personal data) with its ``achievement`` (``id``, ``type``,
``achievementType``, ``name``, ``description``, ``criteria.narrative``: the evidence,
``alignment[]``: ROME and RNCP codes with ``targetName``, ``targetUrl``, ``targetDescription``,
``targetCode``, ``targetType``). Every booklet handed out carries them signed
(``signed_credentials``): OB 3.0 §8.2 VC-JWT, the payload being the credential with ``iss``,
``nbf``, ``jti`` and ``sub``, the JOSE header naming the public key by its address (``kid``,
never embedding it), signed by joserfc with the school's signing key — the very key that signs
the PDF (``core.booklet.signing``): ES256 for its default P-256 key, RS256 for an RSA one. The
issuer's id is ``<address>/issuer``, a profile the app serves, with its key at
``<address>/issuer/key``; a school with its own certificate issues as
``<address>/issuer/ecole/<school>`` with its own key (``core.booklet.identity``). Each
achievement's ``criteria`` says what the level requires; ``evidence[]`` says what was
observed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.booklet.identity import Identity

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
NAMESPACE = uuid.UUID("8b6f2c1e-5d0a-4c55-9a58-6f0e4c1d2b7a")  # Gestes' URN namespace

ROME_URL = "https://candidat.francetravail.fr/metierscope/fiche-metier/{code}"
RNCP_URL = "https://www.francecompetences.fr/recherche/rncp/{number}/"
ROME_DESCRIPTION = "Répertoire opérationnel des métiers et des emplois (France Travail)"


def alignments(rome: tuple[str, ...], rncp: tuple[str, ...]) -> list[dict[str, Any]]:
    found = [
        {
            "type": ["Alignment"],
            "targetName": f"Fiche ROME {code}",
            "targetCode": code,
            "targetUrl": ROME_URL.format(code=code),
            "targetType": "ext:ROME",
            "targetFramework": "ROME 4.0 (France Travail)",
            "targetDescription": ROME_DESCRIPTION,
        }
        for code in rome
    ]
    found += [
        {
            "type": ["Alignment"],
            "targetName": f"Certification {code}",
            "targetCode": code,
            "targetUrl": RNCP_URL.format(number=code.removeprefix("RNCP")),
            "targetType": "ext:RNCP",
            "targetFramework": "RNCP (France compétences)",
            "targetDescription": "Répertoire national des certifications professionnelles",
        }
        for code in rncp
    ]
    return found


def recipient(email: str, salt: str) -> dict[str, Any]:
    """The trainee as OB 3.0 names a recipient without saying who (an ``IdentityObject``):
    the salted SHA-256 of their e-mail, which they can prove is theirs; never the address."""
    digest = hashlib.sha256(f"{email.strip().lower()}{salt}".encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def credentials(
    data: Any,
    issuer_id: str | None = None,
    issuer: str | None = None,
    identity: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
    valid_days: int | None = None,
) -> list[dict[str, Any]]:
    """One credential per acquired competency of a ``BookletData``, issued by ``issuer_id``
    named ``issuer`` (the app's issuer profile, ``issuer_name``; a URN and the school for a
    booklet that is not handed out). ``status``: the booklet's entry in the revocation list
    (``status_entry``): withdrawing the booklet revokes its badges; ``valid_days``: how long
    they are valid (``validUntil``)."""
    issued = f"{data.issued_on.isoformat()}T00:00:00Z"
    until = valid_days and f"{data.issued_on + dt.timedelta(days=valid_days)}T00:00:00Z"
    profile = {
        "id": issuer_id or f"urn:uuid:{uuid.uuid5(NAMESPACE, 'school:' + data.school)}",
        "type": ["Profile"],
        "name": issuer or data.school,
    }
    rule = f"Niveau « {data.pass_label} » ou au-dessus : " + " ; ".join(data.rules) + "."
    subject = f"urn:uuid:{uuid.uuid5(NAMESPACE, f'trainee:{data.trainee_ref}')}"
    result = []
    for competency in data.acquired:
        achievement_id = f"urn:uuid:{uuid.uuid5(NAMESPACE, 'competency:' + competency.id)}"
        credential_id = uuid.uuid5(NAMESPACE, f"{data.trainee_ref}:{competency.id}:{issued}")
        result.append(
            {
                "@context": CONTEXT,
                "id": f"urn:uuid:{credential_id}",
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": profile,
                "validFrom": issued,
                **_optional(validUntil=until, credentialStatus=status),
                "name": competency.name,
                "evidence": [
                    {
                        "type": ["Evidence"],
                        "name": "Observations du plateau technique",
                        "narrative": competency.evidence,
                    }
                ],
                "credentialSubject": {
                    "id": subject,
                    "type": ["AchievementSubject"],
                    **({"identifier": [identity]} if identity else {}),
                    "achievement": {
                        "id": achievement_id,
                        "type": ["Achievement"],
                        "achievementType": "Competency",
                        "name": competency.name,
                        "description": f"{competency.name} — {data.program} ({data.sector}).",
                        "criteria": {"narrative": rule},
                        "alignment": alignments(competency.rome, competency.rncp),
                    },
                },
            }
        )
    return result


def _optional(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value}


STATUS_LIST = "revocation"
STATUS_BITS = 131_072  # the list's smallest size (16 KB): a bit tells nothing of its owner


def status_entry(address: str, index: int) -> dict[str, Any]:
    """A badge's place in the revocation list the app serves (W3C Bitstring Status List)."""
    listed = f"{address}/status/{STATUS_LIST}"
    return {
        "id": f"{listed}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": listed,
    }


def status_list(address: str, revoked: list[int], highest: int, identity: Identity) -> str:
    """The revocation list as a signed credential (VC-JWT): bit ``i`` (from the left of the
    first byte) set when the booklet at index ``i`` was withdrawn; GZIP then multibase
    base64url, as the W3C Bitstring Status List says. One list for the installation, signed
    with its identity, whichever school issued the badge it revokes."""
    import base64
    import gzip

    size = max(STATUS_BITS, (highest // 8 + 1) * 8)
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=")
    listed = f"{address}/status/{STATUS_LIST}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": listed,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id(address, identity), "type": ["Profile"], "name": identity.name},
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{listed}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded.decode(),
        },
    }
    return signed_credentials([credential], identity)[0]


def issuer_id(address: str, identity: Identity) -> str:
    """The issuer's id: a profile the app serves at that address (its name, the same in
    the profile and in every badge it signs, is ``identity.name``)."""
    return f"{address}{identity.issuer}"


def signed_credentials(unsigned: list[dict[str, Any]], identity: Identity) -> list[str]:
    """Each credential as an OB 3.0 VC-JWT (compact JWS), signed with the school's key."""
    from joserfc import jwt

    key, algorithm = _signing_key(identity)
    tokens = []
    for credential in unsigned:
        issuer = credential["issuer"]["id"]
        # The key by reference only: a verifier that trusted a key embedded in the header
        # would accept a forgery signed with any key (RFC 8725 §3.10).
        header = {"alg": algorithm, "typ": "JWT", "kid": f"{issuer}/key"}
        valid_from = dt.datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
        claims = {
            **credential,
            "iss": issuer,
            "nbf": int(valid_from.timestamp()),
            "jti": credential["id"],
            "sub": credential["credentialSubject"]["id"],
        }
        tokens.append(jwt.encode(header, claims, key, algorithms=[algorithm]))
    return tokens


def public_key(identity: Identity) -> dict[str, Any]:
    """The public JWK badges are signed with (served at ``/issuer/key``)."""
    key, algorithm = _signing_key(identity)
    return {**key.as_dict(private=False), "alg": algorithm, "use": "sig"}


def _signing_key(identity: Identity) -> tuple[Any, str]:
    """The school's signing key (the PDF's) as a JOSE key, and its algorithm."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from joserfc.jwk import ECKey, RSAKey

    pem = identity.key.read_bytes()
    if isinstance(load_pem_private_key(pem, password=None), rsa.RSAPrivateKey):
        return RSAKey.import_key(pem), "RS256"
    return ECKey.import_key(pem), "ES256"


def attachment(data: Any) -> str:
    """``open-badges.json``: the signed credentials (VC-JWT) of a booklet handed out, else
    the unsigned credentials."""
    return json.dumps(list(data.badges) or credentials(data), ensure_ascii=False, indent=1)

"""The booklet's acquired competencies as Open Badges 3.0 achievement credentials.

One ``OpenBadgeCredential`` per competency at *acquis* or above, embedded in the booklet's
PDF/A-3b as ``open-badges.json`` so that a wallet or an HR system can read what the paper says.

Fields filled (Open Badges 3.0, shared/DOMAIN.md): ``@context`` (VC v2 + OB 3.0.3), ``id``,
``type``, ``issuer`` (``id``, ``type``, ``name``: the school), ``validFrom`` (the booklet's
date), ``name``, ``credentialSubject`` (``type``, ``id``: the trainee as an opaque URN, no
personal data) with its ``achievement`` (``id``, ``type``, ``achievementType``, ``name``,
``description``, ``criteria.narrative``: the evidence, ``alignment[]``: ROME and RNCP codes
with ``targetName``, ``targetUrl``, ``targetDescription``, ``targetCode``, ``targetType``).
The credentials carry no cryptographic proof: authenticity is checked through the booklet's
signed verification link.
"""

from __future__ import annotations

import uuid
from typing import Any

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
            "targetDescription": "Répertoire national des certifications professionnelles",
        }
        for code in rncp
    ]
    return found


def credentials(data: Any) -> list[dict[str, Any]]:
    """One credential per acquired competency of a ``BookletData``."""
    issued = f"{data.issued_on.isoformat()}T00:00:00Z"
    issuer = {
        "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, 'school:' + data.school)}",
        "type": ["Profile"],
        "name": data.school,
    }
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
                "issuer": issuer,
                "validFrom": issued,
                "name": competency.name,
                "credentialSubject": {
                    "id": subject,
                    "type": ["AchievementSubject"],
                    "achievement": {
                        "id": achievement_id,
                        "type": ["Achievement"],
                        "achievementType": "Competency",
                        "name": competency.name,
                        "description": f"{competency.name} — {data.program} ({data.sector}).",
                        "criteria": {"narrative": competency.evidence},
                        "alignment": alignments(competency.rome, competency.rncp),
                    },
                },
            }
        )
    return result

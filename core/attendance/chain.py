"""A sheet's entries chained by hash: each entry's hash covers its own fields and the hash of
the entry before it on the same sheet, so changing, removing or reordering any stored entry
breaks every hash after it — checked each time the sheet is read. (An SQL administrator can
still rewrite the whole chain; the signed monthly PDF, kept by the funder, is what fixes it
in time.)"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64


def chain_hash(previous: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's fields as canonical JSON."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def first_broken(entries: Iterable[tuple[str, str, Mapping[str, Any]]]) -> int | None:
    """The position of the first entry whose stored (previous, hash) does not follow from the
    ones before it; None when the whole chain holds. Entries in their sheet order."""
    previous = GENESIS
    for position, (stored_previous, stored_hash, fields) in enumerate(entries):
        if stored_previous != previous or chain_hash(previous, fields) != stored_hash:
            return position
        previous = stored_hash
    return None

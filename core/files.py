"""Files with personal data (evidence, booklets, exports) are readable by the service only."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary name, then renamed), with
    mode 0600 from the first byte: never a half-written file, never one others can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    partial.replace(path)

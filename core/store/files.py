"""Where files live: evidence, cached booklets, cohort exports and the keys.

One interface, ``FileStore``, two places behind it: the data directory (``LocalFiles``, the
single-machine default) and the database itself (``core.store.shared_files.DatabaseFiles``,
for a network of machines over one PostgreSQL: every machine reaches what another stored,
with no second service to run, back up and secure). Names are relative paths with ``/``
(``evidence/ab/cd/abcd…``, ``booklets/…pdf``); in the data directory they are the same paths
as before, so an existing installation keeps its files.

Files with personal data are readable by the service only (mode 0600 from the first byte).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

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


class FileStore(Protocol):
    """Whole files by name: written whole or not at all, read whole (booklets and photos are
    small; nothing here streams)."""

    def read(self, name: str) -> bytes | None: ...

    def write(self, name: str, data: bytes) -> None: ...

    def write_once(self, name: str, data: bytes) -> bytes:
        """Keep ``data`` under ``name`` unless something is there already; return what is
        kept (two machines making the same key at once agree on one)."""
        ...

    def delete(self, name: str) -> bool: ...

    def names(self, prefix: str) -> list[str]:
        """Every name starting with ``prefix`` (a folder and the start of a file name)."""
        ...

    def within(self, folder: str) -> FileStore:
        """The same store seen from one folder (names relative to it)."""
        ...


class LocalFiles:
    """Files in a directory of this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        path = self.root / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"not a file name of the store: {name!r}")
        return path

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def write(self, name: str, data: bytes) -> None:
        write_private(self._path(name), data)

    def write_once(self, name: str, data: bytes) -> bytes:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        return data

    def delete(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        return True

    def names(self, prefix: str) -> list[str]:
        folder, _, start = prefix.rpartition("/")
        base = self._path(folder) if folder else self.root
        if not base.is_dir():
            return []
        found = []
        for path in base.rglob(f"{start}*") if start else base.rglob("*"):
            relative = path.relative_to(self.root).as_posix()
            if path.is_file() and relative.startswith(prefix) and not path.name.endswith(".part"):
                found.append(relative)
        return sorted(found)

    def within(self, folder: str) -> LocalFiles:
        return LocalFiles(self._path(folder))

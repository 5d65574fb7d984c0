"""Files kept in the database (``GESTES_FILE_STORE=database``): on PostgreSQL, every machine
of a network reaches the evidence, booklets, exports and keys another one stored, with
nothing more to run or back up than the database (``pg_dump`` takes them too). Booklets and
photos are small (≤ 12 MiB by the upload limit), which PostgreSQL's ``bytea`` holds well.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.store import tables as t
from core.store.database import Database


class DatabaseFiles:
    """The ``core.store.files.FileStore`` interface over table ``stored_files``."""

    def __init__(self, database: Database, folder: str = "") -> None:
        self._db = database
        self._folder = folder

    def _name(self, name: str) -> str:
        return f"{self._folder}/{name}" if self._folder else name

    def read(self, name: str) -> bytes | None:
        with self._db.read() as session:
            return session.scalar(
                select(t.StoredFile.data).where(t.StoredFile.name == self._name(name))
            )

    def write(self, name: str, data: bytes) -> None:
        row = {"name": self._name(name), "data": data, "written_at": t.utcnow()}
        with self._db.write() as session:
            insert = self._insert()(t.StoredFile).values(row)
            update = {"data": insert.excluded.data, "written_at": insert.excluded.written_at}
            session.execute(insert.on_conflict_do_update(index_elements=["name"], set_=update))

    def write_once(self, name: str, data: bytes) -> bytes:
        row = {"name": self._name(name), "data": data, "written_at": t.utcnow()}
        with self._db.write() as session:
            insert = self._insert()(t.StoredFile).values(row)
            session.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
        kept = self.read(name)
        assert kept is not None  # written above, or by whoever came first
        return kept

    def delete(self, name: str) -> bool:
        with self._db.write() as session:
            gone = session.execute(
                delete(t.StoredFile).where(t.StoredFile.name == self._name(name))
            )
        return bool(getattr(gone, "rowcount", 0))

    def names(self, prefix: str) -> list[str]:
        start = self._name(prefix)
        with self._db.read() as session:
            under = t.StoredFile.name.startswith(start, autoescape=True)
            found = session.scalars(select(t.StoredFile.name).where(under))
            cut = len(self._folder) + 1 if self._folder else 0
            return sorted(name[cut:] for name in found)

    def within(self, folder: str) -> DatabaseFiles:
        return DatabaseFiles(self._db, self._name(folder))

    def _insert(self) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT (both PostgreSQL and SQLite do)."""
        return pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert

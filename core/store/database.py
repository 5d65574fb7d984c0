"""The unit of work: read sessions and write transactions. Never leaves ``core.store``.

On SQLite, writes go one at a time through a process-wide lock with short transactions
(``BEGIN IMMEDIATE``): competing writers queue in Python instead of backing off on SQLite's
file lock. PostgreSQL needs neither.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from core.store.notifications import Listening


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Writes start with BEGIN IMMEDIATE on SQLite (see core.store.engine.make_engine).
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits whole when the block ends, or rolls back."""
        with self._lock, self._write_sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A write transaction without the ORM, for the hot path (taps)."""
        with self._lock, self._write_engine.begin() as connection:
            yield connection

    def read(self) -> Session:
        """A read session (a snapshot on SQLite's WAL: it never waits for the writer)."""
        return self._sessions()

    def checkpoint(self, tables: tuple[str, ...] = ()) -> None:
        """After an erasure, old values must not linger where the database keeps them. On
        SQLite, move the write-ahead log into the (securely deleting) database file and
        empty it. On PostgreSQL, ``VACUUM`` the tables that held them, so the old row
        versions are freed (what the WAL and backups still hold goes with their rotation:
        docs/operations/security.md)."""
        if self.dialect.name == "sqlite":
            with self._lock, self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif tables:
            with self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                for table in tables:  # names from the code, never from a request
                    connection.exec_driver_sql(f'VACUUM "{table}"')

    def announce(self, session: Session, channel: str, payload: str) -> None:
        """Tell every process on this database, when ``session`` commits (PostgreSQL's
        NOTIFY, delivered only if the transaction commits). SQLite has no other process to
        tell: a no-op (``gestes serve`` refuses several workers on it)."""
        if self.dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": channel, "payload": payload},
            )

    def listen(self, channel: str, heard: Callable[[str], None]) -> Listening:
        """Call ``heard(payload)`` for each announcement on ``channel`` (from this process or
        another, this machine or another), from a thread holding its own connection; ``stop``
        ends it. SQLite: nothing to hear."""
        from core.store.notifications import Listener, Silent

        if self.dialect.name != "postgresql":
            return Silent()
        listener = Listener(self.engine.url, channel, heard)
        listener.start()
        return listener

    def dispose(self) -> None:
        self.engine.dispose()

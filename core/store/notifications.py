"""PostgreSQL LISTEN in a thread: how one process hears what another changed (sessions
ended by a sign-out, a deactivation or a new password), so that no process keeps honouring
them from its short-lived cache.

A dedicated psycopg connection in autocommit mode listens; notifications are read with a
timeout, so ``stop`` ends the thread within a second. A dropped connection is reopened.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)


class Listening(Protocol):
    listening: threading.Event  # set once announcements are heard (tests wait on it)

    def stop(self) -> None: ...


class Silent:
    """SQLite's listener: one process, nothing to hear."""

    def __init__(self) -> None:
        self.listening = threading.Event()
        self.listening.set()

    def stop(self) -> None:
        pass


class Listener(threading.Thread):
    def __init__(self, url: URL, channel: str, heard: Callable[[str], None]) -> None:
        super().__init__(name=f"listen-{channel}", daemon=True)
        # psycopg's own address (no "+psycopg" driver suffix), password included.
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._channel, self._heard = channel, heard
        self._stopped = threading.Event()
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait on it)

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        import psycopg
        from psycopg import sql

        while not self._stopped.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    self.listening.set()
                    while not self._stopped.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            self._heard(notice.payload)
            except psycopg.Error as error:  # the server restarted: listen again
                log.warning("LISTEN %s interrupted (%s); reconnecting", self._channel, error)
                self._stopped.wait(1.0)

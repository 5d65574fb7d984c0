"""A consistent copy of the store, taken while it runs, and putting one back.

SQLite: Python's ``sqlite3`` online backup (a consistent snapshot page by page, writers keep
going), and the data directory's files that cannot be made again — evidence photos and
reports, the link secret, the signing key and its certificate — carried inside the same
file (table ``stored_files``), so one file is the whole school. Cached booklets and cohort
exports are not carried: they are made again on demand. PostgreSQL: its own tools, run by
the same commands (``core.store.pg_backup``); with ``GESTES_FILE_STORE=database`` the files
are in the dump already.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory

from core.domain import RecordError
from core.settings import Settings
from core.store.engine import alembic_config


def _sqlite_file(settings: Settings) -> Path | None:
    if not settings.url.startswith("sqlite:///"):
        return None
    return Path(settings.url.removeprefix("sqlite:///"))


def backup_database(settings: Settings, target: Path) -> int:
    """Copy the live store to ``target``, consistently; returns its size in bytes."""
    source = _sqlite_file(settings)
    if source is None:
        from core.store import pg_backup

        return pg_backup.dump(settings, target)
    if not source.exists():
        raise RecordError(f"Aucune base à sauvegarder : {source}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
        if settings.file_store == "local":
            _carry_files(settings.data_dir, copy)
    target.chmod(0o600)  # personal data
    return target.stat().st_size


# Evidence and justification proofs, the link secret, the installation's signing pair and
# the schools' own keys (``keys/schools``): what no one could make again.
CARRIED = ("evidence", "proofs", "keys", "secret.key", "signing.key.pem", "signing.cert.pem")


def _carry_files(data_dir: Path, copy: sqlite3.Connection) -> None:
    """The files that cannot be made again, into the backup's ``stored_files``, one at a
    time (a photo folder can be large)."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC).isoformat()
    for name in CARRIED:
        top = data_dir / name
        paths = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in paths:
            if path.is_file() and not path.name.endswith(".part"):
                copy.execute(
                    "INSERT OR REPLACE INTO stored_files (name, data, written_at) VALUES (?, ?, ?)",
                    (path.relative_to(data_dir).as_posix(), path.read_bytes(), now),
                )


def restore_database(settings: Settings, backup: Path) -> int:
    """Put a backup back in place of the live store, once checked: a readable SQLite file,
    intact (or a PostgreSQL dump), at the schema this version of Gestes runs (else ``gestes
    db upgrade`` after restoring an older one is refused: restore with the version that made
    it). How many connections of other processes were ended (PostgreSQL)."""
    live = _sqlite_file(settings)
    if live is None:
        from core.store import pg_backup

        return pg_backup.restore(settings, backup)
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as copy:
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
            (revision,) = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise RecordError(f"Ce fichier n'est pas une sauvegarde de Gestes : {error}.") from None
    if verdict != "ok":
        raise RecordError(f"Sauvegarde abîmée : {verdict}.")
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision != head:
        raise RecordError(
            f"Sauvegarde au schéma {revision}, cette version de Gestes est au schéma {head}."
        )
    live.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(backup) as copy, sqlite3.connect(live) as target:
        copy.backup(target)
        if settings.file_store == "local":
            _release_files(settings.data_dir, target)
    return 0


def _release_files(data_dir: Path, store: sqlite3.Connection) -> None:
    """The files a backup carried, back into the data directory (the keys too: the booklets
    of that backup were signed with them), then out of the database."""
    from core.store.files import LocalFiles

    files = LocalFiles(data_dir)
    names = [name for (name,) in store.execute("SELECT name FROM stored_files")]
    for name in names:
        (data,) = store.execute("SELECT data FROM stored_files WHERE name = ?", (name,)).fetchone()
        files.write(name, bytes(data))
    store.execute("DELETE FROM stored_files")
    store.commit()

"""PostgreSQL backups by command: ``gestes db backup`` runs ``pg_dump`` (custom format, the
one ``pg_restore`` reads selectively), ``gestes db restore`` checks the dump is a Gestes store
at this version's schema, ends every other connection to the database (app processes and
job workers: theirs would hold plans of tables about to be replaced — « cached plan must not
change result type » — and a worker died of it), restores in one transaction (a failed
restore leaves the store as it was), and ends them again: they reconnect to the restored
tables (the app's pool checks each connection before use; ``gestes worker`` reconnects).

The password, when the address holds one, goes to the tools through ``PGPASSWORD``, never
on their command line, where any user of the machine could read it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.domain import RecordError
from core.settings import Settings
from core.store.engine import alembic_config, make_engine


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RecordError(
            f"{name} est introuvable : installez le client PostgreSQL (apt install "
            "postgresql-client), de la même version majeure que le serveur."
        )
    return found


def _address(settings: Settings) -> tuple[str, dict[str, str]]:
    """libpq's address without its password, and the environment that carries it."""
    url = make_url(settings.url).set(drivername="postgresql")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        raise RecordError(f"{what} : {said[-1] if said else 'échec'}.")
    return done.stdout


def dump(settings: Settings, target: Path) -> int:
    """``pg_dump -Fc`` of the store into ``target`` (mode 0600: personal data); its size."""
    address, env = _address(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.touch(mode=0o600)
    try:
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", address],
            env,
            "Sauvegarde refusée par pg_dump",
        )
        partial.replace(target)  # never a half-written dump under the name asked for
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def revision_of(backup: Path, env: dict[str, str] | None = None) -> str:
    """The schema revision a dump holds, read from it without restoring anything."""
    listed = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(backup)],
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"^COPY \S*alembic_version .*\n(\w+)\n", listed.stdout, re.MULTILINE)
    if listed.returncode != 0 or found is None:
        raise RecordError("Ce fichier n'est pas une sauvegarde PostgreSQL de Gestes.")
    return found.group(1)


def restore(settings: Settings, backup: Path) -> int:
    """Replace the store with ``backup``; how many other connections were ended."""
    address, env = _address(settings)
    revision = revision_of(backup, env)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision != head:
        raise RecordError(
            f"Sauvegarde au schéma {revision}, cette version de Gestes est au schéma {head}."
        )
    ended = end_other_connections(settings)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={address}",
            str(backup),
        ],
        env,
        "Restauration refusée par pg_restore (la base est restée telle quelle)",
    )
    return ended + end_other_connections(settings)


def end_other_connections(settings: Settings) -> int:
    """End every other session of the store's role on its database (Gestes' own: app
    processes, job workers); how many there were."""
    engine = make_engine(settings.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND usename = current_user AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(ended)

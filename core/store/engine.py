"""Create engines and bring a database to the current schema."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings Gestes relies on.

    SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout. A write
    transaction (execution option ``sqlite_begin="IMMEDIATE"``, set by ``core.store.database``)
    takes the write lock at its start instead of failing half-way when it upgrades from
    reading to writing; every other transaction is a plain deferred ``BEGIN``: a snapshot that
    never waits for the writer. (Taking the write lock for reads too serialised every page
    behind every write: bench/web.py.)
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        private_database(Path(path))
    engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None}, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted and overwritten content is zeroed, not left in free pages (RGPD erasure).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def private_database(path: Path) -> None:
    """The database file readable by this account only (0600), whatever the umask: it holds
    trainees' data, password hashes and sharing codes. SQLite gives its WAL and shared-memory
    files the database file's mode; those already there are set too. A folder made here is
    0700; an existing one is left as it is (it may be shared: /tmp, a mount)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (``gestes db upgrade``)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if connection.dialect.name == "postgresql":
            _queue_tables(connection)


def ours(name: str | None, type_: str, parent_names: Any) -> bool:
    """Whether Alembic compares this object: not the job queue's tables, which procrastinate
    makes and migrates itself."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def _queue_tables(connection: Connection) -> None:
    """The job queue's own tables (procrastinate's schema, ``core.booklet.jobs``), made once."""
    from procrastinate.schema import SchemaManager

    if connection.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is None:
        cursor = connection.connection.cursor()  # the driver's: the SQL is not a template
        cursor.execute(SchemaManager.get_schema())


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The schema this version of Gestes runs (read once: the migration scripts are files of
    the installed package; a readiness probe asks every few seconds)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migrate_or_check(engine: Engine, migrate: bool) -> None:
    """Upgrade the database to the current schema, or check it is there already."""
    from core.domain import RecordError

    if migrate:
        upgrade(engine)
        return
    if current_revision(engine) != head_revision():
        raise RecordError("La base n'est pas à jour : lancez « gestes db upgrade ».")


def unreachable(url: str, error: Exception) -> str:
    """Why the database cannot be reached, in French, with what to do."""
    from sqlalchemy.engine import make_url

    address = make_url(url)
    said = str(getattr(error, "orig", error))
    role, name = address.username or "?", address.database or "?"
    where = f"{address.host or 'localhost'}:{address.port or 5432}"
    if f'role "{role}" does not exist' in said:
        return (
            f"Le rôle PostgreSQL « {role} » n'existe pas sur {where} : créez-le "
            f"(sudo -u postgres createuser --createdb --pwprompt {role}), puis relancez "
            "« gestes db upgrade »."
        )
    if f'database "{name}" does not exist' in said:
        return (
            f"La base « {name} » n'existe pas sur {where} et le rôle « {role} » ne peut pas la "
            f"créer : sudo -u postgres createdb --owner {role} {name}, puis relancez."
        )
    if "password authentication failed" in said:
        return (
            f"Mot de passe refusé pour le rôle « {role} » sur {where} : vérifiez "
            "GESTES_DATABASE_URL."
        )
    if "Connection refused" in said or "could not connect" in said or "timeout" in said:
        return (
            f"PostgreSQL ne répond pas sur {where} : démarrez-le (sudo service postgresql "
            "start) ou corrigez GESTES_DATABASE_URL."
        )
    first = said.strip().splitlines()[0] if said.strip() else str(error)
    return f"Base de données injoignable ({where}) : {first}"


def create_missing_database(url: str, error: Exception) -> bool:
    """Create the PostgreSQL database the address names when it is missing and its role may
    create one (through the server's ``postgres`` database). Whether it was created."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    address = make_url(url)
    name = address.database or ""
    if not address.drivername.startswith("postgresql") or (
        f'database "{name}" does not exist' not in str(getattr(error, "orig", error))
    ):
        return False
    if not name.replace("_", "").isalnum():
        return False  # never a name that would need quoting in the statement below
    maintenance = make_engine(
        address.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with maintenance.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return True
    except Exception:  # no right to create it, or gone meanwhile: said by the caller
        return False
    finally:
        maintenance.dispose()

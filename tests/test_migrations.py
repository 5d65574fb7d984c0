"""Alembic migrations: from empty and from every earlier revision, matching the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.store.engine import alembic_config, current_revision, ours, upgrade
from core.store.tables import Base
from tests.conftest import BACKENDS, fresh_engine

SCRIPTS = ScriptDirectory.from_config(alembic_config())
REVISIONS = [r.revision for r in reversed(list(SCRIPTS.walk_revisions()))]  # oldest first


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_an_empty_database_to_head(backend, tmp_path):
    engine, drop = fresh_engine(backend, tmp_path)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == SCRIPTS.get_current_head()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": ours})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], "models and migrations disagree: write a migration"
        upgrade(engine)  # idempotent
    finally:
        drop()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("start", REVISIONS)
def test_upgrade_from_every_revision(backend, start, tmp_path):
    engine, drop = fresh_engine(backend, tmp_path)
    try:
        upgrade(engine, start)
        assert current_revision(engine) == start
        upgrade(engine)
        assert current_revision(engine) == SCRIPTS.get_current_head()
    finally:
        drop()


def test_exits_keep_their_rows_and_ids_when_their_table_is_renamed(world):
    """0009 moves ``outcomes`` to ``exits``: every row and id kept, down and up again, and the
    next exit takes the next id (PostgreSQL's sequence follows the copied rows)."""
    import datetime as dt

    from sqlalchemy import text

    from core.domain import ExitKind

    store = world.gestes.store
    first = store.observations.record_exit(
        world.trainees[0], world.coordinator, ExitKind.CDI, dt.date(2026, 4, 20), "exit-1"
    )
    engine = store.database.engine

    def move(step: str, revision: str) -> None:
        migrate(engine, step, revision)

    def rows(table: str) -> list[tuple[int, str]]:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(f"SELECT id, kind FROM {table}"))]

    move("downgrade", "0008")
    assert rows("outcomes") == [(first.id, "cdi")]
    move("upgrade", "head")
    assert rows("exits") == [(first.id, "cdi")]
    assert "outcomes" not in inspect(engine).get_table_names()
    second = store.observations.record_exit(
        world.trainees[1], world.coordinator, ExitKind.CDD, dt.date(2026, 4, 21), "exit-2"
    )
    assert second.id == first.id + 1


def test_a_sharing_link_made_before_its_code_was_hashed_still_opens(world):
    """0013 keeps each sharing code's SHA-256 only: a link sent before still opens the same
    booklet, and the clear code is nowhere in the store."""
    from sqlalchemy import text

    store = world.gestes.store
    engine = store.database.engine

    def move(step: str, revision: str) -> None:
        migrate(engine, step, revision)

    move("downgrade", "0012")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO share_links (code, trainee_id, issued_on, expires_on) "
                "VALUES ('envoye-avant-0013-abcdef', :trainee, '2026-01-05', '2099-01-05')"
            ),
            {"trainee": world.trainees[0]},
        )
    move("upgrade", "head")
    share = store.shares.get("envoye-avant-0013-abcdef")
    assert share is not None and share.trainee_id == world.trainees[0]
    with engine.connect() as connection:
        codes = connection.execute(text("SELECT code FROM share_links")).scalars().all()
    assert "envoye-avant-0013-abcdef" not in codes


def migrate(engine, step: str, revision: str) -> None:
    """Alembic's ``upgrade`` or ``downgrade`` to ``revision``, on this engine."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, step)(config, revision)

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pluggy
import pytest

from core import hookimpl
from core.catalog.catalog import Catalog
from core.catalog.loading import CatalogError, load_catalog
from core.context import Definitions, Gestes, load_definitions
from core.plugins import get_plugin_manager

TINY = Path(__file__).parent / "plugins" / "tiny"
IN_TREE = "datacenter,fibre,smartcity"

# The suite is about the three in-tree sectors: a designer's own sector installed in the same
# environment must not change what it finds (tests that install one say so themselves).
os.environ.setdefault("GESTES_LOAD_PLUGINS", IN_TREE)


class YamlPlugin:
    """A plugin object pointing at YAML files, as a sector plugin module would."""

    def __init__(
        self,
        sectors: Iterable[Any] = (),
        employers: Iterable[Any] = (),
        evaluators: Iterable[Any] = (),
        units: Iterable[Any] = (),
    ) -> None:
        self.sectors, self.employers, self.evaluators, self.units = (
            list(sectors),
            list(employers),
            list(evaluators),
            list(units),
        )

    @hookimpl
    def gestes_sectors(self) -> list[Any]:
        return self.sectors

    @hookimpl
    def gestes_employers(self) -> list[Any]:
        return self.employers

    @hookimpl
    def gestes_evaluators(self) -> list[Any]:
        return self.evaluators

    @hookimpl
    def gestes_units(self) -> list[Any]:
        return self.units


def manager(*plugins: tuple[str, object], installed: bool = False) -> pluggy.PluginManager:
    return get_plugin_manager(load_entrypoints=installed, plugins=plugins)


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    """The real catalog and the plugin manager that built it: every installed plugin."""
    return load_definitions()


@pytest.fixture(scope="session")
def catalog(definitions: Definitions) -> Catalog:
    """The real catalog: the three in-tree sectors, loaded through their entry points."""
    return definitions.catalog


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A private copy of the tiny plugin's YAML, for tests that break it."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture
def load_tiny(tiny_copy: Path) -> Callable[..., Catalog]:
    """Load the (possibly edited) copy of the tiny plugin; returns the catalog or raises."""

    def load(**extra: Any) -> Catalog:
        plugin = YamlPlugin(
            sectors=[tiny_copy / "sector.yaml"], employers=[tiny_copy / "employers.yaml"], **extra
        )
        return load_catalog(manager(("tiny", plugin)))

    return load


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def problems_of(load: Callable[[], Catalog]) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load()
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- store fixtures (both backends)

import datetime as dt  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from sqlalchemy import Engine, text  # noqa: E402

from core.domain import NewTrainee, Role  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.store import Store  # noqa: E402
from core.store import tables as t  # noqa: E402
from core.store.database import Database  # noqa: E402
from core.store.directory import Directory  # noqa: E402
from core.store.engine import make_engine, upgrade  # noqa: E402

# CI and development machines run PostgreSQL here (trust auth). A missing server is a failure,
# not a skip: the store must be proven on both backends.
POSTGRES_URL = os.environ.get(
    "GESTES_TEST_POSTGRES", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


def fresh_engine(backend: str, folder: Path) -> tuple[Engine, Callable[[], None]]:
    """An empty database of that backend, and how to drop it."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}")
        return engine, engine.dispose
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


@pytest.fixture
def network_url() -> Iterator[str]:
    """A PostgreSQL database of its own, empty, by its address: what several processes (app
    workers, `gestes worker`) started by a test reach, where a schema on a connection's
    search path would not follow them. Dropped afterwards."""
    from sqlalchemy.engine import make_url

    name = f"gestes_network_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database per backend, migrated once per session; tables are emptied per test."""
    engine, drop = fresh_engine(request.param, tmp_path_factory.mktemp("db"))
    upgrade(engine)
    yield engine
    drop()


def empty_tables(engine: Engine) -> None:
    names = [table.name for table in reversed(t.Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                connection.execute(text(f"DELETE FROM {name}"))


def context_on(engine: Engine, definitions: Definitions, settings: Settings) -> Gestes:
    """An application context over an engine the test made (its own process, as it were)."""
    return Gestes(definitions, settings, Store(Database(engine), definitions.catalog, settings))


@pytest.fixture
def gestes(engine: Engine, definitions: Definitions, tmp_path: Path) -> Gestes:
    empty_tables(engine)
    # On PostgreSQL, files are kept in the database (as a network of machines keeps them), so
    # every store test runs over both file stores.
    files = "database" if engine.dialect.name == "postgresql" else "local"
    settings = Settings(data_dir=tmp_path / "data", evidence_max_bytes=2048, file_store=files)
    return context_on(engine, definitions, settings)


@dataclass
class World:
    gestes: Gestes
    directory: Directory
    school: int
    trainer: int
    coordinator: int
    cohort: int
    trainees: list[int]
    other_cohort: int  # a datacenter cohort of the same school


@pytest.fixture
def world(gestes: Gestes) -> World:
    directory = gestes.store.directory
    school = directory.create_school(
        "marseille", "École de Marseille", "Marseille", "territoire.marseille"
    )
    trainer = directory.create_user(
        "formateur@example.org", "Karim Formateur", "mot-de-passe-long", Role.TRAINER, [school]
    )
    coordinator = directory.create_user(
        "coord@example.org", "Inès Coordinatrice", "mot-de-passe-long", Role.COORDINATOR, [school]
    )
    cohort = directory.create_cohort(
        school, "fibre", "Fibre 2026-1", dt.date(2026, 1, 5), dt.date(2026, 4, 10), [trainer]
    )
    other = directory.create_cohort(
        school,
        "datacenter",
        "Datacenter 2026-1",
        dt.date(2026, 1, 5),
        dt.date(2026, 5, 1),
        [trainer],
    )
    trainees = directory.add_trainees(
        cohort,
        [
            NewTrainee("Awa", "Diallo", "awa@example.org"),
            NewTrainee("Lucas", "Martin"),
            NewTrainee("Nour", "Benali"),
        ],
    )
    return World(gestes, directory, school, trainer, coordinator, cohort, trainees, other)


def pytest_report_header() -> list[str]:
    """The database versions this run is proven against: a report says what it ran on."""
    import sqlite3

    lines = [f"SQLite {sqlite3.sqlite_version}"]
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
        lines.append(f"PostgreSQL {version} ({POSTGRES_URL.rsplit('@', 1)[-1]})")
    except Exception as error:  # the store tests will fail loudly; say why up front
        lines.append(f"PostgreSQL unreachable: {error.__class__.__name__}")
    return lines


def photo(kind: str = "JPEG", description: str | None = None) -> bytes:
    """A real little photo (Pillow), optionally carrying EXIF metadata, as a phone sends."""
    import io

    from PIL import Image

    image = Image.new("RGB", (8, 8), (200, 120, 40))
    out = io.BytesIO()
    extra = {}
    if description is not None:
        exif = Image.Exif()
        exif[0x010E] = description  # ImageDescription; a phone writes GPS the same way
        extra["exif"] = exif.tobytes()
    image.save(out, format=kind, **extra)
    return out.getvalue()


BROWSER_FIXTURES = {"browser", "chromium"}  # the fixtures that launch Debian's Chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives a browser is marked ``browser``, from the fixtures it uses: a new
    browser test is marked without anyone remembering to."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)

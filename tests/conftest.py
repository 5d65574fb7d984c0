from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pluggy
import pytest

from core import hookimpl
from core.catalog import Catalog
from core.loading import CatalogError, load_catalog
from core.plugins import get_plugin_manager

TINY = Path(__file__).parent / "plugins" / "tiny"


class YamlPlugin:
    """A plugin object pointing at YAML files, as a sector plugin module would."""

    def __init__(
        self,
        sectors: Iterable[Any] = (),
        employers: Iterable[Any] = (),
        evaluators: Iterable[Any] = (),
    ) -> None:
        self.sectors, self.employers, self.evaluators = (
            list(sectors),
            list(employers),
            list(evaluators),
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


def manager(*plugins: tuple[str, object], installed: bool = False) -> pluggy.PluginManager:
    return get_plugin_manager(load_entrypoints=installed, plugins=plugins)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real catalog: the three in-tree sectors, loaded through their entry points."""
    return load_catalog()


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

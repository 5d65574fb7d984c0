"""Fixtures for plugin authors, registered through the ``pytest11`` entry point.

In an external plugin's tests::

    def test_my_sector_loads(gestes_catalog):
        assert "electricite" in gestes_catalog.sectors
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pluggy

    from core.catalog.catalog import Catalog


@pytest.fixture
def gestes_plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager with every installed plugin."""
    from core.plugins import get_plugin_manager

    return get_plugin_manager()


@pytest.fixture(scope="session")
def gestes_catalog() -> Catalog:
    """The catalog of every installed plugin, loaded once per test session."""
    from core.context import load_definitions

    return load_definitions().catalog


def pytest_report_header() -> list[str]:
    from core.plugins import installed_plugins

    names = ", ".join(f"{p.name} {p.version}" for p in installed_plugins())
    return [f"gestes plugins: {names or 'none'}"]

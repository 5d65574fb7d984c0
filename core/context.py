"""The application context: built once from settings, handed to the web app and to every
command. It holds the catalog, the plugin manager that built it, the settings and the store,
so that nothing builds a second plugin manager or passes them around piecemeal."""

from __future__ import annotations

from dataclasses import dataclass

import pluggy

from core.catalog import Catalog
from core.settings import Settings
from core.store import Store, open_store


@dataclass(frozen=True)
class Definitions:
    """The catalog and the plugin manager that built it: what a booklet or a check needs
    without the store."""

    catalog: Catalog
    plugins: pluggy.PluginManager


def load_definitions(plugins: pluggy.PluginManager | None = None) -> Definitions:
    """Every installed plugin (or ``plugins``), loaded and validated into one catalog."""
    from core.loading import load_catalog
    from core.plugins import get_plugin_manager

    pm = plugins or get_plugin_manager()
    return Definitions(load_catalog(pm), pm)


@dataclass(frozen=True)
class Gestes:
    """One running Gestes: definitions, settings and store."""

    definitions: Definitions
    settings: Settings
    store: Store

    @property
    def catalog(self) -> Catalog:
        return self.definitions.catalog

    @property
    def plugins(self) -> pluggy.PluginManager:
        return self.definitions.plugins

    def close(self) -> None:
        self.store.close()


def open_gestes(
    settings: Settings | None = None,
    *,
    definitions: Definitions | None = None,
    migrate: bool = False,
) -> Gestes:
    """Load the plugins (unless given) and open the store (``migrate``: upgrade it first)."""
    settings = settings or Settings()
    definitions = definitions or load_definitions()
    store = open_store(settings, definitions.catalog, migrate=migrate)
    return Gestes(definitions, settings, store)

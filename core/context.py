"""The application context: built once from settings, handed to the web app and to every
command. It holds the catalog, the plugin manager that built it, the settings and the store,
so that nothing builds a second plugin manager or passes them around piecemeal."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pluggy

from core.booklet.keys import share_keys
from core.catalog.catalog import Catalog, Pinned
from core.settings import Settings
from core.store import Store, open_store

if TYPE_CHECKING:
    from core.booklet.identity import Identity
    from core.immersion.record import ImmersionRecord


@dataclass(frozen=True)
class Definitions:
    """The catalog and the plugin manager that built it: what a booklet or a check needs
    without the store."""

    catalog: Catalog
    plugins: pluggy.PluginManager


def load_definitions(plugins: pluggy.PluginManager | None = None) -> Definitions:
    """Every installed plugin (or ``plugins``), loaded and validated into one catalog."""
    from core.catalog.loading import load_catalog
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

    def catalog_for(self, cohort: Pinned) -> Catalog:
        """The definitions a cohort (or a trainee's record) is judged by: its pinned
        curriculum version's, which may be older than the installed plugin's."""
        return self.store.curricula.catalog(cohort.sector, cohort.curriculum_version)

    def definitions_for(self, cohort: Pinned) -> Definitions:
        """The definitions with ``cohort``'s pinned curriculum and its school's partner
        companies over the plugins' employers: what its booklets print and fit against."""
        from core.partners import with_partners

        pinned = self.catalog_for(cohort)
        school = getattr(cohort, "school_id", 0)
        if school:
            pinned = with_partners(pinned, self.store.partners.employers(school))
        return (
            self.definitions
            if pinned is self.catalog
            else replace(self.definitions, catalog=pinned)
        )

    def immersion_record(self, trainee_id: int) -> ImmersionRecord:
        """What was recorded about a trainee during immersion: immersions with their tutor's
        observations and appraisal, self-assessments, signatures (``core.immersion.placements``)."""
        from core.immersion.placements import appraisal_criteria
        from core.immersion.record import immersion_record

        scope = self.store.lookup.trainee_scope(trainee_id)
        criteria = appraisal_criteria(self.plugins, scope.sector) if scope else ()
        placements = self.store.placements.of(trainee_id)
        return immersion_record(placements, self.store.placements.entries(trainee_id), criteria)

    def identity(self, school_id: int | None) -> Identity:
        """Who answers for a school's documents and signs them (``core.booklet.identity``);
        ``None``: the installation."""
        from core.booklet.identity import identity_of

        school = self.store.lookup.school(school_id) if school_id is not None else None
        return identity_of(self.settings, self.store, school)

    def cohort_identity(self, cohort_id: int) -> Identity:
        """The identity of the school a cohort belongs to."""
        from core.booklet.identity import identity_of

        school = self.store.lookup.cohort_school(cohort_id)
        return identity_of(self.settings, self.store, school)

    def trainee_identity(self, trainee_id: int) -> Identity:
        """The identity of the school a trainee belongs to."""
        scope = self.store.lookup.trainee_scope(trainee_id)
        return self.identity(scope.school_id if scope else None)

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
    share_keys(settings, store.files)  # one signature for every machine (core.booklet.keys)
    return Gestes(definitions, settings, store)

"""The catalog: every definition of every plugin, validated, immutable, looked up by id.

Built by ``core.catalog.loading.load_catalog``; never built by hand outside tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from core.catalog.definitions import (
    AggregationRule,
    Competency,
    CompetencyBlock,
    Curriculum,
    Employer,
    Evaluation,
    Gesture,
    LevelScale,
    Module,
    Sector,
    Territory,
)
from core.catalog.sources import FieldPath, Location, Problem
from core.judging.evaluation import Evaluator
from core.units import CORE_UNITS, Unit

Kind = Literal[
    "sector",
    "curriculum",
    "block",
    "competency",
    "gesture",
    "evaluation",
    "module",
    "territory",
    "employer",
]

KIND_LABELS: Mapping[Kind, str] = {
    "sector": "filière",
    "curriculum": "parcours",
    "block": "bloc de compétences",
    "competency": "compétence",
    "gesture": "geste professionnel",
    "evaluation": "épreuve pratique",
    "module": "module",
    "territory": "territoire",
    "employer": "employeur",
}


@dataclass(frozen=True)
class Entry:
    """One definition in the catalog index: what it is, where it was written, who owns it."""

    id: str
    kind: Kind
    definition: BaseModel
    location: Location
    plugin: str
    sector: str | None = None  # the sector an id belongs to (None for territories, employers)
    path: FieldPath = ()  # where the definition sits in its document
    locator: Callable[[FieldPath], Location] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PluginSummary:
    """What ``gestes plugins`` prints for one plugin."""

    name: str
    version: str
    distribution: str
    counts: Mapping[str, int]


class Pinned(Protocol):
    """A cohort, or a trainee's record of one: its sector and the curriculum version it was
    pinned to."""

    @property
    def sector(self) -> str: ...

    @property
    def curriculum_version(self) -> str: ...


Catalogs = Callable[[str, str], "Catalog"]
"""The catalog a cohort is judged by, from its sector and pinned curriculum version
(``core.store.curricula.Curricula.catalog``)."""


def sector_definitions(sector: Sector) -> Iterator[tuple[str, Kind, BaseModel, FieldPath]]:
    """Every definition a sector holds, with its kind and its path in the sector's document:
    what the catalog indexes by id."""
    yield sector.id, "sector", sector, ("sector",)
    yield sector.curriculum.id, "curriculum", sector.curriculum, ("curriculum",)
    for i, block in enumerate(sector.blocks):
        yield block.id, "block", block, ("blocks", i)
        for j, competency in enumerate(block.competencies):
            yield competency.id, "competency", competency, ("blocks", i, "competencies", j)
    for i, gesture in enumerate(sector.gestures):
        yield gesture.id, "gesture", gesture, ("gestures", i)
    for i, evaluation in enumerate(sector.evaluations):
        yield evaluation.id, "evaluation", evaluation, ("evaluations", i)
    for i, module in enumerate(sector.curriculum.modules):
        yield module.id, "module", module, ("curriculum", "modules", i)


@dataclass(frozen=True)
class Catalog:
    sectors: Mapping[str, Sector]
    territories: Mapping[str, Territory]
    employers: Mapping[str, Employer]
    evaluators: Mapping[str, Evaluator]
    entries: Mapping[str, Entry]
    plugins: tuple[PluginSummary, ...] = ()
    warnings: tuple[Problem, ...] = ()
    version: str = field(default="")
    # Every unit a measurement may be written in: the core's and the plugins' (gestes_units).
    units: Mapping[str, Unit] = field(default_factory=lambda: dict(CORE_UNITS), compare=False)
    # For a cohort's older curriculum (``with_sector``): the installed catalog it came from.
    installed: Catalog | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("sectors", "territories", "employers", "evaluators", "entries"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        if not self.version:
            object.__setattr__(self, "version", self._digest())

    # ------------------------------------------------------------ lookups

    def __contains__(self, definition_id: object) -> bool:
        return definition_id in self.entries

    def entry(self, definition_id: str) -> Entry:
        return self.entries[definition_id]

    def locate(self, definition_id: str, *fields: str | int) -> Location:
        """File, line and path of a definition's field: for plugins' own problems."""
        entry = self.entries[definition_id]
        if entry.locator is None:
            return entry.location.child(*fields)
        return entry.locator((*entry.path, *fields))

    def get(self, definition_id: str) -> BaseModel:
        return self.entries[definition_id].definition

    def _typed(self, definition_id: str, kind: Kind, cls: type[Any]) -> Any:
        entry = self.entries.get(definition_id)
        if entry is None or entry.kind != kind:
            raise KeyError(f"no {kind} with id {definition_id!r}")
        assert isinstance(entry.definition, cls)
        return entry.definition

    def competency(self, definition_id: str) -> Competency:
        result: Competency = self._typed(definition_id, "competency", Competency)
        return result

    def gesture(self, definition_id: str) -> Gesture:
        result: Gesture = self._typed(definition_id, "gesture", Gesture)
        return result

    def evaluation(self, definition_id: str) -> Evaluation:
        result: Evaluation = self._typed(definition_id, "evaluation", Evaluation)
        return result

    def module(self, definition_id: str) -> Module:
        result: Module = self._typed(definition_id, "module", Module)
        return result

    def block(self, definition_id: str) -> CompetencyBlock:
        result: CompetencyBlock = self._typed(definition_id, "block", CompetencyBlock)
        return result

    def sector_of(self, definition_id: str) -> Sector:
        sector = self.entries[definition_id].sector
        if sector is None:
            raise KeyError(f"{definition_id!r} belongs to no sector")
        return self.sectors[sector]

    def curriculum_of(self, definition_id: str) -> Curriculum:
        return self.sector_of(definition_id).curriculum

    def grading(self, competency_id: str) -> tuple[LevelScale, AggregationRule]:
        """The scale and rule that grade a competency (its sector's curriculum)."""
        curriculum = self.curriculum_of(competency_id)
        return curriculum.scale, curriculum.rule

    def ids(self, kind: Kind | None = None) -> list[str]:
        return [i for i, entry in self.entries.items() if kind is None or entry.kind == kind]

    def employers_in(self, territory_id: str, sector: str | None = None) -> list[Employer]:
        """The employers of a territory; with ``sector``, only those who ask for at least one
        of its competencies (a smart-city trainee's booklet does not list datacenter
        operators)."""
        return [
            e
            for e in self.employers.values()
            if territory_id in e.territories and (sector is None or self.hires_in(e, sector))
        ]

    def hires_in(self, employer: Employer, sector: str) -> bool:
        return any(self.sector_id(r.competency) == sector for r in employer.requirements)

    def sector_id(self, definition_id: str) -> str | None:
        """The sector a definition belongs to; None for a territory, an employer, or an id
        this catalog does not hold (a cohort on an older curriculum may lack a competency an
        employer asks for today)."""
        entry = self.entries.get(definition_id)
        return entry.sector if entry is not None else None

    def hiring_for(self, employer: Employer, sector: str) -> Employer:
        """The employer as seen by a trainee of ``sector``: only its requirements in that
        sector, when it has any (an operator hiring for several trades is judged on the
        trade the trainee learnt); otherwise all of them."""
        own = tuple(r for r in employer.requirements if self.sector_id(r.competency) == sector)
        return employer.model_copy(update={"requirements": own}) if own else employer

    def gestures_for(self, competency_id: str) -> list[Gesture]:
        sector = self.sector_of(competency_id)
        return [g for g in sector.gestures if competency_id in g.competencies]

    def evaluations_for(self, competency_id: str) -> list[Evaluation]:
        sector = self.sector_of(competency_id)
        return [e for e in sector.evaluations if competency_id in e.competencies]

    def defining(self, definition_id: str) -> Catalog:
        """This catalog, or for an older curriculum that lacks ``definition_id``, the installed
        one that has it: an employer may ask today for a competency a cohort on an older
        version was never taught (named, and never met; never accepted for an entry)."""
        if definition_id in self.entries or self.installed is None:
            return self
        return self.installed

    def with_sector(self, sector: Sector, where: str) -> Catalog:
        """This catalog with ``sector`` as given instead of the installed one: the
        definitions a cohort pinned to an older curriculum version is judged by. Territories,
        employers and evaluators stay the installed ones; ``where`` says where the sector's
        definitions come from (for messages)."""
        plugin = self.entries[sector.id].plugin if sector.id in self.entries else ""
        entries = {i: e for i, e in self.entries.items() if e.sector != sector.id}
        for definition_id, kind, definition, path in sector_definitions(sector):
            location = Location(where, 0, path)
            entries[definition_id] = Entry(
                definition_id, kind, definition, location, plugin, sector.id, path
            )
        return Catalog(
            sectors={**self.sectors, sector.id: sector},
            territories=self.territories,
            employers=self.employers,
            evaluators=self.evaluators,
            entries=entries,
            plugins=self.plugins,
            installed=self.installed or self,
        )

    def with_employers(self, employers: Mapping[str, Employer]) -> Catalog:
        """This catalog with ``employers`` over the installed ones of the same id and beside
        the others: a school's own profiles of its partner companies
        (``core.store.partners``); sectors, territories and evaluators unchanged."""
        return Catalog(
            sectors=self.sectors,
            territories=self.territories,
            employers={**self.employers, **employers},
            evaluators=self.evaluators,
            entries=self.entries,
            plugins=self.plugins,
            installed=self.installed,
        )

    # ------------------------------------------------------------ export

    def _definitions(self) -> dict[str, Any]:
        return {
            "sectors": [s.model_dump(mode="json") for s in self.sectors.values()],
            "territories": [t.model_dump(mode="json") for t in self.territories.values()],
            "employers": [e.model_dump(mode="json") for e in self.employers.values()],
            "evaluators": [self._evaluator_data(e) for e in self.evaluators.values()],
        }

    def _digest(self) -> str:
        """A short hash of every definition: changes whenever any content changes."""
        digest = hashlib.sha256()
        for group in (self.sectors, self.territories, self.employers):
            for key in sorted(group):
                digest.update(group[key].model_dump_json().encode())
        for key in sorted(self.evaluators):
            digest.update(repr(self._evaluator_data(self.evaluators[key])).encode())
        return digest.hexdigest()[:12]

    @staticmethod
    def _evaluator_data(evaluator: Evaluator) -> dict[str, Any]:
        return {
            "id": evaluator.id,
            "plugin": evaluator.plugin,
            "description": evaluator.description,
            "needs_measurements": list(evaluator.needs_measurements),
            "needs_criteria": list(evaluator.needs_criteria),
            "needs_params": list(evaluator.needs_params),
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole catalog as JSON-ready data (``gestes catalog --format json``)."""
        plugins = [
            {"name": p.name, "version": p.version, "distribution": p.distribution, **p.counts}
            for p in self.plugins
        ]
        return {"version": self.version, "plugins": plugins, **self._definitions()}

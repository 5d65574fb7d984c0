"""Build the one immutable Catalog from every plugin, or say everything that is wrong.

The order is: ask every plugin for its sectors, evaluators and employers; read and validate
each YAML source with pydantic (errors mapped back to file, line and field); index every id
(duplicates name both places); check every cross-reference (unknown ids get a "did you mean");
then let plugins check the whole catalog. Any error and nothing is returned: no half-loaded
catalog can reach the store or the web app.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError

from core.catalog.catalog import Catalog, PluginSummary, sector_definitions
from core.catalog.cross_checks import (
    Contribution,
    Index,
    check_employer,
    check_sector,
)
from core.catalog.definitions import (
    ID_PATTERN,
    KEY_PATTERN,
    Employer,
    EmployerDocument,
    Sector,
    Territory,
)
from core.catalog.hints import At, did_you_mean, folded
from core.catalog.sources import FieldPath, Location, Problem, SourceError, read_source
from core.judging.evaluation import Evaluator
from core.plugins import COMMANDS_PREFIX, installed_plugins
from core.units import CORE_UNITS, Unit

Locate = Callable[[FieldPath], Location]


class CatalogError(Exception):
    """The catalog did not load; ``problems`` lists every reason, each with its place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        count = len(self.problems)
        super().__init__(
            f"{count} problem(s) in the catalog:\n" + "\n".join(map(str, self.problems))
        )


@dataclass
class _Collected:
    sectors: list[Contribution] = field(default_factory=list)
    documents: list[Contribution] = field(default_factory=list)  # EmployerDocument
    evaluators: list[tuple[str, Evaluator]] = field(default_factory=list)
    units: list[tuple[str, Unit]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_catalog(pm: pluggy.PluginManager) -> Catalog:
    """The catalog of ``pm``'s plugins; CatalogError if wrong. ``core.context`` pairs the two
    (``load_definitions``): the manager that built a catalog is the one that serves it."""
    # Loading allocates tens of thousands of short-lived, acyclic objects; the cyclic GC would
    # rescan all of them again and again, which made load time grow faster than the catalog
    # (bench/catalog.py: 2.2x per sector at 20x). Nothing here creates garbage cycles.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(pm)
    finally:
        if paused:
            gc.enable()


def _load(pm: pluggy.PluginManager) -> Catalog:
    collected = _Collected()
    for plugin, result in _call_each(pm, "gestes_sectors", collected.problems):
        for item in result:
            _add_source(collected, plugin, item, Sector, collected.sectors)
    for plugin, result in _call_each(pm, "gestes_employers", collected.problems):
        for item in result:
            if isinstance(item, Employer):
                item = EmployerDocument(employers=(item,))
            _add_source(collected, plugin, item, EmployerDocument, collected.documents)
    for plugin, result in _call_each(pm, "gestes_evaluators", collected.problems):
        for evaluator in result:
            if not isinstance(evaluator, Evaluator):
                message = f"gestes_evaluators returned {type(evaluator).__name__}, not an Evaluator"
                collected.problems.append(Problem(message, Location(f"plugin {plugin}")))
                continue
            collected.evaluators.append((plugin, evaluator))
    for plugin, result in _call_each(pm, "gestes_units", collected.problems):
        collected.units.extend((plugin, unit) for unit in result)

    # Schema errors first: cross-checking a half-read sector would only add echoes of them.
    if any(p.severity == "error" for p in collected.problems):
        raise CatalogError(collected.problems)
    catalog = _assemble(collected)
    if any(p.severity == "error" for p in collected.problems):
        raise CatalogError(collected.problems)
    assert catalog is not None

    for plugin, result in _call_each(pm, "gestes_validate", collected.problems, catalog=catalog):
        for problem in result:
            if isinstance(problem, str):
                problem = Problem(problem, Location(f"plugin {plugin}"))
            collected.problems.append(problem)
    if any(p.severity == "error" for p in collected.problems):
        raise CatalogError(collected.problems)
    warnings = tuple(p for p in collected.problems if p.severity != "error")
    return replace(catalog, plugins=_summaries(pm, catalog), warnings=warnings)


def _call_each(
    pm: pluggy.PluginManager, hook_name: str, problems: list[Problem], **kwargs: Any
) -> Iterable[tuple[str, list[Any]]]:
    """Call a hook plugin by plugin, so that every result is attributed to its plugin.

    Each call goes through pluggy (a subset hook caller holding one implementation and every
    wrapper), so tracing (``GESTES_TRACE_HOOKS``), hook-call monitoring and wrappers see it;
    one plugin's exception is that plugin's problem, not the end of loading.
    """
    caller = getattr(pm.hook, hook_name)
    implementations = [i for i in caller.get_hookimpls() if not (i.hookwrapper or i.wrapper)]
    for impl in implementations:  # registration order; core defaults (trylast) first
        others = [i.plugin for i in implementations if i is not impl]
        try:
            results = pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
        except Exception as error:  # a plugin's bug must be named, not crash the loader
            message = f"{hook_name}() raised {error!r}"
            problems.append(Problem(message, Location(f"plugin {impl.plugin_name}")))
            continue
        for result in results:  # one implementation: at most one result (None is dropped)
            if not isinstance(result, list | tuple):
                message = f"{hook_name}() must return a list, not {type(result).__name__}"
                problems.append(Problem(message, Location(f"plugin {impl.plugin_name}")))
                continue
            yield impl.plugin_name, list(result)


def _add_source(
    collected: _Collected,
    plugin: str,
    item: object,
    model: type[BaseModel],
    into: list[Contribution],
) -> None:
    if isinstance(item, model):

        def locate_python(path: FieldPath, plugin: str = plugin) -> Location:
            return Location(f"plugin {plugin} (Python)", 0, path)

        into.append(Contribution(plugin, item, locate_python))
        return
    if not isinstance(item, str | Path):
        message = f"expected a path or a {model.__name__}, got {type(item).__name__}"
        collected.problems.append(Problem(message, Location(f"plugin {plugin}")))
        return
    try:
        source = read_source(Path(item), display_root=_display_root(Path(item)))
    except SourceError as error:
        collected.problems.extend(error.problems)
        return
    try:
        definition = model.model_validate(source.data)
    except ValidationError as error:
        collected.problems.extend(_validation_problems(error, source.locate))
        return
    into.append(Contribution(plugin, definition, source.locate))


def _display_root(path: Path) -> Path | None:
    """Show paths relative to the working directory when they are under it."""
    cwd = Path.cwd()
    return cwd if path.resolve().is_relative_to(cwd) else None


def _validation_problems(error: ValidationError, locate: Locate) -> list[Problem]:
    problems = []
    details = error.errors(include_url=False)
    failed_items = {tuple(d["loc"][:i]) for d in details for i in range(len(d["loc"]))}
    for detail in details:
        # pydantic also says "too short" of a list whose only items were invalid: noise.
        if detail["type"] == "too_short" and tuple(detail["loc"]) in failed_items:
            continue
        path = tuple(part for part in detail["loc"] if not _is_type_tag(part))
        hint = None
        if detail["type"] == "extra_forbidden" and path:
            hint = did_you_mean(str(path[-1]), _FIELD_NAMES)
        if detail["type"] == "string_pattern_mismatch":
            hint = _as_key(detail)
        own = detail.get("ctx", {}).get("error")
        if isinstance(own, At):  # a definition's own check: at the field it is about
            path, hint = (*path, *own.path), own.hint
        problems.append(Problem(said(detail, path), locate(path), hint))
    return problems


def _as_key(detail: Any) -> str | None:
    """« validé » where a key is expected: the key it would be (accents and capitals off,
    spaces as _), when that one is valid."""
    import re

    pattern = str(detail.get("ctx", {}).get("pattern", ""))
    typed = str(detail.get("input", ""))
    if pattern == KEY_PATTERN:
        candidate = re.sub(r"[^a-z0-9_]+", "_", folded(typed)).strip("_")
    elif pattern == ID_PATTERN:
        parts = [re.sub(r"[^a-z0-9_-]+", "_", folded(p)).strip("_") for p in typed.split(".")]
        candidate = ".".join(parts)
    else:
        return None
    return f"écrivez « {candidate} »" if re.match(pattern, candidate) else None


_PATTERN_NAMES = {
    ID_PATTERN: "un identifiant valide (des mots en minuscules joints par des points : "
    "« fibre.g.soudure »)",
    KEY_PATTERN: "une clé valide (minuscules, chiffres et _, commençant par une lettre)",
}

# What pydantic found wrong, in the words of someone writing YAML (the rest: its English).
_SAID = {
    "model_type": "des lignes « champ: valeur » sont attendues ici",
    "dict_type": "des lignes « champ: valeur » sont attendues ici",
    "model_attributes_type": "des lignes « champ: valeur » sont attendues ici",
    "list_type": "une liste est attendue ici (des lignes commençant par « - »)",
    "tuple_type": "une liste est attendue ici (des lignes commençant par « - »)",
    "string_type": "un texte est attendu ici",
    "int_type": "un nombre entier est attendu ici",
    "int_parsing": "un nombre entier est attendu ici",
    "int_from_float": "un nombre entier est attendu ici (sans virgule)",
    "float_type": "un nombre est attendu ici",
    "float_parsing": "un nombre est attendu ici (avec un point décimal : 0.3)",
    "bool_type": "oui ou non (true ou false) est attendu ici",
    "bool_parsing": "oui ou non (true ou false) est attendu ici",
    "string_too_short": "ce texte est vide",
}


def said(detail: Any, path: tuple[Any, ...]) -> str:
    """One pydantic complaint about a YAML value, in French, naming the field as written."""
    kind, ctx = detail["type"], detail.get("ctx", {})
    name = f"« {path[-1]} »" if path and isinstance(path[-1], str) else ""
    if kind == "extra_forbidden":
        return f"champ inconnu {name}".strip()
    if kind == "missing":
        return f"champ obligatoire {name} absent".replace("  ", " ")
    if kind == "string_pattern_mismatch" and "input" in detail:
        pattern = str(ctx.get("pattern", ""))
        what = _PATTERN_NAMES.get(pattern, f"une valeur de la forme {pattern}")
        return f"« {detail['input']} » n'est pas {what}"
    if kind in {"too_short", "too_long"}:
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"{'au moins' if kind == 'too_short' else 'au plus'} {bound} élément(s) ici"
    if kind == "string_too_long":
        return f"texte trop long ({ctx.get('max_length')} caractères au plus)"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        sign = {"greater_than_equal": "≥", "greater_than": ">"}.get(
            kind, "≤" if "equal" in kind else "<"
        )
        bound = next(iter(ctx.values()), "?")
        return f"la valeur doit être {sign} {bound}"
    if kind in {"literal_error", "enum"}:
        return f"« {detail.get('input')} » n'est pas prévu ici (choix : {ctx.get('expected')})"
    if kind == "value_error":
        own = ctx.get("error")
        return str(own) if own is not None else str(detail["msg"]).removeprefix("Value error, ")
    return _SAID.get(kind, str(detail["msg"]))


def _is_type_tag(part: object) -> bool:
    # pydantic inserts the union member it tried ('float', 'int'...) into error locations
    return isinstance(part, str) and part in {"float", "int", "str", "bool", "function-after[]"}


def _model_fields() -> set[str]:
    from core.catalog import definitions as models

    names: set[str] = set()
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, models.Definition):
            names.update(value.model_fields)
    return names


_FIELD_NAMES = _model_fields()


def _assemble(collected: _Collected) -> Catalog | None:
    index = Index()
    evaluators: dict[str, Evaluator] = {}
    for plugin, evaluator in collected.evaluators:
        if evaluator.id in evaluators:
            first = evaluators[evaluator.id].plugin
            message = f"duplicate evaluator id '{evaluator.id}', first registered by plugin {first}"
            index.problems.append(Problem(message, Location(f"plugin {plugin}")))
            continue
        evaluators[evaluator.id] = _with_plugin(evaluator, plugin)
    units = _units(collected, index.problems)

    sectors: dict[str, Sector] = {}
    for contribution in collected.sectors:
        sector = contribution.definition
        assert isinstance(sector, Sector)
        if sector.id in sectors:
            where = index.entries[sector.id].location
            message = f"duplicate sector '{sector.id}', first defined at {where}"
            index.problems.append(Problem(message, contribution.locate(("sector", "id"))))
            continue
        sectors[sector.id] = sector
        _index_sector(index, contribution, sector)

    territories: dict[str, Territory] = {}
    employers: dict[str, Employer] = {}
    employer_places: list[tuple[Employer, Locate, FieldPath]] = []
    for contribution in collected.documents:
        document = contribution.definition
        assert isinstance(document, EmployerDocument)
        for i, territory in enumerate(document.territories):
            path: FieldPath = ("territories", i)
            index.add_definition(territory.id, "territory", territory, contribution, path)
            territories.setdefault(territory.id, territory)
        for i, employer in enumerate(document.employers):
            index.add_definition(employer.id, "employer", employer, contribution, ("employers", i))
            employers.setdefault(employer.id, employer)
            employer_places.append((employer, contribution.locate, ("employers", i)))

    for contribution in collected.sectors:
        sector = contribution.definition
        assert isinstance(sector, Sector)
        if sectors.get(sector.id) is sector:
            check_sector(index, evaluators, sector, contribution.locate, units)
    for employer, locate, base in employer_places:
        check_employer(index, sectors, employer, locate, base)

    collected.problems.extend(index.problems)
    if any(p.severity == "error" for p in collected.problems):
        return None
    return Catalog(
        sectors=sectors,
        territories=territories,
        employers=employers,
        evaluators=evaluators,
        entries=index.entries,
        units=units,
    )


def _units(collected: _Collected, problems: list[Problem]) -> dict[str, Unit]:
    """The core's units and those plugins declare (``gestes_units``); a symbol the core or
    another plugin already defines otherwise is refused."""
    units = dict(CORE_UNITS)
    for plugin, unit in collected.units:
        where = Location(f"plugin {plugin}")
        if not isinstance(unit, Unit):
            problems.append(Problem(f"gestes_units a rendu {type(unit).__name__}, pas Unit", where))
        elif units.get(unit.symbol, unit) != unit:
            first = units[unit.symbol].dimension
            said = f"unité « {unit.symbol} » déjà définie autrement (dimension {first})"
            problems.append(Problem(said, where))
        else:
            units[unit.symbol] = unit
    return units


def _with_plugin(evaluator: Evaluator, plugin: str) -> Evaluator:
    return evaluator if evaluator.plugin else replace(evaluator, plugin=plugin)


def _index_sector(index: Index, contribution: Contribution, sector: Sector) -> None:
    sid = sector.id
    for definition_id, kind, definition, path in sector_definitions(sector):
        location = index.add_definition(definition_id, kind, definition, contribution, path, sid)
        if kind != "sector" and not definition_id.startswith(f"{sid}."):
            message = f"id '{definition_id}' must start with its sector's id '{sid}.'"
            index.problems.append(Problem(message, location))


def _summaries(pm: pluggy.PluginManager, catalog: Catalog) -> tuple[PluginSummary, ...]:
    installed = {info.name: info for info in installed_plugins()}
    kinds = Counter((entry.plugin, entry.kind) for entry in catalog.entries.values())
    evaluators = Counter(e.plugin for e in catalog.evaluators.values())
    summaries = []
    for name, _plugin in pm.list_name_plugin():
        if name.startswith(COMMANDS_PREFIX):
            continue  # adds commands, defines nothing
        info = installed.get(name)
        counts = {
            kind: kinds[(name, kind)]
            for kind in ("sector", "block", "competency", "gesture", "evaluation", "module")
        }
        counts["employer"] = kinds[(name, "employer")]
        counts["territory"] = kinds[(name, "territory")]
        counts["evaluator"] = evaluators[name]
        summaries.append(
            PluginSummary(
                name=name,
                version=info.version if info else ("built-in" if name == "core" else "-"),
                distribution=info.distribution if info else "-",
                counts=counts,
            )
        )
    return tuple(summaries)

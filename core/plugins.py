"""The plugin manager: every plugin comes from the ``gestes`` entry-point group; modules that
only add commands (the web package's ``gestes serve``) from ``gestes.commands``, registered
beside them when the command line is built. One manager serves a whole run.

Environment variables for debugging:

- ``GESTES_LOAD_PLUGINS=fibre,datacenter`` loads only those entry points (empty: none);
- ``GESTES_TRACE_HOOKS=1`` prints every hook call and its result to standard error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

import pluggy

from core import hookspecs

GROUP = "gestes"
# Modules that only add commands to `gestes` (the web package's `serve`): not sectors, so
# neither listed by `gestes plugins` nor filtered by GESTES_LOAD_PLUGINS.
COMMANDS_GROUP = "gestes.commands"
COMMANDS_PREFIX = "commands:"


class PluginLoadError(Exception):
    """An entry point could not be imported; says which one and why."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    distribution: str
    version: str
    module: str


def installed_plugins() -> list[PluginInfo]:
    """Every entry point of the ``gestes`` group, with the distribution that provides it."""
    infos = []
    for point in entry_points(group=GROUP):
        dist = point.dist
        infos.append(
            PluginInfo(
                name=point.name,
                distribution=dist.name if dist else "?",
                version=dist.version if dist else "?",
                module=point.value,
            )
        )
    return sorted(infos, key=lambda info: info.name)


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    plugins: Iterable[tuple[str, object]] = (),
    commands: bool = False,
) -> pluggy.PluginManager:
    """A fresh manager with the specs, the core defaults and the installed plugins.

    ``plugins`` registers extra (name, plugin) pairs, as tests and tools do; ``commands``
    adds the ``gestes.commands`` modules (the command line's manager).
    """
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    from core import builtin  # the core's own evaluators: imported only when plugins are

    pm.register(builtin, name="core")
    if load_entrypoints:
        allowed = os.environ.get("GESTES_LOAD_PLUGINS")
        allow = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
        for point in entry_points(group=GROUP):
            if allow is not None and point.name not in allow:
                continue
            if pm.has_plugin(point.name):
                continue
            try:
                plugin = point.load()
            except Exception as error:  # a broken third-party plugin must be named, not crash
                message = f"plugin '{point.name}' ({point.value}) failed to import: {error!r}"
                raise PluginLoadError(message) from error
            pm.register(plugin, name=point.name)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    if commands:
        _register_command_modules(pm)
    _trace_if_asked(pm)
    pm.check_pending()
    return pm


def _register_command_modules(pm: pluggy.PluginManager) -> None:
    """The ``gestes.commands`` modules. One that fails to import is skipped with a warning:
    the other commands still work."""
    for point in entry_points(group=COMMANDS_GROUP):
        try:
            pm.register(point.load(), name=f"{COMMANDS_PREFIX}{point.name}")
        except Exception as error:  # a broken command module must not take the CLI down
            print(f"warning: commands '{point.name}' failed to import: {error!r}", file=sys.stderr)


def private_imports(pm: pluggy.PluginManager) -> list[str]:
    """Where an installed plugin imports ``core`` beyond ``core.plugin_api`` (and ``hookimpl``
    from ``core``): what it reaches there may change without notice. One line per import,
    with its file and line. The project's own packages (``core``, ``web``) are not plugins."""
    import ast
    from pathlib import Path

    found = []
    for name, plugin in pm.list_name_plugin():
        file = getattr(plugin, "__file__", None)
        top = getattr(plugin, "__name__", "").split(".")[0]
        if file is None or top in {"core", "web"}:
            continue
        path = Path(file)
        files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
        for source in files:
            tree = ast.parse(source.read_text(encoding="utf-8"), str(source))
            for node in ast.walk(tree):
                for module in _core_imports(node):
                    line = getattr(node, "lineno", 0)
                    where = f"{source.relative_to(path.parent.parent)}, line {line}"
                    found.append(
                        f"plugin '{name}' imports {module} ({where}): only core.plugin_api "
                        "is kept stable for plugins, the rest of core may change without notice"
                    )
    return found


def _core_imports(node: object) -> list[str]:
    """The ``core`` modules ``node`` imports beyond the plugin API."""
    import ast

    allowed = {"core.plugin_api", "core.hookspecs"}
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == "core":  # `from core import hookimpl` is the API; modules are not
            names = [f"core.{a.name}" for a in node.names if a.name != "hookimpl"]
        else:
            names = [node.module]
    else:
        return []
    return [n for n in names if n.split(".")[0] == "core" and n not in allowed and n != "core"]


def _trace_if_asked(pm: pluggy.PluginManager) -> None:
    if os.environ.get("GESTES_TRACE_HOOKS"):
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()

"""The plugin manager: every plugin comes from the ``gestes`` entry-point group.

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
# Modules that only add commands to `gestes` (the web package's `serve`). A group of their own
# so that building the command line imports them alone, not every sector plugin with its
# evaluators: `gestes --help` stays at ~0.1 s instead of ~0.3 s (bench/catalog.py).
COMMANDS_GROUP = "gestes.commands"


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
    *, load_entrypoints: bool = True, plugins: Iterable[tuple[str, object]] = ()
) -> pluggy.PluginManager:
    """A fresh manager with the specs, the core defaults and the installed plugins.

    ``plugins`` registers extra (name, plugin) pairs, as tests and tools do.
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
    _trace_if_asked(pm)
    pm.check_pending()
    return pm


def get_command_manager() -> pluggy.PluginManager:
    """A manager with the specs and the ``gestes.commands`` entry points only (light modules
    implementing ``gestes_commands``). A command module that fails to import is skipped with
    a warning: the other commands still work."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    for point in entry_points(group=COMMANDS_GROUP):
        try:
            pm.register(point.load(), name=f"commands:{point.name}")
        except Exception as error:  # a broken command module must not take the CLI down
            print(f"warning: commands '{point.name}' failed to import: {error!r}", file=sys.stderr)
    _trace_if_asked(pm)
    pm.check_pending()
    return pm


def _trace_if_asked(pm: pluggy.PluginManager) -> None:
    if os.environ.get("GESTES_TRACE_HOOKS"):
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()

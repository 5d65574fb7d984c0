"""Gestes core: definitions, plugin hooks, catalog loading, scoring and aggregation.

Plugins import from here: ``from core import hookimpl``.
"""

from core.hookspecs import hookimpl

__all__ = ["hookimpl"]

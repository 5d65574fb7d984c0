"""The boundaries of ARCHITECTURE.md, read from the source: who may import what, and how
long a module or a function may grow before it needs a written reason."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import core.store

ROOT = Path(__file__).parent.parent
PACKAGES = ("core", "web", "plugins")  # the program; tests and bench/ may import anything

# Longer than the limits below, and why.
LONG_MODULES: dict[str, str] = {}
LONG_FUNCTIONS = {
    # One statement: the booklet's fields, each computed where it is named.
    "core/booklet/data.py:build_booklet": "a single BookletData(...) with one line per field",
}
MODULE_LINES = 500
FUNCTION_LINES = 60


def modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "scaffold_template" in path.parts or "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).as_posix()
            yield relative, ast.parse(path.read_text(encoding="utf-8"), relative)


def imported(tree: ast.Module) -> set[str]:
    """Every module a file imports, at its top or inside a function, by its full name."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def starts(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(rule: str) -> list[str]:
    found = []
    for relative, tree in modules():
        for name in sorted(imported(tree)):
            if breaks(rule, relative, name):
                found.append(f"{relative} imports {name}")
    return found


def breaks(rule: str, relative: str, name: str) -> bool:
    """Whether ``relative`` importing ``name`` breaks ``rule``."""
    outside_store = not relative.startswith("core/store/")
    if rule == "sql":
        return outside_store and starts(name, "sqlalchemy", "alembic")
    if rule == "store internals":
        public = {"core.store", *(f"core.store.{n}" for n in STORE_API)}
        return outside_store and starts(name, "core.store") and name not in public
    if rule == "core is not web":
        return relative.startswith("core/") and starts(name, "web", "plugins")
    if rule == "plugin api":
        plugin = relative.startswith("plugins/")
        return plugin and starts(name, "core") and not starts(name, "core.plugin_api")
    raise ValueError(rule)


STORE_API = set(core.store.__all__)  # the services and entry points the store exports


@pytest.mark.parametrize("rule", ["sql", "store internals", "core is not web", "plugin api"])
def test_imports_respect_the_boundaries(rule):
    assert violations(rule) == []


def test_the_import_check_sees_a_violation(tmp_path, monkeypatch):
    """The walk is not vacuous: a web module importing SQLAlchemy or the tables is caught."""
    sneaky = ast.parse(
        "def f():\n    from sqlalchemy import select\n    import core.store.tables\n"
    )
    real = list(modules())
    monkeypatch.setattr(
        "tests.test_architecture.modules", lambda: iter([*real, ("web/sneaky.py", sneaky)])
    )
    assert violations("sql") == [
        "web/sneaky.py imports sqlalchemy",
        "web/sneaky.py imports sqlalchemy.select",
    ]
    assert violations("store internals") == ["web/sneaky.py imports core.store.tables"]


def test_modules_and_functions_stay_short():
    long = []
    for relative, tree in modules():
        lines = len((ROOT / relative).read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LINES and relative not in LONG_MODULES:
            long.append(f"{relative}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{relative}:{node.name}"
                if length > FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    long.append(f"{key}: {length} lines")
    assert long == []

"""The boundaries of the layout (docs/contributing/architecture.md), read from the source: who
may import what, that no modules import each other in a circle, and how long a module or a
function may grow before it needs a written reason."""

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


def imported(tree: ast.Module, *, at_run_time: bool = False) -> set[str]:
    """Every module a file imports, at its top or inside a function, by its full name;
    ``at_run_time``: leaving out what is imported only for the type checker."""
    names: set[str] = set()
    nodes = run_time_nodes(tree) if at_run_time else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING:
            yield from (n for child in node.orelse for n in ast.walk(child))
            continue
        yield node
        yield from run_time_nodes(node)


TYPE_CHECKING = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


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
    if rule == "routes are not the factory":
        # web.app builds the app from the routes: a route importing it closes a circle.
        return (
            relative.startswith("web/")
            and relative != "web/__init__.py"
            and starts(name, "web.app")
            and relative != "web/commands.py"
        )
    if rule == "the api is not the pages":
        # What both do lives in web.actions: JSON routes never borrow a page's work.
        api = relative.startswith("web/api/") or relative == "web/actions.py"
        return api and starts(name, "web.pages")
    raise ValueError(rule)


STORE_API = set(core.store.__all__)  # the services and entry points the store exports


RULES = [
    "sql",
    "store internals",
    "core is not web",
    "plugin api",
    "routes are not the factory",
    "the api is not the pages",
]


@pytest.mark.parametrize("rule", RULES)
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


def module_name(relative: str) -> str:
    return relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def import_graph(found: Iterator[tuple[str, ast.Module]]) -> dict[str, set[str]]:
    """Which of the program's modules each one imports when it runs, at its top or inside a
    function (imports for the type checker alone never run). Importing ``a.b.c`` runs
    ``a/__init__`` and ``a/b/__init__`` first: from outside a package, an import is an edge to
    each of its parents too (how Python really loads it)."""
    trees = dict(found)
    known = {module_name(relative) for relative in trees}
    graph: dict[str, set[str]] = {}
    for relative, tree in trees.items():
        me = module_name(relative)
        edges = graph.setdefault(me, set())
        for name in imported(tree, at_run_time=True):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                inside = me == target or me.startswith(target + ".")
                if target in known and target != me and not inside:
                    edges.add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    """No modules import each other in a circle, even from inside a function: each module
    can be read, tested and moved knowing only what it imports."""
    assert cycles(import_graph(modules())) == []


def test_the_cycle_check_sees_a_planted_cycle():
    """Not vacuous: the factory imports the routes; a route importing the factory back is a
    circle, and so is a package whose ``__init__`` imports a module that imports it."""
    planted = ast.parse("def f():\n    from web.app import create_app\n")
    found = [
        *((r, t) for r, t in modules() if r != "web/pages/scoring.py"),
        ("web/pages/scoring.py", planted),
    ]
    (circle,) = cycles(import_graph(iter(found)))
    assert {"web.app", "web.pages.scoring"} <= set(circle)
    loop = [
        ("pkg/__init__.py", ast.parse("from pkg.inner import x\n")),
        ("other.py", ast.parse("import pkg.inner\n")),
        ("pkg/inner.py", ast.parse("import other\n")),
    ]
    assert cycles(import_graph(iter(loop))) == [["other", "pkg", "pkg.inner"]]

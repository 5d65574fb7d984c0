"""The gestes command line, including the path of an external plugin's author."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli.main import build_cli
from tests.conftest import IN_TREE, line_of

BIN = Path(sys.executable).parent


def run(*args: str):
    return CliRunner().invoke(build_cli(), list(args))


def test_plugins_lists_the_three_sectors_with_counts(catalog):
    result = run("plugins")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert rows["plugin"][2:5] == ["sectors", "blocks", "competencies"]
    for name in ("datacenter", "fibre", "smartcity"):
        counts = catalog.plugins[[p.name for p in catalog.plugins].index(name)].counts
        assert rows[name][1] == "0.1.0"
        assert rows[name][4] == str(counts["competency"]) and int(rows[name][4]) >= 12
        assert int(rows[name][5]) >= 10  # gestures


def test_validate_succeeds_on_the_in_tree_plugins(catalog):
    result = run("validate")
    assert result.exit_code == 0
    assert f"Catalog {catalog.version} is valid: 3 sectors" in result.stdout
    assert "imports core" not in result.stderr  # the in-tree plugins keep to the API


def test_validate_warns_of_a_plugin_reaching_past_the_plugin_api(monkeypatch, tmp_path):
    """A plugin importing core beyond core.plugin_api is told where, file and line; the
    API itself (and ``from core import hookimpl``) is not, nor are the in-tree plugins."""
    import importlib

    from core import plugins

    package = tmp_path / "sneaky"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from core import hookimpl\nfrom core.plugin_api import Problem\n", encoding="utf-8"
    )
    (package / "inner.py").write_text(
        "def f():\n    from core.store.tables import Observation\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sneaky = importlib.import_module("sneaky")
    real = plugins.get_plugin_manager
    monkeypatch.setattr(
        plugins,
        "get_plugin_manager",
        lambda **options: real(plugins=[("sneaky", sneaky)], **options),
    )
    result = run("validate")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "imports core" in line]
    assert warnings == [
        "warning: plugin 'sneaky' imports core.store.tables (sneaky/inner.py, line 2): only "
        "core.plugin_api is kept stable for plugins, the rest of core may change without notice"
    ]


def test_validate_lists_every_problem_and_fails(monkeypatch, tmp_path):
    from core import plugins
    from tests.conftest import YamlPlugin

    broken = tmp_path / "employers.yaml"
    broken.write_text(
        "employers:\n  - id: employeur.x\n    name: X\n    territories: [territoire.lyom]\n"
        "    requirements:\n      - {competency: fibre.c.soudre}\n",
        encoding="utf-8",
    )
    real = plugins.get_plugin_manager

    def with_broken(**options):
        return real(plugins=[("broken", YamlPlugin(employers=[broken]))], **options)

    monkeypatch.setattr(plugins, "get_plugin_manager", with_broken)
    result = run("validate")
    assert result.exit_code == 1
    assert (
        f"{broken}:4: employers[0].territories[0] (1er employeur, 1er territoire): territoire "
        "introuvable : « territoire.lyom » (vouliez-vous dire « territoire.lyon » ?)"
        in result.stderr
    )
    assert (
        f"{broken}:6: employers[0].requirements[0].competency (1er employeur, 1re exigence): "
        "compétence introuvable : « fibre.c.soudre » (vouliez-vous dire « fibre.c.souder » ?)"
        in result.stderr
    )
    assert "2 error(s): the catalog was not loaded." in result.stderr


def test_catalog_json():
    result = run("catalog", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    fibre = next(s for s in data["sectors"] if s["sector"]["id"] == "fibre")
    splice = next(g for g in fibre["gestures"] if g["id"] == "fibre.g.soudure_fusion")
    assert splice["steps"][0]["critical"] is True
    assert run("catalog", "--format", "xml").exit_code == 2


def test_show_a_gesture_and_an_unknown_id():
    result = run("show", "fibre.g.soudure_fusion")
    assert result.exit_code == 0
    assert "Geste professionnel fibre.g.soudure_fusion — Soudure par fusion" in result.stdout
    assert "plugins/fibre/sector/gestures.yaml:" in result.stdout
    assert " ⚠ 1. Enfiler le manchon de protection AVANT tout" in result.stdout
    unknown = run("show", "fibre.g.soudure")
    assert unknown.exit_code == 1
    assert "Did you mean: " in unknown.stderr and "fibre.g.soudure_fusion" in unknown.stderr


@pytest.mark.parametrize(
    "definition_id",
    [
        "fibre",
        "fibre.parcours",
        "fibre.bloc.raccorder",
        "fibre.c.souder",
        "fibre.e.connecteurs",
        "fibre.m.soudure",
        "employeur.telenco",
        "territoire.marseille",
    ],
)
def test_show_every_kind(definition_id):
    result = run("show", definition_id)
    assert result.exit_code == 0, result.output
    assert definition_id in result.stdout.splitlines()[0]


def test_new_plugin_refuses_bad_names_and_non_empty_folders(tmp_path):
    assert run("new-plugin", "Bad-Name", "--path", str(tmp_path / "x")).exit_code == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    result = run("new-plugin", "elec", "--path", str(tmp_path / "full"))
    assert result.exit_code == 2 and "is not empty" in result.stderr


def test_help_does_not_import_the_web_stack_or_load_plugins():
    """Every plugin is registered (a sector may add commands) but none of what they define is
    read: no YAML, no evaluators, no models; nor the web stack."""
    code = (
        "import sys; from typer.testing import CliRunner; from core.cli.main import build_cli;"
        "r = CliRunner().invoke(build_cli(), ['--help']); assert r.exit_code == 0, r.output;"
        "print(r.output); print('MODULES', ' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    help_text, modules = out.stdout.rsplit("MODULES", 1)
    for command in ("plugins", "validate", "catalog", "show", "new-plugin"):
        assert command in help_text
    loaded = {m.split(".")[0] for m in modules.split()} | set(modules.split())
    assert {"plugins.fibre", "plugins.datacenter", "plugins.smartcity"} <= loaded
    for heavy in (
        "weasyprint",
        "fastapi",
        "starlette",
        "uvicorn",
        "sqlalchemy",
        "web.app",
        "core.catalog.loading",
        "yaml",
        "pydantic",
        "plugins.fibre.evaluators",
        "core.judging.evaluation",
    ):
        assert heavy not in loaded, heavy


def test_external_plugin_installs_with_pip_and_validates(tmp_path):
    """The author's path: scaffold, pip install, see it listed, validate, break a reference."""
    package, site = tmp_path / "gestes-electricite", tmp_path / "site"
    assert run("new-plugin", "electricite", "--path", str(package)).exit_code == 0
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(site),
            str(package),
        ],
        check=True,
        capture_output=True,
    )
    scope = os.environ.get("GESTES_LOAD_PLUGINS", IN_TREE)  # the in-tree ones and the new one
    env = os.environ | {"PYTHONPATH": str(site), "GESTES_LOAD_PLUGINS": f"{scope},electricite"}

    def gestes(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BIN / "gestes", *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )

    listed = gestes("plugins")
    assert listed.returncode == 0
    assert any(
        line.split()[:3] == ["electricite", "0.1.0", "1"] for line in listed.stdout.splitlines()
    )
    valid = gestes("validate")
    assert valid.returncode == 0 and "4 sectors" in valid.stdout, valid.stderr
    # the plugin's own tests run with the fixtures Gestes ships (pytest11 entry point)
    tests = subprocess.run(
        [BIN / "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert "2 passed" in tests.stdout, tests.stdout + tests.stderr

    gestures = site / "gestes_electricite" / "sector" / "gestures.yaml"
    text = gestures.read_text(encoding="utf-8")
    gestures.write_text(
        text.replace("[electricite.c.exemple]", "[electricite.c.exempel]"), encoding="utf-8"
    )
    broken = gestes("validate")
    assert broken.returncode == 1
    line = line_of(gestures, "electricite.c.exempel")
    assert (
        f"site/gestes_electricite/sector/gestures.yaml:{line}: gestures[0].competencies[0] "
        "(1er geste, 1re compétence): "
        "compétence introuvable : « electricite.c.exempel » (vouliez-vous dire "
        "« electricite.c.exemple » ?)" in broken.stderr
    )

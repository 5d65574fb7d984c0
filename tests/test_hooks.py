"""One test per hook; meta-tests keep the tests and the hooks' reference complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import hookimpl, hookspecs
from core.booklet.sections import BookletSection, SectionRow
from core.catalog.definitions import Employer, EmployerDocument, Requirement, Territory
from core.catalog.loading import CatalogError, load_catalog
from core.catalog.sources import Problem
from core.judging.evaluation import EvaluationScore, Evaluator
from tests.conftest import TINY, line_of, manager
from tests.plugins import tiny as tiny_plugin

ROOT = Path(__file__).parent.parent
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("gestes_"))


def test_every_hook_has_a_test():
    tested = {
        name.removeprefix("test_hook_") for name in globals() if name.startswith("test_hook_")
    }
    assert set(HOOKS) <= tested, f"untested hooks: {set(HOOKS) - tested}"


def test_every_hookspec_shows_an_example():
    """The hooks' reference (docs/plugins/hooks.md) is generated from these docstrings: each
    carries a working example."""
    for name in HOOKS:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert "Example::" in doc and "@hookimpl" in doc, name


def test_every_hookspec_says_who_calls_it():
    for name in HOOKS:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert "Called" in doc and ":returns:" in doc, name


def test_hook_gestes_sectors(catalog):
    assert set(catalog.sectors) == {"datacenter", "fibre", "smartcity"}
    tiny = load_catalog(manager(("tiny", tiny_plugin)))
    assert set(tiny.sectors) == {"tiny"}
    assert tiny.entry("tiny.c.visser").plugin == "tiny"


def test_hook_gestes_evaluators(tmp_path):
    def always(evaluation, submission):
        return EvaluationScore.from_checks(evaluation, "tiny.always", [])

    class Plugin:
        def __init__(self, sector):
            self.sector = sector

        @hookimpl
        def gestes_sectors(self):
            return [self.sector]

        @hookimpl
        def gestes_evaluators(self):
            return [Evaluator("tiny.always", always, "Toujours", needs_params=("seuil",))]

    catalog = load_catalog(manager(("plugin", Plugin(TINY / "sector.yaml"))))
    assert catalog.evaluators["tiny.always"].plugin == "plugin"
    # an evaluation naming it must provide what the evaluator says it needs
    sector = tmp_path / "sector.yaml"
    text = (TINY / "sector.yaml").read_text(encoding="utf-8")
    sector.write_text(
        text.replace("evaluator: core.standard", "evaluator: tiny.always"), encoding="utf-8"
    )
    with pytest.raises(
        CatalogError, match=r"le correcteur tiny\.always demande le paramètre « seuil »"
    ):
        load_catalog(manager(("plugin", Plugin(sector))))


def test_hook_gestes_evaluators_duplicate_id_is_refused():
    class Twice:
        @hookimpl
        def gestes_evaluators(self):
            return [Evaluator("core.checklist", lambda e, s: None)]  # type: ignore[arg-type,return-value]

    with pytest.raises(
        CatalogError,
        match=r"duplicate evaluator id 'core\.checklist', first registered by plugin core",
    ):
        load_catalog(manager(("twice", Twice())))


def test_hook_gestes_employers():
    class Plugin:
        @hookimpl
        def gestes_sectors(self):
            return [TINY / "sector.yaml"]

        @hookimpl
        def gestes_employers(self):
            employer = Employer(
                id="employeur.atelier",
                name="Atelier",
                territories=("territoire.vallee",),
                requirements=(Requirement(competency="tiny.c.visser"),),
            )
            territory = Territory(id="territoire.vallee", name="Vallée", region="Auvergne")
            return [employer, EmployerDocument(territories=(territory,))]

    catalog = load_catalog(manager(("plugin", Plugin())))
    assert [e.id for e in catalog.employers_in("territoire.vallee")] == ["employeur.atelier"]
    assert catalog.entry("employeur.atelier").location.file == "plugin plugin (Python)"


def test_hook_gestes_validate():
    seen = []

    class Strict:
        @hookimpl
        def gestes_sectors(self):
            return [TINY / "sector.yaml"]

        @hookimpl
        def gestes_validate(self, catalog):
            seen.append(catalog.version)
            gesture = catalog.gesture("tiny.g.percer")
            if not gesture.critical_steps:
                return [
                    Problem(
                        "every gesture needs a safety step", catalog.locate(gesture.id, "steps")
                    ),
                    Problem("consider a time limit", severity="warning"),
                ]
            return []

    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("strict", Strict())))
    [problem] = caught.value.problems
    assert str(problem).endswith("gestures[1].steps (2e geste): every gesture needs a safety step")
    line = line_of(TINY / "sector.yaml", "- key: marquer") - 1  # the 'steps:' line
    assert str(problem).startswith(f"tests/plugins/tiny/sector.yaml:{line}: ")
    assert [str(w) for w in caught.value.warnings] == ["consider a time limit"]
    assert len(seen) == 1, "called once, with the complete catalog"


def test_hook_gestes_validate_in_real_plugins(tmp_path):
    """The fibre and smart-city plugins check their evaluators' parameters."""
    fibre_evaluations = ROOT / "plugins" / "fibre" / "sector" / "evaluations.yaml"
    assert "grade: B1" in fibre_evaluations.read_text(encoding="utf-8")
    import plugins.fibre as fibre

    sector = tmp_path / "sector"
    sector.mkdir()
    for file in (ROOT / "plugins" / "fibre" / "sector").glob("*.yaml"):
        text = file.read_text(encoding="utf-8").replace("grade: B1", "grade: B2")
        (sector / file.name).write_text(text, encoding="utf-8")

    class Fibre:
        gestes_evaluators = staticmethod(fibre.gestes_evaluators)
        gestes_employers = staticmethod(fibre.gestes_employers)
        gestes_validate = staticmethod(fibre.gestes_validate)

        @hookimpl
        def gestes_sectors(self):
            return [sector]

    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("fibre", Fibre())))
    [problem] = caught.value.problems
    assert "unknown connector grade 'B2' (known: B1, C1)" in str(problem)
    assert str(problem.location).startswith(str(sector / "evaluations.yaml"))
    assert problem.location.path[-2:] == ("params", "grade")


def test_hook_gestes_appraisal_criteria():
    from core.immersion.placements import DEFAULT_CRITERIA, appraisal_criteria

    class Fibre:
        @hookimpl
        def gestes_appraisal_criteria(self, sector):
            if sector != "fibre":
                return []
            # the core's key is kept, a malformed key and an empty label are ignored
            return [
                ("hauteur", " Travail en hauteur "),
                ("securite", "Autre"),
                ("Bad Key", "x"),
                ("vide", "  "),
            ]

    pm = manager(("fibre", Fibre()))
    fibre = appraisal_criteria(pm, "fibre")
    assert [c.key for c in fibre] == [c.key for c in DEFAULT_CRITERIA] + ["hauteur"]
    assert fibre[-1].label == "Travail en hauteur"
    assert fibre[1].label == DEFAULT_CRITERIA[1].label  # the first to use a key keeps it
    assert appraisal_criteria(pm, "datacenter") == DEFAULT_CRITERIA


def test_hook_gestes_booklet_sections():
    class Sections:
        @hookimpl
        def gestes_booklet_sections(self, record, employer):
            if record.get("sector") != "fibre":
                return []
            return [
                BookletSection(
                    title="Pertes mesurées",
                    columns=("Soudure", "Perte"),
                    rows=(SectionRow(cells=("1", "0,05 dB"), ok=True),),
                )
            ]

    class Other:
        @hookimpl
        def gestes_booklet_sections(self, record):  # fewer arguments than the spec
            return [BookletSection(title="Autre", order=10)]

    pm = manager(("sections", Sections()), ("other", Other()))
    results = pm.hook.gestes_booklet_sections(record={"sector": "fibre"}, employer=None)
    titles = sorted(section.title for sections in results for section in sections)
    assert titles == ["Autre", "Pertes mesurées"]
    results = pm.hook.gestes_booklet_sections(record={"sector": "datacenter"}, employer=None)
    assert sorted(s.title for sections in results for s in sections) == ["Autre"]
    with pytest.raises(ValueError, match="title"):
        BookletSection(title="")


def test_hook_gestes_commands(monkeypatch, tmp_path):
    """A sector plugin adds a command through the same hook manager as everything else; its
    command opens the catalog that plugin contributed to (one manager for the whole run)."""
    import typer
    from typer.testing import CliRunner

    from core import plugins
    from core.cli.main import build_cli
    from tests.plugins import tiny

    built: list[object] = []

    class Sector:
        gestes_sectors = staticmethod(tiny.gestes_sectors)

        @hookimpl
        def gestes_commands(self, cli, open_gestes):
            @cli.command("hello")
            def hello() -> None:
                """Say hello with the sectors of the catalog."""
                gestes = open_gestes(migrate=True)
                typer.echo(f"hello {' '.join(sorted(gestes.catalog.sectors))}")

    real = plugins.get_plugin_manager

    def with_sector(**options):
        pm = real(**options)
        if not built:  # the command line's own manager, registered once
            pm.register(Sector(), name="sector-with-commands")
            built.append(pm)
        return pm

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(plugins, "get_plugin_manager", with_sector)
    result = CliRunner().invoke(build_cli(), ["hello"])
    assert result.exit_code == 0, result.output
    assert "tiny" in result.output.split()  # the plugin's own sector, from the same manager
    assert "serve" in CliRunner().invoke(build_cli(), ["--help"]).output  # from web.commands


def test_every_hook_call_goes_through_pluggy(monkeypatch):
    """Loading calls each plugin's implementation through pluggy: hook-call monitoring sees
    every one, attributed to its plugin, and a wrapper wraps each call."""
    from core.plugins import get_plugin_manager

    seen: list[tuple[str, list[str]]] = []
    wrapped: list[str] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def gestes_sectors(self):
            result = yield
            wrapped.append(f"{len(result)} result")
            return result

    pm = get_plugin_manager(plugins=[("wrapper", Wrapper())])
    pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: seen.append((name, sorted(i.plugin_name for i in impls))),
        lambda outcome, name, impls, kwargs: None,
    )
    catalog = load_catalog(pm)
    called = {(name, plugin) for name, impls in seen for plugin in impls if plugin != "wrapper"}
    for hook, plugin in [
        ("gestes_sectors", "fibre"),
        ("gestes_sectors", "datacenter"),
        ("gestes_sectors", "smartcity"),
        ("gestes_evaluators", "core"),
        ("gestes_evaluators", "fibre"),
        ("gestes_employers", "core"),
        ("gestes_employers", "smartcity"),
        ("gestes_validate", "fibre"),
    ]:
        assert (hook, plugin) in called
    # One plugin per call (so every result is attributed), the wrapper around each of them.
    assert all(len([p for p in impls if p != "wrapper"]) == 1 for _, impls in seen)
    assert wrapped == ["1 result"] * 3 and set(catalog.sectors) == {
        "datacenter",
        "fibre",
        "smartcity",
    }


def test_trace_hooks_prints_every_hook_call():
    """GESTES_TRACE_HOOKS=1 gestes validate: each of the loading hooks, for each plugin."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "GESTES_TRACE_HOOKS": "1"}
    code = "from core.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "validate"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    calls = re.findall(r"^\s*(gestes_\w+) \[hook\]", done.stderr, flags=re.MULTILINE)
    assert set(calls) == {
        "gestes_sectors",
        "gestes_evaluators",
        "gestes_employers",
        "gestes_validate",
        "gestes_commands",
    }
    assert calls.count("gestes_sectors") == 3  # one call per sector plugin
    assert calls.count("gestes_evaluators") == 4  # the core's built-ins, then each plugin's
    assert "finish gestes_validate" in done.stderr


def test_hook_gestes_units(load_tiny, tiny_copy):
    from tests.conftest import edit, problems_of

    """« m³/h » unknown to the core: declared by the plugin (gestes_units), it is accepted,
    and a value typed in it on the floor is read; a symbol the core defines otherwise is
    refused."""
    from core.judging.evaluation import parse_submission
    from core.units import Unit

    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "unit: N·m", "unit: m³/h")
    flow = Unit("m³/h", "débit", factor=1 / 3600, minimum=0, aliases=("m3/h",))
    catalog = load_tiny(units=[flow])
    evaluation = catalog.evaluation("tiny.e.couple")
    parsed = parse_submission(evaluation, {}, {"couple_nm": "5 m3/h"}, catalog.units)
    assert parsed.measurements == {"couple_nm": (5.0,)}
    [problem] = problems_of(lambda: load_tiny(units=[flow, Unit("Pa", "débit")]))
    assert "unité « Pa » déjà définie autrement (dimension pression)" in problem

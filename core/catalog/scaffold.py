"""``gestes new-plugin``: write an external sector plugin package that validates at once.

The package has its own ``pyproject.toml`` (entry point in the ``gestes`` group), a sector
split over YAML files, a hooks module with a custom evaluator, employers, and a test that uses
the fixtures Gestes ships for plugin authors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template

from core.catalog.schema import KINDS, file_schema

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(Exception):
    pass


def scaffold_plugin(name: str, path: Path) -> list[Path]:
    """Create the plugin package under ``path``; returns the files written."""
    if not NAME.match(name):
        raise ScaffoldError(
            f"'{name}' is not a valid sector id: lower-case letters, digits and _, "
            "starting with a letter (e.g. 'electricite')"
        )
    if path.exists() and any(path.iterdir()):
        raise ScaffoldError(f"{path} exists and is not empty")
    package = f"gestes_{name}"
    values = {"name": name, "package": package, "title": name.replace("_", " ").capitalize()}
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"{package}/__init__.py": HOOKS,
        f"{package}/sector/sector.yaml": SECTOR,
        f"{package}/sector/gestures.yaml": GESTURES,
        f"{package}/sector/evaluations.yaml": EVALUATIONS,
        f"{package}/employers.yaml": EMPLOYERS,
        f"tests/test_{name}.py": TEST,
    }
    written = []
    for relative, template in files.items():
        target = path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _schema_line(relative) + Template(template).substitute(values)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    for kind in KINDS:  # what the YAML files' first line points editors to
        target = path / package / "schema" / f"{kind}.json"
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(file_schema(kind), ensure_ascii=False, indent=2) + "\n")
        written.append(target)
    return written


def _schema_line(relative: str) -> str:
    """An editor with a YAML language server completes and checks the file from its schema."""
    if relative.endswith("/employers.yaml"):
        return "# yaml-language-server: $schema=schema/employers.json\n"
    if "/sector/" in relative and relative.endswith(".yaml"):
        return "# yaml-language-server: $schema=../schema/sector.json\n"
    return ""


PYPROJECT = """\
[project]
name = "gestes-$name"
version = "0.1.0"
description = "Gestes sector plugin: $title"
requires-python = ">=3.11"
dependencies = ["gestes"]

# This line is what makes Gestes find the plugin.
[project.entry-points.gestes]
$name = "$package"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["$package"]
"""

README = """\
# gestes-$name

A sector plugin for Gestes.

    pip install -e .
    gestes plugins          # lists '$name'
    gestes validate         # checks every file, line and reference
    gestes show $name.g.exemple
    pytest tests

Edit `$package/sector/*.yaml` for the content and `$package/__init__.py` for the hooks.
"""

HOOKS = '''\
"""Gestes plugin for the $name sector: where its YAML is, and its own evaluator.

Only ``hookimpl`` is imported at the top: the rest of the plugin API is imported inside the
hooks that use it, so that registering this plugin costs the ``gestes`` command line nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.plugin_api import hookimpl

if TYPE_CHECKING:
    from core.plugin_api import Evaluation, EvaluationScore, Evaluator, Submission

HERE = Path(__file__).parent


@hookimpl
def gestes_sectors() -> list[Path]:
    return [HERE / "sector"]


@hookimpl
def gestes_employers() -> list[Path]:
    return [HERE / "employers.yaml"]


def score_tolerance(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    """Each value of 'ecart' within nominal ± tolerance (both from the evaluation's params)."""
    from core.plugin_api import EvaluationScore, Threshold, value_check

    nominal = float(evaluation.params["nominal"])
    tolerance = float(evaluation.params["tolerance"])
    measurement = evaluation.measurement("valeur")
    bounds = Threshold(min=nominal - tolerance, max=nominal + tolerance)
    checks = [value_check(measurement, value, bounds) for value in submission.values("valeur")]
    return EvaluationScore.from_checks(evaluation, "$name.tolerance", checks)


@hookimpl
def gestes_evaluators() -> list[Evaluator]:
    from core.plugin_api import Evaluator

    return [
        Evaluator(
            "$name.tolerance",
            score_tolerance,
            "Chaque valeur mesurée dans nominal ± tolerance.",
            needs_measurements=("valeur",),
            needs_params=("nominal", "tolerance"),
        )
    ]
'''

SECTOR = """\
sector:
  id: $name
  name: $title
  description: Décrire ici le métier visé.

curriculum:
  id: $name.parcours
  title: Parcours $title
  version: "2026.1"
  weeks: 12
  modules:
    - id: $name.m.remise_niveau
      name: Remise à niveau
      phase: remise_a_niveau
      hours: 70
    - id: $name.m.geste
      name: Apprentissage du geste
      phase: geste
      hours: 210
      gestures: [$name.g.exemple]
      evaluations: [$name.e.exemple]
    - id: $name.m.immersion
      name: Immersion en entreprise
      phase: immersion
      hours: 140

blocks:
  - id: $name.bloc.principal
    name: Bloc principal
    competencies:
      - id: $name.c.exemple
        name: Réaliser le geste d'exemple en sécurité
"""

GESTURES = """\
gestures:
  - id: $name.g.exemple
    name: Geste d'exemple
    competencies: [$name.c.exemple]
    steps:
      - key: preparer
        label: Préparer le poste et l'outillage
      - key: securite
        label: Vérifier la sécurité avant d'intervenir
        critical: true
        why: Une étape critique ratée fait échouer la tentative.
      - key: realiser
        label: Réaliser le geste
      - key: controler
        label: Contrôler et rendre compte
"""

EVALUATIONS = """\
evaluations:
  - id: $name.e.exemple
    name: Épreuve d'exemple
    competencies: [$name.c.exemple]
    evaluator: $name.tolerance
    params: {nominal: 10, tolerance: 0.5}
    measurements:
      - key: valeur
        label: Valeur mesurée
        unit: mm
        count: 3
        range: {min: 0, max: 100}
"""

EMPLOYERS = """\
employers:
  - id: employeur.$name.exemple
    name: Employeur d'exemple
    territories: [territoire.lyon]
    requirements:
      - {competency: $name.c.exemple, min_level: acquis, priority: essentielle}
"""

TEST = '''\
"""Runs with the fixtures Gestes ships for plugin authors (gestes_catalog...)."""

from core.plugin_api import Submission, score_evaluation


def test_sector_loads(gestes_catalog):
    assert "$name" in gestes_catalog.sectors
    assert gestes_catalog.gesture("$name.g.exemple").critical_steps


def test_tolerance_evaluator(gestes_catalog):
    evaluation = gestes_catalog.evaluation("$name.e.exemple")
    good = Submission(measurements={"valeur": (10.0, 10.2, 9.6)})
    bad = Submission(measurements={"valeur": (10.0, 10.2, 11.0)})
    assert score_evaluation(gestes_catalog.evaluators, evaluation, good).passed
    assert not score_evaluation(gestes_catalog.evaluators, evaluation, bad).passed
'''

"""`gestes schema`: the JSON Schema editors use matches what the loader accepts."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from core.catalog.schema import file_schema
from core.cli.main import build_cli

PLUGINS = Path(__file__).parent.parent / "plugins"
FILES = sorted(PLUGINS.glob("*/sector/*.yaml")) + sorted(PLUGINS.glob("*/employers.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_file_is_valid_under_its_schema(path):
    kind = "employers" if path.name == "employers.yaml" else "sector"
    jsonschema.Draft202012Validator(file_schema(kind)).validate(yaml.safe_load(path.read_text()))


def test_an_editor_flags_what_the_loader_would_refuse():
    document = yaml.safe_load((PLUGINS / "fibre" / "sector" / "gestures.yaml").read_text())
    document["gestures"][0]["steps"][1]["critical"] = "peut-être"  # not a yes/no
    document["gestures"][0]["colour"] = "rouge"  # a field the models do not know
    validator = jsonschema.Draft202012Validator(file_schema("sector"))
    places = sorted(list(e.absolute_path) for e in validator.iter_errors(document))
    assert ["gestures", 0] in places and ["gestures", 0, "steps", 1, "critical"] in places


def test_the_command_prints_it_and_refuses_an_unknown_kind():
    runner = CliRunner()
    printed = runner.invoke(build_cli(), ["schema", "employers"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout)["properties"]["employers"]["type"] == "array"
    assert runner.invoke(build_cli(), ["schema", "gestures"]).exit_code == 2


def test_a_scaffolded_plugins_files_point_editors_to_its_schema(tmp_path):
    from core.catalog.scaffold import scaffold_plugin

    scaffold_plugin("electricite", tmp_path)
    files = sorted(tmp_path.glob("gestes_electricite/**/*.yaml"))
    assert len(files) == 4
    for path in files:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema = json.loads((path.parent / first.split("$schema=")[1]).read_text())
        jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(path.read_text()))

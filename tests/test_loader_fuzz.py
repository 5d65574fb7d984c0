"""Random one-line mutations of a plugin's YAML: the loader answers every one with located
problems (or a catalog), never a traceback."""

from __future__ import annotations

import random

from core.catalog.loading import CatalogError, load_catalog
from tests.conftest import YamlPlugin, manager

MUTATIONS = [
    lambda line, rng: line + " !!python/object:os.system",
    lambda line, rng: line.replace(":", ": !!python/name:os.system", 1),
    lambda line, rng: line[: len(line) // 2] + "\x00" + line[len(line) // 2 :],
    lambda line, rng: line + "\x07",
    lambda line, rng: line[: rng.randrange(len(line) + 1)],
    lambda line, rng: "  " + line,
    lambda line, rng: line.replace("-", "", 1),
    lambda line, rng: line + ": [",
    lambda line, rng: line.replace(":", "", 1),
    lambda line, rng: line + " &a *a",
    lambda line, rng: "? " + line,
    lambda line, rng: line.replace(" ", "\t", 1),
]


def test_no_mutation_of_a_plugins_yaml_crashes_the_loader(tiny_copy):
    rng = random.Random(20261130)
    sector = tiny_copy / "sector.yaml"
    original = sector.read_text(encoding="utf-8").splitlines()
    located = 0
    for _ in range(150):
        lines = list(original)
        index = rng.randrange(len(lines))
        lines[index] = rng.choice(MUTATIONS)(lines[index], rng)
        sector.write_text("\n".join(lines) + "\n", encoding="utf-8")
        plugin = YamlPlugin(sectors=[sector], employers=[tiny_copy / "employers.yaml"])
        try:
            load_catalog(manager(("tiny", plugin)))
        except CatalogError as error:  # anything else fails the test with its traceback
            for problem in error.problems:
                assert problem.location.file and problem.location.line >= 1, str(problem)
            located += 1
    assert located > 50  # most mutations are errors, and each one said where

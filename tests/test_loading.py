"""Loading and validation: every problem names file, line and field; nothing half-loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import hookimpl
from core.catalog.definitions import Sector
from core.catalog.loading import CatalogError, load_catalog
from core.plugins import PluginLoadError, get_plugin_manager
from tests.conftest import TINY, YamlPlugin, edit, line_of, manager, problems_of


def test_tiny_plugin_loads_with_core_defaults(load_tiny):
    catalog = load_tiny()
    assert set(catalog.sectors) == {"tiny"}
    assert catalog.gesture("tiny.g.visser").critical_steps[0].key == "lunettes"
    assert {"core.checklist", "core.thresholds", "core.standard"} <= set(catalog.evaluators)
    assert "territoire.lyon" in catalog.territories
    assert catalog.employers_in("territoire.lyon")[0].id == "employeur.tiny"
    assert catalog.warnings == ()


def test_entries_know_their_file_and_line(load_tiny, tiny_copy):
    catalog = load_tiny()
    sector_file = tiny_copy / "sector.yaml"
    location = catalog.entry("tiny.g.percer").location
    assert location.file == str(sector_file)
    assert location.line == line_of(sector_file, "id: tiny.g.percer")
    # A field below a definition is located exactly, for plugins' own problems.
    steps = catalog.locate("tiny.g.visser", "steps", 1, "critical")
    assert steps.line == line_of(sector_file, "critical: true")


def test_unknown_reference_names_file_line_field_and_suggests(load_tiny, tiny_copy):
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "competencies: [tiny.c.percer]", "competencies: [tiny.c.perser]")
    [problem] = problems_of(load_tiny)
    line = line_of(sector_file, "tiny.c.perser")
    assert f"{sector_file}:{line}: gestures[1].competencies[0]" in problem
    assert "compétence introuvable : « tiny.c.perser »" in problem
    assert "(vouliez-vous dire « tiny.c.percer » ?)" in problem


def test_reference_to_the_wrong_kind_says_what_it_is(load_tiny, tiny_copy):
    edit(
        tiny_copy / "sector.yaml",
        "gestures: [tiny.g.visser, tiny.g.percer]",
        "gestures: [tiny.g.visser, tiny.c.percer]",
    )
    [problem] = problems_of(load_tiny)
    assert "« tiny.c.percer » désigne : compétence, pas : geste professionnel" in problem


def test_unknown_field_suggests_the_right_one(load_tiny, tiny_copy):
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "        critical: true", "        critcal: true")
    [problem] = problems_of(load_tiny)
    line = line_of(sector_file, "critcal")
    assert (
        f"sector.yaml:{line}: gestures[0].steps[1].critcal (1er geste, 2e étape): "
        "champ inconnu « critcal »" in problem
    )
    assert "(vouliez-vous dire « critical » ?)" in problem


def test_missing_field_and_bad_value_are_all_listed(load_tiny, tiny_copy):
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "        label: Marquer\n", "")
    edit(sector_file, "hours: 210", "hours: -3")
    problems = problems_of(load_tiny)
    assert len(problems) == 2
    assert any(
        "gestures[1].steps[0].label (2e geste, 1re étape): champ obligatoire « label » absent" in p
        for p in problems
    )
    assert any(
        f":{line_of(sector_file, 'hours: -3')}: curriculum.modules[1].hours" in p for p in problems
    )


def test_invalid_id_is_explained(load_tiny, tiny_copy):
    edit(tiny_copy / "sector.yaml", "id: tiny.g.percer", "id: Tiny.G.Percer")
    problems = problems_of(load_tiny)
    assert any(
        "« Tiny.G.Percer » n'est pas un identifiant valide (des mots en minuscules" in p
        for p in problems
    )


def test_yaml_syntax_error_names_the_line(load_tiny, tiny_copy):
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "  name: Petite filière de test", "  name: [Petite filière")
    [problem] = problems_of(load_tiny)
    assert problem.startswith(f"{sector_file}:")
    assert "YAML invalide" in problem


def test_duplicate_yaml_key_is_an_error(load_tiny, tiny_copy):
    edit(tiny_copy / "sector.yaml", "  weeks: 12\n", "  weeks: 12\n  weeks: 13\n")
    [problem] = problems_of(load_tiny)
    first = line_of(tiny_copy / "sector.yaml", "weeks: 12")
    assert f"champ « weeks » écrit deux fois (la première à la ligne {first})" in problem


def test_duplicate_ids_across_plugins_name_both_places(tiny_copy):
    other = tiny_copy.parent / "other.yaml"
    other.write_text(
        (tiny_copy / "sector.yaml")
        .read_text(encoding="utf-8")
        .replace("id: tiny\n", "id: tiny2\n"),
        encoding="utf-8",
    )
    first = YamlPlugin(sectors=[tiny_copy / "sector.yaml"])
    second = YamlPlugin(sectors=[other])
    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("first", first), ("second", second)))
    messages = [str(p) for p in caught.value.problems]
    duplicate = next(m for m in messages if "identifiant « tiny.g.visser » déjà défini" in m)
    line = line_of(other, "id: tiny.g.visser")
    assert duplicate.startswith(f"{other}:{line}: gestures[0].id")
    assert f"déjà défini en {tiny_copy / 'sector.yaml'}:{line}" in duplicate
    # ids of sector tiny2 that do not start with 'tiny2.' are reported too
    assert any("must start with its sector's id 'tiny2.'" in m for m in messages)


def test_duplicate_id_with_a_real_plugin(tiny_copy):
    edit(tiny_copy / "employers.yaml", "id: employeur.tiny", "id: employeur.ovhcloud")
    plugin = YamlPlugin(
        sectors=[tiny_copy / "sector.yaml"], employers=[tiny_copy / "employers.yaml"]
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("tiny", plugin), installed=True))
    [problem] = caught.value.problems
    assert "identifiant « employeur.ovhcloud » déjà défini" in str(problem)
    assert "plugins/datacenter/employers.yaml:" in str(problem)


def test_nothing_half_loads(load_tiny, tiny_copy):
    """One bad reference among valid definitions: no catalog at all, not a partial one."""
    edit(tiny_copy / "employers.yaml", "territoire.lyon", "territoire.lyom")
    with pytest.raises(CatalogError) as caught:
        load_tiny()
    assert "vouliez-vous dire « territoire.lyon » ?" in str(caught.value)


def test_employer_level_must_exist_in_the_competency_scale(load_tiny, tiny_copy):
    edit(tiny_copy / "employers.yaml", "min_level: en_cours", "min_level: expert")
    [problem] = problems_of(load_tiny)
    assert "le niveau « expert » n'est pas dans l'échelle de la filière tiny" in problem
    assert "requirements[1].min_level" in problem


def test_rule_levels_must_be_in_the_scale_and_ordered(load_tiny, tiny_copy):
    edit(
        tiny_copy / "sector.yaml",
        "  weeks: 12\n",
        """  weeks: 12
  rule:
    conditions:
      - {level: en_cours, min_successes: 1}
      - {level: acquis, min_successes: 2, min_days: 2}
""",
    )
    [problem] = problems_of(load_tiny)
    assert "les conditions vont du niveau le plus haut au plus bas" in problem
    edit(tiny_copy / "sector.yaml", "level: en_cours,", "level: en_cour,")
    [problem] = problems_of(load_tiny)
    assert "le niveau « en_cour » n'est pas dans l'échelle" in problem
    assert "vouliez-vous dire « en_cours » ?" in problem


def test_custom_scale_and_rule_are_used(load_tiny, tiny_copy):
    edit(
        tiny_copy / "sector.yaml",
        "  weeks: 12\n",
        """  weeks: 12
  scale:
    id: tiny.scale.ecole
    name: Échelle de l'école
    levels:
      - {code: non_evalue, label: Non évalué}
      - {code: insuffisante, label: Maîtrise insuffisante}
      - {code: fragile, label: Maîtrise fragile}
      - {code: satisfaisante, label: Maîtrise satisfaisante}
  rule:
    observed_floor: insuffisante
    conditions:
      - {level: satisfaisante, min_successes: 3, min_days: 2, min_autonomy: autonome}
      - {level: fragile, min_successes: 1}
""",
    )
    edit(tiny_copy / "employers.yaml", "min_level: acquis", "min_level: satisfaisante")
    edit(tiny_copy / "employers.yaml", "min_level: en_cours", "min_level: fragile")
    catalog = load_tiny()
    scale, rule = catalog.grading("tiny.c.visser")
    assert scale.codes[-1] == "satisfaisante"
    assert rule.conditions[0].min_successes == 3


def test_hours_must_fit_in_the_program(load_tiny, tiny_copy):
    edit(tiny_copy / "sector.yaml", "hours: 140", "hours: 200")
    [problem] = problems_of(load_tiny)
    assert "les modules totalisent 480 h, plus que 12 semaines de 35 h (420 h)" in problem


def test_evaluator_must_exist_and_get_what_it_needs(load_tiny, tiny_copy):
    edit(tiny_copy / "sector.yaml", "evaluator: core.standard", "evaluator: core.standrd")
    [problem] = problems_of(load_tiny)
    assert (
        "évaluateur inconnu : « core.standrd »" in problem
        and "vouliez-vous dire « core.standard » ?" in problem
    )


def test_warnings_do_not_stop_loading(load_tiny, tiny_copy):
    edit(
        tiny_copy / "sector.yaml",
        "gestures: [tiny.g.visser, tiny.g.percer]",
        "gestures: [tiny.g.visser]",
    )
    catalog = load_tiny()
    [warning] = catalog.warnings
    assert "geste « tiny.g.percer » : aucun module ne l'enseigne" in str(warning)


def test_sector_split_over_a_folder(tmp_path):
    folder = tmp_path / "sector"
    folder.mkdir()
    text = (TINY / "sector.yaml").read_text(encoding="utf-8")
    head, gestures_and_rest = text.split("gestures:\n", 1)
    gestures, evaluations = gestures_and_rest.split("evaluations:\n", 1)
    (folder / "a_sector.yaml").write_text(head, encoding="utf-8")
    (folder / "b_gestures.yaml").write_text("gestures:\n" + gestures, encoding="utf-8")
    (folder / "c_evaluations.yaml").write_text(
        "evaluations:\n" + evaluations.replace("tiny.c.visser]", "tiny.c.viser]"), encoding="utf-8"
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("tiny", YamlPlugin(sectors=[folder]))))
    [problem] = caught.value.problems
    # the merged list index is mapped back to the file it came from, and its own line
    assert str(problem.location).startswith(f"{folder / 'c_evaluations.yaml'}:4: evaluations[0]")


def test_a_key_written_in_two_files_of_a_folder_is_an_error(tmp_path):
    folder = tmp_path / "sector"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        (TINY / "sector.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "b.yaml").write_text("sector:\n  id: tiny\n  name: Encore\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("tiny", YamlPlugin(sectors=[folder]))))
    assert f"« sector » est déjà écrit dans {folder / 'a.yaml'}:1" in str(caught.value)


def test_python_built_sector_is_accepted(catalog):
    sector = catalog.sectors["fibre"]
    renamed = Sector.model_validate(
        sector.model_dump(mode="json") | {"sector": sector.sector.model_dump() | {"id": "fibre2"}}
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("py", YamlPlugin(sectors=[renamed])), installed=True))
    # every id is reused, and each is reported with the plugin it came from
    assert "plugin py (Python)" in str(caught.value.problems[0])


def test_missing_source_and_wrong_return_type_are_reported():
    class Broken:
        @hookimpl
        def gestes_sectors(self):
            return [Path("/nonexistent/sector.yaml"), 42]

        @hookimpl
        def gestes_employers(self):
            return "not a list"

    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("broken", Broken())))
    messages = "\n".join(map(str, caught.value.problems))
    assert "/nonexistent/sector.yaml: fichier ou dossier introuvable" in messages
    assert "expected a path or a Sector, got int" in messages
    assert "plugin broken: gestes_employers() must return a list, not str" in messages


def test_a_plugin_hook_that_raises_is_named():
    class Crashing:
        @hookimpl
        def gestes_sectors(self):
            raise RuntimeError("boom")

    with pytest.raises(CatalogError) as caught:
        load_catalog(manager(("crashing", Crashing())))
    assert "plugin crashing: gestes_sectors() raised RuntimeError('boom')" in str(caught.value)


def test_allow_list_and_broken_entry_point(monkeypatch):
    monkeypatch.setenv("GESTES_LOAD_PLUGINS", "fibre")
    pm = get_plugin_manager()
    assert {name for name, _ in pm.list_name_plugin()} == {"core", "fibre"}

    class Point:
        name, value, dist = "ghost", "ghost_module", None

        def load(self):
            raise ImportError("No module named 'ghost_module'")

    monkeypatch.delenv("GESTES_LOAD_PLUGINS")
    monkeypatch.setattr("core.plugins.entry_points", lambda group: [Point()])
    with pytest.raises(PluginLoadError, match="plugin 'ghost' \\(ghost_module\\) failed to import"):
        get_plugin_manager()


def test_a_designer_reads_what_is_wrong_in_french(load_tiny, tiny_copy):
    """Type mistakes a non-programmer makes, said with the YAML's words: a list written as one
    value, a number written as text, and positions counted from 1."""
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "hours: 210", "hours: deux cents")
    problems = problems_of(load_tiny)
    assert any(
        "un nombre entier est attendu ici" in p and "Input should" not in p for p in problems
    ), problems


def test_positions_are_read_from_one():
    from core.catalog.sources import Location, reading

    assert reading(("gestures", 3, "steps", 1, "label")) == "4e geste, 2e étape"
    assert reading(("blocks", 0, "competencies", 0)) == "1er bloc, 1re compétence"
    assert reading(("curriculum", "weeks")) == ""
    assert (
        str(Location("s.yaml", 4, ("gestures", 0, "id"))) == "s.yaml:4: gestures[0].id (1er geste)"
    )


def test_measurements_are_checked_as_a_designer_writes_them(load_tiny, tiny_copy):
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "unit: N·m", "unit: newton metre")
    edit(
        sector_file,
        "threshold: {min: 4, max: 6}",
        "threshold: {min: 4, max: 160}\n        example: -2",
    )
    problems = problems_of(load_tiny)
    assert any("unité « newton metre » : écrivez « N·m »" in p for p in problems), problems
    assert any("seuil max 160 hors de la plage physique (de 0 à 100 " in p for p in problems)
    assert any("exemple -2 hors de la plage physique" in p for p in problems)


def test_an_unknown_unit_is_an_error_and_an_unjudged_measurement_a_warning(load_tiny, tiny_copy):
    sector_file = tiny_copy / "sector.yaml"
    edit(sector_file, "unit: N·m", "unit: tours")
    [problem] = problems_of(load_tiny)
    assert "unité « tours » inconnue" in problem and "gestes_units" in problem
    edit(sector_file, "unit: tours", "unit: pascal")  # a spelling of a known one
    [problem] = problems_of(load_tiny)
    assert "unité « pascal » : écrivez « Pa »" in problem
    edit(sector_file, "unit: pascal", "unit: N·m")
    edit(sector_file, "        threshold: {min: 4, max: 6}\n", "")
    warnings = [str(w) for w in load_tiny().warnings]
    assert any("mesure « couple_nm » jamais jugée" in w for w in warnings), warnings

"""A new curriculum version never re-grades a cohort behind the school's back: the changes
that alter judgement are listed, the levels that would change are shown trainee by trainee,
the entries that block the move are named and can be cancelled (an attempt with its taps),
the move is confirmed, recorded and can be undone while nothing new was recorded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from core.catalog.definitions import Autonomy, Step
from core.context import Definitions
from core.domain import RecordError
from core.judging.attempts import StepResult
from core.store.tap_writer import Tap
from tests.conftest import context_on

FIRST, SECOND = dt.date(2026, 1, 6), dt.date(2026, 1, 7)


def version_two(fibre):
    """Version 2027.1 of the fibre plugin, as a designer would write it: every level asks
    five more successes, a gesture loses nothing but gains a step and a critical one, another
    gesture is removed, a competency is renamed."""
    kept, removed = _two_gestures(fibre)
    rule = fibre.curriculum.rule
    stricter = rule.model_copy(
        update={
            "conditions": tuple(
                c.model_copy(update={"min_successes": c.min_successes + 5}) for c in rule.conditions
            )
        }
    )
    extra = Step(key="ranger_poste", label="Ranger le poste de travail")
    steps = (
        kept.steps[0].model_copy(update={"critical": not kept.steps[0].critical}),
        *kept.steps[1:],
        extra,
    )
    block = fibre.blocks[0]
    renamed = block.competencies[0].model_copy(update={"name": "Nom de la version 2"})
    return fibre.model_copy(
        update={
            "curriculum": fibre.curriculum.model_copy(
                update={
                    "version": "2027.1",
                    "rule": stricter,
                    "modules": tuple(
                        m.model_copy(
                            update={"gestures": tuple(g for g in m.gestures if g != removed.id)}
                        )
                        for m in fibre.curriculum.modules
                    ),
                }
            ),
            "gestures": tuple(
                g.model_copy(update={"steps": steps}) if g.id == kept.id else g
                for g in fibre.gestures
                if g.id != removed.id
            ),
            "blocks": (
                block.model_copy(update={"competencies": (renamed, *block.competencies[1:])}),
                *fibre.blocks[1:],
            ),
        }
    )


def _two_gestures(fibre):
    """A gesture kept and one removed that share no competency (so the removed one's entries
    do not move the kept one's levels)."""
    for kept in fibre.gestures:
        for removed in fibre.gestures:
            if removed.id != kept.id and not set(kept.competencies) & set(removed.competencies):
                return kept, removed
    raise AssertionError("fibre has no two gestures apart")


@pytest.fixture
def moving(world, engine):
    """The world's fibre cohort on version 1, the plugin installed at version 2."""
    fibre = world.gestes.catalog.sectors["fibre"]
    newer = version_two(fibre)
    installed = dataclasses.replace(
        world.gestes.catalog.with_sector(newer, "fibre 2027.1"), installed=None
    )
    gestes = context_on(engine, Definitions(installed, world.gestes.plugins), world.gestes.settings)
    kept, removed = _two_gestures(fibre)
    awa, lucas, nour = world.trainees
    record = gestes.store.observations
    for day in (FIRST, SECOND):  # Awa: two successes in autonomy, on two days
        steps = {s.key: StepResult.REUSSI for s in kept.steps}
        record.record_attempt(awa, world.trainer, kept.id, steps, Autonomy.AUTONOME, day, f"a{day}")
    # Lucas: an attempt on the removed gesture, tapped then validated; Nour: tapped, never
    # validated.
    for trainee, key, validated in ((lucas, "essai-lucas", True), (nour, "essai-nour", False)):
        taps = [
            Tap(
                trainee,
                world.trainer,
                removed.id,
                key,
                s.key,
                StepResult.REUSSI,
                FIRST,
                f"{key}{n}",
            )
            for n, s in enumerate(removed.steps[:3])
        ]
        gestes.store.taps.record_steps(taps)
        if validated:
            steps = {s.key: StepResult.REUSSI for s in removed.steps}
            record.record_attempt(
                trainee,
                world.trainer,
                removed.id,
                steps,
                Autonomy.AUTONOME,
                FIRST,
                key,
                attempt_key=key,
            )
    return gestes, fibre, kept, removed


def test_the_changes_that_alter_judgement_are_listed(world, moving):
    gestes, fibre, kept, removed = moving
    status = gestes.store.curricula.status(world.cohort)
    labels = [c.label for c in status.changes]
    said = "\n".join(labels)
    condition = fibre.curriculum.rule.conditions[0]
    level = fibre.curriculum.scale.label(condition.level)
    assert (
        f"règle des niveaux : « {level} » : réussites demandées "
        f"{condition.min_successes} → {condition.min_successes + 5}"
    ) in labels
    assert f"geste « {kept.name} » : étape ajoutée : « Ranger le poste de travail »" in labels
    first = kept.steps[0]
    turned = "n'est plus critique" if first.critical else "devient critique"
    assert f"geste « {kept.name} » : étape « {first.label} » {turned}" in labels
    assert f"geste retiré·e : {removed.name} ({removed.id})" in labels
    assert "renommé·e" in said
    judged = {c.label for c in status.changes if c.judgement}
    assert f"geste retiré·e : {removed.name} ({removed.id})" in judged
    assert not any("renommé" in label for label in judged)


def test_blocking_entries_are_named_and_cancelling_an_attempt_takes_its_taps(world, moving):
    gestes, _, _, removed = moving
    curricula = gestes.store.curricula
    blocking = curricula.status(world.cohort).blocking
    assert [e.label for e in blocking] == [
        f"Lucas Martin, le 06/01/2026 : tentative validée « {removed.name} » (3 étapes)",
        f"Nour Benali, le 06/01/2026 : tentative non validée « {removed.name} » (3 étapes)",
    ]
    with pytest.raises(RecordError, match=re.escape("Lucas Martin, le 06/01/2026")):
        curricula.upgrade(world.cohort, world.coordinator)
    validated = next(e for e in blocking if e.observation_id is not None)
    gestes.store.observations.retract(
        validated.observation_id, world.coordinator, "Geste retiré", "r-lucas"
    )
    # Its three taps went with it: nothing of Lucas's blocks any more.
    assert [e.trainee for e in curricula.status(world.cohort).blocking] == ["Nour Benali"]
    unfinished = curricula.status(world.cohort).blocking[0]
    gestes.store.observations.abandon_attempt(
        unfinished.trainee_id, unfinished.attempt_key, world.coordinator
    )
    assert curricula.status(world.cohort).blocking == ()


def _unblock(gestes, world):
    for entry in gestes.store.curricula.status(world.cohort).blocking:
        if entry.observation_id is not None:
            gestes.store.observations.retract(
                entry.observation_id, world.coordinator, "Retiré", f"r{entry.ref}"
            )
        else:
            gestes.store.observations.abandon_attempt(
                entry.trainee_id, entry.attempt_key, world.coordinator
            )


def test_the_levels_that_would_change_the_move_and_its_undo(world, moving):
    gestes, fibre, kept, _ = moving
    store, awa = gestes.store, world.trainees[0]
    _unblock(gestes, world)
    competency = kept.competencies[0]
    today = store.records.trainee_record(awa).levels[competency].level
    floor = fibre.curriculum.rule.observed_floor
    assert today != floor  # reached under version 1
    shifts = store.records.level_shifts(world.cohort, "2027.1")
    scale = fibre.curriculum.scale
    name = {c.id: c.name for c in version_two(fibre).competencies}[competency]
    assert (awa, name, scale.label(today), scale.label(floor)) in [
        (s.trainee_id, s.competency, s.before, s.after) for s in shifts
    ]
    assert all(s.trainee_id == awa for s in shifts)  # the others have nothing reached

    status = store.curricula.upgrade(world.cohort, world.coordinator)
    move = status.last_move
    assert (status.pinned, move.from_version, move.to_version, move.by) == (
        "2027.1",
        fibre.curriculum.version,
        "2027.1",
        "Inès Coordinatrice",
    )
    assert move.undoable and store.records.trainee_record(awa).levels[competency].level == floor
    back = store.curricula.undo(world.cohort, world.coordinator)
    assert back.pinned == fibre.curriculum.version and back.last_move.undone
    assert store.records.trainee_record(awa).levels[competency].level == today

    store.curricula.upgrade(world.cohort, world.coordinator)
    store.observations.record_comment(awa, world.trainer, "Après le changement", SECOND, "c1")
    assert not store.curricula.status(world.cohort).last_move.undoable
    with pytest.raises(RecordError, match="ne peut plus être défait"):
        store.curricula.undo(world.cohort, world.coordinator)


def test_the_settings_page_asks_for_confirmation_and_names_what_blocks(world, moving):
    from web import create_app

    gestes, _, _, removed = moving
    web = TestClient(create_app(gestes))
    web.post("/login", data={"email": "coord@example.org", "password": "mot-de-passe-long"})
    page = web.get(f"/cohorts/{world.cohort}/settings")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert "Lucas Martin, le 06/01/2026 : tentative validée" in page.text
    assert page.text.count(">Annuler</button>") == 2
    blocked = web.post(
        f"/cohorts/{world.cohort}/curriculum", data={"csrf_token": csrf, "confirm": "oui"}
    )
    assert blocked.status_code == 400 and "Nour Benali, le 06/01/2026" in blocked.text
    for entry in gestes.store.curricula.status(world.cohort).blocking:
        unticked = web.post(
            f"/cohorts/{world.cohort}/curriculum/cancel",
            data={"csrf_token": csrf, "entry": entry.ref},
        )
        assert unticked.status_code == 400 and "Cochez la case" in unticked.text
        cancelled = web.post(
            f"/cohorts/{world.cohort}/curriculum/cancel",
            data={"csrf_token": csrf, "entry": entry.ref, "confirm": "oui"},
            follow_redirects=False,
        )
        assert cancelled.status_code == 303
    page = web.get(f"/cohorts/{world.cohort}/settings")
    assert "Niveaux qui changeraient" in page.text and "Awa Diallo" in page.text
    unconfirmed = web.post(f"/cohorts/{world.cohort}/curriculum", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 400 and "Cochez la case" in unconfirmed.text
    assert gestes.store.lookup.cohort(world.cohort).curriculum_version != "2027.1"
    moved = web.post(
        f"/cohorts/{world.cohort}/curriculum", data={"csrf_token": csrf, "confirm": "oui"}
    )
    assert "par Inès Coordinatrice" in moved.text and "Revenir à la version" in moved.text
    api = web.get(f"/api/cohorts/{world.cohort}/curriculum").json()
    assert api["pinned"] == "2027.1" and api["last_move"]["undoable"] is True
    web.post(f"/cohorts/{world.cohort}/curriculum/undo", data={"csrf_token": csrf})
    assert gestes.store.lookup.cohort(world.cohort).curriculum_version != "2027.1"
    assert removed.id not in {c["id"] for c in api["changes"] if c["what"] == "added"}


def test_a_designers_version_two_written_in_yaml_is_reviewed_before_the_cohort_moves(
    engine, tiny_copy, tmp_path
):
    """As a designer would: the tiny plugin's YAML at version 2026.1, a cohort scored on it,
    then the same files edited to 2027.1 (« acquis » asks three successes, a step added to a
    gesture, the other gesture's step made critical). The installed version lists each
    change, shows the level that would fall, and moves only when confirmed."""
    from core.context import Definitions
    from core.domain import NewTrainee, Role
    from core.settings import Settings
    from tests.conftest import YamlPlugin, edit, empty_tables, manager

    def installed():
        plugin = YamlPlugin(
            sectors=[tiny_copy / "sector.yaml"], employers=[tiny_copy / "employers.yaml"]
        )
        pm = manager(("tiny", plugin))
        from core.catalog.loading import load_catalog

        return Definitions(load_catalog(pm), pm)

    empty_tables(engine)
    settings = Settings(data_dir=tmp_path / "data")
    gestes = context_on(engine, installed(), settings)
    directory = gestes.store.directory
    school = directory.create_school("lyon", "École", "Lyon", "territoire.lyon")
    coordinator = directory.create_user(
        "coord@ecole.fr", "Inès Coordinatrice", "mot-de-passe-long", Role.COORDINATOR, [school]
    )
    cohort = directory.create_cohort(
        school, "tiny", "Tiny 2026", dt.date(2026, 1, 5), dt.date(2026, 4, 10), [coordinator]
    )
    [awa] = directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo")])
    visser = gestes.catalog.gesture("tiny.g.visser")
    for day in (FIRST, SECOND):
        steps = {s.key: StepResult.REUSSI for s in visser.steps}
        gestes.store.observations.record_attempt(
            awa, coordinator, visser.id, steps, Autonomy.AUTONOME, day, f"v{day}"
        )
    assert gestes.store.records.trainee_record(awa).levels["tiny.c.visser"].level == "acquis"

    sector = tiny_copy / "sector.yaml"
    edit(sector, 'version: "2026.1"', 'version: "2027.1"')
    edit(
        sector,
        "  weeks: 12\n",
        "  weeks: 12\n  rule:\n    conditions:\n"
        "      - {level: acquis, min_successes: 3, min_days: 2, min_autonomy: autonome}\n"
        "      - {level: en_cours, min_successes: 1}\n",
    )
    edit(
        sector,
        "      - key: percer\n        label: Percer\n",
        "      - key: percer\n        label: Percer\n        critical: true\n"
        "      - key: ranger\n        label: Ranger la perceuse\n",
    )
    moved = context_on(engine, installed(), settings)
    status = moved.store.curricula.status(cohort)
    labels = [c.label for c in status.changes]
    assert "règle des niveaux : « Acquis » : réussites demandées 2 → 3" in labels
    assert "geste « Percer » : étape « Percer » devient critique" in labels
    assert "geste « Percer » : étape ajoutée : « Ranger la perceuse »" in labels
    [shift] = moved.store.records.level_shifts(cohort, "2027.1")
    assert (shift.trainee, shift.competency, shift.before, shift.after) == (
        "Awa Diallo",
        "Visser",
        "Acquis",
        "En cours d'acquisition",
    )
    moved.store.curricula.upgrade(cohort, coordinator)
    level = moved.store.records.trainee_record(awa).levels["tiny.c.visser"].level
    assert level == "en_cours"

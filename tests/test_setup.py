"""Setting a school up without the demo: schools, cohorts of any sector, trainers, closing,
moves, dated entries (store, both backends); the first administrator; the commands."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.catalog.definitions import Autonomy, Phase
from core.cli.main import build_cli
from core.domain import ExitKind, NewTrainee, RecordError, Role
from core.judging.attempts import StepResult
from core.store.lookup import Lookup
from core.store.tap_writer import Tap

SPLICE = "fibre.g.soudure_fusion"
DAY = dt.date(2026, 2, 2)


def attempt(world, trainee, day=DAY, key=None):
    steps = {s.key: StepResult.REUSSI for s in world.gestes.catalog.gesture(SPLICE).steps}
    return world.gestes.store.observations.record_attempt(
        trainee, world.trainer, SPLICE, steps, Autonomy.AUTONOME, day, key or uuid.uuid4().hex
    )


def test_schools_get_a_unique_slug_and_are_checked(world):
    directory, lookup = world.directory, world.gestes.store.lookup
    first = directory.create_school(None, "E2C Rhône", "Lyon", "territoire.lyon", "3 rue X")
    second = directory.create_school(None, "E2C Rhône", "Villeurbanne", "territoire.lyon")
    assert [lookup.school(first).slug, lookup.school(second).slug] == ["e2c-rhone", "e2c-rhone-2"]
    directory.update_school(second, "E2C Rhône Est", "Villeurbanne", "territoire.lyon", "")
    assert lookup.school(second).name == "E2C Rhône Est" and lookup.school(second).address is None
    for args, field in [
        (("", "Lyon", "territoire.lyon"), "name"),
        (("X", " ", "territoire.lyon"), "city"),
        (("X", "Lyon", "territoire.lyom"), "territory"),
    ]:
        with pytest.raises(RecordError) as refused:
            directory.create_school(None, *args)
        assert refused.value.field == field


def test_a_cohort_pins_its_curriculum_and_plans_its_hours(world):
    directory, lookup = world.directory, world.gestes.store.lookup
    curriculum = world.gestes.catalog.sectors["smartcity"].curriculum
    cohort = directory.create_cohort(
        world.school,
        "smartcity",
        "Smart city 2027",
        dt.date(2027, 1, 4),
        dt.date(2027, 5, 28),
        [world.trainer],
        {"immersion": 105},
    )
    found = lookup.cohort(cohort)
    planned = dict(found.planned_hours)
    assert found.curriculum_version == curriculum.version and found.trainers == (world.trainer,)
    assert planned["immersion"] == 105
    assert planned["geste"] == curriculum.hours_by_phase()[Phase.GESTE]  # the curriculum's
    with pytest.raises(RecordError) as refused:
        directory.create_cohort(
            world.school, "fibre", "X", DAY, DAY + dt.timedelta(1), [], {"geste": 5000}
        )
    assert refused.value.field == "hours_geste"
    other = directory.create_school(None, "Ailleurs", "Lille", "territoire.hauts_de_france")
    stranger = directory.create_user(
        "x@example.org", "X", "mot-de-passe-long", Role.TRAINER, [other]
    )
    with pytest.raises(RecordError) as refused:
        directory.set_trainers(cohort, [world.trainer, stranger])
    assert refused.value.field == "trainers" and lookup.cohort(cohort).trainers == (world.trainer,)
    directory.set_trainers(cohort, [])
    assert lookup.cohort(cohort).trainers == ()


def test_entries_are_dated_within_the_cohort(world):
    trainee = world.trainees[0]
    for day, words in [
        (dt.date(2026, 1, 4), "avant le début"),
        (dt.date(2026, 4, 11), "après la fin"),
        (dt.date.today() + dt.timedelta(days=3), "futur"),
    ]:
        with pytest.raises(RecordError, match=words) as refused:
            attempt(world, trainee, day)
        assert refused.value.field == "observed_on"
    tap = Tap(
        trainee,
        world.trainer,
        SPLICE,
        "live00001",
        "manchon",
        StepResult.REUSSI,
        dt.date(2025, 12, 1),
        "tap-too-early",
    )
    [outcome] = world.gestes.store.taps.record_steps([tap])
    assert isinstance(outcome, RecordError) and "avant le début" in str(outcome)
    assert attempt(world, trainee, dt.date(2026, 1, 5)).created  # the first day is fine


def test_a_closed_cohort_is_read_only_but_counted(world):
    store = world.gestes.store
    attempt(world, world.trainees[0])
    world.directory.close_cohort(world.cohort)
    assert store.lookup.cohort(world.cohort).closed
    with pytest.raises(RecordError, match="clôturée"):
        attempt(world, world.trainees[0], DAY + dt.timedelta(days=1))
    with pytest.raises(RecordError, match="clôturée"):
        world.directory.add_trainees(world.cohort, [NewTrainee("Tard", "Venu")])
    tap = Tap(
        world.trainees[0],
        world.trainer,
        SPLICE,
        "live00002",
        "manchon",
        StepResult.REUSSI,
        DAY,
        "tap-closed",
    )
    assert isinstance(store.taps.record_steps([tap])[0], RecordError)
    store.observations.record_exit(
        world.trainees[0], world.coordinator, ExitKind.CDI, DAY, "exit-1"
    )
    assert store.records.cohort_grid(world.cohort).rows  # still read
    [stats] = [s for s in store.exit_stats() if s.label == "Fibre 2026-1"]
    assert stats.exited == 1


def test_a_moved_trainee_takes_their_history_along(world):
    store, directory = world.gestes.store, world.directory
    mover = world.trainees[0]
    attempt(world, mover, DAY)
    attempt(world, mover, DAY + dt.timedelta(days=1))
    later = directory.create_cohort(
        world.school, "fibre", "Fibre 2026-2", dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    )
    with pytest.raises(RecordError, match="même filière"):
        directory.move_trainee(mover, world.other_cohort, DAY, world.coordinator)
    directory.move_trainee(mover, later, dt.date(2026, 3, 1), world.coordinator)
    moved = {info.id: levels for info, levels in store.records.cohort_grid(later).rows}
    souder = store.records.cohort_grid(later).competencies.index("fibre.c.souder")
    assert moved[mover][souder] == "acquis"  # the two days before the move still count
    assert mover not in {info.id for info, _ in store.records.cohort_grid(world.cohort).rows}
    assert [r.trainee.id for r in store.records.cohort_records(later)] == [mover]
    assert store.lookup.moves(mover) == [("Fibre 2026-1", "Fibre 2026-2", dt.date(2026, 3, 1))]
    with pytest.raises(RecordError, match="arrivée") as refused:  # before they joined at all
        attempt(world, mover, dt.date(2026, 1, 2))
    assert refused.value.field == "observed_on"
    assert attempt(world, mover, dt.date(2026, 5, 4)).created  # after the old cohort's end
    [record] = store.records.cohort_records(later)
    assert record.gestures[SPLICE].attempts == 3  # two from before, one after: none twice
    assert store.records.trainee_record(mover).gestures[SPLICE].attempts == 3


def test_a_level_decision_is_kept_with_who_and_when(world):
    store = world.gestes.store
    trainee = world.trainees[1]
    store.observations.record_level(
        trainee, world.trainer, "fibre.c.souder", "acquis", "Vu sur chantier école", DAY, "lvl-1"
    )
    assert store.records.trainee_record(trainee).levels["fibre.c.souder"].level == "acquis"
    [entry] = store.lookup.latest_entries(trainee)
    assert entry.kind == "level" and entry.level == "acquis" and entry.author == "Karim Formateur"
    assert entry.observed_on == DAY and entry.recorded_at.date() == dt.date.today()
    with pytest.raises(RecordError) as refused:
        store.observations.record_level(
            trainee, world.trainer, "fibre.c.souder", "acquis", "", DAY, "lvl-2"
        )
    assert refused.value.field == "justification"


def test_lookup_knows_whether_an_administrator_exists(world):
    lookup: Lookup = world.gestes.store.lookup
    assert not lookup.has_admin()
    world.directory.create_user("chef@example.org", "Chef", "mot-de-passe-long", Role.ADMIN)
    assert lookup.has_admin()


# ---------------------------------------------------------------- the first administrator


@pytest.fixture
def empty_app(gestes):
    from web import create_app

    return create_app(gestes, setup_token="jeton-unique-123456")


def test_the_set_up_page_opens_once_with_its_token(empty_app):
    browser = TestClient(empty_app)
    assert browser.get("/setup/autre-chose").status_code == 404
    assert "Premier compte" in browser.get("/setup/jeton-unique-123456").text
    form = {"name": "Chef", "email": "chef@example.org", "password": "mot-de-passe-long"}
    mismatch = browser.post("/setup/jeton-unique-123456", data={**form, "password2": "autre"})
    assert mismatch.status_code == 400 and 'aria-describedby="erreur-password2"' in mismatch.text
    assert 'value="chef@example.org"' in mismatch.text  # what was typed is kept
    done = browser.post(
        "/setup/jeton-unique-123456",
        data={**form, "password2": form["password"]},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert browser.get("/setup/jeton-unique-123456").status_code == 404  # nothing left open
    signed_in = browser.post(
        "/login", data={"email": "chef@example.org", "password": form["password"]}
    )
    assert "Écoles" in signed_in.text


def test_the_set_up_page_stays_shut_when_an_administrator_exists(empty_app, gestes):
    gestes.store.directory.create_user("chef@example.org", "Chef", "mot-de-passe-long", Role.ADMIN)
    assert TestClient(empty_app).get("/setup/jeton-unique-123456").status_code == 404


# ---------------------------------------------------------------- commands


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    return tmp_path / "data"


def run(*args, stdin=None):
    return CliRunner().invoke(build_cli(), [str(a) for a in args], input=stdin)


def test_a_school_is_set_up_from_the_command_line(data_dir):
    made = run("admin", "create", "chef@ecole.fr", "--password-stdin", stdin="mot-de-passe-long\n")
    assert made.exit_code == 0 and "Administrator chef@ecole.fr created" in made.stdout
    assert run("admin", "create", "x@ecole.fr", "--password-stdin", stdin="court\n").exit_code == 1
    school = run(
        "school", "create", "E2C Rhône", "--city", "Lyon", "--territory", "territoire.lyon"
    )
    assert school.exit_code == 0 and "School 1 created" in school.stdout
    unknown = run("school", "create", "X", "--city", "Lyon", "--territory", "territoire.nulle_part")
    assert (
        unknown.exit_code == 1 and "Territoire « territoire.nulle_part » inconnu" in unknown.stderr
    )
    trainer = run(
        "user",
        "create",
        "nadia@ecole.fr",
        "--name",
        "Nadia",
        "--school",
        1,
        "--password-stdin",
        stdin="mot-de-passe-long\n",
    )
    assert trainer.exit_code == 0
    # Nadia forgot her password: it is reset on the server, her sessions end.
    from core.context import open_gestes

    accounts = open_gestes().store.accounts
    session = accounts.open_session(accounts.authenticate("nadia@ecole.fr", "mot-de-passe-long").id)
    weak = run("user", "password", "nadia@ecole.fr", "--password-stdin", stdin="court\n")
    assert weak.exit_code == 1 and "au moins 12 caractères" in weak.stderr
    reset = run("user", "password", "nadia@ecole.fr", "--password-stdin", stdin="un autre secret\n")
    assert reset.exit_code == 0 and accounts.signed_in(session) is None
    assert accounts.authenticate("nadia@ecole.fr", "un autre secret") is not None
    cohort = run(
        "cohort",
        "create",
        "Smart city 2027",
        "--school",
        1,
        "--sector",
        "smartcity",
        "--starts",
        "2026-11-02",
        "--ends",
        "2027-03-26",
        "--trainer",
        2,
        "--hours",
        "immersion=70",
    )
    assert cohort.exit_code == 0, cohort.output
    listed = run("cohort", "list").stdout
    assert "Smart city 2027\tsmartcity" in listed and "open" in listed
    assert run("cohort", "close", 1).exit_code == 0
    assert "closed" in run("cohort", "list").stdout


# ---------------------------------------------------------------- curriculum versions


def test_a_cohort_moves_to_a_new_curriculum_version_only_when_nothing_blocks(world):
    import dataclasses

    from core.store.curricula import Curricula

    store, catalog = world.gestes.store, world.gestes.catalog
    assert not store.curricula.status(world.cohort).behind
    fibre = catalog.sectors["fibre"]
    dropped = fibre.gestures[0]
    block = fibre.blocks[0]
    renamed = block.competencies[0].model_copy(update={"name": "Nouveau nom"})
    newer = fibre.model_copy(
        update={
            "curriculum": fibre.curriculum.model_copy(update={"version": "2027.1"}),
            "gestures": fibre.gestures[1:],
            "blocks": (
                block.model_copy(update={"competencies": (renamed, *block.competencies[1:])}),
                *fibre.blocks[1:],
            ),
        }
    )
    installed = Curricula(
        store.database, dataclasses.replace(catalog, sectors={**catalog.sectors, "fibre": newer})
    )
    status = installed.status(world.cohort)
    assert (
        status.behind
        and status.known
        and (status.pinned, status.installed)
        == (
            fibre.curriculum.version,
            "2027.1",
        )
    )
    assert {(c.what, c.id) for c in status.changes} == {
        ("removed", dropped.id),
        ("renamed", renamed.id),
    }
    steps = {s.key: StepResult.REUSSI for s in dropped.steps}
    entry = store.observations.record_attempt(
        world.trainees[0], world.trainer, dropped.id, steps, Autonomy.AUTONOME, DAY, "on-dropped"
    )
    assert [c.id for c in installed.status(world.cohort).blockers] == [dropped.id]
    with pytest.raises(RecordError, match=dropped.name):
        installed.upgrade(world.cohort, world.trainer)
    assert store.lookup.cohort(world.cohort).curriculum_version == fibre.curriculum.version
    store.observations.retract(entry.id, world.trainer, "Saisie d'essai", "retract-dropped")
    assert installed.upgrade(world.cohort, world.trainer).pinned == "2027.1"
    assert store.lookup.cohort(world.cohort).curriculum_version == "2027.1"


def test_passwords_follow_a_policy_not_only_a_length():
    from core.store.passwords import password_problem

    assert "12 caractères" in password_problem("court")
    assert password_problem(" " * 12) is not None  # spaces count, one character repeated
    assert password_problem("aaaaaaaaaaaaaaa") is not None
    assert "trop courant" in password_problem("motdepasse123")
    assert "trop courant" in password_problem("nadia.morel-2026", "nadia.morel@ecole.fr")
    assert password_problem("un cheval bleu sur la plage") is None


def test_a_cohort_on_an_older_curriculum_is_judged_by_its_own(world, engine):
    """The installed plugin moved on (version 2027.1: the splice gesture lost its last step,
    « acquis » asks one success instead of two on two days). A cohort pinned to the older
    version keeps its definitions everywhere — record, grid, taps, booklet — until it is moved
    on; a cohort created now follows the new version."""
    import dataclasses

    from core.booklet.data import build_booklet
    from core.catalog.definitions import AggregationRule, Employer, LevelCondition, Requirement
    from core.context import Definitions
    from core.immersion.record import ImmersionRecord
    from tests.conftest import context_on

    old = world.gestes.catalog.sectors["fibre"]
    splice = world.gestes.catalog.gesture(SPLICE)
    dropped = splice.steps[-1].key
    laxer = AggregationRule(
        conditions=(
            LevelCondition(level="acquis", min_successes=1, min_autonomy="autonome"),
            LevelCondition(level="en_cours", min_successes=1),
        )
    )
    block = old.blocks[0]
    added = block.competencies[0].model_copy(update={"id": "fibre.c.nouvelle", "name": "Nouvelle"})
    newer = old.model_copy(
        update={
            "curriculum": old.curriculum.model_copy(update={"version": "2027.1", "rule": laxer}),
            "blocks": (
                block.model_copy(update={"competencies": (*block.competencies, added)}),
                *old.blocks[1:],
            ),
            "gestures": tuple(
                g.model_copy(update={"steps": g.steps[:-1]}) if g.id == SPLICE else g
                for g in old.gestures
            ),
        }
    )
    hiring = Employer(  # asks, today, for the competency the new version added
        id="employeur.test",
        name="Fibre Test",
        territories=("territoire.marseille",),
        requirements=(
            Requirement(competency=added.id),
            Requirement(competency=splice.competencies[0]),
        ),
    )
    installed = dataclasses.replace(  # as the loader builds it: the installed catalog itself
        world.gestes.catalog.with_sector(newer, "fibre 2027.1"),
        employers={**world.gestes.catalog.employers, hiring.id: hiring},
        installed=None,
    )
    definitions = Definitions(installed, world.gestes.plugins)
    gestes = context_on(engine, definitions, world.gestes.settings)
    store, trainee = gestes.store, world.trainees[0]
    competency = splice.competencies[0]
    assert store.curricula.status(world.cohort).behind

    def succeed(trainee, gesture):  # every step, in autonomy, on one day
        steps = {s.key: StepResult.REUSSI for s in gesture.steps}
        store.observations.record_attempt(
            trainee, world.trainer, SPLICE, steps, Autonomy.AUTONOME, DAY, uuid.uuid4().hex
        )

    succeed(trainee, splice)
    record = store.records.trainee_record(trainee)
    assert record.levels[competency].level == "en_cours"  # two days needed by its version
    assert _grid_level(store, world.cohort, trainee, competency) == "en_cours"
    tap = Tap(trainee, world.trainer, SPLICE, "essaipin01", dropped, StepResult.REUSSI, DAY, "k1")
    (kept,) = store.taps.record_steps([tap])
    assert not isinstance(kept, RecordError) and kept.catalog.gesture(SPLICE).steps == splice.steps
    data = build_booklet(
        gestes.definitions_for(record.trainee), record, immersion=ImmersionRecord()
    )
    assert data.curriculum_version == old.curriculum.version
    assert (
        "« Acquis » demande 2\xa0réussites en autonomie, observées 2\xa0jours différents"
        in data.rules
    )
    data = build_booklet(  # the employer's new requirement: named, counted, never met
        gestes.definitions_for(record.trainee),
        record,
        employer=hiring.id,
        immersion=ImmersionRecord(),
    )
    (part,) = data.employers
    assert (part.met, part.total) == (0, 2) and part.lines[0].status == "non_acquis"
    assert part.lines[0].name == "Nouvelle (hors du programme suivi)"

    directory = store.directory
    newcomer = directory.create_cohort(
        world.school, "fibre", "Fibre 2027-1", DAY, dt.date(2026, 4, 10), [world.trainer]
    )
    (fresh,) = directory.add_trainees(newcomer, [NewTrainee("Inès", "Roux")])
    assert store.lookup.cohort(newcomer).curriculum_version == "2027.1"
    succeed(fresh, installed.gesture(SPLICE))
    assert store.records.trainee_record(fresh).levels[competency].level == "acquis"
    tap = Tap(fresh, world.trainer, SPLICE, "essaipin02", dropped, StepResult.REUSSI, DAY, "k2")
    (refused,) = store.taps.record_steps([tap])
    assert isinstance(refused, RecordError) and "Étape" in str(refused)

    from web import create_app

    web = TestClient(create_app(gestes))
    web.post("/login", data={"email": "formateur@example.org", "password": "mot-de-passe-long"})
    for someone, shown in ((trainee, True), (fresh, False)):  # the page a trainer scores on
        page = web.get(f"/trainees/{someone}/gestures/{SPLICE}")
        assert page.status_code == 200 and (f'value="{dropped}"' in page.text) is shown
    assert _grid_level(store, world.cohort, trainee, competency) == "en_cours"  # remembered
    store.curricula.upgrade(world.cohort, world.trainer)  # nothing removed is used
    assert store.records.trainee_record(trainee).levels[competency].level == "acquis"
    # derived again, not the grid remembered for the older version
    assert _grid_level(store, world.cohort, trainee, competency) == "acquis"


def _grid_level(store, cohort, trainee, competency):
    grid = store.records.cohort_grid(cohort)
    levels = next(levels for info, levels in grid.rows if info.id == trainee)
    return levels[grid.competencies.index(competency)]

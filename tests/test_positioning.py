"""Positioning at entry and the individual plan (Qualiopi indicators 8 and 10): the
diagnostic a trade declares (or the default), the entry snapshot kept and corrected with a
trace, progress since entry never overstated, the plan's lines dated, signed and ended —
through the trainee page, the API and the CLI, for the trainee's own school only."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.catalog.definitions import Autonomy
from core.cli.main import build_cli
from core.domain import RecordError
from core.followup import plans
from core.followup.positioning import diagnostic
from core.judging.attempts import StepResult
from tests.conftest import edit, line_of, problems_of
from web import create_app

PASSWORD = "mot-de-passe-long"
PREPARE = "fibre.g.preparer_chantier"
PULL = "fibre.g.aiguiller_tirer"
SPLICE = "fibre.g.soudure_fusion"


def test_a_trade_without_a_diagnostic_takes_the_first_gesture_of_each_block(catalog):
    fibre = diagnostic(catalog.sectors["fibre"])
    assert [g.id for g in fibre.gestures] == [
        PREPARE, PULL, SPLICE, "fibre.g.raccordement_pto",
    ]  # fmt: skip
    assert fibre.questions == ()
    declared = diagnostic(catalog.sectors["datacenter"])  # its curriculum says which
    assert [g.id for g in declared.gestures][:2] == [
        "datacenter.g.protection_esd",
        "datacenter.g.racker_serveur",
    ]
    assert [q.key for q in declared.questions] == ["materiel", "anglais", "attentes"]


def test_a_diagnostic_gesture_no_module_teaches_is_named_where_it_is_written(tiny_copy, load_tiny):
    sector = tiny_copy / "sector.yaml"
    text = sector.read_text()
    gesture = text.split("gestures: [", 1)[1].split("]", 1)[0].split(",")[0].strip()
    edit(
        sector,
        "  modules:\n",
        f"  positioning:\n    gestures: [{gesture}, tiny.g.nope]\n  modules:\n",
    )
    said = problems_of(load_tiny)
    line = line_of(sector, "tiny.g.nope")
    assert any("introuvable : « tiny.g.nope »" in p and f":{line}" in p for p in said), said


def attempt(world, trainee: int, gesture: str, day: dt.date, key: str) -> None:
    steps = {s.key: StepResult.REUSSI for s in world.gestes.catalog.gesture(gesture).steps}
    world.gestes.store.observations.record_attempt(
        trainee, world.trainer, gesture, steps, Autonomy.AUTONOME, day, key
    )


def test_the_snapshot_is_kept_corrected_with_a_trace_and_set_beside_the_record(world):
    gestes = world.gestes
    awa = world.trainees[0]
    entered = dt.date(2026, 1, 6)
    answers = {PREPARE: "avec_aide", PULL: "pas_fait", SPLICE: ""}  # blank: not positioned
    assert plans.observe(gestes, awa, answers, entered, world.trainer) == 2
    found = plans.entry_file(gestes, awa)
    assert found.snapshot.values == {PREPARE: "avec_aide", PULL: "pas_fait"}
    assert (found.snapshot.observed_on, found.snapshot.by) == (entered, ("Karim Formateur",))
    assert [g.id for g in found.suggested] == [PREPARE, PULL]
    # the diagnostic never counts toward a level: nothing is acquired from it
    assert all(s.now == "Non évalué" for s in found.since)
    for n, day in enumerate((dt.date(2026, 1, 20), dt.date(2026, 1, 21))):
        attempt(world, awa, PREPARE, day, f"prep-{n}")
    since = {s.competency: s for s in plans.entry_file(gestes, awa).since}
    prepared = gestes.catalog.gesture(PREPARE).competencies
    names = {c.id: c.name for c in gestes.catalog.sectors["fibre"].competencies}
    assert since[names[prepared[0]]].at_entry == "Fait avec aide"
    assert since[names[prepared[0]]].now == "Acquis"
    # corrected: the new value kept, the old one in the trainee's history
    assert plans.observe(gestes, awa, {PULL: "avec_aide"}, entered, world.coordinator) == 1
    assert plans.entry_file(gestes, awa).snapshot.values[PULL] == "avec_aide"
    [change] = [
        c for c in gestes.store.corrections.history("trainee", [awa]) if "Positionnement" in c.field
    ]
    pulled = gestes.catalog.gesture(PULL).name
    assert change.before == f"{pulled} : Pas encore fait"
    assert change.after == f"{pulled} : Fait avec aide" and change.by == "Inès Coordinatrice"
    with pytest.raises(RecordError, match="choisissez"):
        plans.observe(gestes, awa, {PULL: "bien"}, entered, world.trainer)
    with pytest.raises(RecordError, match="ne fait pas partie"):
        plans.observe(gestes, awa, {"datacenter.g.racker_serveur": "seul"}, entered, None)


def test_a_competency_two_diagnostic_gestures_evidence_takes_the_weaker(catalog):
    from core.followup.positioning import Diagnostic, since_entry
    from core.judging.record import derive_record
    from tests.test_scales import info  # a trainee's identity, for a bare record

    sector = catalog.sectors["fibre"]
    shared = next(
        (a, b)
        for a in sector.gestures
        for b in sector.gestures
        if a.id < b.id and set(a.competencies) & set(b.competencies)
    )
    found = Diagnostic(shared, ())
    record = derive_record(sector, info())
    competency = (set(shared[0].competencies) & set(shared[1].competencies)).pop()
    name = next(c.name for c in sector.competencies if c.id == competency)
    rows = {
        s.competency: s
        for s in since_entry(
            sector, found, {shared[0].id: "seul", shared[1].id: "pas_fait"}, record
        )
    }
    assert rows[name].at_entry == "Pas encore fait"


def test_the_plan_lines_are_dated_signed_and_ended_never_deleted(world):
    gestes = world.gestes
    lucas = world.trainees[1]
    plans.observe(gestes, lucas, {PREPARE: "pas_fait", PULL: "seul"}, dt.date(2026, 1, 6), None)
    first = plans.add_plan_line(
        gestes, lucas, "priorite", "", dt.date(2026, 1, 7), world.trainer, PREPARE
    )
    plans.add_plan_line(
        gestes,
        lucas,
        "temps",
        "Tiers temps aux épreuves écrites",
        dt.date(2026, 1, 7),
        world.trainer,
    )
    found = plans.entry_file(gestes, lucas)
    assert found.suggested == ()  # the one gesture not done alone is in the plan
    assert [(line.kind, line.by) for line in found.plan] == [
        ("priorite", "Karim Formateur"),
        ("temps", "Karim Formateur"),
    ]
    with pytest.raises(RecordError) as refused:
        plans.add_plan_line(gestes, lucas, "temps", " ", dt.date(2026, 1, 7), None)
    assert refused.value.field == "text"
    future = dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(RecordError, match="futur"):
        plans.add_plan_line(gestes, lucas, "autre", "x", future, None)
    gestes.store.positioning.end_line(lucas, first, dt.date(2026, 2, 10), world.trainer)
    ended = plans.entry_file(gestes, lucas)
    assert ended.plan[0].ended_on == dt.date(2026, 2, 10) and len(ended.plan) == 2
    assert [g.id for g in ended.suggested] == [PREPARE]  # ended: proposed again
    with pytest.raises(RecordError, match="déjà levée"):
        gestes.store.positioning.end_line(lucas, first, dt.date(2026, 2, 11), None)
    history = gestes.store.corrections.history("trainee", [lucas])
    assert any(c.field == "Plan individuel" and "levé le 10/02/2026" in c.after for c in history)


def test_erasure_blanks_the_answers_and_the_adaptations_the_observations_stay(world):
    gestes = world.gestes
    awa = world.trainees[0]
    datacenter = world.directory.add_trainees(world.other_cohort, [_new("Ada", "Lovelace")])[0]
    answers = {"datacenter.g.protection_esd": "seul", "attentes": "Un CDI près de chez moi"}
    plans.observe(gestes, datacenter, answers, dt.date(2026, 1, 6), None)
    plans.add_plan_line(
        gestes, datacenter, "accessibilite", "Siège adapté", dt.date(2026, 1, 7), None
    )
    export = gestes.store.rgpd.export_trainee(datacenter)
    assert {r["value"] for r in export["positioning"]} == {"seul", "Un CDI près de chez moi"}
    assert export["plan_lines"][0]["text"] == "Siège adapté"
    gestes.store.rgpd.erase_trainee(datacenter)
    kept = gestes.store.positioning.snapshot(datacenter).values
    assert kept == {"datacenter.g.protection_esd": "seul", "attentes": "[effacé]"}
    assert gestes.store.positioning.plan(datacenter)[0].text == "[effacé]"
    assert gestes.store.positioning.snapshot(awa).values == {}


def _new(first: str, last: str):
    from core.domain import NewTrainee

    return NewTrainee(first, last)


def signed_in(world, email: str) -> tuple[TestClient, str]:
    browser = TestClient(create_app(world.gestes))
    browser.post("/login", data={"email": email, "password": PASSWORD})
    return browser, browser.get("/api/me").json()["csrf_token"]


def test_a_trainer_positions_plans_and_reads_progress_on_the_trainee_page(world):
    nour = world.trainees[2]
    floor, csrf = signed_in(world, "formateur@example.org")
    part = f"/trainees/{nour}?ouvert=positionnement"
    opened = floor.get(part).text
    assert "Faire le positionnement" in opened and "Pas encore fait." in opened
    wrong = floor.post(
        f"/trainees/{nour}/positioning",
        data={"csrf_token": csrf, f"item:{PREPARE}": "bof", "observed_on": "2026-01-06"},
    )
    assert wrong.status_code == 400
    assert f'id="erreur-item:{PREPARE}"' in wrong.text and "choisissez" in wrong.text
    done = floor.post(
        f"/trainees/{nour}/positioning",
        data={"csrf_token": csrf, f"item:{PREPARE}": "pas_fait", f"item:{PULL}": "seul",
              "observed_on": "2026-01-06"},
    )  # fmt: skip
    assert done.status_code == 200 and "Fait le 06/01/2026 par Karim Formateur" in done.text
    assert "Progression depuis l'entrée" in done.text and "Mettre au plan" in done.text
    planned = floor.post(
        f"/trainees/{nour}/plan",
        data={"csrf_token": csrf, "kind": "priorite", "gesture": PREPARE},
    )
    assert "Mettre au plan" not in planned.text and "signé Karim Formateur" in planned.text
    empty = floor.post(f"/trainees/{nour}/plan", data={"csrf_token": csrf, "kind": "temps"})
    assert empty.status_code == 400 and 'id="erreur-text"' in empty.text
    api = floor.get(f"/api/trainees/{nour}/positioning").json()
    assert {i["item"]: i["value"] for i in api["items"]}[PREPARE] == "pas_fait"
    assert [line["gesture"] for line in api["plan"]] == [PREPARE]
    added = floor.post(
        f"/api/trainees/{nour}/plan",
        json={"kind": "module", "text": "Reprise du module soudure", "decided_on": "2026-02-02"},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 200 and len(added.json()["plan"]) == 2
    line = added.json()["plan"][0]["id"]
    ended = floor.post(
        f"/api/trainees/{nour}/plan/{line}/end", json={}, headers={"X-CSRF-Token": csrf}
    )
    assert ended.json()["plan"][0]["ended_on"] is not None
    bad = floor.post(
        f"/api/trainees/{nour}/positioning",
        json={"answers": {PULL: "seul", "x.y": "seul"}, "observed_on": "2026-01-06"},
        headers={"X-CSRF-Token": csrf},
    )
    assert bad.status_code == 400 and "ne fait pas partie" in bad.json()["detail"]


def test_another_school_cannot_read_nor_write_the_entry_file(world):
    from core.domain import Role

    other = world.directory.create_school("lyon", "École de Lyon", "Lyon", "territoire.lyon")
    world.directory.create_user("autre@example.org", "Autre", PASSWORD, Role.TRAINER, [other])
    stranger, csrf = signed_in(world, "autre@example.org")
    awa = world.trainees[0]
    assert stranger.get(f"/api/trainees/{awa}/positioning").status_code == 404
    posted = stranger.post(
        f"/api/trainees/{awa}/plan",
        json={"kind": "temps", "text": "x", "decided_on": "2026-01-06"},
        headers={"X-CSRF-Token": csrf},
    )
    assert posted.status_code == 404
    assert world.gestes.store.positioning.plan(awa) == []


def test_the_command_line_records_and_reads_the_entry_file(tmp_path, monkeypatch):
    from core.context import open_gestes
    from core.domain import NewTrainee
    from core.settings import Settings

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    gestes = open_gestes(Settings(data_dir=tmp_path / "data"), migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    cohort = directory.create_cohort(
        school, "fibre", "Fibre Lyon", dt.date(2026, 3, 2), dt.date(2026, 6, 26)
    )
    [awa] = directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo")])

    def run(*args: object):
        return CliRunner().invoke(build_cli(), [str(a) for a in args])

    said = run("positioning", awa, "--answer", f"{PREPARE}=avec_aide", "--on", "2026-03-03")
    assert said.exit_code == 0, said.output
    assert f"{PREPARE}\tavec_aide" in said.stdout and "1 item(s) recorded." in said.stdout
    added = run("plan", awa, "priorite", "--gesture", PREPARE)
    assert added.exit_code == 0 and "Plan line" in added.stdout
    refused = run("plan", awa, "temps")
    assert refused.exit_code == 1 and "Décrivez" in refused.stderr
    assert [line.gesture for line in gestes.store.positioning.plan(awa)] == [PREPARE]


def test_progress_since_entry_reaches_the_booklet_only_while_the_trainee_agrees(world):
    """The trainee reads their way since entry on their own page and chooses; the booklet
    every channel hands out shows it from then on, and no longer once withdrawn."""
    from core.booklet.handing import verified_booklet
    from core.booklet.printing import render_html
    from core.immersion.placements import LinkKind

    gestes = world.gestes
    awa = world.trainees[0]
    plans.observe(gestes, awa, {PREPARE: "pas_fait"}, dt.date(2026, 1, 6), world.trainer)
    gestes.store.placements.issue_link(LinkKind.TRAINEE, awa, "ENTREE-2026-AWA", 30, None)
    learner = TestClient(create_app(gestes))
    me = learner.get("/moi/ENTREE-2026-AWA")
    assert "Depuis mon entrée" in me.text and "à l'entrée : pas encore fait" in me.text
    assert "ne montre pas ce chemin" in me.text

    def booklet() -> str:
        record = gestes.store.records.trainee_record(awa)
        return render_html(verified_booklet(gestes, record))

    title = "Progression depuis l'entrée en formation"
    assert title not in booklet()
    token = me.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    agreed = learner.post("/moi/progression", data={"token": token, "shown": "true"})
    assert agreed.status_code == 200 and "Votre livret montre ce chemin" in agreed.text
    shown = booklet()
    assert title in shown and "à l'entrée : pas encore fait" in shown
    learner.post("/moi/progression", data={"token": token, "shown": "false"})
    assert title not in booklet()

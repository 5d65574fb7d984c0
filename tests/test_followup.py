"""Trainees at risk, derived from what the record holds, and the coordination's call log:
each signal from seeded records and none for a trainee doing well; the contacts kept for
the school only (never in a booklet), reachable from the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.booklet.data import build_booklet
from core.booklet.printing import render_html
from core.catalog.definitions import Autonomy
from core.cli.main import build_cli
from core.domain import ExitDetails, ExitKind, RecordError
from core.followup.derive import at_risk
from core.followup.risk import Situation, signals
from core.immersion.placements import Placement
from core.judging.attempts import StepResult
from web import create_app

SPLICE = "fibre.g.soudure_fusion"
PASSWORD = "mot-de-passe-long"


def kinds(situation: Situation) -> list[str]:
    return [s.kind for s in signals(situation)]


def test_each_signal_from_its_fact_and_none_for_a_trainee_doing_well():
    assert kinds(Situation(progress=0.6, elapsed=0.7)) == []  # doing well
    assert kinds(Situation(unjustified=4, threshold=4)) == ["absences"]
    assert kinds(Situation(unjustified=3, threshold=4)) == []
    assert kinds(Situation(progress=0.2, elapsed=0.5)) == ["behind"]
    assert kinds(Situation(progress=0.0, elapsed=0.25)) == []  # too early to say
    assert kinds(Situation(stuck=(("Soudure", 3),))) == ["stuck"]
    late = Situation(appraisals_late=(("Free Pro", dt.date(2026, 3, 1)),))
    assert signals(late)[0].words == (
        "Immersion chez Free Pro finie le 01/03/2026 : appréciation du tuteur toujours attendue."
    )
    assert kinds(Situation(appraisals_poor=(("Free Pro", 3, 5),))) == ["tutor"]
    gone = Situation(unjustified=9, threshold=4, progress=0.0, elapsed=0.9, exited=True)
    assert kinds(gone) == []  # an exit recorded: nothing left to prevent
    [said] = signals(Situation(progress=0.2, elapsed=0.5))
    assert said.words == "Plateau technique avancé à 20 % alors que 50 % du parcours est passé."


def fail_splice(world, trainee: int, times: int, first: dt.date = dt.date(2026, 1, 12)) -> None:
    steps = {s.key: StepResult.REUSSI for s in world.gestes.catalog.gesture(SPLICE).steps}
    critical = next(s.key for s in world.gestes.catalog.gesture(SPLICE).steps if s.critical)
    steps[critical] = StepResult.A_REPRENDRE
    for n in range(times):
        world.gestes.store.observations.record_attempt(
            trainee, world.trainer, SPLICE, steps, Autonomy.AUTONOME,
            first + dt.timedelta(days=n), f"fail-{trainee}-{n}",
        )  # fmt: skip


def test_the_derivation_reads_the_record(world):
    """Fibre 2026-1 runs 05/01 → 10/04. On 01/02 nobody is behind yet: Lucas failed the
    splice three times, Nour's tutor never sent an appraisal, Awa is doing well; on 20/03,
    with nothing passed on the floor, everyone still there is behind."""
    gestes = world.gestes
    _, lucas, nour = world.trainees
    fail_splice(world, lucas, 3)
    placement = Placement(
        0, nour, "Fibre Sud", None, "M. Tuteur", None,
        dt.date(2026, 1, 12), dt.date(2026, 1, 20), 35, (),
    )  # fmt: skip
    gestes.store.placements.create(nour, placement, world.coordinator, objectives="Souder")
    early = {a.name: a for a in at_risk(gestes, [world.cohort], dt.date(2026, 2, 1))}
    assert set(early) == {"Lucas Martin", "Nour Benali"}  # Awa: doing well, not listed
    splice = gestes.catalog.gesture(SPLICE).name
    assert [s.words for s in early["Lucas Martin"].signals] == [
        f"« {splice} » : 3 essais, aucun réussi."
    ]
    assert [s.kind for s in early["Nour Benali"].signals] == ["tutor"]
    assert early["Nour Benali"].to_do and early["Nour Benali"].last_contact is None
    gestes.store.observations.record_exit(
        lucas, world.coordinator, ExitKind.ABANDON, dt.date(2026, 3, 1), "exit-lucas",
        details=ExitDetails(reason="sante"),
    )  # fmt: skip
    late = {a.name: a for a in at_risk(gestes, [world.cohort], dt.date(2026, 3, 20))}
    assert set(late) == {"Awa Diallo", "Nour Benali"}  # Lucas left: nothing to prevent
    assert [s.kind for s in late["Awa Diallo"].signals] == ["behind"]


def test_a_contact_is_logged_shown_and_kept_out_of_the_booklet(world):
    gestes = world.gestes
    awa = world.trainees[0]
    followups = gestes.store.followups
    with pytest.raises(RecordError) as refused:
        followups.add(awa, "appel", "  ", dt.date.today(), world.coordinator)
    assert refused.value.field == "outcome"
    with pytest.raises(RecordError) as refused:
        followups.add(awa, "appel", "Rappel", dt.date.today() + dt.timedelta(days=1), None)
    assert refused.value.field == "happened_on"
    secret = "Difficultés de logement, aidée par l'assistante sociale"
    followups.add(awa, "appel", secret, dt.date(2026, 3, 19), world.coordinator, "behind")
    [contact] = followups.of(awa)
    assert (contact.by, contact.label, contact.about) == ("Inès Coordinatrice", "Appel", "behind")
    [listed] = [
        a for a in at_risk(gestes, [world.cohort], dt.date(2026, 3, 20)) if a.trainee_id == awa
    ]
    assert listed.last_contact == dt.date(2026, 3, 19) and listed.contacts == 1
    record = gestes.store.records.trainee_record(awa)
    booklet = render_html(
        build_booklet(gestes.definitions, record, immersion=gestes.immersion_record(awa))
    )
    assert "logement" not in booklet and "assistante" not in booklet
    assert gestes.store.rgpd.export_trainee(awa)["followups"][0]["outcome"] == secret
    gestes.store.rgpd.erase_trainee(awa)
    [erased] = followups.of(awa)
    assert erased.outcome == "[effacé]" and erased.happened_on == dt.date(2026, 3, 19)


def signed_in(world, email: str) -> tuple[TestClient, str]:
    browser = TestClient(create_app(world.gestes))
    browser.post("/login", data={"email": email, "password": PASSWORD})
    return browser, browser.get("/api/me").json()["csrf_token"]


def test_pages_and_api_show_the_same_trainees_at_risk(world):
    from core.domain import NewTrainee

    today = dt.date.today()
    running = world.directory.create_cohort(
        world.school, "fibre", "Fibre en cours", today - dt.timedelta(days=20),
        today + dt.timedelta(days=60), [world.trainer],
    )  # fmt: skip
    lucas, _ = world.directory.add_trainees(
        running, [NewTrainee("Léo", "Roux"), NewTrainee("Ana", "Vidal")]
    )
    fail_splice(world, lucas, 3, today - dt.timedelta(days=10))
    office, csrf = signed_in(world, "coord@example.org")
    dashboard = office.get("/dashboard").text
    expected = {a.name for a in at_risk(world.gestes, [running])}
    assert expected == {"Léo Roux"}  # Ana: nothing tried yet, too early to be behind
    assert "Stagiaires à accompagner" in dashboard and "Léo Roux" in dashboard
    assert "Ana Vidal" not in dashboard.split("Stagiaires à accompagner")[1].split("</section>")[0]
    answer = office.get(f"/api/cohorts/{running}/at-risk").json()
    assert {a["name"] for a in answer} == expected
    page = f"/trainees/{lucas}?ouvert=accompagnement"
    assert "3 essais, aucun réussi" in office.get(page).text
    wrong = office.post(
        f"/trainees/{lucas}/followups",
        data={
            "csrf_token": csrf,
            "kind": "appel",
            "happened_on": dt.date.today().isoformat(),
            "outcome": "",
        },
    )
    assert wrong.status_code == 400 and 'id="erreur-outcome"' in wrong.text
    logged = office.post(
        f"/trainees/{lucas}/followups",
        data={"csrf_token": csrf, "kind": "entretien", "happened_on": dt.date.today().isoformat(),
              "outcome": "Entretien : reprise des soudures avec le formateur mardi."},
    )  # fmt: skip
    assert "reprise des soudures" in logged.text
    api = office.post(
        f"/api/trainees/{lucas}/followups",
        json={
            "kind": "appel",
            "outcome": "Rappelé, présent demain.",
            "happened_on": dt.date.today().isoformat(),
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 200 and api.json()["by"] == "Inès Coordinatrice"
    assert len(office.get(f"/api/trainees/{lucas}/followups").json()) == 2
    trainer, _ = signed_in(world, "formateur@example.org")
    assert trainer.get(f"/api/cohorts/{running}/at-risk").status_code == 403
    assert "Stagiaires à accompagner" not in trainer.get("/cohorts").text


def test_the_command_line_lists_whom_the_demo_puts_at_risk(tmp_path, monkeypatch):
    from core.context import open_gestes
    from core.settings import Settings

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(build_cli(), ["demo"]).exit_code == 0
    said = runner.invoke(build_cli(), ["at-risk"])
    assert said.exit_code == 0, said.output
    gestes = open_gestes(Settings())
    cohorts = [c.id for c, _ in gestes.store.lookup.cohorts(None) if not c.closed]
    expected = at_risk(gestes, cohorts)
    listed = [line.split("\t")[1] for line in said.output.splitlines() if not line.startswith("\t")]
    assert listed == [a.name for a in expected]
    assert expected, "the demo seeds trainees at risk"
    logged = runner.invoke(build_cli(), ["followup", str(expected[0].trainee_id), "Appelée."])
    assert logged.exit_code == 0 and "logged" in logged.output


def test_the_entry_profile_counts_what_the_records_say_and_what_is_missing(world):
    """Set on the trainee page (with a trace), counted on the cohort's settings and by the
    API: prescriber, situation, qualification, age band at entry; « Non renseigné » apart."""
    awa, lucas, nour = world.trainees
    office, csrf = signed_in(world, "coord@example.org")
    for trainee, born, prescriber, statuses, level in (
        (awa, "2001-04-02", "Mission Locale", ["demandeur_emploi", "qpv"], "sans"),
        (lucas, "1972-01-15", "France Travail", ["demandeur_emploi", "longue_duree", "rsa"], "3"),
    ):
        found = world.gestes.store.lookup.trainee(trainee)[0]
        done = office.post(
            f"/trainees/{trainee}/identity",
            data={
                "csrf_token": csrf, "first_name": found.first_name, "last_name": found.last_name,
                "email": found.email or "", "birth_date": born, "prescriber": prescriber,
                "statuses": statuses, "qualification": level,
            },
            follow_redirects=False,
        )  # fmt: skip
        assert done.status_code == 303, done.text
    history = {c.field: c.after for c in world.gestes.store.corrections.history("trainee", [lucas])}
    assert history["situation à l'entrée"] == "demandeur_emploi,longue_duree,rsa"
    assert history["niveau de qualification"] == "3"
    answer = office.get(f"/api/cohorts/{world.cohort}/entry-profile").json()
    rows = {(r["dimension"], r["value"]): r["trainees"] for r in answer["rows"]}
    assert answer["trainees"] == 3
    assert rows[("Prescripteur", "Mission Locale")] == 1
    assert rows[("Prescripteur", "Non renseigné")] == 1  # Nour: nothing said, never guessed
    assert rows[("Situation à l'entrée", "Demandeur d'emploi")] == 2
    assert rows[("Situation à l'entrée", "Bénéficiaire du RSA")] == 1
    assert rows[("Niveau de qualification", "Sans diplôme (infra 3)")] == 1
    assert rows[("Âge à l'entrée", "Moins de 26 ans")] == 1  # 24 at the cohort's start
    assert rows[("Âge à l'entrée", "50 ans et plus")] == 1
    assert rows[("Âge à l'entrée", "Non renseigné")] == 1
    page = office.get(f"/cohorts/{world.cohort}/settings").text
    assert "Profil à l'entrée" in page and "Bénéficiaire du RSA" in page
    wrong = office.post(
        f"/trainees/{nour}/identity",
        data={
            "csrf_token": csrf,
            "first_name": "Nour",
            "last_name": "Benali",
            "qualification": "9",
        },
    )
    assert wrong.status_code == 400 and 'id="erreur-qualification"' in wrong.text
    assert "Niveau de qualification inconnu" in wrong.text
    assert office.get(f"/api/cohorts/{world.cohort}/entry-profile").json() == answer  # unchanged


def test_the_published_results_come_from_the_exits_and_name_nobody(world):
    """Indicator 2: a public page per school, each programme's rates over every trainee with
    the headcount; a programme of fewer than five is not broken down."""
    from core.domain import NewTrainee

    more = world.directory.add_trainees(
        world.cohort,
        [NewTrainee("Eva", "Petit"), NewTrainee("Rayan", "Morel"), NewTrainee("Zoé", "Lam")],
    )
    awa, lucas, nour = world.trainees
    record = world.gestes.store.observations.record_exit
    for trainee in (awa, lucas, more[0]):
        record(trainee, world.coordinator, ExitKind.CDI, dt.date(2026, 4, 10), f"cdi-{trainee}")
    record(
        nour, world.coordinator, ExitKind.ABANDON, dt.date(2026, 2, 10), "ab-nour",
        details=ExitDetails(reason="sante"),
    )  # fmt: skip
    slug = world.gestes.store.lookup.school(world.school).slug
    anyone = TestClient(create_app(world.gestes))  # no sign-in: the school links it
    page = anyone.get(f"/resultats/{slug}?annee=2026")
    assert page.status_code == 200
    [fibre] = world.gestes.store.exit_stats("sector", [world.school], 2026)
    assert (fibre.trainees, fibre.positive, fibre.unknown) == (6, 3, 2)
    text = page.text
    assert "<td>6</td>" in text and "3 (50&#160;%)" in text  # 3 of all 6, unknown included
    assert "Eva Petit" not in text and "Diallo" not in text  # aggregates only
    datacenter = world.gestes.catalog.sectors["datacenter"].sector.name
    assert datacenter not in text or "Moins de 5 stagiaires" in text
    assert anyone.get("/resultats/ecole-inconnue").status_code == 404
    small = world.directory.create_cohort(
        world.school, "smartcity", "Smart 2026", dt.date(2026, 1, 5), dt.date(2026, 3, 1)
    )
    world.directory.add_trainees(small, [NewTrainee("Solo", "Seul")])
    lone = anyone.get(f"/resultats/{slug}?annee=2026").text
    assert "Moins de 5 stagiaires : non détaillé, pour ne nommer personne." in lone


def test_a_cohorts_records_are_remembered_until_an_entry_or_an_exit_moves(world):
    """The dashboard derives every followed cohort at each visit: their records are kept
    between visits, and derived again as soon as anything about them changed."""
    records = world.gestes.store.records
    _, lucas, _ = world.trainees
    first = records.cohort_records(world.cohort)
    assert records.cohort_records(world.cohort)[1] is first[1]  # unchanged: remembered
    fail_splice(world, lucas, 1)
    moved = {r.trainee.id: r for r in records.cohort_records(world.cohort)}
    assert moved[lucas].gestures[SPLICE].attempts == 1
    world.gestes.store.observations.record_exit(
        lucas, world.coordinator, ExitKind.CDI, dt.date(2026, 4, 10), "exit-cache"
    )
    assert {r.trainee.id: r for r in records.cohort_records(world.cohort)}[lucas].exit is not None


def test_the_complaints_register_keeps_each_step_with_its_dates_and_trace(world):
    """Indicator 31 and 32: received, acknowledged, answered, the improvement — refused out
    of order or in the future, each step traced, another school's register out of reach."""
    office, csrf = signed_in(world, "coord@example.org")
    today = dt.date.today()
    received = (today - dt.timedelta(days=10)).isoformat()
    base = {"csrf_token": csrf, "school": str(world.school), "received_on": received}
    missing = office.post("/complaints", data={**base, "source": "stagiaire"})
    assert missing.status_code == 400 and 'id="erreur-summary"' in missing.text
    made = office.post(
        "/complaints",
        data={**base, "source": "entreprise", "summary": "Pas d'EPI le premier jour."},
    )
    assert made.status_code == 200 and "pas encore accusée" in made.text
    [complaint] = world.gestes.store.complaints.of([world.school])
    early = office.post(
        f"/complaints/{complaint.id}",
        data={"csrf_token": csrf, "acknowledged_on": (today - dt.timedelta(days=20)).isoformat()},
    )
    assert early.status_code == 400 and "Pas avant la date de réception." in early.text
    half = office.post(
        f"/complaints/{complaint.id}",
        data={"csrf_token": csrf, "answered_on": today.isoformat()},  # a date, no answer
    )
    assert half.status_code == 400 and "Une réponse a sa date et son texte." in half.text
    done = office.post(
        f"/complaints/{complaint.id}",
        data={"csrf_token": csrf, "acknowledged_on": (today - dt.timedelta(days=9)).isoformat(),
              "answered_on": (today - dt.timedelta(days=3)).isoformat(),
              "answer": "Excuses présentées ; EPI remis.",
              "action": "Contrôle des EPI ajouté à la check-list d'avant immersion."},
    )  # fmt: skip
    assert "accusée en 1 jour" in done.text and "répondue en 7 jours" in done.text
    traced = {c.field for c in world.gestes.store.corrections.history("complaint", [complaint.id])}
    assert traced == {"accusé de réception", "date de réponse", "réponse", "action d'amélioration"}
    api = office.get("/api/complaints").json()
    assert [(c["state"], c["action"]) for c in api] == [
        ("répondue", "Contrôle des EPI ajouté à la check-list d'avant immersion.")
    ]
    other = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    refused = office.post(
        "/api/complaints",
        json={"school": other, "received_on": received, "source": "autre", "summary": "x"},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 404  # another school's register: out of reach


def test_the_qualiopi_file_counts_the_record_and_says_what_it_does_not_hold(world):
    """Each indicator's figures are counts of what the school recorded over the period —
    checked against the store; a zero is held evidence, never « not held »."""
    from core.followup import plans

    awa, lucas, _ = world.trainees
    fail_splice(world, lucas, 3)  # 3 attempts in January 2026
    plans.observe(
        world.gestes, awa, {"fibre.g.preparer_chantier": "seul"}, dt.date(2026, 1, 6), None
    )
    plans.add_plan_line(world.gestes, awa, "temps", "Tiers temps", dt.date(2026, 1, 7), None)
    plans.add_plan_line(world.gestes, awa, "autre", "Pause", dt.date(2025, 12, 7), None)  # before
    world.gestes.store.followups.add(awa, "appel", "Rappelée.", dt.date(2026, 2, 2), None)
    world.gestes.store.complaints.add(world.school, dt.date(2026, 2, 3), "stagiaire", "Bruit", None)
    office, _ = signed_in(world, "coord@example.org")
    answer = office.get(f"/api/schools/{world.school}/qualiopi?du=2026-01-01&au=2026-06-30")
    assert answer.status_code == 200
    file = {i["number"]: i for i in answer.json()}
    assert sorted(file) == [1, 2, 8, 10, 11, 12, 17, 28, 30, 31, 32]
    assert file[11]["evidence"][0].startswith("3\u00a0essais de gestes observés")
    assert "1\u00a0contact noté au journal" in file[12]["evidence"][1]
    assert file[31]["evidence"] == ["1\u00a0réclamation reçue, 0\u00a0accusée, 0\u00a0répondue."]
    assert all(i["held"] for i in file.values())
    assert file[30]["evidence"] == ["Aucun questionnaire rempli sur la période."]
    assert file[8]["evidence"][1].endswith("premiers jours) : 1\u00a0stagiaire sur 3.")
    assert file[10]["evidence"][0] == "Avec un plan individuel : 1\u00a0stagiaire sur 3."
    said = "0\u00a0geste mis à travailler en premier et 1\u00a0adaptation décidée"
    assert said in file[10]["evidence"][1]
    assert file[32]["held"]  # none drawn yet is a fact of the record, not missing evidence
    before = office.get(f"/api/schools/{world.school}/qualiopi?du=2025-01-01&au=2025-06-30")
    assert {i["number"]: i for i in before.json()}[11]["evidence"][0].startswith("0\u00a0essai ")
    page = office.get(f"/qualiopi?ecole={world.school}&du=2026-01-01&au=2026-06-30").text
    assert "Indicateur 31" in page and "pas encore tenu" not in page
    other = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    assert office.get(f"/api/schools/{other}/qualiopi").status_code == 404
    trainer, _ = signed_in(world, "formateur@example.org")
    assert trainer.get(f"/api/schools/{world.school}/qualiopi").status_code == 403

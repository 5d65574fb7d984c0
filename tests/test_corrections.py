"""Everything set up by mistake can be corrected, with a trace (who, when, before, after):
accounts, cohorts, trainees; a cohort or a trainee deleted only while nothing is recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from core.catalog.definitions import Autonomy
from core.domain import RecordError, Role
from core.judging.attempts import StepResult

DAY = dt.date(2026, 2, 2)


def test_a_cohort_is_corrected_and_its_history_says_who_changed_what(world):
    corrections = world.gestes.store.corrections
    changed = corrections.edit_cohort(
        world.cohort,
        world.coordinator,
        name="Fibre 2026 — Marseille",
        starts_on=dt.date(2026, 1, 12),
        ends_on=dt.date(2026, 4, 10),
        planned_hours={"geste": 300},
    )
    assert changed == 3
    cohort = world.gestes.store.lookup.cohort(world.cohort)
    assert (cohort.name, cohort.starts_on) == ("Fibre 2026 — Marseille", dt.date(2026, 1, 12))
    assert dict(cohort.planned_hours)["geste"] == 300
    lines = {
        (c.by, c.field, c.before, c.after) for c in corrections.history("cohort", [world.cohort])
    }
    assert ("Inès Coordinatrice", "nom", "Fibre 2026-1", "Fibre 2026 — Marseille") in lines
    assert ("Inès Coordinatrice", "date de début", "05/01/2026", "12/01/2026") in lines
    assert any(field == "heures prévues" and "300" in after for _, field, _, after in lines)
    # An entry dated before the new start: the dates cannot leave it out.
    fibre = world.gestes.catalog.sectors["fibre"]
    gesture = fibre.gestures[0]
    steps = {s.key: StepResult.REUSSI for s in gesture.steps}
    world.gestes.store.observations.record_attempt(
        world.trainees[0], world.trainer, gesture.id, steps, Autonomy.AUTONOME, DAY, "k1"
    )
    with pytest.raises(RecordError, match="1 saisie\\(s\\) de la promotion sont datées hors"):
        corrections.edit_cohort(
            world.cohort,
            world.coordinator,
            name="X",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 4, 10),
        )
    assert world.gestes.store.lookup.cohort(world.cohort).name == "Fibre 2026 — Marseille"


def test_a_trainee_is_corrected_and_deleted_only_while_nothing_is_recorded(world):
    store = world.gestes.store
    awa, lucas, _ = world.trainees
    store.records.cohort_grid(world.cohort)  # remembered before the correction
    store.corrections.edit_trainee(
        awa,
        world.coordinator,
        first_name="Awa",
        last_name="Diallo-Koné",
        email="AWA.K@example.org",
        joined_on=dt.date(2026, 1, 19),
    )
    info, _ = store.lookup.trainee(awa)
    assert info.last_name == "Diallo-Koné" and info.email == "awa.k@example.org"
    grid = store.records.cohort_grid(world.cohort)  # remembered grids are drawn again
    assert "Diallo-Koné" in {row.last_name for row, _ in grid.rows}
    [*lines] = store.corrections.history("trainee", [awa])
    assert {(c.field, c.before, c.after) for c in lines} >= {
        ("nom", "Diallo", "Diallo-Koné"),
        ("e-mail", "awa@example.org", "awa.k@example.org"),
        ("date d'entrée", None, "19/01/2026"),
    }
    with pytest.raises(RecordError, match="dans les dates de la promotion"):
        store.corrections.edit_trainee(
            awa, None, first_name="Awa", last_name="D", email=None, joined_on=dt.date(2025, 1, 1)
        )
    store.observations.record_comment(lucas, world.trainer, "Là", DAY, "c1")
    with pytest.raises(RecordError, match="sortie \\(abandon\\), ou l'effacement RGPD"):
        store.corrections.delete_trainee(lucas, world.coordinator)
    store.corrections.delete_trainee(awa, world.coordinator)
    assert store.lookup.trainee(awa) is None
    [deleted] = [c for c in store.corrections.history("trainee", [awa]) if c.field == "supprimé·e"]
    assert deleted.before == "Awa Diallo-Koné" and deleted.by == "Inès Coordinatrice"


def test_a_cohort_is_deleted_only_while_nothing_is_recorded(world):
    store = world.gestes.store
    trial = store.directory.create_cohort(
        world.school, "fibre", "Essai", dt.date(2026, 1, 5), dt.date(2026, 4, 10), [world.trainer]
    )
    store.directory.add_trainees(trial, [])
    store.corrections.delete_cohort(trial, world.coordinator)
    assert store.lookup.cohort(trial) is None
    store.observations.record_comment(world.trainees[0], world.trainer, "Là", DAY, "c2")
    with pytest.raises(RecordError, match="ne peut plus être supprimée"):
        store.corrections.delete_cohort(world.cohort, world.coordinator)


def test_an_account_is_corrected_never_left_without_a_school_nor_the_last_admin(world):
    store = world.gestes.store
    other = store.directory.create_school("lyon", "École de Lyon", "Lyon", "territoire.lyon")
    store.corrections.edit_account(
        world.trainer,
        world.coordinator,
        name="Karim Haddad",
        role=Role.COORDINATOR,
        schools=[world.school, other],
    )
    account = next(a for a in store.accounts.all() if a.id == world.trainer)
    assert (account.name, account.role) == ("Karim Haddad", Role.COORDINATOR)
    fields = {c.field for c in store.corrections.history("account", [world.trainer])}
    assert fields == {"nom", "rôle", "écoles"}
    with pytest.raises(RecordError, match="au moins une école"):
        store.corrections.edit_account(world.trainer, None, name="K", role=Role.TRAINER, schools=[])
    with pytest.raises(RecordError, match="au moins une école"):
        store.directory.create_user("x@example.org", "X", "un mot de passe long", Role.TRAINER)
    admin = store.directory.create_user(
        "a@example.org", "Admin", "un mot de passe long", Role.ADMIN
    )
    with pytest.raises(RecordError, match="dernier compte d'administration"):
        store.corrections.edit_account(
            admin, admin, name="Admin", role=Role.TRAINER, schools=[world.school]
        )


def test_a_coordinator_corrects_from_the_pages_and_reads_the_history(world):
    import re

    from fastapi.testclient import TestClient

    from web import create_app

    web = TestClient(create_app(world.gestes))
    web.post("/login", data={"email": "coord@example.org", "password": "mot-de-passe-long"})
    page = web.get(f"/cohorts/{world.cohort}/settings")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert "Modifier la promotion" in page.text and "Historique des modifications" not in page.text
    edited = web.post(
        f"/cohorts/{world.cohort}/edit",
        data={
            "csrf_token": csrf,
            "name": "Fibre — printemps",
            "starts_on": "2026-01-05",
            "ends_on": "2026-04-17",
            "hours_geste": "280",
        },
    )
    assert edited.status_code == 200 and "Historique des modifications" in edited.text
    assert "Fibre — printemps" in edited.text and "10/04/2026" in edited.text
    backwards = web.post(
        f"/cohorts/{world.cohort}/edit",
        data={"csrf_token": csrf, "name": "X", "starts_on": "2026-04-17", "ends_on": "2026-01-05"},
    )
    assert backwards.status_code == 400
    assert (
        'id="erreur-ends_on"' in backwards.text and "doit suivre la date de début" in backwards.text
    )
    awa = world.trainees[0]
    renamed = web.post(
        f"/trainees/{awa}/identity",
        data={
            "csrf_token": csrf,
            "first_name": "Awa",
            "last_name": "Diallo-Koné",
            "email": "awa@example.org",
            "joined_on": "",
        },
    )
    assert renamed.status_code == 200 and "nom : Diallo → Diallo-Koné" in renamed.text
    web.post(f"/trainees/{world.trainees[2]}/delete", data={"csrf_token": csrf, "confirm": "oui"})
    settings = web.get(f"/cohorts/{world.cohort}/settings").text
    assert "stagiaire supprimé·e" in settings and "Nour Benali" in settings


def test_names_sort_as_french_lists_do_and_file_names_keep_every_letter(world):
    from core.domain import NewTrainee
    from core.french import slugify

    store = world.gestes.store
    store.directory.add_trainees(
        world.cohort,
        [NewTrainee("Jean", "DUPONT"), NewTrainee("Ana", "Da Silva"), NewTrainee("Léa", "Élie")],
    )
    grid = store.records.cohort_grid(world.cohort)
    names = [row.last_name for row, _ in grid.rows]
    assert names.index("Da Silva") < names.index("DUPONT") < names.index("Élie")
    assert slugify("Łukasz Wróbel") == "lukasz-wrobel" and slugify("Lætitia") == "laetitia"


def test_a_coordinator_runs_their_schools_trainers_and_nothing_else(world):
    """Delegation: a coordinator adds and corrects the trainers of their own school, never a
    coordinator, an administrator, nor another school's staff."""
    from fastapi.testclient import TestClient

    from web import create_app

    store = world.gestes.store
    lyon = store.directory.create_school("lyon", "École de Lyon", "Lyon", "territoire.lyon")
    elsewhere = store.directory.create_user(
        "lyon@example.org", "Ailleurs", "un mot de passe long", Role.TRAINER, [lyon]
    )
    web = TestClient(create_app(world.gestes))
    web.post("/login", data={"email": "coord@example.org", "password": "mot-de-passe-long"})
    csrf = web.get("/api/me").json()["csrf_token"]
    headers = {"X-CSRF-Token": csrf}
    new = {"email": "nadia@ecole.fr", "name": "Nadia", "password": "un mot de passe long"}
    made = web.post(
        "/api/users", json={**new, "role": "trainer", "schools": [world.school]}, headers=headers
    )
    assert made.status_code == 200, made.text
    listed = {a["email"] for a in web.get("/api/users").json()}
    assert "nadia@ecole.fr" in listed and "lyon@example.org" not in listed
    boss = {**new, "email": "chef@ecole.fr", "role": "coordinator", "schools": [world.school]}
    assert web.post("/api/users", json=boss, headers=headers).status_code == 403
    away = {**new, "email": "x@ecole.fr", "role": "trainer", "schools": [lyon]}
    assert web.post("/api/users", json=away, headers=headers).status_code == 403
    nadia = made.json()["id"]
    fixed = web.post(
        f"/api/users/{nadia}/edit",
        headers=headers,
        json={"name": "Nadia Morel", "role": "trainer", "schools": [world.school]},
    )
    assert fixed.status_code == 200 and fixed.json() == {"changed": 1}
    promoted = web.post(
        f"/api/users/{nadia}/edit",
        headers=headers,
        json={"name": "Nadia Morel", "role": "admin", "schools": []},
    )
    assert promoted.status_code == 403
    assert (
        web.post(
            f"/api/users/{elsewhere}/edit",
            headers=headers,
            json={"name": "X", "role": "trainer", "schools": [lyon]},
        ).status_code
        == 403
    )
    assert web.get(f"/admin/users/{world.coordinator}").status_code == 403


def test_an_erasure_blanks_the_corrections_and_vacuums_on_postgresql(world):
    """The history kept the trainee's former name and e-mail: erased too (the fields changed
    stay). On PostgreSQL the tables that held them are vacuumed right after."""
    from sqlalchemy import event

    store = world.gestes.store
    awa = world.trainees[0]
    store.corrections.edit_trainee(
        awa,
        world.coordinator,
        first_name="Awa",
        last_name="Diallo-Koné",
        email="awa.k@example.org",
        joined_on=None,
    )
    issued: list[str] = []
    engine = store.database.engine

    def seen(_conn, _cursor, statement, *_args):
        issued.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        store.rgpd.erase_trainee(awa)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    history = store.corrections.history("trainee", [awa])
    assert {c.field for c in history} == {"nom", "e-mail"}
    assert {(c.before, c.after) for c in history} == {("[effacé]", "[effacé]")}
    vacuumed = {s.split('"')[1] for s in issued if s.startswith("VACUUM")}
    if engine.dialect.name == "postgresql":
        assert {"trainees", "observations", "changes", "exits"} <= vacuumed
    else:
        assert not vacuumed and any("wal_checkpoint" in s for s in issued)


def test_a_cohort_a_trainee_moved_out_of_is_kept(world):
    """Its trainee's history says where they came from: refused in words, never a broken
    foreign key."""
    from core.domain import NewTrainee

    store = world.gestes.store
    trial = store.directory.create_cohort(
        world.school, "fibre", "Essai", dt.date(2026, 1, 5), dt.date(2026, 4, 10), [world.trainer]
    )
    [leila] = store.directory.add_trainees(trial, [NewTrainee("Leïla", "Haddad")])
    store.directory.move_trainee(leila, world.cohort, DAY, world.coordinator)
    with pytest.raises(RecordError, match="partis vers une autre promotion"):
        store.corrections.delete_cohort(trial, world.coordinator)
    assert store.lookup.cohort(trial) is not None

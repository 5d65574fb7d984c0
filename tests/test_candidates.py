"""Candidates (issue #33): from the prescriber to the trainee — the information session, the
interview, the decision traced, the admitted entering a cohort in one step with their entry
data carried over — and the others erased on the RGPD delay after the decision."""

from __future__ import annotations

import datetime as dt
import html
import re

from core.domain import NewTrainee, Role
from core.store.candidates import ERASE_AFTER_DAYS
from tests.test_followup import signed_in


def test_a_candidate_goes_from_prescriber_to_trainee(world):
    gestes = world.gestes
    office, csrf = signed_in(world, "coord@example.org")
    added = office.post(
        "/candidates",
        data={"csrf_token": csrf, "ecole": world.school, "first_name": "Yasmine",
              "last_name": "Haddad", "prescriber": "Mission Locale de Marseille",
              "birth_date": "2001-04-12", "phone": "06 12 34 56 78", "statuses": ["rsa", "qpv"],
              "qualification": "3"},
    )  # fmt: skip
    assert added.status_code == 200 and "Orienté·e" in html.unescape(added.text)
    [candidate] = gestes.store.candidates.of_school(world.school)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    undated = office.post(
        f"/candidates/{candidate.id}",
        data={"csrf_token": csrf, "info_on": yesterday, "decision": "admis"},
    )
    assert undated.status_code == 400 and 'id="erreur-decided_on"' in undated.text
    decided = office.post(
        f"/candidates/{candidate.id}",
        data={"csrf_token": csrf, "info_on": yesterday, "interview_on": yesterday,
              "interviewer": "Inès", "assessment": "Très motivée, vient pour le terrain.",
              "decision": "admis", "decided_on": yesterday},
    )  # fmt: skip
    assert decided.status_code == 200 and "Inscrire dans la promotion" in decided.text
    admitted = office.post(
        f"/candidates/{candidate.id}/admit",
        data={"csrf_token": csrf, "cohort": world.cohort},
        follow_redirects=False,
    )
    assert admitted.status_code == 303
    trainee = int(admitted.headers["location"].rsplit("/", 1)[1])
    found, cohort = gestes.store.lookup.trainee(trainee)
    assert cohort.id == world.cohort and (found.first_name, found.last_name) == (
        "Yasmine",
        "Haddad",
    )
    assert found.prescriber == "Mission Locale de Marseille" and found.phone == "06 12 34 56 78"
    assert found.birth_date == dt.date(2001, 4, 12) and set(found.statuses) == {"rsa", "qpv"}
    assert found.qualification == "3"  # nothing typed a second time
    again = office.post(
        f"/candidates/{candidate.id}/admit", data={"csrf_token": csrf, "cohort": world.cohort}
    )
    assert again.status_code == 400  # once only
    page = html.unescape(office.get(f"/candidates/{candidate.id}").text)
    assert "Entré·e en formation" in page and "décision : — → admis" in page


def test_a_candidate_not_admitted_is_erased_after_the_delay(world):
    gestes = world.gestes
    store = gestes.store.candidates
    waiting = store.add(world.school, NewTrainee("Karim", "Attente", "k@example.org"), None)
    kept = store.add(world.school, NewTrainee("Lina", "Admise"), None)
    long_ago = dt.date.today() - dt.timedelta(days=ERASE_AFTER_DAYS + 1)
    store.update(waiting, world.school, None, decision="pas_maintenant", decided_on=long_ago,
                 reason="Projet pas encore mûr", assessment="Hésite encore")  # fmt: skip
    store.update(kept, world.school, None, decision="admis", decided_on=long_ago)
    recent = store.add(world.school, NewTrainee("Théo", "Récent"), None)
    store.update(recent, world.school, None, decision="attente", decided_on=dt.date.today())
    office, _ = signed_in(world, "coord@example.org")
    shown = html.unescape(office.get(f"/candidates/{recent}").text)
    erase_on = dt.date.today() + dt.timedelta(days=ERASE_AFTER_DAYS)
    assert f"seront effacées le {erase_on:%d/%m/%Y}" in shown
    listed = html.unescape(office.get(f"/candidates?ecole={world.school}").text)  # applies it
    assert "Karim" not in listed and "Lina Admise" in listed and "Théo Récent" in listed
    erased = store.get(waiting)
    assert erased.erased and erased.email is None and erased.reason is None
    assert erased.assessment is None and erased.decided_on == long_ago  # counted still
    history = gestes.store.corrections.history("candidate", [waiting])
    assert history and all(c.before in (None, "[effacé]") for c in history)
    assert all("Hésite" not in (c.after or "") for c in history)


def test_another_school_reaches_no_candidate(world):
    gestes = world.gestes
    made = gestes.store.candidates.add(world.school, NewTrainee("Awa", "Candidate"), None)
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    world.directory.create_user(
        "lyon@example.org", "Coord Lyon", "mot-de-passe-long", Role.COORDINATOR, [lyon]
    )
    other, csrf = signed_in(world, "lyon@example.org")
    assert other.get(f"/candidates/{made}").status_code == 404
    assert other.post(f"/candidates/{made}", data={"csrf_token": csrf}).status_code == 404
    assert re.search("Candidate", other.get("/candidates").text) is None
    trainer, _ = signed_in(world, "formateur@example.org")
    assert trainer.get("/candidates").status_code == 403


def test_the_api_and_the_command_line_take_a_candidate_to_a_cohort(world, monkeypatch):
    from typer.testing import CliRunner

    from core.cli.main import build_cli

    office, csrf = signed_in(world, "coord@example.org")
    headers = {"X-CSRF-Token": csrf}
    made = office.post(
        f"/api/schools/{world.school}/candidates",
        json={"first_name": "Inès", "last_name": "Api", "prescriber": "France Travail"},
        headers=headers,
    ).json()
    assert made["step"] == "Orienté·e"
    today = dt.date.today().isoformat()
    decided = office.post(
        f"/api/candidates/{made['id']}",
        json={"decision": "admis", "decided_on": today},
        headers=headers,
    ).json()
    assert decided["step"] == "Admis·e" and decided["erase_on"] is None
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    elsewhere = world.directory.create_cohort(
        lyon, "fibre", "Fibre Lyon", dt.date(2026, 1, 5), dt.date(2026, 4, 10)
    )
    wrong = office.post(
        f"/api/candidates/{made['id']}/admit", json={"cohort": elsewhere}, headers=headers
    )
    assert wrong.status_code == 404
    monkeypatch.setattr("core.cli.common.Opener.gestes", lambda self: world.gestes)
    runner = CliRunner()
    refused = runner.invoke(build_cli(), ["candidate-admit", str(made["id"]), str(elsewhere)])
    assert refused.exit_code == 1 and "promotion ouverte" in refused.stderr
    admitted = runner.invoke(build_cli(), ["candidate-admit", str(made["id"]), str(world.cohort)])
    assert admitted.exit_code == 0 and "is trainee" in admitted.stdout
    listed = runner.invoke(build_cli(), ["candidates", str(world.school), "--purge"])
    assert "0 candidate(s) erased." in listed.stdout and "Entré·e en formation" in listed.stdout

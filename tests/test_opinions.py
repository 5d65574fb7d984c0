"""Opinions (Qualiopi indicator 30): questionnaires answered by trainees (at the end, three
months after), tutors and outside partners by link; counted one way for the school's page,
the API, the Qualiopi file and the published results; their words kept for the school."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.cli.main import build_cli
from core.domain import NewTrainee, RecordError
from core.followup.opinions import checked, due, results
from core.immersion.placements import LinkKind, Placement, new_tutor_code
from tests.test_followup import signed_in
from web import create_app

ALL_GOOD = {"global": "4", "metier": "3", "aide": "4", "conseil": "4"}


def test_answers_are_checked_and_counted_from_the_overall_question():
    assert checked("fin", ALL_GOOD, "  Merci  ") == (
        {k: int(v) for k, v in ALL_GOOD.items()},
        "Merci",
    )
    with pytest.raises(RecordError) as off:
        checked("fin", {"global": "5"}, "")
    assert off.value.field == "global"
    with pytest.raises(RecordError, match="première question"):
        checked("fin", {"metier": "4"}, "")
    found = results("fin", [{"global": 4, "metier": 1}, {"global": 2}, {"global": 3}], asked=5)
    assert (found.respondents, found.satisfied, found.rate, found.asked) == (3, 2, 67, 5)
    assert [(q.answered, q.satisfied) for q in found.questions[:2]] == [(3, 2), (1, 0)]
    ends = dt.date(2026, 4, 10)
    assert due(ends, dt.date(2026, 3, 26)) == ()
    assert due(ends, dt.date(2026, 3, 27)) == ("fin",)
    assert due(ends, dt.date(2026, 7, 9)) == ("fin", "trois_mois")


def _ending_soon(world) -> tuple[int, list[int]]:
    today = dt.date.today()
    cohort = world.directory.create_cohort(
        world.school, "fibre", "Fibre qui finit", today - dt.timedelta(days=100),
        today + dt.timedelta(days=5), [world.trainer],
    )  # fmt: skip
    people = [NewTrainee("Stagiaire", f"N{n}") for n in range(6)]
    return cohort, world.directory.add_trainees(cohort, people)


def test_a_trainee_answers_on_their_page_and_the_school_reads_it(world):
    gestes = world.gestes
    cohort, trainees = _ending_soon(world)
    gestes.store.placements.issue_link(LinkKind.TRAINEE, trainees[0], "AVIS-AVIS-AVIS", 30, None)
    learner = TestClient(create_app(gestes))
    page = learner.get("/moi/AVIS-AVIS-AVIS")
    assert "Votre avis" in page.text and "Stagiaires, en fin de formation" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    wrong = learner.post("/moi/avis/fin", data={"token": token, "q_global": "9"})
    assert wrong.status_code == 400
    later = learner.post("/moi/avis/trois_mois", data={"token": token, "q_global": "4"})
    assert later.status_code == 404  # not open yet: three months after the end
    secret = "Le formateur m'a redonné confiance"
    sent = learner.post(
        "/moi/avis/fin", data={"token": token, "q_global": "2", "q_aide": "4", "text": secret}
    )
    assert sent.status_code == 200 and "votre avis est enregistré" in sent.text
    learner.post("/moi/avis/fin", data={"token": token, "q_global": "4", "text": secret})
    [answer] = gestes.store.opinions.of_school(world.school)
    assert answer.answers == {"global": 4}  # answered again: the latest replaces it
    office, _ = signed_in(world, "coord@example.org")
    read = html.unescape(office.get(f"/opinions?ecole={world.school}").text)
    assert "100 % satisfaits" in read.replace("\u00a0", " ") and secret in read
    api = office.get(f"/api/schools/{world.school}/opinions").json()
    assert api[0]["respondents"] == 1 and api[0]["rate"] == 100
    assert secret not in str(api)  # the words stay on the school's page
    qualiopi = office.get(f"/api/schools/{world.school}/qualiopi").json()
    thirty = next(i for i in qualiopi if i["number"] == 30)
    assert (
        thirty["held"] and "1\u00a0réponse, 1\u00a0satisfait (100\u00a0%)" in thirty["evidence"][0]
    )
    of_cohort = html.unescape(office.get(f"/opinions?ecole={world.school}&cohorte={cohort}").text)
    assert "100 % satisfaits" in of_cohort.replace("\u00a0", " ") and secret in of_cohort
    other = html.unescape(office.get(f"/opinions?ecole={world.school}&cohorte={world.cohort}").text)
    assert "satisfaits" not in other and secret not in other  # another cohort's: none
    trainer, _ = signed_in(world, "formateur@example.org")
    assert trainer.get(f"/opinions?ecole={world.school}").status_code == 403


def test_the_published_results_show_satisfaction_only_from_five_answers(world):
    gestes = world.gestes
    ended = world.directory.create_cohort(
        world.school, "fibre", "Fibre 2025", dt.date(2025, 3, 3), dt.date(2025, 7, 4)
    )
    trainees = world.directory.add_trainees(
        ended, [NewTrainee("Stagiaire", f"A{n}") for n in range(7)]
    )
    school = gestes.store.lookup.school(world.school)
    page = TestClient(create_app(gestes))
    for n, trainee in enumerate(trainees[:5]):
        answers = {"global": 4 if n < 4 else 1}
        gestes.store.opinions.answer(
            f"trainee:{trainee}:fin", world.school, "fin", answers, "mot privé", ended, trainee
        )
        shown = page.get(f"/resultats/{school.slug}?annee=2025").text.replace("\u00a0", " ")
        if n < 4:
            assert "moins de 5 réponses" in shown
    assert "80 % satisfaits (5 réponses sur 7)" in shown and "mot privé" not in shown


def test_an_outside_partner_and_a_tutor_answer_by_their_links(world):
    gestes = world.gestes
    office, csrf = signed_in(world, "coord@example.org")
    made = office.post(
        "/opinions/links",
        data={"csrf_token": csrf, "ecole": world.school, "questionnaire": "entreprise",
              "who": "Fibre Sud — M. Martin", "jours": 30},
    )  # fmt: skip
    code = re.search(r"/avis/([\w-]+)</code>", made.text).group(1)
    partner = TestClient(create_app(gestes))
    form = partner.get(f"/avis/{code}")
    assert form.status_code == 200 and "Fibre Sud — M. Martin" in form.text
    assert partner.post(f"/avis/{code}", data={"q_besoins": "3"}).status_code == 400
    assert partner.post(f"/avis/{code}", data={"q_global": "3", "text": "Bien"}).status_code == 200
    listed = office.get(f"/opinions?ecole={world.school}").text
    assert "répondu" in listed and code not in listed  # shown once, when made
    [link] = gestes.store.opinions.links_of(world.school)
    revoke = f"/opinions/links/{link.id}/revoke"
    office.post(revoke, data={"csrf_token": csrf, "ecole": world.school})
    assert partner.get(f"/avis/{code}").status_code == 410
    assert partner.get("/avis/inconnu").status_code == 404

    nour = world.trainees[2]
    placed = gestes.store.placements.create(
        nour,
        Placement(0, nour, "Fibre Sud", None, "M. Tuteur", None,
                  dt.date(2026, 1, 12), dt.date(2026, 1, 20), 35, ()),
        world.coordinator, objectives="Souder",
    )  # fmt: skip
    tutor_code = new_tutor_code()
    gestes.store.placements.issue_link(LinkKind.TUTOR, nour, tutor_code, 30, None, placed.id)
    tutor = TestClient(create_app(gestes))
    page = tutor.get(f"/tuteur/{tutor_code}")
    assert "Votre avis sur l'école" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    said = tutor.post(f"/tuteur/{tutor_code}/avis", data={"token": token, "q_global": "4"})
    assert said.status_code == 200
    kinds = sorted(o.questionnaire for o in gestes.store.opinions.of_school(world.school))
    assert kinds == ["entreprise", "tuteur"]


def test_the_command_line_reads_the_results_and_makes_a_link(tmp_path, monkeypatch):
    from core.context import open_gestes
    from core.settings import Settings

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    gestes = open_gestes(Settings(data_dir=tmp_path / "data"), migrate=True)
    school = gestes.store.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    gestes.store.opinions.answer("link:x", school, "financeur", {"global": 2}, "")

    def run(*args: object):
        return CliRunner().invoke(build_cli(), [str(a) for a in args])

    said = run("opinions", school)
    assert said.exit_code == 0 and "financeur\t1 answer(s)\tsatisfied: 0 %" in said.stdout
    made = run("opinion-link", school, "financeur", "France Travail Lyon")
    assert made.exit_code == 0 and "/avis/" in made.stdout
    assert run("opinion-link", school, "fin", "x").exit_code == 1


def test_the_command_line_keeps_the_complaints_register_and_counts_the_entry_profile(
    tmp_path, monkeypatch
):
    import datetime as dt

    from core.context import open_gestes
    from core.settings import Settings

    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    gestes = open_gestes(Settings(data_dir=tmp_path / "data"), migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    cohort = directory.create_cohort(
        school, "fibre", "Fibre Lyon", dt.date(2026, 3, 2), dt.date(2026, 6, 26)
    )
    directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo"), NewTrainee("Léo", "Roux")])

    def run(*args: object):
        return CliRunner().invoke(build_cli(), [str(a) for a in args])

    added = run("complaints", school, "--add", "Salle trop froide", "--source", "stagiaire")
    assert added.exit_code == 0 and "Complaint 1 recorded." in added.stdout
    assert "\tstagiaire\t" in added.stdout and "Salle trop froide" in added.stdout
    assert run("complaints", school, "--add", "x", "--source", "voisin").exit_code == 1
    profile = run("entry-profile", cohort)
    assert profile.exit_code == 0 and "2 trainee(s)" in profile.stdout
    assert "Prescripteur\tNon renseigné\t2" in profile.stdout

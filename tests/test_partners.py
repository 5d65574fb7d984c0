"""A school's partner companies (issue #33): added or adapted from a plugin's shared profile by
the coordination, every change traced, and read at once by the school's booklets and fit —
never by another school's, and never with their contacts."""

from __future__ import annotations

import html
import re

import pytest

from core.catalog.definitions import Priority, Requirement
from core.domain import NewTrainee, RecordError, Role
from core.partners import checked_requirements
from tests.test_followup import signed_in

SPLICE = "fibre.c.souder"
PTO = "fibre.c.raccorder_client"


def test_requirements_are_checked_row_by_row(catalog):
    rows = [
        (SPLICE, "acquis", "essentielle"),
        ("", "acquis", "importante"),
        (PTO, "en_cours", "appreciee"),
    ]
    assert checked_requirements(catalog, rows) == (
        Requirement(competency=SPLICE, min_level="acquis", priority=Priority.ESSENTIELLE),
        Requirement(competency=PTO, min_level="en_cours", priority=Priority.APPRECIEE),
    )
    for wrong, field in (
        ([("fibre.c.nope", "acquis", "importante")], "competency-1"),
        ([(SPLICE, "acquis", "importante"), (SPLICE, "maitrise", "importante")], "competency-2"),
        ([(SPLICE, "non_evalue", "importante")], "level-1"),
        ([("", "acquis", "importante")], "competency-1"),
    ):
        with pytest.raises(RecordError) as refused:
            checked_requirements(catalog, wrong)
        assert refused.value.field == field, (wrong, refused.value)


def _add(office, csrf, school, name, rows, **extra):
    data = {"csrf_token": csrf, "ecole": school, "name": name, **extra}
    for n, (competency, level, priority) in enumerate(rows, start=1):
        data |= {f"competency-{n}": competency, f"level-{n}": level, f"priority-{n}": priority}
    return office.post("/partners", data=data)


def test_a_company_added_with_two_requirements_has_its_booklet_at_once(world):
    office, csrf = signed_in(world, "coord@example.org")
    made = _add(
        office, csrf, world.school, "Fibre Sud Réseaux",
        [(SPLICE, "acquis", "essentielle"), (PTO, "en_cours", "importante")],
        contacts="M. Martin, 06 11 22 33 44", sites="Vitrolles",
    )  # fmt: skip
    assert made.status_code == 200 and "Fibre Sud Réseaux" in made.text
    [partner] = world.gestes.store.partners.of_school(world.school)
    assert partner.employer_id == f"partenaire.e{world.school}.p{partner.id}"
    awa = world.trainees[0]
    part = office.get(f"/trainees/{awa}?ouvert=livret").text
    assert f'value="{partner.employer_id}">Fibre Sud Réseaux' in part
    booklet = html.unescape(
        office.get(f"/trainees/{awa}/booklet?employer={partner.employer_id}").text
    )
    assert "Pour Fibre Sud Réseaux" in booklet and "0 sur 2" in booklet.replace("\u00a0", " ")
    assert "06 11 22 33 44" not in booklet  # the contacts are the school's only
    pdf = office.get(f"/trainees/{awa}/booklet.pdf?employer={partner.employer_id}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    changed = office.post(
        f"/partners/{partner.id}",
        data={"csrf_token": csrf, "name": "Fibre Sud Réseaux", "competency-1": SPLICE,
              "level-1": "maitrise", "priority-1": "essentielle"},
    )  # fmt: skip
    assert changed.status_code == 200
    history = world.gestes.store.corrections.history("partner", [partner.id])
    [requirements] = [c for c in history if c.field == "exigences"]
    assert "soudure" in requirements.before.lower() and "maitrise" in requirements.after
    assert requirements.by == "Inès Coordinatrice"
    booklet = office.get(f"/trainees/{awa}/booklet?employer={partner.employer_id}").text
    assert "0 sur 1" in booklet.replace("\u00a0", " ")


def test_a_refused_company_says_why_beside_the_row_and_stores_nothing(world):
    office, csrf = signed_in(world, "coord@example.org")
    refused = _add(office, csrf, world.school, "Sans exigence", [("", "acquis", "importante")])
    assert refused.status_code == 400 and 'id="erreur-competency-1"' in refused.text
    assert 'value="Sans exigence"' in refused.text  # what was typed is kept
    assert world.gestes.store.partners.of_school(world.school) == []


def test_a_schools_own_profile_of_a_shared_one_stays_the_schools(world):
    gestes = world.gestes
    shared = next(e for e in gestes.catalog.employers_in("territoire.marseille", sector="fibre"))
    office, csrf = signed_in(world, "coord@example.org")
    own = [(SPLICE, "acquis", "essentielle")]
    adapted = _add(
        office, csrf, world.school, f"{shared.name} (Marseille)", own, based_on=shared.id
    )
    assert adapted.status_code == 200
    listed = html.unescape(office.get(f"/partners?ecole={world.school}").text)
    assert "d'après le profil partagé" in listed
    booklet = html.unescape(
        office.get(f"/trainees/{world.trainees[0]}/booklet?employer={shared.id}").text
    )
    assert f"Pour {shared.name} (Marseille)" in booklet
    again = _add(office, csrf, world.school, "Encore", [(SPLICE, "acquis", "essentielle")],
                 based_on=shared.id)  # fmt: skip
    assert again.status_code == 400  # one profile of it per school
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    world.directory.create_user("lyon@example.org", "Coord Lyon", "mot-de-passe-long",
                                Role.COORDINATOR, [lyon])  # fmt: skip
    other, _ = signed_in(world, "lyon@example.org")
    [partner] = gestes.store.partners.of_school(world.school)
    assert other.get(f"/partners/{partner.id}").status_code == 404
    assert re.search("Marseille", other.get("/partners").text) is None


def test_a_placement_with_a_schools_company_takes_its_requirements_as_objectives(world):
    import datetime as dt

    from core.immersion.placements import Placement

    gestes = world.gestes
    wants = (Requirement(competency=SPLICE, priority=Priority.ESSENTIELLE),)
    partner = gestes.store.partners.add(world.school, "Fibre Sud Réseaux", wants, None)
    awa = world.trainees[0]
    new = Placement(
        0, awa, "Fibre Sud Réseaux", partner.employer_id, "M. Tuteur", None,
        dt.date(2026, 3, 2), dt.date(2026, 3, 27), 140, (),
    )  # fmt: skip
    placed = gestes.store.placements.create(awa, new, world.coordinator)
    souder = gestes.catalog.competency(SPLICE)
    assert [o.competency for o in placed.objectives] == [SPLICE]
    assert souder.name in placed.objectives[0].label
    office, _ = signed_in(world, "coord@example.org")
    form = office.get(f"/trainees/{awa}/placements/new?employer={partner.employer_id}").text
    assert "Fibre Sud Réseaux" in html.unescape(form)
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    elsewhere = world.directory.create_cohort(
        lyon, "fibre", "Fibre Lyon", dt.date(2026, 1, 5), dt.date(2026, 4, 10)
    )
    [leo] = world.directory.add_trainees(elsewhere, [NewTrainee("Léo", "Roux")])
    with pytest.raises(RecordError, match="inconnu"):  # another school's company
        gestes.store.placements.create(leo, new, None)


def test_the_employer_search_lists_exactly_who_fits_as_the_store_says(world):
    """The expected list is derived here from the records and the company's requirements,
    requirement by requirement, and compared with the page's, the API's and the CLI's."""
    import datetime as dt

    from core.catalog.definitions import Autonomy
    from core.judging.attempts import StepResult

    gestes = world.gestes
    today = dt.date.today()
    running = world.directory.create_cohort(
        world.school, "fibre", "Fibre en cours", today - dt.timedelta(days=40),
        today + dt.timedelta(days=60), [world.trainer],
    )  # fmt: skip
    people = world.directory.add_trainees(
        running,
        [NewTrainee("Awa", "Prête"), NewTrainee("Léo", "Débutant"), NewTrainee("Nour", "Partie")],
    )
    splice = "fibre.g.soudure_fusion"
    steps = {s.key: StepResult.REUSSI for s in gestes.catalog.gesture(splice).steps}
    for trainee in (people[0], people[2]):
        for n in range(2):  # acquis: two autonomous successes on two days
            gestes.store.observations.record_attempt(
                trainee, world.trainer, splice, steps, Autonomy.AUTONOME,
                today - dt.timedelta(days=10 - n), f"s-{trainee}-{n}",
            )  # fmt: skip
    from core.domain import ExitKind

    gestes.store.observations.record_exit(
        people[2], world.coordinator, ExitKind.CDI, today, "exit-nour"
    )
    wants = (
        Requirement(competency=SPLICE, priority=Priority.ESSENTIELLE),
        Requirement(competency=PTO, priority=Priority.APPRECIEE),
    )
    partner = gestes.store.partners.add(world.school, "Fibre Sud Réseaux", wants, None)
    expected = []
    for record in gestes.store.records.cohort_records(running):
        level = record.levels[SPLICE].level
        placed = record.exit is not None
        scale = gestes.catalog.curriculum_of(SPLICE).scale
        if scale.rank(level) >= scale.rank(wants[0].min_level) and not placed:
            expected.append(record.trainee.full_name)
    assert expected == ["Awa Prête"]  # Léo: nothing yet; Nour: hired already
    office, _ = signed_in(world, "coord@example.org")
    page = html.unescape(
        office.get(f"/partners/search?ecole={world.school}&employer={partner.employer_id}").text
    )
    listed = re.findall(r'\?ouvert=livret#livret">([^<]+)</a>', page)
    assert listed == expected and "1 sur 2 exigences atteintes" in page
    assert "À surveiller" in page
    api = office.get(
        f"/api/schools/{world.school}/employer-search?employer={partner.employer_id}"
    ).json()
    assert [m["name"] for m in api] == expected and api[0]["vigilance"][0]["competency"] == PTO
    assert (
        office.get(f"/api/schools/{world.school}/employer-search?employer=x.y").status_code == 404
    )
    trainer, _ = signed_in(world, "formateur@example.org")
    assert trainer.get(f"/partners/search?employer={partner.employer_id}").status_code == 403


def test_engagements_make_the_territory_view_and_the_partners_report(world):
    import datetime as dt

    from core.partners import territory_view

    gestes = world.gestes
    today = dt.date.today()
    wants = (Requirement(competency=SPLICE),)
    hiring = gestes.store.partners.add(world.school, "Fibre Sud Réseaux", wants, None)
    quiet = gestes.store.partners.add(world.school, "Câbles du Port", wants, None)
    office, csrf = signed_in(world, "coord@example.org")
    awa = world.trainees[0]
    recent = (today - dt.timedelta(days=3)).isoformat()
    for kind, trainee in (("stage", awa), ("embauche", awa), ("visite", None)):
        done = office.post(
            f"/partners/{hiring.id}/engagements",
            data={"csrf_token": csrf, "kind": kind, "on": recent, "trainee": trainee or "",
                  "note": "Très bon contact"},
        )  # fmt: skip
        assert done.status_code == 200, done.text
    future = office.post(
        f"/partners/{quiet.id}/engagements",
        data={
            "csrf_token": csrf,
            "kind": "visite",
            "on": (today + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert future.status_code == 400 and 'id="erreur-on"' in future.text
    old = today - dt.timedelta(days=300)
    gestes.store.engagements.add(quiet.id, world.school, "offre_stage", old, None, count=2)
    lines = gestes.store.engagements.of_school(world.school)
    view = territory_view(gestes.store.partners.of_school(world.school), lines, today)
    assert [(a.name, a.hires, a.hosts, a.unseen) for a in view] == [
        ("Fibre Sud Réseaux", 1, 1, False),
        ("Câbles du Port", 0, 0, True),  # two internships offered, ten months ago: unseen
    ]
    page = html.unescape(office.get(f"/partners?ecole={world.school}").text)
    assert "pas vue depuis six mois" in page
    report = office.get(f"/partners/engagements.csv?ecole={world.school}")
    rows = report.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("entreprise;date;quoi") and len(rows) == 5
    assert any("Embauche" in r and "Awa Diallo" in r for r in rows)
    gestes.store.rgpd.erase_trainee(awa)
    assert all(not e.note for e in gestes.store.engagements.of_school(world.school) if e.trainee_id)

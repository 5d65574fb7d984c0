"""Immersion, without a browser: placements, the tutor's link, the
trainee's code, confirmation, signatures, the booklet's immersion pages, and every refusal
(expired, revoked, altered, another trainee's, forged form) storing nothing."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, select

from core.booklet.data import build_booklet
from core.booklet.printing import render_html
from core.domain import NewTrainee
from core.immersion.placements import (
    LinkKind,
    code_hash,
    exact_hash,
    new_trainee_code,
    new_tutor_code,
)
from core.store import tables as t
from tests.test_setup import data_dir  # noqa: F401 (fixture)
from tests.test_web import Site, build_site, client


@pytest.fixture(scope="module")
def site(tmp_path_factory, definitions) -> Site:
    return build_site(tmp_path_factory.mktemp("immersion"), definitions)


def entries(site: Site) -> int:
    """What the links wrote: portfolio entries, and the opinions given through them."""
    from core.store.opinions import OpinionRow

    with site.gestes.store.database.read() as session:
        written = session.scalar(select(func.count()).select_from(t.PortfolioEntry)) or 0
        return written + (session.scalar(select(func.count()).select_from(OpinionRow)) or 0)


def fresh_trainee(site: Site, name: str) -> int:
    [trainee] = site.gestes.store.directory.add_trainees(site.cohort, [NewTrainee(name, "Test")])
    return trainee


def create_placement(site: Site, trainee: int, **form: str) -> tuple[int, str]:
    """A coordinator records an immersion and creates its tutor link: (placement, link)."""
    coordinator, csrf = client(site, "coord@example.org")
    proposed = coordinator.get(
        f"/trainees/{trainee}/placements/new", params={"employer": "employeur.telenco"}
    )
    assert proposed.status_code == 200
    objectives = re.search(r'name="objectives"[^>]*>([^<]*)</textarea>', proposed.text)
    today = dt.date.today()
    data = {
        "csrf_token": csrf,
        "employer": "employeur.telenco",
        "company": "Telenco Marseille",
        "tutor_name": "Karim Benali",
        "tutor_contact": "06 00 00 00 00",
        "starts_on": (today - dt.timedelta(days=14)).isoformat(),
        "ends_on": (today + dt.timedelta(days=14)).isoformat(),
        "planned_hours": "140",
        "objectives": html.unescape(objectives.group(1)) if objectives else "Souder",
        **form,
    }
    created = coordinator.post(f"/trainees/{trainee}/placements", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    placement = int(created.headers["location"].rsplit("/", 1)[1])
    page = coordinator.post(f"/placements/{placement}/links", data={"csrf_token": csrf})
    link = re.search(r'id="lien-tuteur" readonly value="[^"]*(/tuteur/[^"]+)"', page.text)
    assert link, "the link is shown once, when made"
    return placement, link.group(1)


def form_token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_immersion_end_to_end_reaches_the_booklet(site):
    trainee = fresh_trainee(site, "Inès")
    placement, link = create_placement(site, trainee)
    tutor, _ = client(site)  # no account
    page = tutor.get(link)
    assert page.status_code == 200 and "Immersion de Inès" in page.text
    assert "Test" not in page.text.split("<main")[1]  # the tutor reads a first name only
    token = form_token(page.text)
    seen = tutor.post(
        f"{link}/observations",
        data={"token": token, "objective": "1", "result": "reussi", "note": "Soigneux, à l'heure"},
    )
    assert seen.status_code == 200 and "Enregistré" in seen.text
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    week = tutor.post(
        f"{link}/attendance",
        data={"token": token, "week": monday.isoformat(), "hours": "31.5", "days_absent": "1"},
    )
    assert week.status_code == 200
    ratings = {
        f"r_{key}": "satisfaisant" for key in ("ponctualite", "securite", "equipe", "client")
    }
    signed = tutor.post(
        f"{link}/appraisal",
        data={
            "token": token,
            **ratings,
            "text": "Rigoureux sur les soudures, bon contact avec les équipes.",
            "hiring": "oui",
            "signer": "Karim Benali",
            "consent": "on",
        },
    )
    assert signed.status_code == 200 and "Appréciation signée" in signed.text

    trainer, csrf = client(site, "trainer@example.org")
    coded = trainer.post(f"/trainees/{trainee}/access-code", data={"csrf_token": csrf})
    code = re.search(r'class="code">([A-Z0-9-]+)<', coded.text).group(1)
    learner, _ = client(site)
    opened = learner.post("/moi", data={"code": code.lower().replace("-", " ")})
    assert opened.status_code == 200 and "Bonjour Inès" in opened.text
    assert "Rigoureux sur les soudures" in opened.text  # the trainee reads the appraisal
    assert "Souhaite recruter" not in opened.text  # the hiring intention is the school's
    me = opened.url.path
    token = form_token(opened.text)
    learner.post(
        f"{me}/self-assessments",
        data={"token": token, "competency": "fibre.c.souder", "can": "true"},
    )
    learner.post(f"{me}/signature", data={"token": token, "signer": "Inès Test", "consent": "true"})

    gestes = site.gestes
    [said] = list(gestes.immersion_record(trainee).self_assessed.values())
    assert said.confirmed is None  # not evidence until a trainer answers
    assert (
        build_booklet(
            gestes.definitions, _record(site, trainee), immersion=gestes.immersion_record(trainee)
        ).confirmed
        == ()
    )
    trainer.post(
        f"/trainees/{trainee}/confirmations",
        data={
            "csrf_token": csrf,
            "competency": said.competency,
            "answers": str(said.entry_id),
            "confirmed": "true",
        },
    )
    trainer.post(f"/trainees/{trainee}/signature", data={"csrf_token": csrf, "consent": "true"})

    data = build_booklet(
        gestes.definitions, _record(site, trainee), immersion=gestes.immersion_record(trainee)
    )
    assert data.summary.immersion == (
        "Immersion en entreprise : Telenco Marseille (appréciation signée par Karim Benali)."
    )  # on page one
    [part] = data.immersions
    assert part.company == "Telenco Marseille" and part.tutor == "Karim Benali"
    assert part.hours == "31,5 h effectuées sur 140 h prévues"
    assert part.objectives[0][1] == "Réussi"
    assert part.appraisal.startswith("Rigoureux") and "Karim Benali" in part.signed
    assert [(s.name, s.on) for s in data.signatures] == [
        ("Inès Test", dt.date.today()),
        ("Karim Benali", dt.date.today()),
        ("Trainer", dt.date.today()),
    ]
    [confirmed] = data.confirmed
    assert confirmed.confirmed_by == "Trainer"
    assert confirmed.level  # the trainee's word never stands alone for a level
    printed = render_html(data)
    assert f"niveau établi par les observations : {confirmed.level}" in html.unescape(printed)
    assert "Telenco Marseille" in printed and "Rigoureux sur les soudures" in printed
    # Written for the school, never for an employer: the tutor's note, absences, intention.
    for private in ("Soigneux, à l'heure", "Souhaite recruter", "absence", "06 00 00 00 00"):
        assert private not in printed, private
    staff = client(site, "coord@example.org")[0].get(f"/placements/{placement}").text
    assert "Souhaite recruter" in staff and "Soigneux" in html.unescape(staff)


def _record(site: Site, trainee: int):
    return site.gestes.store.records.trainee_record(trainee)


def test_without_a_placement_the_booklet_claims_nothing_and_awaits_every_signature(site):
    trainee = fresh_trainee(site, "Noé")
    gestes = site.gestes
    data = build_booklet(
        gestes.definitions, _record(site, trainee), immersion=gestes.immersion_record(trainee)
    )
    assert data.immersions == ()
    assert [s.name for s in data.signatures] == [None, None, None]
    printed = render_html(data)
    assert "Aucune immersion n'est encore enregistrée" in printed
    assert (
        printed.count("Signature attendue") == 3
        and "%" not in printed.split("Immersion en entreprise</h2>")[1]
    )


@pytest.mark.parametrize("how", ["expired", "revoked", "altered"])
def test_a_dead_link_is_refused_in_french_and_stores_nothing(site, how):
    trainee = fresh_trainee(site, f"Lien {how}")
    placement, link = create_placement(site, trainee)
    tutor, _ = client(site)
    token = form_token(tutor.get(link).text)
    store = site.gestes.store.placements
    [opened] = [x for x in store.links_of(trainee) if x.placement_id == placement]
    if how == "revoked":
        coordinator, csrf = client(site, "coord@example.org")
        coordinator.post(f"/links/{opened.id}/revoke", data={"csrf_token": csrf})
    elif how == "expired":
        with site.gestes.store.database.write() as session:
            session.get(t.AccessLink, opened.id).expires_on = dt.date.today() - dt.timedelta(days=1)
    else:
        link = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    before = entries(site)
    page = tutor.get(link)
    assert page.status_code == {"expired": 410, "revoked": 410, "altered": 404}[how]
    assert {"expired": "a expiré le", "revoked": "retiré par l'école", "altered": "Lien inconnu"}[
        how
    ] in html.unescape(page.text)
    posted = tutor.post(
        f"{link}/observations", data={"token": token, "objective": "1", "result": "reussi"}
    )
    assert posted.status_code in {404, 410}
    assert entries(site) == before


def test_a_link_reaches_only_its_own_trainee_and_placement(site):
    """The tutor and trainee 'roles': what each code opens, and what it never reaches."""
    mine, other = fresh_trainee(site, "Mine"), fresh_trainee(site, "Autre")
    placement, link = create_placement(site, mine)
    other_placement, _ = create_placement(site, other, company="Autre SARL")
    store = site.gestes.store.placements
    code = link.rsplit("/", 1)[1]
    tutor_link = store.open_link(code)
    assert tutor_link and tutor_link.trainee_id == mine and tutor_link.placement_id == placement
    anonymous, _ = client(site)
    # A tutor's code is not a trainee's, and the reverse; neither opens a staff page.
    assert anonymous.get(f"/moi/{code}").status_code == 404
    trainee_code = new_trainee_code()
    store.issue_link(LinkKind.TRAINEE, other, trainee_code, 30, None)
    assert anonymous.get(f"/tuteur/{trainee_code}").status_code == 404
    for staff_page in (f"/placements/{other_placement}", f"/trainees/{other}"):
        assert anonymous.get(staff_page, follow_redirects=False).status_code == 303  # sign in
    page = anonymous.get(link).text
    assert "Autre SARL" not in page and "Autre" not in page.split("<main")[1]
    # Through the store too: an entry through this link about another trainee is refused.
    before = entries(site)
    from core.domain import RecordError
    from core.immersion.placements import EntryKind

    with pytest.raises(RecordError):
        store.add(
            other,
            EntryKind.COMPANY_OBSERVATION,
            {"result": "reussi"},
            subject="1",
            placement_id=other_placement,
            link=tutor_link,
        )
    with pytest.raises(RecordError):
        store.add(
            mine,
            EntryKind.COMPANY_OBSERVATION,
            {"result": "reussi"},
            subject="1",
            placement_id=other_placement,
            link=tutor_link,
        )
    assert entries(site) == before


def test_a_forged_or_incomplete_form_stores_nothing_and_says_why_beside_the_field(site):
    trainee = fresh_trainee(site, "Form")
    _, link = create_placement(site, trainee)
    tutor, _ = client(site)
    token = form_token(tutor.get(link).text)
    before = entries(site)
    forged = tutor.post(
        f"{link}/observations", data={"token": "x" * 32, "objective": "1", "result": "reussi"}
    )
    assert forged.status_code == 403
    unsigned = tutor.post(
        f"{link}/appraisal",
        data={"token": token, "r_ponctualite": "satisfaisant", "hiring": "oui", "signer": "K. B."},
    )
    assert unsigned.status_code == 400
    assert 'id="erreur-consent"' in unsigned.text and "Cochez la case" in html.unescape(
        unsigned.text
    )
    wrong = tutor.post(
        f"{link}/observations", data={"token": token, "objective": "1", "result": "parfait"}
    )
    assert wrong.status_code == 400 and "Choisissez réussi" in html.unescape(wrong.text)
    missing = tutor.post(  # an objective the placement does not have
        f"{link}/observations", data={"token": token, "objective": "40", "result": "reussi"}
    )
    assert missing.status_code == 400 and "Cet objectif n'existe pas" in html.unescape(missing.text)
    assert entries(site) == before


def test_guessing_codes_is_throttled(site):
    site.app.state.link_limiter.succeeded("ip:testclient")  # earlier tests' wrong codes
    guesser, _ = client(site)
    answers = [guesser.get(f"/tuteur/{new_tutor_code()}").status_code for _ in range(21)]
    assert answers[:20] == [404] * 20 and answers[20] == 429
    # … but a genuine link still opens from the same address: a tutor sharing the school's
    # network with someone who mistyped twenty codes is not locked out
    _, link = create_placement(site, fresh_trainee(site, "Voisin"))
    assert guesser.get(link).status_code == 200
    site.app.state.link_limiter.succeeded("ip:testclient")  # the other tests go on


def test_only_the_hash_of_a_code_is_stored(site):
    trainee = fresh_trainee(site, "Hash")
    _, link = create_placement(site, trainee)
    code = link.rsplit("/", 1)[1]
    with site.gestes.store.database.read() as session:
        stored = session.scalars(select(t.AccessLink.code_hash)).all()
    assert exact_hash(code) in stored and code not in stored


def test_a_tutors_code_opens_only_as_it_was_given(site):
    """Nobody types a tutor's code: it is compared exactly (case, dashes, underscores), its
    128 bits whole — normalised like a trainee's, a case-changed copy opened it too."""
    _, link = create_placement(site, fresh_trainee(site, "Exact"))
    base, code = link.rsplit("/", 1)
    tutor, _ = client(site)
    assert tutor.get(link).status_code == 200
    variant = code.swapcase() if code.swapcase() != code else code + "x"
    assert tutor.get(f"{base}/{variant}").status_code == 404
    with site.gestes.store.database.write() as session:  # as a link made before is stored
        row = session.scalar(select(t.AccessLink).where(t.AccessLink.code_hash == exact_hash(code)))
        row.code_hash = code_hash(code)
    assert tutor.get(link).status_code == 200  # still opens until it expires
    site.app.state.link_limiter.succeeded("ip:testclient")


def test_erasure_removes_placements_tutors_and_signatures(site):
    trainee = fresh_trainee(site, "Efface")
    _, link = create_placement(site, trainee)
    tutor, _ = client(site)
    token = form_token(tutor.get(link).text)
    tutor.post(f"{link}/observations", data={"token": token, "objective": "1", "result": "reussi"})
    exported = site.gestes.store.rgpd.export_trainee(trainee)
    assert exported["placements"][0]["tutor_name"] == "Karim Benali"
    assert exported["portfolio_entries"][0]["kind"] == "company_observation"
    site.gestes.store.rgpd.erase_trainee(trainee)
    assert site.gestes.store.placements.of(trainee) == []
    assert site.gestes.store.placements.entries(trainee) == []
    assert tutor.get(link).status_code == 404


def test_the_api_records_a_placement_with_the_employers_requirements_and_reads_it_back(site):
    from tests.test_api import api_client

    trainee = fresh_trainee(site, "Api")
    api = api_client(site, "coord@example.org")
    today = dt.date.today()
    body = {
        "company": "Telenco",
        "employer": "employeur.telenco",
        "tutor_name": "Lina Morel",
        "starts_on": today.isoformat(),
        "ends_on": (today - dt.timedelta(days=1)).isoformat(),
        "planned_hours": 70,
    }
    backwards = api.post(f"/api/trainees/{trainee}/placements", json=body)
    assert backwards.status_code == 400 and backwards.json()["field"] == "ends_on"
    unknown = api.post(
        f"/api/trainees/{trainee}/placements",
        json={**body, "employer": "employeur.inconnu", "ends_on": today.isoformat()},
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "employer"
    assert site.gestes.store.placements.of(trainee) == []  # refused: nothing stored
    created = api.post(
        f"/api/trainees/{trainee}/placements",
        json={**body, "ends_on": (today + dt.timedelta(days=13)).isoformat()},
    )
    assert created.status_code == 200, created.text
    placement = created.json()
    telenco = site.gestes.catalog.employers["employeur.telenco"]
    fibre = [r.competency for r in telenco.requirements if r.competency.startswith("fibre.")]
    assert [o["competency"] for o in placement["objectives"]] == fibre
    url = api.post(f"/api/placements/{placement['id']}/links").json()["url"]
    tutor, _ = client(site)
    assert tutor.get(url[url.index("/tuteur/") :]).status_code == 200
    code = api.post(f"/api/trainees/{trainee}/access-code").json()["code"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    record = api.get(f"/api/trainees/{trainee}/immersion").json()
    [found] = record["placements"]
    assert found["company"] == "Telenco" and found["hours_done"] == 0
    assert found["appraisal"] is None and "ponctualite" in record["criteria"]
    assert [s["name"] for s in record["signatures"]] == [None, None, None]


def test_placements_links_and_codes_from_the_command_line(data_dir):  # noqa: F811
    from core.context import open_gestes
    from core.domain import Role
    from tests.test_setup import run

    gestes = open_gestes(migrate=True)
    directory = gestes.store.directory
    school = directory.create_school("lyon", "E2C Rhône", "Lyon", "territoire.lyon")
    directory.create_user("chef@ecole.fr", "Chef", "mot-de-passe-long", Role.ADMIN)
    today = dt.date.today()
    cohort = directory.create_cohort(school, "fibre", "Fibre", today, today + dt.timedelta(days=90))
    [trainee] = directory.add_trainees(cohort, [NewTrainee("Léa", "Roux")])
    common = ["--tutor", "Paul Rey", "--hours", 105, "--starts", today.isoformat()]
    backwards = run("placement", "add", trainee, "--company", "X", *common, "--ends", "2000-01-01")
    assert backwards.exit_code == 1 and "avant son début" in backwards.stderr
    added = run(
        "placement",
        "add",
        trainee,
        "--company",
        "Infranum",
        *common,
        "--ends",
        (today + dt.timedelta(days=20)).isoformat(),
        "--employer",
        "employeur.infranum_lyon_deploiement",
    )
    assert added.exit_code == 0 and "7 objectives" in added.stdout, added.output
    listed = run("placement", "list", trainee).stdout
    assert "Infranum" in listed and "0/105 h" in listed and "no appraisal" in listed
    link = run("placement", "link", 1).stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/tuteur/[\w-]{22}", link)
    code = run("placement", "code", trainee).stdout.split()[0]
    store = open_gestes().store.placements
    assert store.open_link(link.rsplit("/", 1)[1]).kind is LinkKind.TUTOR
    assert store.open_link(code).kind is LinkKind.TRAINEE


def test_attendance_is_refused_outside_the_placements_weeks(site):
    trainee = fresh_trainee(site, "Semaine")
    _, link = create_placement(site, trainee)  # from two weeks ago to two weeks ahead
    tutor, _ = client(site)
    token = form_token(tutor.get(link).text)
    before = entries(site)
    for week, said in (
        ("2000-01-03", "pas dans les dates"),
        ((dt.date.today() + dt.timedelta(days=7)).isoformat(), "pas encore commencé"),
    ):
        answer = tutor.post(
            f"{link}/attendance", data={"token": token, "week": week, "hours": "35"}
        )
        assert answer.status_code == 400 and said in html.unescape(answer.text), week
    assert entries(site) == before


def test_the_tutor_and_trainee_matrix(site):
    """Each route opened by a code, tried with a tutor's link, a trainee's code, an auditor's
    link and a code that opens nothing: only the right kind of code gets in, and nothing
    else is stored."""
    trainee = fresh_trainee(site, "Matrice")
    _, link = create_placement(site, trainee)
    tutor_code = link.rsplit("/", 1)[1]
    trainee_code = new_trainee_code()
    site.gestes.store.placements.issue_link(LinkKind.TRAINEE, trainee, trainee_code, 30, None)
    anonymous, _ = client(site)
    tutor_token = form_token(anonymous.get(link).text)
    me = anonymous.get(f"/moi/{trainee_code}")
    trainee_token = form_token(me.text)
    week = (dt.date.today() - dt.timedelta(days=dt.date.today().weekday())).isoformat()
    routes = [
        ("GET", "/tuteur/{code}", {}, "tutor"),
        ("POST", "/tuteur/{code}/observations", {"objective": "1", "result": "reussi"}, "tutor"),
        ("POST", "/tuteur/{code}/attendance", {"week": week, "hours": "7"}, "tutor"),
        ("GET", "/moi/{code}", {}, "trainee"),
        ("GET", "/moi", {}, "trainee"),  # the code in the page's cookie, not its address
        (
            "POST",
            "/moi/self-assessments",
            {"competency": "fibre.c.souder", "can": "true"},
            "trainee",
        ),
        ("POST", "/moi/signature", {"signer": "M. T.", "consent": "true"}, "trainee"),
        ("POST", "/moi/progression", {"shown": "true"}, "trainee"),
        ("POST", "/tuteur/{code}/avis", {"q_global": "4"}, "tutor"),
        ("GET", "/audit/{code}", {}, "auditor"),  # read-only: no route writes through it
        ("GET", "/audit/{code}/dossier.zip", {}, "auditor"),
    ]
    site.app.state.link_limiter.succeeded("ip:testclient")
    day = dt.date.today()
    _, audit_code = site.gestes.store.audits.create(1, day, day, [], 7, day, None)
    codes = {"tutor": (tutor_code, tutor_token), "trainee": (trainee_code, trainee_token)}
    codes["auditor"] = (audit_code, tutor_token)  # no form of its own: any token
    codes["nobody"] = (new_tutor_code(), tutor_token)
    for method, path, data, owner in routes:
        site.app.state.link_limiter.succeeded("ip:testclient")  # the guesses are this test's
        for who, (code, token) in codes.items():
            before = entries(site)
            url = path.format(code=code)
            anonymous.cookies.clear()
            anonymous.cookies.set("gestes_moi", code, domain="testserver.local", path="/moi")
            if method == "GET":
                answer = anonymous.get(url)
            else:
                answer = anonymous.post(url, data={**data, "token": token})
            allowed = who == owner
            assert (answer.status_code == 200) is allowed, (who, method, path, answer.status_code)
            if not allowed:  # /moi asks for the code again (the form), the others refuse
                refused = 400 if path == "/moi" else 404
                assert answer.status_code == refused, (who, path, answer.status_code)
                assert "Lien inconnu" in html.unescape(answer.text)
            assert entries(site) == before + (method == "POST" and allowed), (who, path)
    site.app.state.link_limiter.succeeded("ip:testclient")


def test_a_new_tutor_link_replaces_the_placements_earlier_one(site):
    """A link sent to the wrong person is made again: the earlier one opens nothing."""
    trainee = fresh_trainee(site, "Relien")
    placement, first = create_placement(site, trainee)
    coordinator, csrf = client(site, "coord@example.org")
    page = coordinator.post(f"/placements/{placement}/links", data={"csrf_token": csrf})
    second = re.search(r'id="lien-tuteur" readonly value="[^"]*(/tuteur/[^"]+)"', page.text)
    anonymous, _ = client(site)
    assert anonymous.get(second.group(1)).status_code == 200
    assert anonymous.get(first).status_code == 410  # withdrawn, said so


def test_a_trainer_sees_the_self_assessments_waiting_for_them(world):
    """A trainee's « je sais faire » waits on the trainer's cohorts page until answered; one
    answered, or a « pas encore », is not a to-do."""
    from fastapi.testclient import TestClient

    from core.immersion.placements import EntryKind
    from web import create_app

    store = world.gestes.store.placements
    awa, lucas, _ = world.trainees
    store.add(awa, EntryKind.SELF_ASSESSMENT, {"can": True}, subject="fibre.c.souder")
    store.add(lucas, EntryKind.SELF_ASSESSMENT, {"can": False}, subject="fibre.c.souder")
    trainer = TestClient(create_app(world.gestes))
    trainer.post("/login", data={"email": "formateur@example.org", "password": "mot-de-passe-long"})
    page = trainer.get("/cohorts").text
    assert "Auto-évaluations à confirmer" in page
    assert f'href="/trainees/{awa}?ouvert=suivi#suivi">DIALLO Awa</a>' in page
    assert "MARTIN Lucas" not in page  # « pas encore »: nothing to confirm
    [(_, _, said)] = store.waiting_confirmation([world.cohort])
    store.add(
        awa, EntryKind.CONFIRMATION, {"answers": said.entry_id, "confirmed": True},
        subject="fibre.c.souder", author_id=world.trainer,
    )  # fmt: skip
    assert "Auto-évaluations à confirmer" not in trainer.get("/cohorts").text


def test_the_trainees_code_stays_out_of_the_address_and_a_shared_tablet_can_leave(site):
    """Typed once, the code lives in a cookie the page's scripts cannot read, sent to /moi
    only; the address bar and the history show /moi. « Quitter » closes it on the device."""
    trainee = fresh_trainee(site, "Tablette")
    code = new_trainee_code()
    site.gestes.store.placements.issue_link(LinkKind.TRAINEE, trainee, code, 30, None)
    learner, _ = client(site)
    opened = learner.post("/moi", data={"code": code}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/moi"
    cookie = opened.headers["set-cookie"]
    assert "gestes_moi=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/moi" in cookie and "Max-Age=1800" in cookie
    page = learner.get("/moi")
    assert page.status_code == 200 and "Bonjour Tablette" in page.text
    assert code not in page.text and code.replace("-", "") not in page.text  # nor in the page
    old = learner.get(f"/moi/{code}", follow_redirects=False)  # a link sent earlier
    assert old.status_code == 303 and old.headers["location"] == "/moi"
    left = learner.post("/moi/quitter")
    assert left.url.path == "/moi" and "quitté votre parcours" in left.text
    assert "Bonjour Tablette" not in learner.get("/moi").text  # the next person types theirs
    refused = learner.post("/moi/signature", data={"token": "x", "consent": "true"})
    assert refused.status_code == 404

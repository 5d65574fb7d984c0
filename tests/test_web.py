"""Web routes: authorization matrix, CSRF, escaping, sessions, the scoring flow (no browser)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.catalog.definitions import Autonomy, Requirement
from core.context import Definitions, Gestes, open_gestes
from core.domain import NewTrainee, Role
from core.judging.attempts import StepResult
from core.settings import Settings
from core.store import tables as t
from tests.conftest import photo
from web import create_app
from web.security import COOKIE, CurrentUser, SessionCache

PASSWORD = "mot-de-passe-long"
HOSTILE = "<script>alert(1)</script>"
GESTURE = "fibre.g.soudure_fusion"
EVALUATION = "fibre.e.bilan_liaison"
ATTEMPT = "abcdef1234"  # a live attempt's key


@dataclass
class Site:
    gestes: Gestes
    app: object
    cohort: int
    trainee: int
    hostile: int
    other_trainee: int
    observations: dict[str, int]
    spare_user: int
    export: str
    movers: dict[str, int]  # trainees per role to move (page, api-) or decide on (level-)
    destination: int  # an open fibre cohort of Marseille to move them to
    closing: int  # a cohort the matrix closes
    shares: dict[str, str]  # a sharing link per role (its id), to withdraw
    placement: int  # the trainee's immersion
    codes: dict[str, int]  # a trainee access code per role, to withdraw
    self_assessment: int  # the trainee's « je sais faire », for trainers to confirm
    tutor_code: str  # the placement's tutor link
    trainee_code: str  # the trainee's own page
    handed: str  # a booklet handed out (its short verification code), to withdraw
    evidence: int  # a photo attached to an entry
    sheet: int  # today's half-day of the cohort, its sheet open for signing all day


@pytest.fixture(scope="module")
def site(tmp_path_factory, definitions):
    return build_site(tmp_path_factory.mktemp("web"), definitions)


def build_site(folder: Path, definitions: Definitions) -> Site:
    """Two schools, one account per role, a cohort with a hostile name in it, an export."""
    settings = Settings(data_dir=folder)
    gestes = open_gestes(settings, definitions=definitions, migrate=True)
    directory = gestes.store.directory
    marseille = directory.create_school(
        "marseille", "École de Marseille", "Marseille", "territoire.marseille"
    )
    lyon = directory.create_school("lyon", "École de Lyon", "Lyon", "territoire.lyon")
    for email, role, schools in (
        ("admin@example.org", Role.ADMIN, []),
        ("coord@example.org", Role.COORDINATOR, [marseille]),
        ("trainer@example.org", Role.TRAINER, [marseille]),
        ("lyon@example.org", Role.TRAINER, [lyon]),
    ):
        directory.create_user(email, email.split("@")[0].capitalize(), PASSWORD, role, schools)
    today = dt.date.today()
    cohort = directory.create_cohort(
        marseille,
        "fibre",
        "Fibre Marseille",
        today - dt.timedelta(days=30),
        today + dt.timedelta(days=60),
    )
    trainee, hostile = directory.add_trainees(
        cohort, [NewTrainee("Awa", "Diallo"), NewTrainee(HOSTILE, "O'Brien & <b>fils</b>")]
    )
    directory.set_trainers(cohort, [3])  # trainer@example.org signs this cohort's sheets
    other_cohort = directory.create_cohort(
        lyon, "fibre", "Fibre Lyon", today, today + dt.timedelta(days=90)
    )
    [other] = directory.add_trainees(other_cohort, [NewTrainee("Jo", "Lyonnais")])
    steps = {s.key: StepResult.REUSSI for s in definitions.catalog.gesture(GESTURE).steps}
    authors = {"trainer": 3}  # a trainer cancels only their own entries (admin: user 1)
    observations = {  # one per role: a retraction can only happen once
        who: gestes.store.observations.record_attempt(
            trainee,
            authors.get(who, 1),
            GESTURE,
            steps,
            Autonomy.AUTONOME,
            today,
            f"matrix-attempt-{who}",
        ).id
        for who in WHO
    }
    spare = directory.create_user("spare@example.org", "Spare", PASSWORD, Role.TRAINER, [lyon])
    names = [f"{use}{w}" for use in ("", "api-", "level-") for w in WHO]
    movers = dict(
        zip(
            names, directory.add_trainees(cohort, [NewTrainee("Mo", n) for n in names]), strict=True
        )
    )
    destination = directory.create_cohort(
        marseille, "fibre", "Fibre Marseille B", today - dt.timedelta(days=30), today
    )
    shares = {who: gestes.store.shares.create(trainee, None, 30, 1).id for who in WHO}
    closing = directory.create_cohort(
        marseille, "datacenter", "Datacenter à clôturer", today - dt.timedelta(days=9), today
    )
    placement, codes, self_assessment, tutor_code, trainee_code = _loop(gestes, trainee)
    from core.booklet.handing import verified_booklet

    handed = verified_booklet(gestes, gestes.store.records.trainee_record(trainee)).verify_url
    pictured = gestes.store.observations.record_attempt(  # never retracted by the matrix
        trainee, 1, GESTURE, steps, Autonomy.AUTONOME, today, "matrix-attempt-photo"
    )
    evidence = gestes.store.evidence.add(pictured.id, photo(), "soudure.jpg")
    sheet = _todays_sheet(gestes, cohort)
    app = create_app(gestes)
    export = gestes.store.jobs.create("cohort_booklets", cohort, 1, None)  # the admin's
    gestes.store.files.write(f"exports/{export}.zip", b"PK\x05\x06" + b"\x00" * 18)  # empty ZIP
    gestes.store.jobs.finish(export, f"exports/{export}.zip")
    return Site(
        gestes,
        app,
        cohort,
        trainee,
        hostile,
        other,
        observations,
        spare,
        export,
        movers,
        destination,
        closing,
        shares,
        placement,
        codes,
        self_assessment,
        tutor_code,
        trainee_code,
        handed.rsplit("/", 1)[1],
        evidence,
        sheet,
    )


def _this_month() -> str:
    from core.french import SCHOOL_TIME

    return dt.datetime.now(SCHOOL_TIME).strftime("%Y-%m")


def _extra_half_day(site: Site, who: str) -> dict[str, object]:
    """A half-day each role would add (a Saturday outing), on a weekend day of its own: one
    per role may succeed, and never one the plan already holds."""
    from core.french import SCHOOL_TIME

    today = dt.datetime.now(SCHOOL_TIME).date()
    weekend = [today + dt.timedelta(days=n) for n in range(1, 40)]
    day = [d for d in weekend if d.weekday() >= 5][list(WHO).index(who)]
    module = site.gestes.definitions.catalog.sectors["fibre"].curriculum.modules[0].id
    return {
        "day": day.isoformat(),
        "half": "apres_midi",
        "starts": 810,
        "ends": 1020,
        "module": module,
    }


def _todays_sheet(gestes: Gestes, cohort: int) -> int:
    """A half-day today on the schools' clock, from midnight to midnight: whenever the tests
    run, a signature made now is on its day and inside it."""
    from core.french import SCHOOL_TIME

    today = dt.datetime.now(SCHOOL_TIME).date()
    module = gestes.definitions.catalog.sectors["fibre"].curriculum.modules[0].id
    return gestes.store.attendance.add(cohort, today, "matin", (0, 24 * 60), module, 3).id


def _loop(gestes: Gestes, trainee: int) -> tuple[int, dict[str, int], int, str, str]:
    """An immersion, a trainee code per role, a self-assessment, and a tutor's link and a
    trainee's code that stay valid (core.immersion.placements)."""
    from core.immersion.placements import (
        EntryKind,
        LinkKind,
        Objective,
        Placement,
        new_trainee_code,
        new_tutor_code,
    )

    today = dt.date.today()
    store = gestes.store.placements
    placement = store.create(
        trainee,
        Placement(
            0, trainee, "Axians", None, "Karim B.", None, today, today, 35, (Objective("Souder"),)
        ),
        None,
    )
    codes = {
        who: store.issue_link(LinkKind.TRAINEE, trainee, new_trainee_code(), 30, None).id
        for who in WHO
    }
    said = store.add(trainee, EntryKind.SELF_ASSESSMENT, {"can": True}, subject="fibre.c.souder")
    tutor, mine = new_tutor_code(), new_trainee_code()
    store.issue_link(LinkKind.TUTOR, trainee, tutor, 30, None, placement.id)
    store.issue_link(LinkKind.TRAINEE, trainee, mine, 30, None)
    return placement.id, codes, said, tutor, mine


def client(site: Site, email: str | None = None) -> tuple[TestClient, str]:
    """A browser signed in as ``email`` (or anonymous), and its CSRF token."""
    browser = TestClient(site.app)
    if email is None:
        return browser, ""
    response = browser.post(
        "/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = browser.get("/cohorts")
    return browser, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def observations(site: Site) -> int:
    with site.gestes.store.database.read() as session:
        return session.scalar(select(func.count()).select_from(t.Observation)) or 0


# ---------------------------------------------------------------- authorization matrix

WHO = {
    "anonymous": None,
    "other_school": "lyon@example.org",
    "trainer": "trainer@example.org",
    "coordinator": "coord@example.org",
    "admin": "admin@example.org",
}


COORDINATORS_ONLY = {"trainer": {403}, "other_school": {403}}
TRAINER_403 = {"trainer": {403}}  # the coordination's; another school's ids: 404 (scope first)
ADMINS_ONLY = {"trainer": {403}, "other_school": {403}, "coordinator": {403}}
ALREADY_CURRENT = {"admin": {400}, "coordinator": {400}}  # nothing to move to: said, refused
OWNER_ONLY = {"trainer": {404}, "coordinator": {404}}  # the fixture's export is the admin's
JPEG = photo()


def routes(site: Site, who: str = "admin") -> list[tuple[str, str, dict, dict]]:
    """Every route that touches school data, with a request that would succeed if allowed,
    and the answers that differ from the default (see test_authorization_matrix)."""
    tr, co, ob = site.trainee, site.cohort, site.observations[who]
    complaint = site.gestes.store.complaints.add(1, dt.date(2026, 1, 20), "autre", who, None)
    day = dt.date(2026, 1, 20)
    audit, _ = site.gestes.store.audits.create(1, day, day, [], 14, dt.date.today(), None)
    asked, _ = site.gestes.store.opinions.create_link(1, "entreprise", who, 30, day, None)
    wants = (Requirement(competency="fibre.c.souder"),)
    partner = site.gestes.store.partners.add(1, f"Partenaire {who}", wants, None).id
    company = {"name": "Fibre Sud", "competency-1": "fibre.c.souder", "level-1": "acquis"}
    candidate = site.gestes.store.candidates.add(1, NewTrainee("Candidat", who), None)
    not_admitted = {**COORDINATORS_ONLY, "admin": {400}, "coordinator": {400}}  # said, refused
    lines = [site.gestes.store.positioning.add_line(tr, "autre", who, day, None) for _ in "ab"]
    seen = {"item:fibre.g.preparer_chantier": "avec_aide", "observed_on": "2026-01-20"}
    said = {"answers": {"fibre.g.preparer_chantier": "seul"}, "observed_on": "2026-01-20"}
    signed_in = {"other_school": {200}}  # one's own account: no school involved
    cohort = site.gestes.store.lookup.cohort(co)
    found = site.gestes.store.lookup.trainee(tr)
    assert cohort is not None and found is not None
    same_cohort = {  # a correction that changes nothing: allowed, recorded as nothing
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
    }
    same_trainee = {"first_name": found[0].first_name, "last_name": found[0].last_name}
    recorded = {**COORDINATORS_ONLY, **ALREADY_CURRENT}  # entries exist: refused, said
    wrong = {"current": "pas le bon mot de passe", "new": "x" * 3, "confirm": "x" * 3}
    return [
        ("GET", "/account/password", {}, signed_in),
        ("GET", "/en-attente", {}, signed_in),  # this tablet's outbox: no school involved
        ("POST", "/account/password", wrong, {w: {400} for w in WHO if w != "anonymous"}),
        ("POST", "/api/me/password", {"json": wrong}, {w: {400} for w in WHO if w != "anonymous"}),
        ("GET", f"/cohorts/{co}", {}, {}),
        ("GET", f"/cohorts/{co}/grid.xlsx", {}, {}),
        ("GET", f"/cohorts/{co}/attendance", {}, {}),
        ("POST", f"/cohorts/{co}/attendance/plan", {}, {"trainer": {403}}),  # scope, then role
        (
            "POST",
            f"/cohorts/{co}/attendance/rules",
            {"step": "15", "alert": "4"},
            {"trainer": {403}},
        ),
        ("GET", f"/sessions/{site.sheet}", {}, {}),
        (  # a proof no justification holds: the coordination's, and none is there
            "GET",
            f"/sessions/{site.sheet}/proofs/{'0' * 64}",
            {},
            {"trainer": {403}, "coordinator": {404}, "admin": {404}},
        ),
        ("GET", f"/api/cohorts/{co}/sessions", {}, {}),
        ("GET", f"/trainees/{tr}/certificat-de-realisation.pdf", {}, {"trainer": {403}}),
        ("GET", f"/trainees/{tr}/attestation-de-fin-de-formation.pdf", {}, {"trainer": {403}}),
        ("GET", f"/cohorts/{co}/attendance/{_this_month()}.pdf", {}, {}),
        ("GET", f"/cohorts/{co}/hours.csv", {}, {}),
        ("POST", f"/cohorts/{co}/certificates", {}, {"trainer": {403}}),
        ("GET", f"/api/cohorts/{co}/hours", {}, {}),
        ("POST", f"/api/cohorts/{co}/sessions/plan", {}, {"trainer": {403}}),
        (
            "POST",
            f"/api/cohorts/{co}/sessions",
            {"json": _extra_half_day(site, who)},
            {"trainer": {403}},
        ),
        ("GET", f"/api/sessions/{site.sheet}/attendance", {}, {}),
        (
            "POST",
            f"/api/sessions/{site.sheet}/attendance",
            {
                "json": {
                    "key": f"api-absence-{who}".replace("_", "-"),
                    "kind": "absent",
                    "trainee_id": tr,
                }
            },
            {},
        ),
        (
            "POST",
            f"/sessions/{site.sheet}/trainees/{tr}/absence",
            {"submit_id": f"absence{who}01"},
            {},
        ),
        (
            "POST",
            f"/sessions/{site.sheet}/trainees/{tr}/correction",
            {"submit_id": f"correction{who}01", "present": "oui", "reason": "Feuille papier"},
            {"trainer": {403}},
        ),
        (
            "POST",
            f"/sessions/{site.sheet}/countersign",
            {"submit_id": f"countersign{who}01", "strokes": "[[10, 10, 50, 60]]"},
            {},
        ),
        (
            "POST",
            f"/sessions/{site.sheet}/edit",
            {"starts": "0:00", "ends": "24:00", "module": "x", "trainer": "3"},
            {"trainer": {403}, "coordinator": {400}, "admin": {400}},  # not a module: said
        ),
        ("GET", "/exits?by=school", {}, {**COORDINATORS_ONLY, "other_school": {403}}),
        ("GET", "/exits.csv?by=territory", {}, {**COORDINATORS_ONLY, "other_school": {403}}),
        ("GET", "/api/exits/breakdown?by=sector", {}, {**COORDINATORS_ONLY, "other_school": {403}}),
        ("GET", "/api/follow-ups", {}, {**COORDINATORS_ONLY, "other_school": {403}}),
        ("GET", f"/trainees/{tr}", {}, {}),
        ("GET", f"/trainees/{tr}?ouvert=tout", {}, {}),
        ("GET", f"/trainees/{tr}/parts/historique", {}, {}),
        ("GET", f"/trainees/{tr}/parts/sortie", {}, {"trainer": {404}}),  # coordinators'
        ("GET", f"/trainees/{tr}/gestures/{GESTURE}", {}, {}),
        (
            "POST",
            f"/trainees/{tr}/gestures/{GESTURE}/steps",
            {"attempt": "abcdef1234", "step": "manchon", "result": "reussi"},
            {},
        ),
        (
            "POST",
            f"/trainees/{tr}/gestures/{GESTURE}/steps/batch",
            {"json": {"attempt": "abcdef1234", "taps": [{"step": "cliver", "result": "reussi"}]}},
            {},
        ),
        (
            "POST",
            f"/trainees/{tr}/gestures/{GESTURE}/attempts",
            {"attempt": "abcdef5678", "autonomy": "autonome"},
            {},
        ),
        (  # the first role to give it up abandons it; for the others it is already abandoned
            "POST",
            f"/trainees/{tr}/attempts/{ATTEMPT}/abandon",
            {"confirm": "oui"},
            {who: {303, 400} for who in ("trainer", "coordinator", "admin")},
        ),
        ("GET", f"/trainees/{tr}/evaluations/{EVALUATION}", {}, {}),
        (
            "POST",
            f"/trainees/{tr}/evaluations/{EVALUATION}",
            {"mesure_longueur_m": "300", "mesure_perte_1310_db": "1"},
            {},
        ),
        (
            "POST",
            f"/trainees/{tr}/comments",
            {"text": "Bonne séance.", "submit_id": "comment001"},
            {},
        ),
        ("POST", f"/observations/{ob}/evidence", {"files": {"photo": ("p.jpg", JPEG)}}, {}),
        (
            "POST",
            f"/observations/{ob}/retract",
            {"reason": "Saisie en double", "confirm": "oui"},
            {},
        ),
        ("GET", f"/evidence/{site.evidence}", {}, {}),
        ("GET", f"/trainees/{tr}/booklet", {}, {}),
        ("GET", f"/trainees/{tr}/booklet.pdf", {}, {}),
        (
            "POST",
            f"/trainees/{tr}/booklet/share",
            {"employer": "employeur.telenco"},
            COORDINATORS_ONLY,
        ),
        ("POST", f"/cohorts/{co}/booklets", {}, COORDINATORS_ONLY),
        ("GET", f"/exports/{site.export}", {}, OWNER_ONLY),
        ("GET", f"/exports/{site.export}/download", {}, OWNER_ONLY),
        ("GET", "/dashboard", {}, COORDINATORS_ONLY),
        ("GET", f"/api/cohorts/{co}/at-risk", {}, COORDINATORS_ONLY),
        ("GET", f"/api/cohorts/{co}/entry-profile", {}, COORDINATORS_ONLY),
        ("GET", "/complaints", {}, COORDINATORS_ONLY),
        ("GET", "/qualiopi", {}, COORDINATORS_ONLY),
        ("GET", "/api/schools/1/qualiopi", {}, COORDINATORS_ONLY),
        ("GET", "/api/complaints", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/complaints",
            {"school": "1", "received_on": "2026-01-20", "source": "autre", "summary": "Matrice"},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            "/api/complaints",
            {"json": {"school": 1, "received_on": "2026-01-20", "source": "autre", "summary": "M"}},
            COORDINATORS_ONLY,
        ),
        ("POST", f"/complaints/{complaint}", {"acknowledged_on": "2026-01-21"}, COORDINATORS_ONLY),
        (
            "POST",
            f"/api/complaints/{complaint}",
            {"json": {"acknowledged_on": "2026-01-22"}},
            COORDINATORS_ONLY,
        ),
        ("GET", f"/api/trainees/{tr}/followups", {}, COORDINATORS_ONLY),
        (
            "POST",
            f"/api/trainees/{tr}/followups",
            {"json": {"kind": "appel", "outcome": "Rappelée.", "happened_on": "2026-01-20"}},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/trainees/{tr}/followups",
            {"kind": "appel", "outcome": "Rappelée.", "happened_on": "2026-01-20"},
            COORDINATORS_ONLY,
        ),
        ("GET", f"/trainees/{tr}/parts/accompagnement", {}, {"trainer": {404}}),
        ("GET", f"/trainees/{tr}/parts/positionnement", {}, {}),  # trainers position and plan
        ("GET", "/qualiopi/dossier.zip?ecole=1&du=2026-01-01&au=2026-06-30", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/qualiopi/auditor-links",
            {"ecole": "1", "du": "2026-01-01", "au": "2026-06-30", "jours": "7"},
            COORDINATORS_ONLY,
        ),
        ("POST", f"/qualiopi/auditor-links/{audit}/revoke", {"ecole": "1"}, COORDINATORS_ONLY),
        ("GET", "/opinions?ecole=1", {}, COORDINATORS_ONLY),
        ("GET", "/api/schools/1/opinions", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/opinions/links",
            {"ecole": "1", "questionnaire": "financeur", "who": "France Travail", "jours": "30"},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            "/api/schools/1/opinion-links",
            {"json": {"questionnaire": "entreprise", "who": "Fibre Sud"}},
            COORDINATORS_ONLY,
        ),
        ("POST", f"/opinions/links/{asked}/revoke", {"ecole": "1"}, COORDINATORS_ONLY),
        ("GET", "/partners?ecole=1", {}, COORDINATORS_ONLY),
        ("GET", "/partners/new?ecole=1", {}, COORDINATORS_ONLY),
        ("POST", "/partners", {"ecole": "1", **company}, COORDINATORS_ONLY),
        ("GET", f"/partners/{partner}", {}, COORDINATORS_ONLY),
        ("POST", f"/partners/{partner}", company, COORDINATORS_ONLY),
        (
            "GET",
            f"/partners/search?ecole=1&employer=partenaire.e1.p{partner}",
            {},
            COORDINATORS_ONLY,
        ),
        ("GET", "/api/schools/1/partners", {}, COORDINATORS_ONLY),
        ("GET", "/candidates?ecole=1", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/candidates",
            {"ecole": "1", "first_name": "Léa", "last_name": who},
            COORDINATORS_ONLY,
        ),
        ("GET", f"/candidates/{candidate}", {}, COORDINATORS_ONLY),
        ("POST", f"/candidates/{candidate}", {"interviewer": "Inès"}, COORDINATORS_ONLY),
        ("POST", f"/candidates/{candidate}/admit", {"cohort": str(co)}, not_admitted),
        ("GET", "/api/schools/1/candidates", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/api/schools/1/candidates",
            {"json": {"first_name": "Léa", "last_name": who}},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/api/candidates/{candidate}",
            {"json": {"interviewer": "Inès"}},
            COORDINATORS_ONLY,
        ),
        ("POST", f"/api/candidates/{candidate}/admit", {"json": {"cohort": co}}, not_admitted),
        ("GET", "/partners/engagements.csv?ecole=1", {}, COORDINATORS_ONLY),
        (
            "POST",
            f"/partners/{partner}/engagements",
            {"kind": "visite", "on": "2026-01-20"},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            "/api/schools/1/partners",
            {"json": {"name": "Fibre Nord", "requirements": [{"competency": "fibre.c.souder"}]}},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/api/partners/{partner}",
            {"json": {"name": "Fibre Sud", "requirements": [{"competency": "fibre.c.souder"}]}},
            COORDINATORS_ONLY,
        ),
        (
            "GET",
            f"/api/schools/1/employer-search?employer=partenaire.e1.p{partner}",
            {},
            COORDINATORS_ONLY,
        ),
        ("GET", f"/api/trainees/{tr}/positioning", {}, {}),
        ("POST", f"/trainees/{tr}/positioning", seen, {}),
        ("POST", f"/api/trainees/{tr}/positioning", {"json": said}, {}),
        ("POST", f"/trainees/{tr}/plan", {"kind": "temps", "text": "Tiers temps"}, {}),
        (
            "POST",
            f"/api/trainees/{tr}/plan",
            {"json": {"kind": "autre", "text": "Pause", "decided_on": "2026-01-21"}},
            {},
        ),
        ("POST", f"/trainees/{tr}/plan/{lines[0]}/end", {}, {}),
        ("POST", f"/api/trainees/{tr}/plan/{lines[1]}/end", {"json": {}}, {}),
        (
            "POST",
            f"/cohorts/{co}/trainees",
            {"files": {"file": ("liste.csv", b"prenom,nom\nAmina,Test\n")}},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/trainees/{tr}/exit",
            {"kind": "cdd", "on": dt.date.today().isoformat(), "submit_id": "outcome001"},
            COORDINATORS_ONLY,
        ),
        ("GET", "/admin/users", {}, COORDINATORS_ONLY),  # a coordinator: their school's staff
        (
            "POST",
            "/admin/users",
            {
                "email": f"new-{who}@example.org",
                "name": "Nouveau",
                "password": PASSWORD,
                "role": "trainer",
                "schools": ["1"],
            },
            COORDINATORS_ONLY,  # a trainer of one's own school
        ),
        ("POST", f"/admin/users/{site.spare_user}/active", {"active": "true"}, ADMINS_ONLY),
        ("GET", f"/admin/users/{site.spare_user}", {}, ADMINS_ONLY),
        (
            "POST",
            f"/admin/users/{site.spare_user}",
            {"name": "Spare", "role": "trainer", "schools": ["2"]},
            ADMINS_ONLY,
        ),
        ("POST", f"/cohorts/{co}/edit", same_cohort, COORDINATORS_ONLY),
        ("POST", f"/cohorts/{co}/delete", {"confirm": "oui"}, recorded),
        ("POST", f"/trainees/{tr}/identity", same_trainee, COORDINATORS_ONLY),
        ("POST", f"/trainees/{tr}/delete", {"confirm": "oui"}, recorded),
        ("POST", f"/api/cohorts/{co}/edit", {"json": same_cohort}, COORDINATORS_ONLY),
        ("POST", f"/api/cohorts/{co}/delete", {}, recorded),
        ("GET", f"/api/cohorts/{co}/history", {}, COORDINATORS_ONLY),
        ("POST", f"/api/trainees/{tr}/edit", {"json": same_trainee}, COORDINATORS_ONLY),
        ("POST", f"/api/trainees/{tr}/delete", {}, recorded),
        (
            "POST",
            f"/api/users/{site.spare_user}/edit",
            {"json": {"name": "Spare", "role": "trainer", "schools": [2]}},
            ADMINS_ONLY,
        ),
        ("GET", f"/api/users/{site.spare_user}/history", {}, ADMINS_ONLY),
        ("POST", f"/admin/users/{site.spare_user}/password", {"password": PASSWORD}, ADMINS_ONLY),
        ("GET", "/admin/schools", {}, ADMINS_ONLY),
        (
            "POST",
            "/admin/schools",
            {"name": f"École {who}", "city": "Nice", "territory": "territoire.marseille"},
            ADMINS_ONLY,
        ),
        ("GET", "/admin/schools/1", {}, ADMINS_ONLY),
        (
            "POST",
            "/admin/schools/1",
            {
                "name": "École de Marseille",
                "city": "Marseille",
                "territory": "territoire.marseille",
            },
            ADMINS_ONLY,
        ),
        ("GET", "/admin/schools/1/organisation", {}, ADMINS_ONLY),
        ("POST", "/admin/schools/1/organisation", {"name": "E2C Marseille"}, ADMINS_ONLY),
        ("POST", "/admin/schools/1/certificate", {"choice": "installation"}, ADMINS_ONLY),
        ("GET", "/cohorts/new", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/cohorts/new",
            {
                "school": "1",
                "sector": "smartcity",
                "name": f"Smart city {who}",
                "starts_on": "2026-09-01",
                "ends_on": "2027-01-15",
            },
            COORDINATORS_ONLY,
        ),
        ("GET", f"/cohorts/{co}/settings", {}, COORDINATORS_ONLY),
        ("POST", f"/cohorts/{co}/trainers", {"trainers": ["3"]}, COORDINATORS_ONLY),
        ("POST", f"/cohorts/{site.closing}/close", {"confirm": "oui"}, COORDINATORS_ONLY),
        ("POST", f"/shares/{site.shares[who]}/revoke", {}, COORDINATORS_ONLY),
        (
            "POST",
            f"/cohorts/{co}/curriculum",
            {"confirm": "oui"},
            {**COORDINATORS_ONLY, **ALREADY_CURRENT},
        ),
        ("POST", f"/cohorts/{co}/curriculum/undo", {}, {**COORDINATORS_ONLY, **ALREADY_CURRENT}),
        (
            "POST",
            f"/cohorts/{co}/curriculum/cancel",
            {"entry": "o1", "confirm": "oui"},
            {**COORDINATORS_ONLY, **ALREADY_CURRENT},  # nothing blocks: nothing to cancel
        ),
        (
            "POST",
            f"/trainees/{site.movers['level-' + who]}/levels",
            {
                "competency": "fibre.c.souder",
                "level": "acquis",
                "justification": "Vu en situation réelle",
                "submit_id": f"level{who}00",
            },
            {},
        ),
        (
            "POST",
            f"/trainees/{site.movers[who]}/move",
            {"cohort": str(site.destination), "confirm": "oui"},
            COORDINATORS_ONLY,
        ),
        ("GET", f"/trainees/{tr}/placements/new", {}, COORDINATORS_ONLY),
        (
            "POST",
            f"/trainees/{tr}/placements",
            {
                "company": "Orange",
                "tutor_name": "Lina M.",
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-20",
                "planned_hours": "105",
                "objectives": "Raccorder un PBO",
            },
            COORDINATORS_ONLY,
        ),
        ("GET", f"/placements/{site.placement}", {}, {}),
        ("POST", f"/placements/{site.placement}/links", {}, COORDINATORS_ONLY),
        ("POST", f"/links/{site.codes[who]}/revoke", {}, {}),
        ("POST", f"/trainees/{tr}/access-code", {}, {}),
        (
            "POST",
            f"/trainees/{tr}/confirmations",
            {
                "competency": "fibre.c.souder",
                "answers": str(site.self_assessment),
                "confirmed": "true",
            },
            {},
        ),
        ("POST", f"/trainees/{tr}/signature", {"consent": "true"}, {}),
        ("POST", f"/verifications/{site.handed}/revoke", {}, COORDINATORS_ONLY),
        ("POST", f"/api/verifications/{site.handed}/revoke", {"json": {}}, COORDINATORS_ONLY),
        ("GET", f"/api/trainees/{tr}/immersion", {}, {}),
        (
            "POST",
            f"/api/trainees/{tr}/placements",
            {
                "json": {
                    "company": "Orange",
                    "employer": "employeur.telenco",
                    "tutor_name": "Lina M.",
                    "starts_on": "2026-12-01",
                    "ends_on": "2026-12-20",
                    "planned_hours": 105,
                }
            },
            COORDINATORS_ONLY,
        ),
        ("POST", f"/api/placements/{site.placement}/links", {"json": {}}, COORDINATORS_ONLY),
        ("POST", f"/api/trainees/{tr}/access-code", {"json": {}}, {}),
        ("POST", f"/api/links/{site.codes[who]}/revoke", {"json": {}}, {}),
        (
            "POST",
            f"/api/trainees/{tr}/confirmations",
            {
                "json": {
                    "competency": "fibre.c.souder",
                    "answers": site.self_assessment,
                    "confirmed": False,
                }
            },
            {},
        ),
        ("POST", f"/api/trainees/{tr}/signature", {"json": {}}, {}),
        ("GET", "/api/me", {}, {"other_school": {200}}),
        ("GET", f"/api/submitted/{ATTEMPT}", {}, {"other_school": {200}}),  # false for them
        ("GET", "/api/cohorts", {}, {"other_school": {200}}),  # an empty list for Lyon
        ("GET", f"/api/cohorts/{co}/grid", {}, {}),
        ("GET", f"/api/trainees/{tr}", {}, {}),
        ("GET", f"/api/trainees/{tr}/booklet", {}, {}),
        ("GET", f"/api/trainees/{tr}/gestures/{GESTURE}/attempts/{ATTEMPT}", {}, {}),
        ("GET", f"/api/trainees/{tr}/unfinished", {}, {}),
        (  # already given up on the page above, or by the role before: refused, said
            "POST",
            f"/api/trainees/{tr}/attempts/{ATTEMPT}/abandon",
            {},
            {who: {200, 400} for who in ("trainer", "coordinator", "admin")},
        ),
        (
            "POST",
            f"/api/trainees/{tr}/taps",
            {
                "json": {
                    "gesture": GESTURE,
                    "attempt": "apitap1234",
                    "step": "manchon",
                    "result": "reussi",
                }
            },
            {},
        ),
        (
            "POST",
            f"/api/trainees/{tr}/attempts",
            {
                "json": {
                    "gesture": GESTURE,
                    "steps": {"manchon": "reussi"},
                    "autonomy": 3,
                    "key": "api-key-123",
                }
            },
            {},
        ),
        (
            "POST",
            f"/api/trainees/{tr}/evaluations/{EVALUATION}",
            {
                "json": {
                    "measurements": {"longueur_m": ["300"], "perte_1310_db": ["1"]},
                    "key": "api-eval-123",
                }
            },
            {},
        ),
        (
            "POST",
            f"/api/trainees/{tr}/comments",
            {"json": {"text": "Par l'API.", "key": f"api-comment-{who}"}},
            {},
        ),
        ("POST", f"/api/observations/{ob}/evidence", {"files": {"photo": ("p.jpg", JPEG)}}, {}),
        ("POST", f"/api/observations/{ob}/retract", {"json": {"reason": "Saisie en double"}}, {}),
        ("GET", "/api/exits", {}, COORDINATORS_ONLY),
        (
            "POST",
            f"/api/cohorts/{co}/trainees",
            {"json": [{"first_name": "Api", "last_name": who}]},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/api/trainees/{tr}/exit",
            {"json": {"kind": "cdi", "on": dt.date.today().isoformat(), "key": "api-exit-1"}},
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/api/users/{site.spare_user}/password",
            {"json": {"password": PASSWORD}},
            ADMINS_ONLY,
        ),
        ("GET", "/api/users", {}, COORDINATORS_ONLY),
        (
            "POST",
            "/api/users",
            {
                "json": {
                    "email": f"api-{who}@example.org",
                    "name": "Par API",
                    "password": PASSWORD,
                    "role": "trainer",
                    "schools": [1],
                }
            },
            COORDINATORS_ONLY,
        ),
        ("POST", f"/api/users/{site.spare_user}/active", {"json": {"active": True}}, ADMINS_ONLY),
        ("GET", "/api/schools", {}, {"other_school": {200}}),  # only Lyon's, for Lyon
        ("GET", "/api/sectors", {}, {"other_school": {200}}),
        (
            "POST",
            "/api/schools",
            {"json": {"name": f"Api {who}", "city": "Nice", "territory": "territoire.marseille"}},
            ADMINS_ONLY,
        ),
        (
            "POST",
            "/api/schools/1",
            {
                "json": {
                    "name": "École de Marseille",
                    "city": "Marseille",
                    "territory": "territoire.marseille",
                }
            },
            ADMINS_ONLY,
        ),
        (
            "POST",
            "/api/cohorts",
            {
                "json": {
                    "school": 1,
                    "sector": "fibre",
                    "name": f"Api {who}",
                    "starts_on": "2026-09-01",
                    "ends_on": "2027-01-15",
                }
            },
            {**COORDINATORS_ONLY, "other_school": {403}},
        ),
        ("POST", f"/api/cohorts/{co}/trainers", {"json": {"trainers": [3]}}, COORDINATORS_ONLY),
        ("POST", f"/api/cohorts/{site.closing}/close", {}, COORDINATORS_ONLY),
        ("GET", f"/api/cohorts/{co}/curriculum", {}, {}),
        (
            "POST",
            f"/api/cohorts/{co}/curriculum",
            {"json": {"confirm": True}},
            {**COORDINATORS_ONLY, **ALREADY_CURRENT},
        ),
        (
            "POST",
            f"/api/cohorts/{co}/curriculum/undo",
            {},
            {**COORDINATORS_ONLY, **ALREADY_CURRENT},
        ),
        (
            "POST",
            f"/api/trainees/{site.movers['level-' + who]}/levels",
            {
                "json": {
                    "competency": "fibre.c.souder",
                    "level": "acquis",
                    "justification": "Vu en situation réelle",
                    "key": f"api-level-{who}",
                }
            },
            {},
        ),
        (
            "POST",
            f"/api/trainees/{site.movers['api-' + who]}/move",
            {"json": {"cohort": site.destination}},
            COORDINATORS_ONLY,
        ),
    ]


def call(browser: TestClient, csrf: str, method: str, path: str, data: dict):
    if method == "GET":
        return browser.get(path, follow_redirects=False)
    if "json" in data:
        return browser.post(
            path, json=data["json"], headers={"X-CSRF-Token": csrf}, follow_redirects=False
        )
    if "files" in data:
        return browser.post(
            path, data={"csrf_token": csrf}, files=data["files"], follow_redirects=False
        )
    return browser.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


@pytest.mark.parametrize("who", list(WHO))
def test_authorization_matrix(site, who):
    browser, csrf = client(site, WHO[who])
    for method, path, data, overrides in routes(site, who):
        response = call(browser, csrf, method, path, data)
        if who == "anonymous":
            expected = {401} if path.startswith("/api/") else {303}
        elif who == "other_school":
            expected = {404}  # another school's ids reveal nothing
        else:
            expected = {200, 303}  # 303: a form posted without htmx redirects back to its page
        expected = overrides.get(who, expected)
        assert response.status_code in expected, (who, method, path, response.status_code)
        if who not in {"anonymous", "other_school"} and response.status_code == 303:
            assert not response.headers["location"].startswith("/login"), path
        if who == "anonymous" and not path.startswith("/api/"):
            assert response.headers["location"].startswith("/login?next=")


def test_changing_ones_password_ends_the_other_sessions(site):
    email = "change-pw@example.org"
    site.gestes.store.directory.create_user(email, "Mot De Passe", PASSWORD, Role.TRAINER, [1])
    tablet, csrf = client(site, email)
    phone, _ = client(site, email)  # another device, left signed in (lost, or stolen)
    form = {"csrf_token": csrf, "current": PASSWORD, "confirm": "court"}
    short = tablet.post("/account/password", data={**form, "new": "court"})
    assert short.status_code == 400 and "au moins 12 caractères" in short.text
    assert (
        'id="f-new" name="new" type="password"' in short.text
        and 'aria-invalid="true"' in short.text
    )
    new = "une phrase de six mots"
    mismatch = tablet.post("/account/password", data={**form, "new": new})
    assert mismatch.status_code == 400 and "diffèrent" in mismatch.text
    wrong = tablet.post(
        "/account/password", data={**form, "current": "devine", "new": new, "confirm": new}
    )
    assert wrong.status_code == 400 and "actuel incorrect" in wrong.text
    assert phone.get("/cohorts", follow_redirects=False).status_code == 200  # nothing changed yet
    done = tablet.post("/account/password", data={**form, "new": new, "confirm": new})
    assert done.status_code == 200 and "Mot de passe changé" in done.text
    assert tablet.get("/cohorts", follow_redirects=False).status_code == 200  # this one stays
    assert phone.get("/cohorts", follow_redirects=False).headers["location"].startswith("/login")
    assert site.gestes.store.accounts.authenticate(email, PASSWORD) is None
    assert site.gestes.store.accounts.authenticate(email, new) is not None
    no_token = tablet.post("/account/password", data={**form, "csrf_token": "", "new": new})
    assert no_token.status_code == 403


def test_every_route_is_in_the_matrix(site):
    """The OpenAPI schema lists every route the app serves; each must be in the matrix."""
    # /verify is public on purpose: the signed token is the authorisation (test below).
    open_routes = {
        "/health",  # for the supervisor and the load balancer (tests: test_operations_*)
        "/ready",
        "/login",
        "/logout",
        "/lang/{language}",
        "/",
        "/cohorts",
        "/verify/{token}",
        "/v/{code}",
        "/issuer",  # the Open Badges issuer profile and its public key (tests/test_booklet.py)
        "/issuer/key",
        "/issuer/ecole/{slug}",  # a school's own (tests/test_organisations.py)
        "/issuer/ecole/{slug}/key",
        "/status/revocation",  # the badges' revocation list: bits, nobody named
        "/resultats/{slug}",  # a school's published results: aggregates (tests/test_followup.py)
        "/share/{code}",
        # Opened with a code instead of an account (tests/test_immersion.py: their matrix).
        "/tuteur/{code}",
        "/tuteur/{code}/observations",
        "/tuteur/{code}/attendance",
        "/tuteur/{code}/appraisal",
        "/moi",
        "/moi/{code}",
        "/moi/quitter",
        "/moi/self-assessments",
        "/moi/signature",
        "/moi/progression",
        # An auditor's read-only link (tests/test_audit.py: expiry, sample, other schools).
        "/audit/{code}",
        "/audit/{code}/dossier.zip",
        "/audit/{code}/stagiaires/{trainee_id}",
        # Questionnaires opened with a code (tests/test_opinions.py, tests/test_immersion.py).
        "/avis/{code}",
        "/moi/avis/{kind}",
        "/tuteur/{code}/avis",
    }
    served = {
        (method.upper(), path)
        for path, item in site.app.openapi()["paths"].items()
        for method in item
    }
    assert len(served) > 15  # the schema really lists the pages, not only the API

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "X", path)

    def generic(path: str) -> str:
        for code in [*site.shares.values(), site.handed, site.export]:  # opaque codes, not numbers
            path = path.replace(code, "X")
        path = re.sub(r"/parts/[a-z]+", "/parts/X", path.split("?")[0])  # a part by its name
        path = re.sub(r"/(grid|hours)\.(csv|xlsx)$", r"/\1.X", path)  # a table by its format
        path = re.sub(r"^/exits\.(csv|xlsx)$", "/exits.X", path)  # the exits' report
        path = re.sub(r"/(absence|correction)$", "/X", path)  # a sheet's mark by its kind
        path = re.sub(r"/attendance/\d{4}-\d{2}\.pdf$", "/attendance/X.pdf", path)  # a month
        return (
            re.sub(r"\d+", "X", path.replace(ATTEMPT, "X"))
            .replace(GESTURE, "X")
            .replace(EVALUATION, "X")
        )

    covered = {(method, generic(path)) for method, path, _, _ in routes(site)}
    missing = [(m, p) for m, p in served if p not in open_routes and (m, shape(p)) not in covered]
    assert missing == [], f"not covered by the authorization matrix: {missing}"


def test_a_method_not_allowed_says_which_are(site):
    """RFC 9110: a 405 names the methods the resource accepts (``Allow``), on a page and on
    the API alike; the refusal keeps its usual shape."""
    browser, _ = client(site)
    page = browser.delete("/login")
    assert page.status_code == 405
    assert set(page.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert "text/html" in page.headers["content-type"]
    api = browser.put("/api/me")
    assert api.status_code == 405
    assert api.headers["allow"] == "GET"
    assert "detail" in api.json()


def test_each_route_is_reached_by_its_own_path(site):
    """Routes are matched one by one in the order they were included (the hottest first,
    ``web.app._routes``): none may shadow a later one, as ``/cohorts/{id}`` before
    ``/cohorts/new`` would. Each route's path, its parameters filled in, must reach it."""
    from starlette.routing import BaseRoute

    def flat(routes: list[BaseRoute]) -> list[BaseRoute]:  # included routers, in order
        out: list[BaseRoute] = []
        for route in routes:
            inner = getattr(route, "original_router", None)
            out += flat(inner.routes) if inner is not None else [route]
        return out

    ordered = [r for r in flat(site.app.router.routes) if getattr(r, "methods", None)]
    assert len(ordered) > 100
    shadowed = []
    for route in ordered:
        sample = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods:
            first = next(r for r in ordered if r.path_regex.match(sample) and method in r.methods)
            if first is not route:
                shadowed.append((method, route.path, first.path))
    assert shadowed == [], f"reached by an earlier route instead: {shadowed}"


def test_operations_health_readiness_and_a_log_line_without_personal_data(site, tmp_path):
    import logging

    from tests.conftest import context_on, fresh_engine
    from web.operations import LOG

    anonymous, _ = client(site)
    assert anonymous.get("/health").json() == {"status": "ok"}
    assert anonymous.get("/ready").json() == {"status": "ready"}
    engine, drop = fresh_engine("sqlite", tmp_path)  # a database never migrated
    try:
        unmigrated = create_app(context_on(engine, site.gestes.definitions, site.gestes.settings))
        answer = TestClient(unmigrated).get("/ready")
        assert answer.status_code == 503 and answer.json() == {"status": "unavailable"}
        unmigrated.state.taps.close()
    finally:
        drop()

    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    LOG.addHandler(handler)
    level = LOG.level
    LOG.setLevel(logging.INFO)
    try:
        trainer, _ = client(site, "trainer@example.org")
        trainer.get(f"/trainees/{site.trainee}?ouvert=historique")
        trainer.get("/nowhere")
    finally:
        LOG.removeHandler(handler)
        LOG.setLevel(level)
    assert any(line.startswith("POST /login 303 ") for line in lines), lines
    [page] = [line for line in lines if line.startswith("GET /trainees/")]
    assert page.startswith("GET /trainees/{trainee_id} 200 ")
    assert any(line.startswith("GET - 404 ") for line in lines)
    logged = " ".join(lines)
    assert "trainer@example.org" not in logged and "ouvert" not in logged
    assert f"/{site.trainee}" not in logged


def test_other_school_does_not_see_the_cohort_in_its_list(site):
    lyon, _ = client(site, "lyon@example.org")
    assert "Fibre Marseille" not in lyon.get("/cohorts").text
    admin, _ = client(site, "admin@example.org")
    page = admin.get("/cohorts").text
    assert "Fibre Marseille" in page and "Fibre Lyon" in page


# ---------------------------------------------------------------- CSRF, escaping, headers


def test_malformed_form_fields_are_explained_in_the_page(site):
    coordinator, csrf = client(site, "coord@example.org")
    with site.gestes.store.database.read() as session:
        before = session.scalar(select(func.count()).select_from(t.ExitRecord))
    response = coordinator.post(
        f"/trainees/{site.trainee}/exit",
        data={"csrf_token": csrf, "kind": "loterie", "on": "demain", "submit_id": "bad00001"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    assert "« kind » : choix non proposé" in page
    assert "« on » : date attendue (AAAA-MM-JJ)" in page
    with site.gestes.store.database.read() as session:
        assert session.scalar(select(func.count()).select_from(t.ExitRecord)) == before


def test_state_changes_without_csrf_are_refused_and_store_nothing(site):
    browser, csrf = client(site, "trainer@example.org")
    before = observations(site)
    path = f"/trainees/{site.trainee}/gestures/{GESTURE}/steps"
    form = {"attempt": "csrfcheck01", "step": "manchon", "result": "reussi"}
    assert browser.post(path, data=form).status_code == 403
    assert browser.post(path, data={**form, "csrf_token": "forged"}).status_code == 403
    api = browser.post(
        f"/api/trainees/{site.trainee}/attempts",
        json={"gesture": GESTURE, "steps": {}, "autonomy": 3, "key": "no-csrf-123"},
    )
    assert api.status_code == 403
    assert browser.post("/logout").status_code == 403
    assert observations(site) == before
    ok = browser.post(path, data=form, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert ok.status_code == 200 and observations(site) == before + 1


def test_hostile_names_are_escaped(site):
    browser, _ = client(site, "trainer@example.org")
    for path in (
        f"/cohorts/{site.cohort}",
        f"/trainees/{site.hostile}",
        f"/trainees/{site.hostile}/gestures/{GESTURE}",
    ):
        page = browser.get(path).text
        assert HOSTILE not in page and "<b>fils</b>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_security_headers(site):
    browser, _ = client(site, "trainer@example.org")
    response = browser.get(f"/trainees/{site.trainee}")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert '<script src="/static/htmx.min.js"' in response.text
    assert "<script>" not in response.text  # no inline script anywhere


def test_htmx_is_served_locally(site):
    response = TestClient(site.app).get("/static/htmx.min.js")
    assert response.status_code == 200 and "htmx" in response.text[:200]


# ---------------------------------------------------------------- sessions and login


def test_session_rotates_at_login_and_dies_at_logout(site):
    browser = TestClient(site.app)
    browser.cookies.set(COOKIE, "planted-by-an-attacker")
    login = browser.post(
        "/login",
        data={"email": "trainer@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    token = login.cookies.get(COOKIE)
    assert token and token != "planted-by-an-attacker"
    browser.cookies.clear()
    browser.cookies.set(COOKIE, token)
    second = TestClient(site.app)
    again = second.post(
        "/login",
        data={"email": "trainer@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert again.cookies.get(COOKIE) != token  # a new session per sign-in
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/cohorts").text).group(1)
    assert (
        browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    stale = TestClient(site.app)
    stale.cookies.set(COOKIE, token)
    assert stale.get("/cohorts", follow_redirects=False).status_code == 303
    assert second.get("/cohorts").status_code == 200  # other sessions live on


def test_login_is_rate_limited(site):
    browser = TestClient(site.app)
    for _ in range(5):
        wrong = browser.post("/login", data={"email": "coord@example.org", "password": "nope"})
        assert wrong.status_code == 401 and "Adresse ou mot de passe incorrect." in wrong.text
    blocked = browser.post("/login", data={"email": "coord@example.org", "password": PASSWORD})
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.text
    site.app.state.limiter.succeeded("ip:testclient", "email:coord@example.org")


def test_the_login_limit_backs_off_gradually_and_says_how_long(site, monkeypatch):
    """Five wrong passwords: half a minute's wait, then each further failure doubles it —
    not a quarter of an hour for a trainer who mistyped, and only a handful of guesses per
    quarter of an hour for anyone else."""
    failures = site.gestes.store.failures
    start = dt.datetime.now(dt.UTC)
    now = [start]
    monkeypatch.setattr(failures, "clock", lambda: now[0])
    browser = TestClient(site.app)

    def sign_in(password: str) -> Any:
        return browser.post(
            "/login",
            data={"email": "spare@example.org", "password": password},
            follow_redirects=False,
        )

    try:
        for _ in range(5):
            assert sign_in("nope").status_code == 401
        blocked = sign_in(PASSWORD)
        assert blocked.status_code == 429 and "réessayez dans 30 secondes" in blocked.text
        assert blocked.headers["Retry-After"] == "30"
        now[0] = start + dt.timedelta(seconds=31)
        assert sign_in("nope").status_code == 401  # the wait is over: one more try
        now[0] = start + dt.timedelta(seconds=62)
        again = sign_in(PASSWORD)  # the sixth failure doubled the wait: a minute
        assert again.status_code == 429 and "réessayez dans 29 secondes" in again.text
        now[0] = start + dt.timedelta(seconds=92)
        assert sign_in(PASSWORD).status_code == 303
    finally:
        site.app.state.limiter.succeeded("email:spare@example.org", "ip:testclient")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil"])
def test_login_never_redirects_elsewhere(site, target):
    browser = TestClient(site.app)
    response = browser.post(
        "/login",
        data={"email": "admin@example.org", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


# ---------------------------------------------------------------- scoring without JavaScript


def test_gesture_scoring_works_without_javascript(site):
    browser, csrf = client(site, "trainer@example.org")
    base = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    attempt = re.search(r'name="attempt" value="([^"]+)"', browser.get(base).text).group(1)
    steps = [s.key for s in site.gestes.catalog.gesture(GESTURE).steps]
    for step in steps:
        response = browser.post(
            f"{base}/steps",
            data={
                "csrf_token": csrf,
                "attempt": attempt,
                "step": step,
                "result": "reussi",
                "tap": 0,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"{base}?attempt={attempt}#etape-{step}"
    page = browser.get(f"{base}?attempt={attempt}").text
    assert page.count('aria-pressed="true"') == len(steps)
    assert "Réussie" in page  # the provisional outcome
    # a double submit of the same rendered button stores one tap
    before = observations(site)
    for _ in range(2):
        browser.post(
            f"{base}/steps",
            data={
                "csrf_token": csrf,
                "attempt": attempt,
                "step": steps[0],
                "result": "reussi",
                "tap": 1,
            },
        )
    assert observations(site) == before + 1
    done = browser.post(
        f"{base}/attempts",
        data={"csrf_token": csrf, "attempt": attempt, "autonomy": "autonome", "minutes": "7,5"},
    )
    assert done.status_code == 200 and "Tentative enregistrée" in done.text
    assert done.headers["X-Gestes-Saved"] == attempt  # what lets a tablet's outbox forget it
    assert "En cours d&#39;acquisition" in done.text or "En cours d'acquisition" in done.text
    bad = browser.post(
        f"{base}/attempts",
        data={
            "csrf_token": csrf,
            "attempt": "abcdef99999",
            "autonomy": "autonome",
            "minutes": "douze",
        },
    )
    assert "Durée invalide" in bad.text
    assert "X-Gestes-Saved" not in bad.headers
    assert "minutes" in [field for field, _ in json.loads(bad.headers["X-Gestes-Refused"])]


def test_a_tap_redraws_only_its_step_and_the_outcome(site):
    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    form = {"csrf_token": csrf, "attempt": "redraw0001", "step": "cliver", "result": "reussi"}
    swap = browser.post(f"{path}/steps", data=form, headers={"HX-Request": "true"}).text
    assert swap.count('<li id="etape-') == 1 and 'id="etape-cliver"' in swap
    assert 'class="step critical done-reussi"' in swap and 'aria-pressed="true"' in swap
    assert 'name="tap" value="1"' in swap  # the next tap on this button is a new tap
    assert '<section id="resultat"' in swap and 'hx-swap-oob="true"' in swap
    assert "Incomplète" in swap  # the provisional outcome, with the other steps still to do
    assert "Valider la tentative" not in swap  # the validation form is not redrawn
    wrong = browser.post(
        f"{path}/attempts",
        data={"csrf_token": csrf, "attempt": "redraw0001", "autonomy": "autonome", "minutes": "x"},
        headers={"HX-Request": "true"},
    ).text
    assert 'aria-describedby="erreur-minutes"' in wrong and 'value="x"' in wrong
    assert '<li id="etape-' not in wrong  # only the form, with its message next to the field


def test_a_queue_of_taps_goes_in_one_request_each_stored_once(site):
    import json

    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    taps = [
        {"step": "cliver", "result": "reussi", "tap": 0},
        {"step": "manchon", "result": "a_reprendre", "tap": 0},
        {"step": "pas-une-etape", "result": "reussi", "tap": 0},
        {"step": "manchon", "result": "reussi", "tap": 1},  # changed its mind: the last wins
    ]
    # One of them was already sent alone before the network dropped (same key: not twice).
    browser.post(
        f"{path}/steps",
        data={"csrf_token": csrf, "attempt": "queue00001", "step": "cliver", "result": "reussi"},
    )
    sent = browser.post(
        f"{path}/steps/batch",
        json={"attempt": "queue00001", "taps": taps},
        headers={"X-CSRF-Token": csrf},
    )
    assert sent.status_code == 200
    [[step, why, _count]] = json.loads(sent.headers["X-Gestes-Refused"])
    assert step == "pas-une-etape" and why  # refused on its own, the others stored
    assert sent.text.count('<li id="etape-') == len(site.gestes.catalog.gesture(GESTURE).steps)
    assert '<section id="resultat"' in sent.text
    again = browser.post(  # the tablet did not hear the answer: it sends the same again
        f"{path}/steps/batch",
        json={"attempt": "queue00001", "taps": taps},
        headers={"X-CSRF-Token": csrf},
    )
    assert again.status_code == 200
    live = browser.get(f"/api/trainees/{site.trainee}/gestures/{GESTURE}/attempts/queue00001")
    assert live.json()["steps"] == {"cliver": "reussi", "manchon": "reussi"}
    with site.gestes.store.database.read() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(t.Observation)
            .where(t.Observation.idempotency_key.startswith("queue00001:"))
        )
    assert rows == 3  # cliver once, manchon twice (two taps), the unknown step never
    too_many = {"attempt": "queue00001", "taps": taps * 60}
    refused = browser.post(f"{path}/steps/batch", json=too_many, headers={"X-CSRF-Token": csrf})
    assert refused.status_code in (400, 422)


def test_a_photo_is_attached_while_scoring_and_the_page_returns_to_the_gesture(site):
    trainer, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    tapped = {"csrf_token": csrf, "attempt": "photo00001", "step": "cliver", "result": "reussi"}
    trainer.post(f"{path}/steps", data=tapped)
    done = trainer.post(
        f"{path}/attempts",
        data={"csrf_token": csrf, "attempt": "photo00001", "autonomy": "sous_controle"},
        headers={"HX-Request": "true"},
    ).text
    observation = int(re.search(r'action="/observations/(\d+)/evidence"', done).group(1))
    sent = trainer.post(
        f"/observations/{observation}/evidence",
        data={"csrf_token": csrf, "geste": GESTURE},
        files={"photo": ("soudure.jpg", photo(), "image/jpeg")},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith(f"{path}?attempt=")
    assert "Photo jointe à la tentative enregistrée." in trainer.get(sent.headers["location"]).text
    with site.gestes.store.database.read() as session:
        attached = session.scalar(
            select(func.count())
            .select_from(t.Evidence)
            .where(t.Evidence.observation_id == observation)
        )
    assert attached == 1
    elsewhere = trainer.post(  # the way back is a gesture of this trainee, never an address
        f"/observations/{observation}/evidence",
        data={"csrf_token": csrf, "geste": "//evil.example/x"},
        files={"photo": ("soudure.jpg", photo(), "image/jpeg")},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"].startswith(f"/trainees/{site.trainee}?")


def test_session_cache_forgets_and_expires():
    user = CurrentUser(1, "A", "a@example.org", Role.TRAINER, frozenset({1}), "csrf")
    cache = SessionCache(ttl=60, size=3)
    cache.put("one", user)
    assert cache.get("one") == user
    cache.forget("one")
    assert cache.get("one") is None
    for token in ("a", "b", "c", "d"):  # bounded: past its size it starts afresh
        cache.put(token, user)
    assert cache.get("d") == user and cache.get("a") is None
    expired = SessionCache(ttl=0)  # another process's sign-out is seen once the entry expires
    expired.put("one", user)
    assert expired.get("one") is None


def test_evaluation_form_reports_errors_next_to_fields(site):
    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/evaluations/{EVALUATION}"
    page = browser.get(path).text
    assert 'inputmode="decimal"' in page and 'placeholder="ex. 0,9"' in page  # not a value
    bad = browser.post(
        path,
        data={
            "csrf_token": csrf,
            "submit_id": "submit000001",
            "mesure_longueur_m": "12,5",
            "mesure_perte_1310_db": "-3",
        },
    )
    assert 'aria-invalid="true"' in bad.text
    assert "Longueur du lien : un nombre entier est attendu." in bad.text
    assert "est impossible (attendu entre 0 et 40 dB)" in bad.text
    assert 'value="12,5"' in bad.text  # what was typed is kept
    # a tablet's outbox lets an entry go only on the server's word: refused with reasons...
    assert "X-Gestes-Saved" not in bad.headers and "X-Gestes-Refused" in bad.headers
    good = browser.post(
        path,
        data={
            "csrf_token": csrf,
            "submit_id": "submit000001",
            "mesure_longueur_m": "420",
            "mesure_perte_1310_db": "1,7",
            "critere_reference": "oui",
            "critere_consigne": "oui",
        },
    )
    assert "Épreuve enregistrée" in good.text and "à reprendre" in good.text  # 1.7 > 1.5 dB
    assert good.headers["X-Gestes-Saved"] == "submit000001"  # ... or stored, by its key
    again = browser.post(
        path,
        data={
            "csrf_token": csrf,
            "submit_id": "submit000001",
            "mesure_longueur_m": "420",
            "mesure_perte_1310_db": "1,7",
        },
    )
    assert again.status_code == 200
    with site.gestes.store.database.read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(t.Observation)
            .where(t.Observation.idempotency_key == "eval:submit000001")
        )
    assert count == 1  # the same submit id twice: one evaluation
    passed = browser.post(
        path,
        data={
            "csrf_token": csrf,
            "submit_id": "submit000002",
            "mesure_longueur_m": "420",
            "mesure_perte_1310_db": "1,2",
            "critere_reference": "oui",
            "critere_consigne": "oui",
        },
        headers={"HX-Request": "true"},
    )
    assert "Épreuve enregistrée" in passed.text
    heading = re.search(r'<p id="dernier-resultat"[^>]*hx-swap-oob="true">(.*?)</p>', passed.text)
    assert heading and "réussie" in heading.group(1)  # the page's heading follows, not stale


def test_a_wrong_splice_in_a_series_is_named_and_flagged_alone(site):
    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/evaluations/fibre.e.epissures"
    losses = ["0,04"] * 12
    losses[2] = "12"  # the third splice: a typing slip, outside 0–10 dB
    losses[7] = ""  # the eighth: forgotten
    page = browser.post(
        path, data={"csrf_token": csrf, "submit_id": "series0001", "mesure_pertes_db": losses}
    )
    assert page.status_code == 200 and "Épreuve enregistrée" not in page.text
    flagged = re.findall(r'id="mesure-pertes_db-(\d+)"[^>]*aria-invalid="true"', page.text)
    assert flagged == ["2", "7"]  # the two wrong boxes, not all twelve
    message = html.unescape(page.text)
    assert "Perte de la soudure n° 3 : 12 dB est impossible" in message
    assert "Perte de la soudure n° 8 : valeur manquante." in message
    assert message.count('value="0,04"') == 10  # what was typed is kept, in its box


# ---------------------------------------------------------------- languages


def translated(forms: str | tuple[str, ...] | None) -> bool:
    """A message has an English text, or every plural form of it has one."""
    return bool(forms) and (isinstance(forms, str) or all(forms))


def test_english_catalog_covers_every_template_message(site):
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from web.i18n import LOCALES

    with (LOCALES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id}  # plurals: tuples of forms
    templates = Path(__file__).parent.parent / "web" / "templates"
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    missing = [
        message
        for _, _, message, *_ in extract_from_dir(templates, method_map, options_map=options)
        if not translated(english.get(message))
    ]
    assert missing == []


def test_english_is_available(site):
    browser, _ = client(site, "trainer@example.org")
    browser.cookies.set("lang", "en")
    page = browser.get(f"/trainees/{site.trainee}/gestures/{GESTURE}").text
    assert "Record the attempt" in page and '<html lang="en">' in page


def test_admin_creates_and_deactivates_accounts(site):
    admin, csrf = client(site, "admin@example.org")
    bad = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "email": "x@example.org",
            "name": "X",
            "password": "court",
            "role": "trainer",
        },
    )
    assert bad.status_code == 400 and "au moins 12 caractères" in bad.text
    assert 'value="x@example.org"' in bad.text  # what was typed is kept
    made = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "email": "nadia@example.org",
            "name": "Nadia",
            "password": PASSWORD,
            "role": "trainer",
            "schools": ["1"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    nadia, nadia_csrf = client(site, "nadia@example.org")
    # A password someone else chose: its owner chooses their own before anything else.
    first = nadia.get("/cohorts", follow_redirects=False)
    assert (
        first.status_code == 303 and first.headers["location"] == "/account/password?provisoire=1"
    )
    assert nadia.get("/api/cohorts").status_code == 403
    own = "une phrase bien à elle"
    changed = nadia.post(
        "/account/password",
        data={"csrf_token": nadia_csrf, "current": PASSWORD, "new": own, "confirm": own},
    )
    assert changed.status_code == 200 and "Mot de passe changé" in changed.text
    assert "Fibre Marseille" in nadia.get("/cohorts").text  # scoped to school 1
    with site.gestes.store.database.read() as session:
        nadia_id = session.scalar(select(t.User.id).where(t.User.email == "nadia@example.org"))
    unconfirmed = {"csrf_token": csrf, "active": "false"}
    assert admin.post(f"/admin/users/{nadia_id}/active", data=unconfirmed).status_code == 400
    assert nadia.get("/cohorts", follow_redirects=False).status_code == 200  # still signed in
    confirmed = {**unconfirmed, "confirm": "oui"}
    admin.post(f"/admin/users/{nadia_id}/active", data=confirmed)
    assert nadia.get("/cohorts", follow_redirects=False).status_code == 303  # session ended
    relogin = TestClient(site.app).post(
        "/login", data={"email": "nadia@example.org", "password": own}
    )
    assert relogin.status_code == 401 and "Ce compte est désactivé" in relogin.text
    wrong = TestClient(site.app).post(
        "/login", data={"email": "nadia@example.org", "password": "pas le bon mot"}
    )
    assert "Adresse ou mot de passe incorrect" in wrong.text  # says nothing without the password


def test_an_admin_replaces_a_forgotten_password_and_signs_the_account_out(site):
    admin, csrf = client(site, "admin@example.org")
    forgetful, _ = client(site, "trainer@example.org")
    with site.gestes.store.database.read() as session:
        trainer_id = session.scalar(select(t.User.id).where(t.User.email == "trainer@example.org"))
    weak = admin.post(
        f"/admin/users/{trainer_id}/password", data={"csrf_token": csrf, "password": "aaaaaaaaaaaa"}
    )
    assert weak.status_code == 400
    assert f'id="reset-{trainer_id}-error"' in weak.text  # the message beside that account's field
    assert forgetful.get("/cohorts", follow_redirects=False).status_code == 200  # nothing changed
    provisional = "Provisoire-remis-en-main-propre"
    done = admin.post(
        f"/admin/users/{trainer_id}/password",
        data={"csrf_token": csrf, "password": provisional},
        follow_redirects=True,
    )
    assert "Nouveau mot de passe enregistré" in done.text
    assert forgetful.get("/cohorts", follow_redirects=False).status_code == 303  # signed out
    old = TestClient(site.app).post(
        "/login", data={"email": "trainer@example.org", "password": PASSWORD}
    )
    assert old.status_code == 401
    api = admin.post(
        f"/api/users/{trainer_id}/password",
        json={"password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 200
    handed, handed_csrf = client(site, "trainer@example.org")
    # Someone else chose it: the trainer is sent to choose their own before anything else.
    sent = handed.get("/cohorts", follow_redirects=False)
    assert sent.headers["location"] == "/account/password?provisoire=1"
    assert "choisissez le vôtre pour continuer" in html.unescape(
        handed.get(sent.headers["location"]).text
    )
    for current, new in ((PASSWORD, "une phrase de passage"), ("une phrase de passage", PASSWORD)):
        changed = handed.post(
            "/account/password",
            data={"csrf_token": handed_csrf, "current": current, "new": new, "confirm": new},
        )
        assert changed.status_code == 200, changed.text  # the module's other tests sign in so
    assert handed.get("/cohorts").status_code == 200


def test_grid_filters_by_block_and_module(site):
    browser, _ = client(site, "trainer@example.org")
    catalog = site.gestes.catalog

    def columns(query: str) -> list[str]:
        page = browser.get(f"/cohorts/{site.cohort}{query}").text
        return [
            html.unescape(name)
            for name in re.findall(r'<th scope="col"><span title="([^"]+)"', page)
        ]

    everything = columns("")
    assert len(everything) == 14
    block = catalog.block("fibre.bloc.mesurer")
    assert columns("?block=fibre.bloc.mesurer") == [c.name for c in block.competencies]
    soudure = columns("?module=fibre.m.soudure")
    expected = {"fibre.c.souder", "fibre.c.outillage", "fibre.c.lover"}  # gestures + evaluation
    assert set(soudure) == {catalog.competency(c).name for c in expected}
    both = columns("?block=fibre.bloc.raccorder&module=fibre.m.soudure")
    assert both == [catalog.competency("fibre.c.souder").name]
    assert columns("?module=fibre.m.inconnu") == []


def test_booklet_download_and_preview(site):
    browser, _ = client(site, "trainer@example.org")
    pdf = browser.get(f"/trainees/{site.trainee}/booklet.pdf?employer=employeur.telenco")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="livret-' in pdf.headers["content-disposition"]
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Vérifier ce livret" in text  # a downloaded booklet carries its verification QR
    hostile = browser.get(f"/trainees/{site.hostile}/booklet.pdf")
    disposition = hostile.headers["content-disposition"]
    assert disposition.isascii() and "<" not in disposition and '"' not in disposition[22:-1]
    preview = browser.get(f"/trainees/{site.hostile}/booklet")
    assert preview.status_code == 200 and "Pour Telenco" in preview.text  # Marseille employers
    assert '<link rel="stylesheet" href="/booklet.css"/>' in preview.text
    assert "<style>" not in preview.text  # the CSP forbids inline styles: the sheet is linked
    assert "&lt;script&gt;" in preview.text and HOSTILE not in preview.text
    assert browser.get("/booklet.css").headers["content-type"].startswith("text/css")
    unknown = browser.get(f"/trainees/{site.trainee}/booklet.pdf?employer=employeur.nope")
    assert unknown.status_code == 404


def test_a_signed_link_printed_before_short_codes_still_answers(site):
    """Booklets printed before the short codes carry a signed token: /verify/ still checks it."""
    from core.booklet.handing import booklet_of
    from core.booklet.verification import Claim, content_key, sign

    gestes = site.gestes
    record = gestes.store.records.trainee_record(site.trainee)
    # as every channel builds it: the sheets the matrix signed, the partners it added
    data = booklet_of(gestes, record)
    claim = Claim(
        trainee=site.trainee,
        content=content_key(data),
        issued=data.issued_on,
        expires=data.issued_on + dt.timedelta(days=365),
    )
    token = sign(claim, gestes.settings.signing_key())
    employer = TestClient(site.app)  # anonymous: whoever holds the paper
    page = employer.get(f"/verify/{token}")
    assert page.status_code == 200
    assert "Document authentique" in page.text and "Il est à jour" in page.text
    assert "Awa Diallo" in page.text
    steps = {s.key: StepResult.REUSSI for s in gestes.catalog.gesture(GESTURE).steps}
    gestes.store.observations.record_attempt(
        site.trainee, 1, GESTURE, steps, Autonomy.AUTONOME, dt.date.today(), "after-the-booklet"
    )
    later = employer.get(f"/verify/{token}")
    assert "Document authentique" in later.text and "n'est plus à jour" in later.text
    tampered = employer.get(f"/verify/{token[:-3]}xyz")
    assert tampered.status_code == 400
    assert "n'est pas authentique" in html.unescape(tampered.text)


def test_a_short_verification_link_answers_until_the_school_withdraws_the_booklet(site):
    from core.booklet.handing import verified_booklet

    gestes = site.gestes
    trainee = gestes.store.directory.add_trainees(site.cohort, [NewTrainee("Vera", "Court")])[0]
    data = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    code = data.verify_url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[a-z2-9]{14}", code) and data.verify_url.endswith(f"/v/{code}")
    again = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    assert again.verify_url == data.verify_url  # the same booklet, the same code (PDF cache)
    employer = TestClient(site.app)  # anonymous: whoever holds the paper
    page = html.unescape(employer.get(f"/v/{code}").text)
    assert "Document authentique" in page and "Il est à jour" in page and "Vera Court" in page
    assert "Empreinte du contenu" in page and "tant que l'école ne retire pas" in page
    steps = {s.key: StepResult.REUSSI for s in gestes.catalog.gesture(GESTURE).steps}
    gestes.store.observations.record_attempt(
        trainee, 1, GESTURE, steps, Autonomy.AUTONOME, dt.date.today(), "after-short-code"
    )
    assert "n'est plus à jour" in html.unescape(employer.get(f"/v/{code}").text)
    newer = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    assert newer.verify_url != data.verify_url  # new content, new code
    altered = code[:-1] + ("a" if code[-1] != "a" else "b")  # one letter changed
    assert employer.get(f"/v/{altered}").status_code == 404
    coordinator, csrf = client(site, "coord@example.org")
    listed = coordinator.get(f"/trainees/{trainee}?ouvert=livrets").text
    assert f"/v/{code}" in listed
    coordinator.post(f"/verifications/{code}/revoke", data={"csrf_token": csrf})
    withdrawn = employer.get(f"/v/{code}")
    assert withdrawn.status_code == 410 and "retiré par l'école" in html.unescape(withdrawn.text)
    assert employer.get(newer.verify_url[newer.verify_url.index("/v/") :]).status_code == 200
    site.app.state.link_limiter.succeeded("ip:testclient")


def test_an_older_booklet_is_shown_as_issued_and_a_withdrawn_code_never_comes_back(site):
    """The page of a booklet superseded since shows what the paper showed (not today's
    levels beside an old fingerprint) and says what changed; the same booklet asked for
    again after the school withdrew it gets a new code, the old one staying withdrawn; and
    a genuine code answers even after the address tried many wrong ones."""
    from core.booklet.handing import verified_booklet

    gestes = site.gestes
    trainee = gestes.store.directory.add_trainees(site.cohort, [NewTrainee("Olga", "Ancienne")])[0]
    paper = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    code = paper.verify_url.rsplit("/", 1)[1]
    steps = {s.key: StepResult.REUSSI for s in gestes.catalog.gesture(GESTURE).steps}
    for n, day in enumerate((dt.date.today() - dt.timedelta(days=1), dt.date.today())):
        gestes.store.observations.record_attempt(
            trainee, 1, GESTURE, steps, Autonomy.AUTONOME, day, f"olga-{n}"
        )
    employer = TestClient(site.app)
    page = html.unescape(employer.get(f"/v/{code}").text)
    assert "n'est plus à jour" in page and "Voici ce que ce livret montrait" in page
    souder = gestes.catalog.competency("fibre.c.souder").name
    assert f"{souder} : Non évalué → " in page  # what changed, in words
    levels = page.split("<h2>Niveaux</h2>")[1].split("</ul>")
    [line] = [li for part in levels for li in part.split("<li>") if souder in li]
    assert "Non évalué" in line  # the level the paper printed, not today's
    coordinator, csrf = client(site, "coord@example.org")
    latest = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    withdrawn_code = latest.verify_url.rsplit("/", 1)[1]
    coordinator.post(f"/verifications/{withdrawn_code}/revoke", data={"csrf_token": csrf})
    again = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    new_code = again.verify_url.rsplit("/", 1)[1]
    assert new_code != withdrawn_code  # never a copy that is dead on arrival
    assert employer.get(f"/v/{withdrawn_code}").status_code == 410
    assert employer.get(f"/v/{new_code}").status_code == 200
    guesser = TestClient(site.app)
    for n in range(30):
        guesser.get(f"/v/faux{n:010d}")
    assert guesser.get("/v/fauxencore0000").status_code == 429  # guesses are throttled
    assert guesser.get(f"/v/{new_code}").status_code == 200  # a genuine code never is
    site.app.state.link_limiter.succeeded("ip:testclient")


def test_a_photo_attached_to_an_entry_is_seen_on_the_trainee_page(site):
    trainer, _ = client(site, "trainer@example.org")
    page = trainer.get(f"/trainees/{site.trainee}?ouvert=historique").text
    assert f'<img src="/evidence/{site.evidence}"' in page  # a thumbnail, not an emoji
    shown = trainer.get(f"/evidence/{site.evidence}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith("inline")
    assert shown.content.startswith(b"\xff\xd8")  # the stored (re-encoded) JPEG
    # one Cache-Control, the route's own (private, an hour), never contradicted by no-store
    assert shown.headers.get_list("cache-control") == ["private, max-age=3600"]
    assert trainer.get("/cohorts").headers.get_list("cache-control") == ["no-store"]
    assert trainer.get("/evidence/999999").status_code == 404


def test_a_refused_photo_or_an_unconfirmed_cancel_answers_beside_the_entry(site):
    import datetime as dt

    store = site.gestes.store
    steps = {s.key: StepResult.REUSSI for s in site.gestes.catalog.gesture(GESTURE).steps}
    entry = store.observations.record_attempt(
        site.trainee, 1, GESTURE, steps, Autonomy.AUTONOME, dt.date.today(), "refusals-1"
    ).id
    trainer, csrf = client(site, "coord@example.org")  # may cancel anyone's entry
    refused = trainer.post(
        f"/observations/{entry}/evidence",
        data={"csrf_token": csrf},
        files={"photo": ("note.txt", b"pas une photo", "text/plain")},
    )
    assert refused.status_code == 400  # the trainee page again, not a dead end
    assert f'id="erreur-photo-{entry}"' in refused.text and "Type de fichier refus" in refused.text
    assert f'aria-describedby="erreur-photo-{entry}"' in refused.text

    def cancelled() -> bool:
        history = store.lookup.latest_entries(site.trainee)
        return all(h.id != entry for h in history)

    unconfirmed = trainer.post(
        f"/observations/{entry}/retract",
        data={"csrf_token": csrf, "reason": "Mauvais stagiaire"},
    )
    assert unconfirmed.status_code == 400 and f'id="erreur-motif-{entry}"' in unconfirmed.text
    assert 'value="Mauvais stagiaire"' in unconfirmed.text  # what was typed is kept
    assert not cancelled()
    done = trainer.post(
        f"/observations/{entry}/retract",
        data={"csrf_token": csrf, "reason": "Mauvais stagiaire", "confirm": "oui"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and cancelled()


def test_every_page_names_an_icon_that_is_served(site):
    anonymous, _ = client(site)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', anonymous.get("/login").text).group(1)
    served = anonymous.get(icon)  # no 404 in the console on every page
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg")


def test_coordinator_shares_a_booklet_with_an_employer(site):
    coordinator, csrf = client(site, "coord@example.org")
    page = coordinator.post(
        f"/trainees/{site.trainee}/booklet/share",
        data={"csrf_token": csrf, "employer": "employeur.telenco"},
    )
    assert page.status_code == 200
    url = re.search(r'id="lien" readonly value="([^"]+)"', page.text).group(1)
    token = url.rsplit("/", 1)[1]
    employer = TestClient(site.app)  # anonymous: whoever received the link
    pdf = employer.get(f"/share/{token}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert employer.get(f"/verify/{token}").status_code == 400  # not a verification link
    assert employer.get(f"/share/{token[:-3]}xyz").status_code == 404
    assert len(token) == 22  # an opaque code, not the payload
    kept = hashlib.sha256(token.encode()).hexdigest()
    with site.gestes.store.database.read() as session:  # a copy of the store opens nothing
        codes = set(session.scalars(select(t.ShareLink.code)))
    assert token not in codes and kept in codes
    listed = coordinator.get(f"/trainees/{site.trainee}?ouvert=partages").text
    assert token not in listed and f'action="/shares/{kept}/revoke"' in listed
    withdrawn = coordinator.post(
        f"/shares/{kept}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert withdrawn.status_code == 303
    gone = employer.get(f"/share/{token}")
    assert gone.status_code == 410 and "retiré par l&#39;école" in gone.text
    trainer, trainer_csrf = client(site, "trainer@example.org")
    assert (
        trainer.post(f"/shares/{kept}/revoke", data={"csrf_token": trainer_csrf}).status_code == 403
    )
    refused = trainer.post(
        f"/trainees/{site.trainee}/booklet/share",
        data={"csrf_token": trainer_csrf, "employer": "employeur.telenco"},
    )
    assert refused.status_code == 403


def test_import_reports_how_many_trainees_it_added(site):
    coordinator, csrf = client(site, "coord@example.org")
    done = coordinator.post(
        f"/cohorts/{site.cohort}/trainees",
        data={"csrf_token": csrf},
        files={"file": ("liste.csv", "prenom,nom\nInès,Import\nLéo,Import\n".encode())},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard?added=2"
    assert "2 stagiaires ajoutés." in coordinator.get(done.headers["location"]).text
    assert "1 stagiaire ajouté." in coordinator.get("/dashboard?added=1").text  # agreement
    # Only a count comes from the URL: a crafted link cannot put its words on the page.
    crafted = coordinator.get("/dashboard", params={"added": "Appelez le 06 00 00 00 00"})
    assert crafted.status_code == 400 and "Appelez" not in crafted.text


def test_cohort_booklets_zip_with_progress(site):
    import io
    import zipfile

    coordinator, csrf = client(site, "coord@example.org")
    started = coordinator.post(f"/cohorts/{site.cohort}/booklets", data={"csrf_token": csrf})
    assert started.status_code == 200 and 'id="export"' in started.text
    # The progress has its own address (a reload or Back shows it, never re-posts: a 405).
    export_id = started.url.path.removeprefix("/exports/")
    assert re.fullmatch(r"[0-9a-f]{32}", export_id)
    from core.booklet.jobs import join

    assert join(export_id, timeout=120), "the export did not finish"
    export = site.gestes.store.jobs.get(export_id)
    assert export.state == "done" and export.error is None
    block = coordinator.get(f"/exports/{export_id}", headers={"HX-Request": "true"})
    assert "hx-trigger" not in block.text  # finished: the block stops polling
    assert f"{export.total} livrets prêts." in block.text
    archive = coordinator.get(f"/exports/{export_id}/download")
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    with (
        site.gestes.store.database.read() as session
    ):  # other tests of this module import trainees here
        trainees = session.scalar(
            select(func.count()).select_from(t.Trainee).where(t.Trainee.cohort_id == site.cohort)
        )
    assert len(names) == export.total == trainees >= 2
    assert all(n.endswith(".pdf") for n in names)
    other, _ = client(site, "trainer@example.org")
    assert other.get(f"/exports/{export_id}").status_code == 404  # not theirs


def test_the_gesture_page_puts_its_attempt_in_the_url(site):
    browser, _ = client(site, "trainer@example.org")
    page = browser.get(f"/trainees/{site.trainee}/gestures/{GESTURE}", follow_redirects=False)
    assert page.status_code == 303
    assert re.search(r"\?attempt=[0-9a-f]{32}$", page.headers["location"])  # a reload resumes


def test_validating_needs_a_tapped_step_and_a_chosen_autonomy(site):
    browser, csrf = client(site, "trainer@example.org")
    url = f"/trainees/{site.trainee}/gestures/{GESTURE}/attempts"
    before = observations(site)
    empty = browser.post(url, data={"csrf_token": csrf, "attempt": "vide00000001"})
    assert "Aucune étape notée" in empty.text and "Choisissez le degré d" in empty.text
    assert 'aria-describedby="erreur-autonomie"' in empty.text
    assert observations(site) == before  # nothing stored, not even an empty attempt


def test_a_tap_after_the_session_expired_comes_back_to_the_gesture_page(site):
    page = f"http://testserver/trainees/{site.trainee}/gestures/{GESTURE}?attempt=abc12345"
    anonymous = TestClient(site.app)
    tap = anonymous.post(
        f"/trainees/{site.trainee}/gestures/{GESTURE}/steps",
        data={"attempt": "abc12345", "step": "manchon", "result": "reussi"},
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )
    assert tap.status_code == 401
    from urllib.parse import parse_qs, urlsplit

    target = tap.headers["HX-Redirect"]
    [back] = parse_qs(urlsplit(target).query)["next"]
    assert back == f"/trainees/{site.trainee}/gestures/{GESTURE}?attempt=abc12345"  # not /steps


def test_the_login_limit_cannot_be_dodged_nor_turned_against_colleagues(site):
    limiter = site.app.state.limiter
    before = limiter.count("ip:testclient")
    browser = TestClient(site.app)
    for _ in range(5):
        browser.post("/login", data={"email": "Coord@Example.org", "password": "nope"})
    dodge = browser.post("/login", data={"email": "  coord@example.org ", "password": PASSWORD})
    assert dodge.status_code == 429  # spaces and case name the same account
    limiter.succeeded("email:coord@example.org")
    for n in range(6):  # random addresses from the school's shared network address
        browser.post("/login", data={"email": f"personne{n}@example.org", "password": "x"})
    colleague = browser.post(
        "/login",
        data={"email": "trainer@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert colleague.status_code == 303  # not locked out by someone else's failures
    assert limiter.count("ip:testclient") == before + 11  # still counted: 5 + 6 from here
    limiter.succeeded("ip:testclient")


def test_a_trainer_cancels_only_their_own_entries(site):
    browser, csrf = client(site, "trainer@example.org")
    admins = site.observations["coordinator"]  # written by the admin (user 1)
    refused = browser.post(
        f"/api/observations/{admins}/retract",
        json={"reason": "Pas la mienne"},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 403 and "Seule la personne" in refused.json()["detail"]


def test_a_cross_site_form_cannot_sign_anyone_in(site):
    browser = TestClient(site.app)
    form = {"email": "trainer@example.org", "password": PASSWORD}
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        forged = browser.post("/login", data=form, headers=headers, follow_redirects=False)
        assert forged.status_code == 403 and COOKIE not in forged.cookies
    same = browser.post(
        "/login", data=form, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303


def test_the_grid_finds_a_trainee_by_a_few_letters(site):
    browser, _ = client(site, "trainer@example.org")
    found = browser.get(f"/cohorts/{site.cohort}?q=diallo").text
    assert "Awa Diallo" in found and "fils" not in found  # the other trainee is filtered out
    assert "Awa Diallo" in browser.get(f"/cohorts/{site.cohort}?q=AWA").text
    assert f'href="/trainees/{site.trainee}#t-levels"' in found  # every cell is a way in


def test_after_an_attempt_the_session_goes_on(site):
    browser, csrf = client(site, "trainer@example.org")
    url = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    browser.post(
        f"{url}/steps",
        data={"csrf_token": csrf, "attempt": "suite0000001", "step": "manchon", "result": "reussi"},
    )
    done = browser.post(
        f"{url}/attempts",
        data={"csrf_token": csrf, "attempt": "suite0000001", "autonomy": "avec_aide"},
        headers={"HX-Request": "true"},
    ).text
    assert "Même geste :" in done and "Geste suivant :" in done
    assert f'href="/trainees/{site.trainee}/gestures/fibre.g.' in done


def test_an_attempt_left_unvalidated_is_found_on_the_trainee_page_and_can_be_given_up(site):
    """Taps made, the attempt never validated (a tab closed, the next trainee): the trainee
    page lists it with « Reprendre » (back to its own attempt) and « Abandonner »."""
    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    browser.post(
        f"{path}/steps",
        data={"csrf_token": csrf, "attempt": "leftopen01", "step": "cliver", "result": "reussi"},
    )
    page = browser.get(f"/trainees/{site.trainee}").text
    assert "Tentatives non validées" in page
    assert f'href="{path}?attempt=leftopen01"' in page
    action = f"/trainees/{site.trainee}/attempts/leftopen01/abandon"
    assert f'action="{action}"' in page
    unticked = browser.post(action, data={"csrf_token": csrf}, follow_redirects=False)
    assert unticked.status_code == 400 and "Je confirme l&#39;abandon" in unticked.text
    assert "leftopen01" in browser.get(f"/trainees/{site.trainee}").text  # never one tap
    gone = browser.post(action, data={"csrf_token": csrf, "confirm": "oui"}, follow_redirects=False)
    assert gone.status_code == 303
    assert "leftopen01" not in browser.get(f"/trainees/{site.trainee}").text
    late = browser.post(
        f"{path}/steps",
        data={"csrf_token": csrf, "attempt": "leftopen01", "step": "manchon", "result": "reussi"},
    )
    assert late.status_code == 400 and "déjà validée" in late.text


def test_a_trainers_home_lists_the_attempts_they_left_unvalidated(site):
    """The trainer who tapped and never validated finds the attempt on their home page, with
    the trainee's name, « Reprendre » and « Abandonner »; another trainer's list is empty of
    it; abandoned from there, the trainer lands back home and it is gone."""
    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/gestures/{GESTURE}"
    browser.post(
        f"{path}/steps",
        data={"csrf_token": csrf, "attempt": "homeleft01", "step": "cliver", "result": "reussi"},
    )
    home = browser.get("/cohorts").text
    assert "Vos tentatives non validées" in home
    assert f'href="{path}?attempt=homeleft01"' in home
    name = site.gestes.store.lookup.trainee(site.trainee)[0]
    assert f"{name.first_name} {name.last_name}" in home
    colleague, _ = client(site, WHO["coordinator"])
    assert "homeleft01" not in colleague.get("/cohorts").text  # theirs only
    action = f"/trainees/{site.trainee}/attempts/homeleft01/abandon"
    gone = browser.post(
        action,
        data={"csrf_token": csrf, "confirm": "oui", "back": "accueil"},
        follow_redirects=False,
    )
    assert gone.headers["location"] == "/cohorts"
    assert "homeleft01" not in browser.get("/cohorts").text


def test_a_page_can_ask_whether_its_form_arrived_by_its_key(site):
    """``/api/submitted/{key}``: true once a comment sent under that key is stored, false
    before, and false for another school's account (a key reveals nothing to it)."""
    browser, csrf = client(site, "trainer@example.org")
    key = "arrived0123456789"
    assert browser.get(f"/api/submitted/{key}").json() == {"stored": False}
    browser.post(
        f"/trainees/{site.trainee}/comments",
        data={"csrf_token": csrf, "submit_id": key, "text": "Arrivé, vérifié par sa clé."},
    )
    assert browser.get(f"/api/submitted/{key}").json() == {"stored": True}
    other, _ = client(site, WHO["other_school"])
    assert other.get(f"/api/submitted/{key}").json() == {"stored": False}


def test_a_form_from_an_outbox_is_acknowledged_in_json_never_by_a_redirect(site):
    """``X-Gestes-Outbox: <key>``: a stored comment answers 200 with the same key in
    ``X-Gestes-Saved`` and where the page would go; an ended session answers 401 (not a
    redirect to the login page a queue could take for success); a refusal keeps its page."""
    browser, csrf = client(site, "trainer@example.org")
    path = f"/trainees/{site.trainee}/comments"
    sent = {"csrf_token": csrf, "submit_id": "outbox0123456789", "text": "Gardé puis envoyé."}
    answer = browser.post(path, data=sent, headers={"X-Gestes-Outbox": "outbox0123456789"})
    assert answer.status_code == 200
    assert answer.headers["x-gestes-saved"] == "outbox0123456789"
    where = f"/trainees/{site.trainee}?ouvert=commentaires#commentaires"
    assert answer.json() == {"saved": True, "location": where}
    refused = browser.post(
        path,
        data={**sent, "submit_id": "outbox0123456790", "observed_on": "2099-01-01"},
        headers={"X-Gestes-Outbox": "outbox0123456790"},
    )
    assert refused.status_code == 400 and "x-gestes-saved" not in refused.headers
    assert "dans le futur" in refused.text
    anonymous = TestClient(site.app)
    ended = anonymous.post(
        path, data=sent, headers={"X-Gestes-Outbox": "k"}, follow_redirects=False
    )
    assert ended.status_code == 401 and "x-gestes-saved" not in ended.headers
    # Without the header, a page's form is answered as ever: a redirect to its page.
    plain = browser.post(
        path, data={**sent, "submit_id": "plain0123456789"}, follow_redirects=False
    )
    assert plain.status_code == 303


def test_a_photo_is_decoded_off_the_event_loop(site, monkeypatch):
    """While a photo is decoded and encoded again (seconds for a large one), the process
    keeps answering: /health returns before the decoding is let go. On the event loop, it
    would wait behind it and this test would fail (its join times out)."""
    import threading

    store = site.gestes.store
    entered, release = threading.Event(), threading.Event()
    original = store.evidence.add

    def slow_add(*args, **kwargs):
        entered.set()
        assert release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(store.evidence, "add", slow_add)
    with TestClient(site.app) as browser:  # one event loop for both requests
        browser.post("/login", data={"email": "trainer@example.org", "password": PASSWORD})
        page = browser.get("/cohorts").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answers: dict[str, int] = {}

        def upload() -> None:
            answers["photo"] = browser.post(
                f"/observations/{site.observations['trainer']}/evidence",
                data={"csrf_token": csrf},
                files={"photo": ("p.jpg", JPEG)},
                follow_redirects=False,
            ).status_code

        def health() -> None:
            answers["health"] = browser.get("/health").status_code

        uploading = threading.Thread(target=upload)
        uploading.start()
        assert entered.wait(10)  # the photo is being decoded now
        asking = threading.Thread(target=health)
        asking.start()
        asking.join(timeout=10)
        answered_while_decoding = not asking.is_alive()
        release.set()
        uploading.join(timeout=30)
        asking.join(timeout=30)
    assert answered_while_decoding and answers["health"] == 200
    assert answers["photo"] in (200, 303)


def test_the_limits_are_the_stores_so_every_process_counts_them_together(site):
    """Two apps on one store (two workers, or the same after a restart): failures counted by
    one throttle the other — in memory, each allowed five."""
    from web import create_app

    other = TestClient(create_app(site.gestes))
    first = TestClient(site.app)
    for browser in (first, other, first, other, first):
        browser.post("/login", data={"email": "spare@example.org", "password": "nope"})
    assert (
        other.post("/login", data={"email": "spare@example.org", "password": PASSWORD}).status_code
        == 429
    )
    site.app.state.limiter.succeeded("email:spare@example.org", "ip:testclient")
    with site.gestes.store.database.read() as session:  # no address, no e-mail in clear
        keys = session.scalars(select(t.FailedAttempt.key)).all()
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


def test_the_verification_page_says_whether_a_file_is_the_booklet_signed(site):
    """An auditor drops the PDF on the booklet's page: the file signed for that code, as it
    was downloaded, is « exactement » it; a byte changed, another booklet's file, or not a
    PDF at all, are told apart; the certificate's fingerprint is printed to compare with
    what a PDF reader shows. Nothing is kept."""
    from pypdf import PdfReader

    trainer, _ = client(site, "trainer@example.org")
    signed = trainer.get(f"/trainees/{site.trainee}/booklet.pdf").content
    other = trainer.get(f"/trainees/{site.trainee}/booklet.pdf?employer=employeur.telenco").content
    link = next(
        a["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(signed)).pages
        for a in (x.get_object() for x in page.get("/Annots", []))
        if "/v/" in a.get("/A", {}).get("/URI", "")
    )
    path = link[link.index("/v/") :]
    employer = TestClient(site.app)
    page = html.unescape(employer.get(path).text)
    assert "Certificat de signature de l'école (SHA-256)" in page
    assert re.search(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", page)

    def check(content: bytes) -> str:
        answer = employer.post(path, files={"livret": ("livret.pdf", content)})
        assert answer.status_code == 200
        return html.unescape(answer.text)

    exact = check(signed)
    assert "exactement le livret remis" in exact and hashlib.sha256(signed).hexdigest() in exact
    tampered = bytearray(signed)
    tampered[len(tampered) // 3] ^= 0x01
    assert "modifié après sa remise" in check(bytes(tampered))
    assert "c'est un autre livret" in check(other)
    assert "n'est pas un PDF" in check(b"<html>pas un livret</html>")
    assert "complété après sa signature" in check(signed + b"\n% ajout\n")

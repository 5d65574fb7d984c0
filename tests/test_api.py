"""The JSON API does what the pages do, with the same checks; errors are JSON, in French.

Who may call which route is tested by the authorization matrix in test_web.py; these tests
follow an API client through whole tasks and check what was stored.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.store import tables as t
from tests.conftest import photo
from tests.test_web import GESTURE, PASSWORD, Site, build_site, observations


@pytest.fixture(scope="module")
def site(tmp_path_factory, definitions):
    return build_site(tmp_path_factory.mktemp("api"), definitions)


def api_client(site: Site, email: str) -> TestClient:
    """Signs in like a script would: the login form, then the CSRF token from /api/me."""
    browser = TestClient(site.app)
    signed = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    me = browser.get("/api/me").json()
    assert me["email"] == email
    browser.headers["X-CSRF-Token"] = me["csrf_token"]
    return browser


@pytest.fixture
def trainer(site):
    return api_client(site, "trainer@example.org")


def test_a_script_signs_in_and_reads_its_cohorts(site):
    trainer = api_client(site, "trainer@example.org")
    names = {c["name"] for c in trainer.get("/api/cohorts").json()}
    assert "Fibre Marseille" in names and "Fibre Lyon" not in names
    lyon = api_client(site, "lyon@example.org")
    assert [c["name"] for c in lyon.get("/api/cohorts").json()] == ["Fibre Lyon"]
    anonymous = TestClient(site.app).get("/api/cohorts")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Connexion requise."}


def test_writes_without_the_csrf_header_are_refused(site, trainer):
    del trainer.headers["X-CSRF-Token"]
    before = observations(site)
    response = trainer.post(
        f"/api/trainees/{site.trainee}/comments", json={"text": "Sans jeton", "key": "nocsrf01"}
    )
    assert response.status_code == 403 and "Jeton de sécurité" in response.json()["detail"]
    assert observations(site) == before


def test_an_unfinished_attempt_is_listed_and_abandoned_through_the_api(site, trainer):
    url = f"/api/trainees/{site.trainee}"
    tap = {"gesture": GESTURE, "attempt": "apileft0001", "step": "cliver", "result": "reussi"}
    assert trainer.post(f"{url}/taps", json=tap).status_code == 200
    (left,) = trainer.get(f"{url}/unfinished").json()
    assert left["attempt"] == "apileft0001" and left["gesture"] == GESTURE and left["taps"] == 1
    gone = trainer.post(f"{url}/attempts/apileft0001/abandon")
    assert gone.status_code == 200 and gone.json() == {"abandoned": 1}
    assert trainer.get(f"{url}/unfinished").json() == []
    again = trainer.post(f"{url}/attempts/apileft0001/abandon")
    assert again.status_code == 400 and "déjà validée ou abandonnée" in again.json()["detail"]
    late = trainer.post(f"{url}/taps", json={**tap, "step": "manchon"})
    assert late.status_code == 400


def test_live_taps_then_validation_score_a_gesture(site, trainer):
    steps = [s.key for s in site.gestes.catalog.gesture(GESTURE).steps]
    url = f"/api/trainees/{site.trainee}"
    for n, step in enumerate(steps):
        tap = trainer.post(
            f"{url}/taps",
            json={"gesture": GESTURE, "attempt": "apiflow0001", "step": step, "result": "reussi"},
        )
        assert tap.status_code == 200, tap.text
        body = tap.json()
        assert body["created"] and body["steps"][step] == "reussi"
        assert body["outcome"]["passed_steps"] == n + 1
    assert body["outcome"]["outcome"] == "passed"
    again = trainer.post(  # a retried request carries the same tap number: stored once
        f"{url}/taps",
        json={"gesture": GESTURE, "attempt": "apiflow0001", "step": steps[0], "result": "reussi"},
    ).json()
    assert again["created"] is False and again["counts"][steps[0]] == 1

    resumed = trainer.get(f"{url}/gestures/{GESTURE}/attempts/apiflow0001").json()
    assert resumed["steps"] == dict.fromkeys(steps, "reussi")  # e.g. on another tablet
    assert resumed["outcome"]["outcome"] == "passed"
    fresh = trainer.get(f"{url}/gestures/{GESTURE}/attempts/notyet0001").json()
    assert fresh == {"steps": {}, "counts": {}, "outcome": None}

    before = site.gestes.store.records.trainee_record(site.trainee).gestures[GESTURE].passed
    done = trainer.post(
        f"{url}/attempts",
        json={
            "gesture": GESTURE,
            "attempt": "apiflow0001",
            "autonomy": "autonome",  # the forms' word
            "key": "apiflow0001:final",
        },
    )
    assert done.status_code == 200 and done.json()["outcome"]["outcome"] == "passed"
    retried = trainer.post(
        f"{url}/attempts",
        json={
            "gesture": GESTURE,
            "attempt": "apiflow0001",
            "autonomy": "autonome",  # the forms' word
            "key": "apiflow0001:final",
        },
    )
    assert retried.json()["created"] is False
    late = trainer.post(  # another tablet's tap, arriving after the validation: refused, said
        f"{url}/taps",
        json={
            "gesture": GESTURE,
            "attempt": "apiflow0001",
            "step": steps[0],
            "result": "a_reprendre",
        },
    )
    assert late.status_code == 400 and "déjà validée" in late.json()["detail"]
    assert (
        site.gestes.store.records.trainee_record(site.trainee).gestures[GESTURE].passed
        == before + 1
    )
    record = trainer.get(url).json()
    assert record["gestures"][GESTURE]["passed"] == before + 1


def test_refused_scores_answer_json_and_store_nothing(site, trainer):
    url = f"/api/trainees/{site.trainee}"
    before = observations(site)
    unknown_step = trainer.post(
        f"{url}/taps",
        json={"gesture": GESTURE, "attempt": "apiflow0002", "step": "danse", "result": "reussi"},
    )
    assert unknown_step.status_code == 400
    assert "tape" in unknown_step.json()["detail"]  # « Étape inconnue … »
    other_sector = trainer.post(
        f"{url}/taps",
        json={
            "gesture": "datacenter.g.racker_serveur",
            "attempt": "apiflow0002",
            "step": "x",
            "result": "reussi",
        },
    )
    assert other_sector.status_code == 404
    both = trainer.post(
        f"{url}/attempts",
        json={
            "gesture": GESTURE,
            "attempt": "apiflow0002",
            "steps": {"manchon": "reussi"},
            "autonomy": 3,
            "key": "both-given",
        },
    )
    assert both.status_code == 422
    nothing_tapped = trainer.post(
        f"{url}/attempts",
        json={"gesture": GESTURE, "attempt": "neverseen01", "autonomy": 3, "key": "empty-01"},
    )
    assert nothing_tapped.status_code == 400
    assert nothing_tapped.json()["detail"] == "Aucune étape enregistrée pour cette tentative."
    bad_measure = trainer.post(
        f"{url}/evaluations/fibre.e.bilan_liaison",
        json={
            "measurements": {"longueur_m": ["quatre cents"], "perte_1310_db": ["1"]},
            "key": "bad-measure",
        },
    )
    assert bad_measure.status_code == 422
    [error] = bad_measure.json()["detail"]
    assert error["field"] == "longueur_m" and "n'est pas un nombre" in error["message"]
    assert observations(site) == before


def test_ids_beyond_any_row_are_bad_input_not_a_crash(site, trainer):
    """Found by schemathesis: an id past the database's integer range overflowed the driver
    (a 500). Now it is refused before any query, on the API and on the pages alike."""
    huge = 2**80
    grid = trainer.get(f"/api/cohorts/{huge}/grid")
    assert grid.status_code == 422 and grid.json()["detail"][0]["loc"] == ["path", "cohort_id"]
    upload = trainer.post(
        f"/api/observations/{huge}/evidence", files={"photo": ("p.png", b"\x89PNG", "image/png")}
    )
    assert upload.status_code == 422
    assert trainer.get(f"/api/trainees/{2**31}").status_code == 422  # PostgreSQL's limit
    page = trainer.get(f"/trainees/{huge}")  # a person: the page does not exist
    assert page.status_code == 404 and "Introuvable." in page.text and "<html" in page.text
    assert trainer.get(f"/api/trainees/{2**31 - 1}").status_code == 404  # in range: not found


def test_comment_evidence_and_correction(site, trainer):
    url = f"/api/trainees/{site.trainee}"
    comment = trainer.post(f"{url}/comments", json={"text": "Gestes sûrs.", "key": "apicomm01"})
    assert comment.json()["created"] is True
    assert (
        trainer.post(f"{url}/comments", json={"text": "Gestes sûrs.", "key": "apicomm01"}).json()[
            "created"
        ]
        is False
    )
    assert [c["text"] for c in trainer.get(url).json()["comments"]].count("Gestes sûrs.") == 1

    steps = {s.key: "reussi" for s in site.gestes.catalog.gesture(GESTURE).steps}
    attempt = trainer.post(
        f"{url}/attempts",
        json={"gesture": GESTURE, "steps": steps, "autonomy": 3, "key": "apiwrong01"},
    ).json()["id"]
    upload = trainer.post(
        f"/api/observations/{attempt}/evidence",
        files={"photo": ("soudure.png", photo("PNG"), "image/png")},
    )
    assert upload.status_code == 200
    fake = trainer.post(
        f"/api/observations/{attempt}/evidence",
        files={"photo": ("script.png", b"#!/bin/sh\nrm -rf /\n", "image/png")},
    )
    assert fake.status_code == 400 and "Type de fichier refusé" in fake.json()["detail"]
    with site.gestes.store.database.read() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(t.Evidence)
                .where(t.Evidence.observation_id == attempt)
            )
            == 1
        )

    passed = trainer.get(url).json()["gestures"][GESTURE]["passed"]
    short = trainer.post(f"/api/observations/{attempt}/retract", json={"reason": "non"})
    assert short.status_code == 422
    retracted = trainer.post(
        f"/api/observations/{attempt}/retract", json={"reason": "Mauvais stagiaire"}
    )
    assert retracted.status_code == 200 and retracted.json()["created"] is True
    assert trainer.get(url).json()["gestures"][GESTURE]["passed"] == passed - 1
    with site.gestes.store.database.read() as session:  # superseded, never erased
        assert session.get(t.Observation, attempt) is not None


def test_coordinator_imports_trainees_and_records_an_exit(site):
    coordinator = api_client(site, "coord@example.org")
    url = f"/api/cohorts/{site.cohort}/trainees"
    refused = coordinator.post(
        url,
        json=[
            {"first_name": "Léa", "last_name": "Bon"},
            {"first_name": "", "last_name": "Sansprénom"},
            {"first_name": "Max", "last_name": "Mail", "email": "pas-une-adresse"},
        ],
    )
    assert refused.status_code == 422
    assert [problem["message"] for problem in refused.json()["detail"]] == [
        "stagiaire 2 : prénom manquant",
        "stagiaire 3 : adresse e-mail invalide « pas-une-adresse »",
    ]  # in the one shape of a field refusal (web/contract.py)
    grid = coordinator.get(f"/api/cohorts/{site.cohort}/grid").json()
    assert "Léa Bon" not in [row["name"] for row in grid["trainees"]]  # all or none

    [lea] = coordinator.post(url, json=[{"first_name": "Léa", "last_name": "Bon"}]).json()[
        "trainees"
    ]
    today = dt.date.today().isoformat()  # an exit is never in the future, nor before the cohort
    exit_ = {"kind": "cdi", "on": today, "employer": "employeur.telenco", "key": "lea-exit"}
    assert coordinator.post(f"/api/trainees/{lea}/exit", json=exit_).json()["created"]
    unknown = coordinator.post(
        f"/api/trainees/{lea}/exit", json={**exit_, "employer": "nobody", "key": "lea-exit-2"}
    )
    assert unknown.status_code == 400 and "inconnu" in unknown.json()["detail"]
    [stats] = [s for s in coordinator.get("/api/exits").json() if s["cohort"] == site.cohort]
    assert stats["positive"] >= 1 and stats["by_kind"]["cdi"] >= 1
    assert coordinator.get(f"/api/trainees/{lea}").json()["exit"]["kind"] == "cdi"


def test_booklet_data_for_an_employer(site, trainer):
    url = f"/api/trainees/{site.trainee}/booklet"
    data = trainer.get(url, params={"employer": "employeur.telenco"}).json()
    assert data["trainee"] == "Awa Diallo"
    [part] = data["employers"]
    assert part["name"] and 0 <= part["percent"] <= 100 and part["lines"]
    assert trainer.get(url, params={"employer": "nobody"}).status_code == 404


def test_admin_manages_accounts(site):
    admin = api_client(site, "admin@example.org")
    made = admin.post(
        "/api/users",
        json={
            "email": "api.user@example.org",
            "name": "Api User",
            "password": PASSWORD,
            "role": "coordinator",
            "schools": [1],
        },
    )
    assert made.status_code == 200, made.text
    new = made.json()["id"]
    listed = {u["email"]: u for u in admin.get("/api/users").json()}
    assert listed["api.user@example.org"] == {
        "id": new,
        "email": "api.user@example.org",
        "name": "Api User",
        "role": "coordinator",
        "active": True,
        "schools": [1],
    }  # never a password hash
    duplicate = admin.post(
        "/api/users",
        json={
            "email": "API.user@example.org",
            "name": "Bis",
            "password": PASSWORD,
            "role": "trainer",
        },
    )
    assert duplicate.status_code == 400 and "existe déjà" in duplicate.json()["detail"]
    nowhere = admin.post(
        "/api/users",
        json={
            "email": "nowhere@example.org",
            "name": "Nulle Part",
            "password": PASSWORD,
            "role": "trainer",
            "schools": [999],
        },
    )
    assert nowhere.status_code == 400 and nowhere.json()["detail"] == "École inconnue."
    assert "nowhere@example.org" not in {u["email"] for u in admin.get("/api/users").json()}

    user = api_client(site, "api.user@example.org")
    assert user.get("/api/exits").status_code == 403  # a password someone else chose…
    own = "la phrase de l'api, à elle"
    chosen = user.post("/api/me/password", json={"current": PASSWORD, "new": own, "confirm": own})
    assert chosen.status_code == 200, chosen.text
    assert user.get("/api/exits").status_code == 200  # …replaced by its owner's
    me = admin.get("/api/me").json()["id"]
    assert admin.post(f"/api/users/{me}/active", json={"active": False}).status_code == 400
    assert admin.post(f"/api/users/{new}/active", json={"active": False}).json()["active"] is False
    assert user.get("/api/exits").status_code == 401  # its session ended at once


def test_invalid_bodies_are_answered_in_french_with_the_field_named(site, trainer):
    missing = trainer.post(f"/api/trainees/{site.trainee}/comments", json={"text": "Sans clé"})
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {"field": "key", "message": "champ obligatoire", "loc": ["body", "key"]}
    ]
    short = trainer.post(
        f"/api/trainees/{site.trainee}/comments", json={"text": "Oui", "key": "court"}
    )
    assert short.json()["detail"][0]["message"] == "texte trop court"


def test_an_attempt_never_assumes_autonomy(site, trainer):
    unsaid = trainer.post(
        f"/api/trainees/{site.trainee}/attempts",
        json={"gesture": GESTURE, "steps": {"manchon": "reussi"}, "key": "no-autonomy-1"},
    )
    assert unsaid.status_code == 422
    assert unsaid.json()["detail"][0] == {
        "field": "autonomy",
        "message": "champ obligatoire",
        "loc": ["body", "autonomy"],
    }


def test_one_changes_ones_password_through_the_api_and_other_sessions_end(site):
    from core.domain import Role

    email = "api-password@example.org"
    site.gestes.store.directory.create_user(email, "Api", PASSWORD, Role.TRAINER, [1])
    script = api_client(site, email)
    other = api_client(site, email)  # another device
    new = "une phrase de six mots"
    body = {"current": PASSWORD, "new": new, "confirm": "autre chose encore"}
    mismatch = script.post("/api/me/password", json=body)
    assert mismatch.status_code == 400 and mismatch.json()["field"] == "confirm"
    weak = script.post("/api/me/password", json={**body, "new": "court", "confirm": "court"})
    assert weak.status_code == 400 and "12 caractères" in weak.json()["detail"]
    assert other.get("/api/me").status_code == 200  # nothing changed yet
    done = script.post("/api/me/password", json={**body, "confirm": new})
    assert done.status_code == 200 and done.json() == {"changed": True}
    assert script.get("/api/me").status_code == 200  # this session stays
    assert other.get("/api/me").status_code == 401  # the other device is signed out
    assert site.gestes.store.accounts.authenticate(email, new) is not None


def test_every_api_route_declares_its_success_body(site):
    """The OpenAPI schema says what each route answers on success (a model, never an
    untyped object), so a client and schemathesis can hold the API to it."""
    spec = site.app.openapi()
    untyped = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            body = operation["responses"].get("200", {}).get("content", {})
            schema = body.get("application/json", {}).get("schema", {})
            typed = "$ref" in schema or "$ref" in schema.get("items", {})
            if not typed:
                untyped.append(f"{method.upper()} {path}")
    assert untyped == []


def test_files_are_documented_as_what_they_are(site):
    """The schema promises each file's own type (an image was documented as text/html):
    schemathesis' content-type conformance holds the routes to it (tests/test_api_fuzz.py)."""
    spec = site.app.openapi()
    expected = {
        "/evidence/{evidence_id}": ["image/jpeg", "image/png", "image/webp", "application/pdf"],
        "/trainees/{trainee_id}/booklet.pdf": ["application/pdf"],
        "/status/revocation": ["application/vc+jwt"],
        "/exports/{export_id}/download": ["application/zip"],
    }
    for path, types in expected.items():
        assert list(spec["paths"][path]["get"]["responses"]["200"]["content"]) == types, path

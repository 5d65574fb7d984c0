"""Each school its legal body and its signature: the organisation printed on its booklets and
documents, the certificate they are signed with, badges issued in its name, every change
traced, from the pages, the CLI and on every machine of a network."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from core.booklet.handing import verified_booklet
from core.booklet.identity import checked_pair, new_certificate
from core.booklet.printing import cached_pdf
from core.booklet.signing import certificate_name, file_check, signature_status
from core.cli.main import build_cli
from core.domain import Organisation, RecordError, Role
from core.settings import Settings
from core.store import Store
from core.store.database import Database
from web import create_app

PASSWORD = "mot-de-passe-long"
SPLICE = "fibre.g.soudure_fusion"
MARSEILLE = Organisation("E2C Marseille", "93130000013", "123 456 789 00012", "QUA-2024-17")


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def signer_of(pdf: bytes) -> str:
    """The signer's certificate name a PDF reader shows."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    [signature] = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    return str(signature.signer_cert.subject.native["organization_name"])


def test_a_schools_organisation_is_checked_kept_with_its_trace_and_falls_back(world):
    gestes, school = world.gestes, world.school
    organisations = gestes.store.organisations
    with pytest.raises(RecordError) as refused:
        organisations.set(school, Organisation("E2C", nda="93 13 000"), world.coordinator)
    assert refused.value.field == "nda" and "11 chiffres" in str(refused.value)
    with pytest.raises(RecordError) as refused:
        organisations.set(school, Organisation("E2C", siret="1234"), world.coordinator)
    assert refused.value.field == "siret"
    assert gestes.store.lookup.school(school).organisation == Organisation()  # nothing kept
    organisations.set(school, MARSEILLE, world.coordinator)
    kept = gestes.store.lookup.school(school).organisation
    assert kept.nda == "93 13 00000 13" and kept.siret == "123 456 789 00012"
    history = gestes.store.corrections.history("school", [school])
    assert {(c.field, c.before, c.after, c.by) for c in history} >= {
        ("organisme", None, "E2C Marseille", "Inès Coordinatrice"),
        ("NDA", None, "93 13 00000 13", "Inès Coordinatrice"),
    }
    assert gestes.identity(school).organisation.line == (
        "E2C Marseille · NDA 93 13 00000 13 · SIRET 123 456 789 00012 · "
        "certificat Qualiopi QUA-2024-17"
    )
    # Fields left empty take the installation's; another body never borrows its numbers.
    default = Organisation("Réseau E2C", "11111111111", contact="contact@reseau.example")
    assert Organisation(contact="04 91 00 00 00").over(default).line == (
        "Réseau E2C · NDA 11111111111"
    )
    assert MARSEILLE.over(default) == MARSEILLE


def acquire(world) -> None:
    """The splice competency acquired by the first trainee: a booklet with badges."""
    from core.catalog.definitions import Autonomy
    from core.judging.attempts import StepResult
    from core.judging.evaluation import Submission

    catalog, observations = world.gestes.catalog, world.gestes.store.observations
    trainee, trainer = world.trainees[0], world.trainer
    steps = {s.key: StepResult.REUSSI for s in catalog.gesture(SPLICE).steps}
    for day in (2, 9):
        day_of = dt.date(2026, 2, day)
        observations.record_attempt(
            trainee, trainer, SPLICE, steps, Autonomy.AUTONOME, day_of, f"a{day}"
        )
    evaluation = catalog.evaluation("fibre.e.epissures")
    submission = Submission(
        criteria={c.key: True for c in evaluation.criteria},
        measurements={"pertes_db": (0.04,) * 11 + (0.15,)},
    )
    observations.record_evaluation(
        trainee, trainer, "fibre.e.epissures", submission, dt.date(2026, 2, 10), "e1"
    )


def test_each_school_signs_its_booklets_and_badges_with_its_own_certificate(world):
    gestes, marseille = world.gestes, world.school
    acquire(world)
    lyon = world.directory.create_school(None, "École de Lyon", "Lyon", "territoire.lyon")
    gestes.store.organisations.set(marseille, MARSEILLE, None)
    gestes.store.organisations.set_signing(marseille, *new_certificate("E2C Marseille"), None)
    record = gestes.store.records.trainee_record(world.trainees[0])
    data = verified_booklet(gestes, record, served_at="http://testserver/")
    identity = gestes.trainee_identity(world.trainees[0])
    pdf = cached_pdf(data, gestes.store.files.within("booklets"), identity)
    assert signer_of(pdf) == "E2C Marseille"
    assert "NDA 93 13 00000 13" in pdf_text(pdf)  # printed on the booklet itself
    assert file_check(pdf, identity, data.verify_url.rsplit("/", 1)[1])[0]
    # Lyon's documents trust Lyon's certificate (the installation's), not Marseille's.
    assert not signature_status(pdf, gestes.identity(lyon)).trusted
    # Badges: issued by Marseille's profile, verified with the key it publishes.
    tokens = json.loads(PdfReader(io.BytesIO(pdf)).attachments["open-badges.json"][0])
    site = TestClient(create_app(gestes))
    slug = gestes.store.lookup.school(marseille).slug
    profile = site.get(f"/issuer/ecole/{slug}").json()
    assert profile["name"] == "E2C Marseille"
    assert profile["id"] == f"http://testserver/issuer/ecole/{slug}"
    assert site.get(f"/issuer/ecole/{gestes.store.lookup.school(lyon).slug}").status_code == 404

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from jwt.algorithms import ECAlgorithm
    from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

    def verifier(path: str) -> OB3Verifier:
        key = ECAlgorithm.from_jwk(json.dumps(site.get(path).json()))
        return OB3Verifier(key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))

    credential = verifier(f"/issuer/ecole/{slug}/key").verify(tokens[0])
    assert credential.issuer.id == profile["id"]
    with pytest.raises(OB3VerificationError):
        verifier("/issuer/key").verify(tokens[0])  # not the installation's key


def test_a_booklet_signed_before_a_change_of_certificate_still_verifies(world):
    gestes, school = world.gestes, world.school
    record = gestes.store.records.trainee_record(world.trainees[0])
    data = verified_booklet(gestes, record, served_at="http://testserver/")
    code = data.verify_url.rsplit("/", 1)[1]
    before = cached_pdf(data, gestes.store.files.within("booklets"), gestes.identity(school))
    gestes.store.organisations.set_signing(school, *new_certificate("E2C Marseille"), None)
    first = cached_pdf(data, gestes.store.files.within("booklets"), gestes.identity(school))
    gestes.store.organisations.set_signing(school, *new_certificate("E2C Marseille"), None)
    now = gestes.identity(school)
    assert signer_of(before) != signer_of(first)  # the installation's, then the school's
    assert file_check(before, now, code)[0] and file_check(first, now, code)[0]
    history = [c.field for c in gestes.store.corrections.history("school", [school])]
    assert history == ["certificat de signature"] * 2


def test_a_seal_given_as_pem_files_must_be_a_key_and_its_certificate(tmp_path):
    key, cert = new_certificate("AFPA Roubaix")
    other_key, _ = new_certificate("Autre")
    assert checked_pair(key, cert.encode())[1].strip() == cert.strip()
    with pytest.raises(RecordError) as refused:
        checked_pair(other_key, cert.encode())
    assert refused.value.field == "key" and "pas celle du certificat" in str(refused.value)
    with pytest.raises(RecordError) as refused:
        checked_pair(key, b"-----BEGIN CERTIFICATE-----\nabc\n")
    assert refused.value.field == "cert"


def test_the_certificate_and_sheets_of_a_school_carry_its_organisation(world):
    from core.attendance.documents import certificate_pdf

    gestes, school = world.gestes, world.school
    gestes.store.organisations.set(school, MARSEILLE, None)
    gestes.store.organisations.set_signing(school, *new_certificate("E2C Marseille"), None)
    pdf = certificate_pdf(gestes, world.trainees[0], dt.date(2026, 4, 10))
    text = pdf_text(pdf)
    assert "E2C Marseille" in text and "93 13 00000 13" in text
    assert signer_of(pdf) == "E2C Marseille"
    assert signature_status(pdf, gestes.identity(school)).trusted


def test_another_machine_of_the_network_signs_with_the_schools_key(world, tmp_path):
    """Keys in the file store (the database, as a network keeps them): a machine with an
    empty data directory signs with the key of the certificate the school was given."""
    from core.context import Gestes

    def machine(folder: str) -> Gestes:
        settings = Settings(data_dir=tmp_path / folder, file_store="database")
        store = Store(Database(world.gestes.store.database.engine), world.gestes.catalog, settings)
        return Gestes(world.gestes.definitions, settings, store)

    first, second = machine("first"), machine("second")
    first.store.organisations.set_signing(world.school, *new_certificate("E2C Marseille"), None)
    record = second.store.records.trainee_record(world.trainees[0])
    data = verified_booklet(second, record, served_at="http://testserver/")
    pdf = cached_pdf(data, tmp_path / "cache", second.trainee_identity(world.trainees[0]))
    assert signer_of(pdf) == "E2C Marseille"
    assert signature_status(pdf, first.identity(world.school)).trusted


def signed_in(gestes, email: str) -> tuple[TestClient, str]:
    browser = TestClient(create_app(gestes))
    browser.post("/login", data={"email": email, "password": PASSWORD})
    return browser, browser.get("/api/me").json()["csrf_token"]


def test_the_administration_sets_a_schools_organisation_and_signature_from_its_page(world):
    gestes, school = world.gestes, world.school
    world.directory.create_user("admin@example.org", "Admin", PASSWORD, Role.ADMIN)
    admin, csrf = signed_in(gestes, "admin@example.org")
    page = f"/admin/schools/{school}/organisation"
    assert "Organisme et signature" in admin.get(f"/admin/schools/{school}").text
    assert 'value="None"' not in admin.get(page).text  # empty fields are empty
    wrong = admin.post(page, data={"csrf_token": csrf, "name": "E2C", "siret": "12"})
    assert wrong.status_code == 400 and 'id="erreur-siret"' in wrong.text
    assert "14 chiffres" in wrong.text and 'value="E2C"' in wrong.text  # what was typed stays
    fields = {"name": "E2C Marseille", "nda": "93130000013", "qualiopi": "QUA-2024-17"}
    saved = admin.post(page, data={"csrf_token": csrf, **fields}, follow_redirects=True)
    assert "E2C Marseille · NDA 93 13 00000 13" in saved.text
    own = admin.post(
        f"/admin/schools/{school}/certificate",
        data={"csrf_token": csrf, "choice": "own"},
        follow_redirects=True,
    )
    assert "certificat propre à l'école" in own.text
    assert certificate_name(gestes.identity(school).cert) == "E2C Marseille"
    key, cert = new_certificate("Autre organisme")
    mismatched = admin.post(
        f"/admin/schools/{school}/certificate",
        data={"csrf_token": csrf, "choice": "upload"},
        files={"key": ("k.pem", new_certificate("X")[0]), "cert": ("c.pem", cert.encode())},
    )
    assert mismatched.status_code == 400 and "pas celle du certificat" in mismatched.text
    uploaded = admin.post(
        f"/admin/schools/{school}/certificate",
        data={"csrf_token": csrf, "choice": "upload"},
        files={"key": ("k.pem", key), "cert": ("c.pem", cert.encode())},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert certificate_name(gestes.identity(school).cert) == "Autre organisme"
    history = admin.get(page).text
    assert "Historique des modifications" in history and "certificat de signature" in history
    coordinator, coordinator_csrf = signed_in(gestes, "coord@example.org")
    assert coordinator.get(page).status_code == 403
    refused = coordinator.post(page, data={"csrf_token": coordinator_csrf, "name": "Pirate"})
    assert refused.status_code == 403
    assert gestes.store.lookup.school(school).organisation.name == "E2C Marseille"


def test_the_command_line_sets_and_shows_a_schools_organisation_and_certificate(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    runner = CliRunner()
    cli = build_cli()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(
        cli, ["school", "create", "E2C Roubaix", "--city", "Roubaix", "--territory",
              "territoire.hauts_de_france"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    bad = runner.invoke(cli, ["school", "organisation", "1", "--nda", "12"])
    assert bad.exit_code == 1 and "11 chiffres" in bad.output
    shown = runner.invoke(
        cli, ["school", "organisation", "1", "--name", "E2C Grand Lille", "--siret",
              "12345678900012"],
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "E2C Grand Lille · SIRET 123 456 789 00012" in shown.output
    signed = runner.invoke(cli, ["school", "certificate", "1", "--make"])
    assert signed.exit_code == 0, signed.output
    assert "« E2C Grand Lille » (its own certificate)" in signed.output
    assert "SHA-256 " in signed.output
    back = runner.invoke(cli, ["school", "certificate", "1", "--installation"])
    assert "(the installation's certificate)" in back.output

"""Skill booklets: read the PDF back and check what an employer relies on."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from core.booklet.data import TEMPLATES, build_booklet
from core.booklet.handing import verified_booklet
from core.booklet.printing import render_html, render_pdf
from core.catalog.definitions import Autonomy, Phase
from core.cli.main import build_cli
from core.context import open_gestes
from core.domain import ExitKind, NewTrainee, Role
from core.immersion.record import ImmersionRecord
from core.judging.attempts import StepResult
from core.judging.evaluation import Submission
from core.settings import Settings
from core.store import tables as t

SPLICE = "fibre.g.soudure_fusion"


@pytest.fixture(scope="module")
def fibre(tmp_path_factory, definitions):
    """A fibre trainee in Lyon with two autonomous splices on two days and a splice test."""
    folder = tmp_path_factory.mktemp("booklet")
    gestes = open_gestes(Settings(data_dir=folder), definitions=definitions, migrate=True)
    directory = gestes.store.directory
    school = directory.create_school("lyon", "E2C Rhône", "Lyon", "territoire.lyon")
    trainer = directory.create_user(
        "nadia@example.org", "Nadia Morel", "mot-de-passe-long", Role.TRAINER, [school]
    )
    today = dt.date.today()
    cohort = directory.create_cohort(
        school, "fibre", "Fibre Lyon", today - dt.timedelta(days=40), today + dt.timedelta(days=50)
    )
    [trainee] = directory.add_trainees(cohort, [NewTrainee("Awa", "<b>Diallo</b>")])
    steps = {s.key: StepResult.REUSSI for s in definitions.catalog.gesture(SPLICE).steps}
    for days_ago in (9, 2):
        gestes.store.observations.record_attempt(
            trainee,
            trainer,
            SPLICE,
            steps,
            Autonomy.AUTONOME,
            today - dt.timedelta(days=days_ago),
            f"a{days_ago}",
        )
    evaluation = definitions.catalog.evaluation("fibre.e.epissures")
    submission = Submission(
        criteria={c.key: True for c in evaluation.criteria},
        measurements={"pertes_db": (0.04,) * 11 + (0.15,)},
    )
    gestes.store.observations.record_evaluation(
        trainee, trainer, "fibre.e.epissures", submission, today, "e1"
    )
    gestes.store.observations.record_comment(
        trainee, trainer, "Geste précis et soigné.", today, "c1"
    )
    return gestes, trainee


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_employer_requirements_come_first(fibre):
    gestes, trainee = fibre
    record = gestes.store.records.trainee_record(trainee)
    data = build_booklet(
        gestes.definitions,
        record,
        employer="employeur.infranum_lyon_deploiement",
        immersion=ImmersionRecord(),
    )
    [part] = data.employers
    souder = next(line for line in part.lines if line.competency == "fibre.c.souder")
    evidence = souder.evidence
    assert souder.status == "acquis" and evidence.autonomous_successes == 2
    assert evidence.autonomous_days == 2 and evidence.evaluation_passed_on is not None
    assert evidence.observers == ("Nadia Morel",)
    reader, text = pdf_text(render_pdf(data))
    flat = re.sub(r"\s+", " ", text)
    assert "Awa <b>Diallo</b>" in flat  # the name, as typed (escaped in HTML, plain in the PDF)
    assert "Installateur·rice de réseaux fibre optique" in flat
    assert (part.met, part.total) == (1, 7) and "1 exigence sur 7 atteinte " in flat  # agreed
    assert flat.index("Réaliser une soudure par fusion conforme") < flat.index(
        "Grille de compétences"
    )
    assert flat.index("Pour Entreprise de déploiement FTTH") < flat.index("Grille de compétences")
    assert 2 <= len(reader.pages) <= 12
    assert "page 2 / " in flat


def test_fonts_are_embedded(fibre):
    gestes, trainee = fibre
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )
    reader, _ = pdf_text(render_pdf(data))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:  # composite font: the descriptor is on the descendant
                descriptor = font.get_object()["/DescendantFonts"][0].get_object()[
                    "/FontDescriptor"
                ]
            descriptor = descriptor.get_object()
            fonts.append(
                (
                    descriptor["/FontName"],
                    any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                )
            )
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("DejaVu-Sans" in str(name) for name, _ in fonts)  # the OS font, subset


def test_an_employer_hiring_for_several_trades_is_judged_on_the_trainees(fibre, catalog):
    gestes, trainee = fibre
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        employer="employeur.free_pro",
        immersion=ImmersionRecord(),
    )
    [part] = data.employers
    assert part.lines and {catalog.entries[line.competency].sector for line in part.lines} == {
        "fibre"
    }
    assert part.total == len(part.lines)
    others = [
        r
        for r in catalog.employers["employeur.free_pro"].requirements
        if catalog.entries[r.competency].sector != "fibre"
    ]
    assert len(part.other_trades) == len(others) > 0  # named, not counted, not hidden
    _, text = pdf_text(render_pdf(data))
    assert "pour d'autres métiers, non comptées ici" in re.sub(r"\s+", " ", text)


def test_territory_booklet_lists_every_employer_best_fit_first(fibre, catalog):
    gestes, trainee = fibre
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )  # the trainee's territory
    assert data.reader == "Lyon"
    assert {e.id for e in data.employers} == {e.id for e in catalog.employers_in("territoire.lyon")}
    ranks = [e.rank for e in data.employers]
    assert ranks == sorted(ranks)  # fewest essentials missing first, then the share met


def test_fibre_plugin_adds_splice_losses(fibre):
    gestes, trainee = fibre
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )
    [section] = [s for s in data.sections if s.title == "Pertes d'épissure mesurées"]
    assert len(section.rows) == 12 and all(row.ok for row in section.rows)
    assert section.rows[-1].cells == ("Soudure n° 12", "0,15 dB", "≤ 0,2 dB", "conforme")
    _, text = pdf_text(render_pdf(data))
    assert "Pertes d'épissure mesurées" in text and "Soudure n° 12" in text


def test_html_escapes_names_and_fetches_nothing(fibre):
    gestes, trainee = fibre
    html = render_html(
        build_booklet(
            gestes.definitions,
            gestes.store.records.trainee_record(trainee),
            immersion=ImmersionRecord(),
        )
    )
    assert "&lt;b&gt;Diallo&lt;/b&gt;" in html and "<b>Diallo</b>" not in html
    assert "src=" not in html and "@import" not in html  # nothing for the fetcher to load


def test_booklet_command(fibre, tmp_path, monkeypatch):
    gestes, trainee = fibre
    monkeypatch.setenv("GESTES_DATA_DIR", str(gestes.settings.data_dir))
    target = tmp_path / "livret.pdf"
    command = ["booklet", "--trainee", str(trainee), "--employer", "employeur.telenco"]
    # Links no employer could open (this machine): refused, said, nothing written.
    local = CliRunner().invoke(build_cli(), [*command, "-o", str(target)])
    assert local.exit_code == 1 and "http://127.0.0.1:8000" in local.stderr
    assert "GESTES_PUBLIC_URL" in local.stderr and not target.exists()
    result = CliRunner().invoke(
        build_cli(), [*command, "--public-url", "https://gestes.ecole.fr", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "point at https://gestes.ecole.fr" in result.stderr
    assert target.read_bytes().startswith(b"%PDF") and "Telenco" in result.stdout
    _, text = pdf_text(target.read_bytes())
    assert "https://gestes.ecole.fr/v/" in text.replace("\n", "")
    unknown = CliRunner().invoke(
        build_cli(),
        [*command[:3], "--employer", "employeur.nope", "--allow-local", "-o", str(target)],
    )
    assert unknown.exit_code == 1 and "employeur.nope" in unknown.stderr
    assert "employeur.telenco" in unknown.stderr  # says which employers it could have been
    assert "employeur.ovhcloud" not in unknown.stderr  # not those who hire for other trades
    unknown = CliRunner().invoke(
        build_cli(),
        [*command[:3], "--territory", "lyon", "--allow-local", "-o", str(target)],
    )
    assert unknown.exit_code == 1
    assert "no territory with id 'lyon'; known:" in unknown.stderr
    assert "territoire.lyon" in unknown.stderr


def test_unchanged_booklet_is_served_from_the_cache(fibre, tmp_path, monkeypatch):
    from core.booklet import printing as booklet

    gestes, trainee = fibre
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )
    first = booklet.cached_pdf(data, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"unsigned-{booklet.booklet_key(data)}.pdf"]

    def must_not_print(_data):
        raise AssertionError("an unchanged booklet was printed again")

    monkeypatch.setattr(booklet, "render_pdf", must_not_print)
    same = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )
    assert booklet.cached_pdf(same, tmp_path) == first  # same content, same key, a file read
    changed = same.model_copy(update={"immersion_hours": same.immersion_hours + 7})
    assert booklet.booklet_key(changed) != booklet.booklet_key(same)
    # A new print template (an upgrade) is a new booklet too: never the old layout's PDF.
    this_release = booklet.booklet_key(same)
    monkeypatch.setattr(booklet, "_printer_version", lambda: b"template of the next release")
    assert booklet.booklet_key(same) != this_release


def test_cohort_booklets_in_parallel(fibre, tmp_path, monkeypatch):
    gestes, trainee = fibre
    monkeypatch.setenv("GESTES_DATA_DIR", str(gestes.settings.data_dir))
    with gestes.store.database.read() as session:
        from sqlalchemy import select

        cohort = session.scalar(select(t.Trainee.cohort_id).where(t.Trainee.id == trainee))
    result = CliRunner().invoke(
        build_cli(),
        [
            "booklets",
            "--cohort",
            str(cohort),
            "-o",
            str(tmp_path / "livrets"),
            "--workers",
            "2",
            "--allow-local",
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "livrets").iterdir())
    assert [f.name for f in files] == [f"livret-{trainee}-awa-b-diallo-b.pdf"]
    assert files[0].read_bytes().startswith(b"%PDF")
    assert "1/1" in result.stderr and "Wrote 1 booklets" in result.stdout


def test_pdf_is_pdf_a_3b_with_open_badges_attached(fibre):
    import json
    from pathlib import Path

    import jsonschema

    gestes, trainee = fibre
    record = gestes.store.records.trainee_record(trainee)
    data = build_booklet(gestes.definitions, record, immersion=ImmersionRecord())
    reader, _ = pdf_text(render_pdf(data))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', metadata) and re.search(
        r'pdfaid:conformance(="|>)B', metadata
    )
    credentials = json.loads(reader.attachments["open-badges.json"][0])
    associated = [str(ref.idnum) for ref in reader.trailer["/Root"]["/AF"]]
    assert len(associated) == len(set(associated)) == 1  # listed once (WeasyPrint: twice)
    acquired = {c.id for c in data.acquired}
    expected = {
        cid for cid, level in record.level_codes().items() if level in {"acquis", "maitrise"}
    }
    assert acquired == expected and "fibre.c.souder" in acquired
    assert len(credentials) == len(acquired)
    schema_file = (
        Path(__file__).parent.parent / "core" / "data" / "open_badges_credential.schema.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    for credential in credentials:
        jsonschema.validate(credential, schema)
    souder = next(c for c in credentials if c["name"] == "Réaliser une soudure par fusion conforme")
    achievement = souder["credentialSubject"]["achievement"]
    narrative = souder["evidence"][0]["narrative"].replace("\u00a0", " ")
    assert "2 réussites en autonomie sur 2 jours" in narrative  # what was observed
    assert achievement["criteria"]["narrative"].startswith("Niveau « Acquis » ou au-dessus")
    assert {a["targetFramework"] for a in achievement["alignment"]} == {
        "ROME 4.0 (France Travail)",
        "RNCP (France compétences)",
    }
    codes = {a["targetCode"] for a in achievement["alignment"]}
    assert {"RNCP37336", "I1311"} <= codes  # block RNCP, sector ROME
    assert souder["issuer"]["name"] == "E2C Rhône"
    assert "Diallo" not in json.dumps(credentials)  # no personal data in the credentials
    broken = json.loads(json.dumps(souder))
    del broken["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_immersion_is_what_was_planned_and_the_exit_stays_internal(fibre):
    gestes, trainee = fibre
    gestes.store.observations.record_exit(
        trainee, 1, ExitKind.ALTERNANCE, dt.date(2026, 12, 1), "exit-1", employer_name="Fibre Rhône"
    )
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )
    planned = gestes.catalog.sectors["fibre"].curriculum.hours_by_phase()
    assert data.immersion_hours == planned[Phase.IMMERSION]
    _, text = pdf_text(render_pdf(data))
    flat = re.sub(r"\s+", " ", text)
    assert f"{planned[Phase.IMMERSION]} h prévues dans une entreprise partenaire" in flat
    assert "avancement" not in flat and "(alternance)" not in flat  # nothing computed
    assert "Fibre Rhône" not in flat and "Sortie" not in flat  # the exit is not the employer's


def test_booklet_filename_is_ascii_for_any_name():
    from core.booklet.printing import booklet_filename

    assert booklet_filename(3, "Léa Núñez") == "livret-3-lea-nunez.pdf"
    assert booklet_filename(4, "Nguyễn Thị Ánh") == "livret-4-nguyen-thi-anh.pdf"
    assert booklet_filename(5, "محمد") == "livret-5-stagiaire.pdf"  # nothing ASCII left
    assert booklet_filename(6, '<script>"x"</script>') == "livret-6-script-x-script.pdf"


INLINE = {"span", "strong", "em", "small", "a", "b", "i", "svg", "path", "rect", "g"}


def test_booklet_user_agent_stylesheet_knows_every_element(fibre):
    """The booklet prints with its own user-agent stylesheet
    (core/booklet/templates/booklet_ua.css): an element it does not list would silently render
    inline."""
    gestes, trainee = fibre
    data = verified_booklet(gestes, gestes.store.records.trainee_record(trainee))
    html = render_html(data)  # verified: with the QR code and its link, like every channel
    rules = (TEMPLATES / "booklet_ua.css").read_text(encoding="utf-8")
    listed = set(re.findall(r"(?<![\w.#:-])([a-z][a-z0-9]*)(?=[\s,{:])", rules))
    used = set(re.findall(r"<([a-z][a-z0-9]*)", html)) - INLINE
    assert used <= listed, f"missing from booklet_ua.css: {sorted(used - listed)}"


def test_pdf_has_an_outline_from_the_headings(fibre):
    gestes, trainee = fibre
    reader = PdfReader(
        io.BytesIO(
            render_pdf(
                build_booklet(
                    gestes.definitions,
                    gestes.store.records.trainee_record(trainee),
                    immersion=ImmersionRecord(),
                )
            )
        )
    )

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    found = list(titles(reader.outline))
    assert found[0] == "Awa <b>Diallo</b>"  # the cover's h1, then its sections under it
    assert "Grille de compétences" in found


def test_cover_draws_the_verification_qr_code_and_line_breaks(fibre):
    """The QR code is vector paths on the cover (an <svg> the printer did not recognise
    would silently vanish), and <br/> breaks lines."""
    gestes, trainee = fibre
    record = gestes.store.records.trainee_record(trainee)

    def cover(data):
        page = PdfReader(io.BytesIO(render_pdf(data))).pages[0]
        return page.get_contents().get_data(), page.extract_text()

    plain, _ = cover(build_booklet(gestes.definitions, record, immersion=ImmersionRecord()))
    verified, text = cover(verified_booklet(gestes, record))
    # Each dark run of the code is a path segment: a couple of hundred more than the plain
    # cover's rules (the short link keeps the code small: version 3, 29 modules a side).
    assert verified.count(b" l\n") - plain.count(b" l\n") > 150
    assert "Vérifier ce livret\nScannez ce code" in text


def test_counts_agree_in_french():
    from core.french import counted

    assert [counted(n, "réussite", "réussites") for n in (0, 1, 2)] == [
        "0\u00a0réussite",
        "1\u00a0réussite",
        "2\u00a0réussites",
    ]


def test_handed_out_badges_are_signed_and_an_independent_verifier_checks_them(fibre):
    """The booklet's credentials as OB 3.0 VC-JWT, checked by openbadgeslib (PyJWT
    underneath) with the key the app publishes; one changed character breaks them."""
    import base64
    import json

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from fastapi.testclient import TestClient
    from jwt.algorithms import ECAlgorithm
    from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

    from core.booklet.printing import render_pdf
    from web import create_app

    gestes, trainee = fibre
    record = gestes.store.records.trainee_record(trainee)
    data = verified_booklet(gestes, record, served_at="http://testserver/")
    reader, _ = pdf_text(render_pdf(data))
    tokens = json.loads(reader.attachments["open-badges.json"][0])
    assert tokens and all(isinstance(t, str) and t.count(".") == 2 for t in tokens)
    site = TestClient(create_app(gestes))
    profile = site.get("/issuer").json()
    jwk = site.get("/issuer/key").json()
    pem = ECAlgorithm.from_jwk(json.dumps(jwk)).public_bytes(
        encoding=Encoding.PEM, format=PublicFormat.SubjectPublicKeyInfo
    )
    verifier = OB3Verifier(pem)
    for token in tokens:
        credential = verifier.verify(token)
        assert credential.issuer.id == profile["id"] == "http://testserver/issuer"
        assert credential.issuer.name == profile["name"]  # one issuer, one name
    header = json.loads(base64.urlsafe_b64decode(tokens[0].split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["kid"] == f"{profile['id']}/key"
    assert "jwk" not in header  # the key by reference: never trusted from the token itself
    head, body, signature = tokens[0].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["evidence"][0]["type"] == ["Evidence"] and claims["sub"].startswith("urn:uuid:")
    claims["name"] = "Une autre compétence"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(OB3VerificationError):
        verifier.verify(f"{head}.{forged}.{signature}")


def test_withdrawing_a_booklet_revokes_its_badges_through_a_status_list(fibre):
    """Each badge names its bit in the revocation list the app serves (W3C Bitstring Status
    List, a signed VC-JWT checked here with PyJWT, not our library); the school withdraws
    the booklet: the bit is set. Badges say until when they are valid."""
    import base64
    import gzip
    import json

    import jwt as pyjwt
    from fastapi.testclient import TestClient
    from jwt.algorithms import ECAlgorithm

    from core.booklet.printing import render_pdf
    from web import create_app

    gestes, trainee = fibre
    data = verified_booklet(
        gestes, gestes.store.records.trainee_record(trainee), served_at="http://testserver/"
    )
    reader, _ = pdf_text(render_pdf(data))
    token = json.loads(reader.attachments["open-badges.json"][0])[0]
    site = TestClient(create_app(gestes))
    key = ECAlgorithm.from_jwk(json.dumps(site.get("/issuer/key").json()))
    claims = pyjwt.decode(token, key, algorithms=["ES256"], options={"verify_aud": False})
    entry = claims["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    listed = entry["statusListCredential"]
    assert listed == "http://testserver/status/revocation"
    until = dt.date.fromisoformat(claims["validUntil"][:10])
    assert until == data.issued_on + dt.timedelta(days=gestes.settings.verification_days)

    def bit() -> int:
        answer = site.get("/status/revocation")
        assert answer.headers["content-type"].startswith("application/vc+jwt")
        status = pyjwt.decode(answer.text, key, algorithms=["ES256"])
        assert status["id"] == listed and "BitstringStatusListCredential" in status["type"]
        encoded = status["credentialSubject"]["encodedList"]
        assert encoded.startswith("u")  # multibase: base64url, no padding
        body = encoded[1:]
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        assert len(bits) * 8 >= 131_072  # a bit says nothing of whose it is
        index = int(entry["statusListIndex"])
        return (bits[index // 8] >> (7 - index % 8)) & 1

    assert bit() == 0
    code = data.verify_url.rsplit("/", 1)[1]
    gestes.store.verifications.revoke(code)
    assert bit() == 1


def test_a_plugins_section_never_reads_what_the_booklet_may_not_print(definitions):
    """A plugin writing into a signed booklet gets the record without the trainers'
    comments, the exit or a level decision's justification (health, private life)."""
    import dataclasses

    from core import hookimpl
    from core.judging.levels import LevelDecision
    from core.judging.record import CommentEntry, ExitInfo, TraineeInfo, derive_record
    from tests.conftest import manager

    info = TraineeInfo(
        id=1,
        first_name="Awa",
        last_name="Diallo",
        cohort_id=1,
        cohort="C",
        school="S",
        territory="territoire.lyon",
        sector="fibre",
        curriculum_version="2026.1",
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 5, 1),
    )
    competency = definitions.catalog.gesture(SPLICE).competencies[0]
    decision = LevelDecision(
        competency=competency,
        at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        level="en_cours",
        justification="Arrêt maladie de mars",
        assessor="Nadia",
    )
    record = derive_record(
        definitions.catalog.sectors["fibre"],
        info,
        decisions=[decision],
        comments=[CommentEntry(day=dt.date(2026, 3, 2), text="Note privée", author="Nadia")],
        exit_info=ExitInfo(kind="cdi", on=dt.date(2026, 5, 2)),
    )
    seen = []

    class Spy:
        @hookimpl
        def gestes_booklet_sections(self, record, employer):
            seen.append(record)
            return []

    spied = dataclasses.replace(definitions, plugins=manager(("spy", Spy())))
    build_booklet(spied, record, immersion=ImmersionRecord())
    [read] = seen
    assert read.comments == () and read.exit is None
    assert read.levels[competency].decision.justification == ""
    assert read.levels[competency].level == record.levels[competency].level
    assert "Arrêt maladie" not in read.model_dump_json()


def test_the_cover_says_where_an_employer_reaches_the_school(fibre):
    gestes, trainee = fibre
    data = build_booklet(
        gestes.definitions,
        gestes.store.records.trainee_record(trainee),
        immersion=ImmersionRecord(),
    )
    assert data.school_address == "Lyon"
    assert "E2C Rhône, Lyon" in render_html(data)

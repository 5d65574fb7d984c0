"""What an employer reads is true and was written for them (issue 12): a fit judged on all
requirements of the trade, failures beside the claims, words that agree with the rule, and
nothing private (trainer notes, exits, internal ids) in the PDF or its attachments."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import io
import json
import re
from html import unescape

import pytest
from pypdf import PdfReader

from core.booklet.data import build_booklet
from core.booklet.handing import verified_booklet
from core.booklet.printing import render_pdf
from core.catalog.definitions import Autonomy
from core.context import open_gestes
from core.domain import ExitKind, NewTrainee, Role
from core.french import SCHOOL_TIME
from core.immersion.record import ImmersionRecord
from core.judging.attempts import StepResult
from core.judging.evaluation import Submission
from core.settings import Settings

SPLICE = "fibre.g.soudure_fusion"
TODAY = dt.date.today()
SECRETS = [  # private words that must never reach an employer
    "Absent deux jours, à rattraper",
    "Doit encore relire la fiche sécurité",
    "Entreprise Confidentielle SARL",
    "Sans solution",
    "arrêt maladie de mars",  # a level decision's justification: for the team only
    "motif d'annulation confidentiel",  # a retraction's reason
]


@pytest.fixture(scope="module")
def school(tmp_path_factory, definitions):
    gestes = open_gestes(
        Settings(data_dir=tmp_path_factory.mktemp("truth")), definitions=definitions, migrate=True
    )
    directory = gestes.store.directory
    where = directory.create_school(None, "E2C Île-de-France", "Paris", "territoire.ile_de_france")
    trainer = directory.create_user(
        "t@example.org", "Nadia Morel", "mot-de-passe-long", Role.TRAINER, [where]
    )
    cohort = directory.create_cohort(
        where, "fibre", "Fibre Paris", TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=30)
    )
    names = ["Acquise", "Guidée", "Secrète"]
    trainees = dict(
        zip(
            names,
            directory.add_trainees(cohort, [NewTrainee("Awa", n) for n in names]),
            strict=True,
        )
    )
    return gestes, trainer, trainees


def splice(gestes, trainer, trainee, days_ago, autonomy=Autonomy.AUTONOME, key=None):
    steps = {s.key: StepResult.REUSSI for s in gestes.catalog.gesture(SPLICE).steps}
    gestes.store.observations.record_attempt(
        trainee,
        trainer,
        SPLICE,
        steps,
        autonomy,
        TODAY - dt.timedelta(days=days_ago),
        key or f"{trainee}-{days_ago}-{autonomy.name}",
    )


def failed_series(gestes, trainer, trainee):
    """The splices' practical evaluation failed yesterday (a sleeve not threaded): stored
    once, by its key, whichever test records it first."""
    evaluation = gestes.catalog.evaluation("fibre.e.epissures")
    failed = Submission(
        criteria={c.key: c.key != "manchons" for c in evaluation.criteria},
        measurements={"pertes_db": (0.05,) * 12},
    )
    gestes.store.observations.record_evaluation(
        trainee, trainer, evaluation.id, failed, TODAY - dt.timedelta(days=1), "eval-failed"
    )
    return evaluation


def text_of(pdf: bytes) -> tuple[str, str]:
    """The PDF's words, and its attachments' contents (signed badges decoded: a JWT's
    base64 would hide a leak from a plain search)."""
    reader = PdfReader(io.BytesIO(pdf))
    words = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    attached = " ".join(
        content.decode("utf-8", "replace")
        for contents in reader.attachments.values()
        for content in contents
    )
    found = json.loads(attached) if attached.strip().startswith("[") else []
    for token in (t for t in found if isinstance(t, str)):
        for part in token.split(".")[:2]:
            attached += " " + base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
    return words, attached


def test_a_failed_evaluation_after_acquisition_is_said_beside_the_requirement(school):
    gestes, trainer, trainees = school
    awa = trainees["Acquise"]
    splice(gestes, trainer, awa, 20)
    splice(gestes, trainer, awa, 10)
    failed_series(gestes, trainer, awa)
    record = gestes.store.records.trainee_record(awa)
    assert record.levels["fibre.c.souder"].level == "acquis"  # still acquired: never lowered
    data = build_booklet(
        gestes.definitions, record, employer="employeur.telenco", immersion=ImmersionRecord()
    )
    [line] = [line for line in data.employers[0].lines if line.competency == "fibre.c.souder"]
    assert line.status_label == "Atteint"
    assert line.vigilance and "Série de 12 soudures en cassette" in line.vigilance[0]
    assert "point critique non satisfait : Tous les manchons enfilés" in line.vigilance[0]
    words, _ = text_of(render_pdf(data))
    assert "Point de vigilance : Épreuve « Série de 12 soudures en cassette » à reprendre" in words
    assert "1 point de vigilance" in words  # counted on page one too


def test_status_words_are_not_level_words_and_days_count_autonomy_only(school):
    gestes, trainer, trainees = school
    guided = trainees["Guidée"]
    splice(gestes, trainer, guided, 30, Autonomy.AVEC_AIDE)  # guided: not counted as a day
    splice(gestes, trainer, guided, 5, key="guided-a")
    splice(gestes, trainer, guided, 5, key="guided-b")  # twice the same day
    record = gestes.store.records.trainee_record(guided)
    assert record.levels["fibre.c.souder"].level == "en_cours"
    data = build_booklet(
        gestes.definitions, record, employer="employeur.telenco", immersion=ImmersionRecord()
    )
    [line] = [line for line in data.employers[0].lines if line.competency == "fibre.c.souder"]
    evidence = line.evidence
    assert (line.status_label, evidence.autonomous_successes, evidence.autonomous_days) == (
        "En progression",
        2,
        1,
    )
    assert evidence.guided_successes == 1  # said apart, never counted with the autonomy
    words, _ = text_of(render_pdf(data))
    assert "2 réussites en autonomie sur 1 jour différent" in words
    assert "1 réussite accompagnée (avec aide ou sous contrôle)" in words
    assert {line.status_label for p in data.employers for line in p.lines} <= {
        "Atteint",
        "En progression",
        "Pas encore",
    }
    assert (
        "Soudure par fusion"
        not in words.split("Gestes professionnels au niveau")[1].split("Épreuves pratiques")[0]
    )  # passed twice on one day: not mastered under the rule


def test_an_employer_is_judged_on_all_its_requirements_of_the_trade(school):
    """Equinix asks one « appréciée » fibre skill and four datacenter ones: a fibre trainee is
    judged on the fibre one, told about the others, and not ranked first for it."""
    gestes, _, trainees = school
    record = gestes.store.records.trainee_record(trainees["Acquise"])
    data = build_booklet(gestes.definitions, record, immersion=ImmersionRecord())  # Île-de-France
    equinix = next(p for p in data.employers if p.id == "employeur.equinix")
    assert equinix.total == 1 and len(equinix.other_trades) == 4
    assert equinix.essentials_total == 0
    assert data.employers[0].essentials_total > 0  # a real fibre employer comes first
    words, _ = text_of(render_pdf(data))
    assert "aucune exigence essentielle pour ce métier" in words


def test_nothing_private_reaches_an_employer(school):
    gestes, trainer, trainees = school
    secret = trainees["Secrète"]
    splice(gestes, trainer, secret, 8)
    for n, note in enumerate(SECRETS[:2]):
        gestes.store.observations.record_comment(secret, trainer, note, TODAY, f"note-{n}")
    gestes.store.observations.record_exit(
        secret,
        trainer,
        ExitKind.SANS_SOLUTION,
        TODAY,
        "exit-secret",
        employer_name=SECRETS[2],
    )
    gestes.store.observations.record_level(
        secret,
        trainer,
        "fibre.c.souder",
        "acquis",
        f"Niveau confirmé malgré l'{SECRETS[4]}",
        TODAY,
        "decision-secret",
    )
    mistaken = gestes.store.observations.record_comment(secret, trainer, "Erreur", TODAY, "oops")
    gestes.store.observations.retract(mistaken.id, trainer, SECRETS[5], "retract-secret")
    record = gestes.store.records.trainee_record(secret)
    assert record.comments and record.exit  # they are in the record, for the school
    assert record.levels["fibre.c.souder"].decision is not None
    for employer in (None, "employeur.telenco"):
        data = verified_booklet(gestes, record, employer=employer)
        words, attached = text_of(render_pdf(data))
        for private in SECRETS:
            assert private not in words and private not in attached, private
        # the decision said for what it is, with its date, in the badge as on the page
        # The day the team set it, at the school (Paris): past 23:00 UTC it is already tomorrow.
        school_today = dt.datetime.now(SCHOOL_TIME).date()
        decided = f"iveau fixé par l'équipe pédagogique le {school_today:%d/%m/%Y}"
        assert decided in words and decided in attached
        assert f"{record.trainee.cohort_id}-{record.trainee.id}" not in attached  # decoded too
        assert re.fullmatch(r"[0-9a-f]{24}", data.trainee_ref)  # opaque, keyed by the secret


def test_page_one_answers_in_thirty_seconds(school):
    gestes, trainer, trainees = school
    splice(gestes, trainer, trainees["Acquise"], 20)  # the same keys as above: stored once
    splice(gestes, trainer, trainees["Acquise"], 10)
    record = gestes.store.records.trainee_record(trainees["Acquise"])
    data = build_booklet(
        gestes.definitions, record, employer="employeur.telenco", immersion=ImmersionRecord()
    )
    words, _ = text_of(render_pdf(data))
    first = words.split("Pour Telenco", 2)
    assert len(first) == 3  # « Pour Telenco » on page one, then as the employer section
    assert f"formation en cours jusqu'au {record.trainee.ends_on:%d/%m/%Y}" in first[1]
    assert "Telenco :" in first[1]
    assert "catalogue" not in words and gestes.catalog.version not in words


def test_a_strength_is_never_a_competency_whose_evaluation_failed(school):
    """Acquired by its successes, but its practical evaluation is « à reprendre » (the first
    test of this module): a point of vigilance, never a strength on page one; passed on a
    retake, it is one again."""
    gestes, trainer, trainees = school
    awa = trainees["Acquise"]
    splice(gestes, trainer, awa, 20)  # the same keys as the first test: stored once
    splice(gestes, trainer, awa, 10)
    evaluation = failed_series(gestes, trainer, awa)

    def strengths() -> str:
        record = gestes.store.records.trainee_record(awa)
        data = build_booklet(
            gestes.definitions, record, employer="employeur.telenco", immersion=ImmersionRecord()
        )
        assert record.levels["fibre.c.souder"].level in ("acquis", "maitrise")
        first = text_of(render_pdf(data))[0].split("Pour Telenco", 2)[1]
        return first.split("Points forts :")[1] if "Points forts :" in first else ""

    assert "Réaliser une soudure par fusion conforme" not in strengths()
    passed = Submission(
        criteria=dict.fromkeys((c.key for c in evaluation.criteria), True),
        measurements={"pertes_db": (0.05,) * 12},
    )
    gestes.store.observations.record_evaluation(
        awa, trainer, evaluation.id, passed, TODAY, "retake"
    )
    assert strengths().startswith(" Réaliser une soudure par fusion conforme")


def test_no_page_holds_only_the_signatures_and_they_name_who_signs(school):
    gestes, _, trainees = school
    for trainee in trainees.values():
        record = gestes.store.records.trainee_record(trainee)
        reader = PdfReader(
            io.BytesIO(
                render_pdf(build_booklet(gestes.definitions, record, immersion=ImmersionRecord()))
            )
        )
        last = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
        assert "Immersion en entreprise" in last  # kept with the signature blocks
        assert f"Le ou la stagiaire : {record.trainee.full_name}" in last
        assert f"Pour {record.trainee.school}, l'équipe pédagogique" in last
        assert last.count("Signature attendue") == 3  # nobody signed: each box says so


def test_the_training_organisation_is_named(school):
    gestes, _, trainees = school
    record = gestes.store.records.trainee_record(trainees["Acquise"])
    settings = gestes.settings.model_copy(
        update={
            "organisation_name": "AFPA",
            "organisation_nda": "93 13 00000 13",
            "organisation_siret": "824 252 012 00018",
            "organisation_qualiopi": "FR-2026-0042",
        }
    )
    words, _ = text_of(
        render_pdf(verified_booklet(dataclasses.replace(gestes, settings=settings), record))
    )
    assert (
        "AFPA · NDA 93 13 00000 13 · SIRET 824 252 012 00018 · certificat Qualiopi FR-2026-0042"
        in words
    )


def test_a_handed_out_booklet_is_signed_and_a_change_breaks_the_signature(school, tmp_path):
    from core.booklet.printing import cached_pdf
    from core.booklet.signing import signature_status

    gestes, _, trainees = school
    record = gestes.store.records.trainee_record(trainees["Acquise"])
    data = verified_booklet(gestes, record)
    signed = cached_pdf(data, tmp_path, gestes.identity(None))
    status = signature_status(signed, gestes.identity(None))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert cached_pdf(data, tmp_path, gestes.identity(None)) == signed  # kept signed, read back
    assert (gestes.settings.data_dir / "signing.key.pem").stat().st_mode & 0o777 == 0o600
    unsigned = render_pdf(data)
    tampered = bytearray(signed)
    offset = bytes(tampered).index(b"/Length", len(unsigned) // 3)
    tampered[offset + 10] ^= 0x01  # one byte of the school's document, after it was signed
    assert not signature_status(bytes(tampered), gestes.identity(None)).intact
    words, _ = text_of(signed)
    assert record.trainee.full_name in words  # still the same readable booklet


def test_a_standard_tool_that_is_not_ours_validates_the_signature(school, tmp_path):
    """Anyone can check a booklet without trusting us: poppler's ``pdfsig`` (Debian's
    poppler-utils; .ci/run installs it), another code base than pyHanko, which signs, finds
    the signature valid over the whole document, and invalid once a byte is changed."""
    import shutil
    import subprocess

    from core.booklet.printing import cached_pdf

    assert shutil.which("pdfsig"), "poppler-utils is missing: .ci/run installs it"
    gestes, _, trainees = school
    data = verified_booklet(gestes, gestes.store.records.trainee_record(trainees["Acquise"]))
    signed = cached_pdf(data, tmp_path, gestes.identity(None))

    def pdfsig(pdf: bytes) -> str:
        path = tmp_path / "livret.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True)
        return done.stdout

    said = pdfsig(signed)
    assert "Signature is Valid" in said and "Total document signed" in said
    tampered = bytearray(signed)
    offset = bytes(tampered).index(b"/Length", len(render_pdf(data)) // 3)
    tampered[offset + 10] ^= 0x01
    said = pdfsig(bytes(tampered))
    assert "Digest Mismatch" in said and "Signature is Valid" not in said


def test_signing_keeps_the_pdf_a_metadata_consistent(school, tmp_path):
    """PDF/A-3b is PDF 1.7 with its document information and XMP in agreement: the signing
    revision neither raises the catalog's /Version to 2.0 (pyHanko's ISO 32002 extension
    for an ECDSA key) nor leaves two different producers; the XMP keeps its PDF/A id."""
    from core.booklet.printing import cached_pdf

    gestes, _, trainees = school
    data = verified_booklet(gestes, gestes.store.records.trainee_record(trainees["Acquise"]))
    reader = PdfReader(io.BytesIO(cached_pdf(data, tmp_path, gestes.identity(None))))
    root = reader.trailer["/Root"]
    assert root.get("/Version") in (None, "/1.7")
    assert all(e["/BaseVersion"] == "/1.7" for e in root.get("/Extensions", {}).values())
    xmp = root["/Metadata"].get_object().get_data().decode()
    [producer] = re.findall(r'pdf:Producer="([^"]*)"|<pdf:Producer>([^<]*)<', xmp)
    assert reader.metadata["/Producer"] in producer
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp


def test_serve_warns_when_booklets_would_not_be_signed_in_the_organisations_name(tmp_path):
    """The certificate made at first use names the organisation set then; unset, it names
    « Gestes », the software — said when the server starts, as is a name changed since."""
    from core.booklet.signing import signer_warning, signing_organisation
    from core.settings import Settings

    unnamed = Settings(data_dir=tmp_path / "a")
    assert "« Gestes »" in (signer_warning(unnamed) or "")
    named = Settings(data_dir=tmp_path / "b", organisation_name="E2C Rhône")
    assert signer_warning(named) is None and signing_organisation(named) == "E2C Rhône"
    renamed = Settings(data_dir=tmp_path / "b", organisation_name="E2C Lyon Métropole")
    assert "« E2C Rhône »" in (signer_warning(renamed) or "")
    own = Settings(
        data_dir=tmp_path / "a",
        signing_cert_file=tmp_path / "a" / "signing.cert.pem",
        signing_key_file=tmp_path / "a" / "signing.key.pem",
    )
    assert signer_warning(own) is None  # the operator's own certificate: theirs to choose


def test_the_pdf_is_tagged_and_says_who_made_it(school):
    gestes, _, trainees = school
    record = gestes.store.records.trainee_record(trainees["Acquise"])
    reader = PdfReader(
        io.BytesIO(
            render_pdf(build_booklet(gestes.definitions, record, immersion=ImmersionRecord()))
        )
    )
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    assert reader.metadata["/Author"] == record.trainee.school
    assert reader.metadata["/CreationDate"].startswith(f"D:{TODAY:%Y%m%d}")


def test_the_qr_code_says_what_it_opens_to_a_screen_reader(school):
    """The verification QR code is a tagged figure with its alternative text: the link."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    gestes, _, trainees = school
    data = verified_booklet(gestes, gestes.store.records.trainee_record(trainees["Acquise"]))
    root = PdfReader(io.BytesIO(render_pdf(data))).trailer["/Root"]
    texts, stack, seen = [], [root["/StructTreeRoot"]], set()
    while stack:  # the structure tree, down from its root
        found = stack.pop()
        if isinstance(found, IndirectObject):
            if found.idnum in seen:
                continue
            seen.add(found.idnum)
            found = found.get_object()
        if isinstance(found, DictionaryObject):
            texts += [str(found["/Alt"])] if "/Alt" in found else []
            stack += [v for k, v in found.items() if k not in ("/P", "/Pg", "/Parent")]
        elif isinstance(found, ArrayObject):
            stack += list(found)
    assert f"Code QR du lien de vérification : {data.verify_url}" in texts


@pytest.fixture(scope="module")
def demo(tmp_path_factory, definitions):
    from core.demo.seed import seed_demo

    gestes = open_gestes(
        Settings(data_dir=tmp_path_factory.mktemp("demo")), definitions=definitions, migrate=True
    )
    seed_demo(gestes)
    return gestes


def raw_autonomy(gestes, trainee_id: int, catalog) -> dict[str, tuple[int, int]]:
    """Per competency: successes in autonomy and their different days, counted straight from
    the observation rows (live attempts only), not through the code that prints them."""
    from sqlalchemy import select

    from core.store import tables as t

    with gestes.store.database.read() as session:
        rows = session.execute(
            select(t.Observation).where(t.Observation.trainee_id == trainee_id)
        ).scalars()
        rows = list(rows)
    gone = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    found: dict[str, list[dt.date]] = {}
    for row in rows:
        if row.kind != "attempt" or row.id in gone or not row.passed or row.autonomy < 3:
            continue
        for competency in catalog.gesture(row.definition).competencies:
            found.setdefault(competency, []).append(row.observed_on)
    return {c: (len(days), len(set(days))) for c, days in found.items()}


def said_of(raw: dict[str, tuple[int, int]], competency: str) -> str:
    from core.french import counted

    n, days = raw.get(competency, (0, 0))
    if not n:
        return "pas encore de réussite en autonomie"
    return f"{counted(n, 'réussite', 'réussites')} en autonomie sur " + counted(
        days, "jour différent", "jours différents"
    )


def test_every_count_printed_agrees_with_the_raw_observations(demo):
    """For every demo trainee: each grid line, each employer line and each badge's evidence
    says the successes in autonomy and their different days as the observation rows count
    them, in the same words; nothing counts days of other successes."""
    from core.booklet.printing import render_html
    from core.store import tables as t

    with demo.store.database.read() as session:
        trainees = [
            row.id for row in session.query(t.Trainee).filter(t.Trainee.erased_at.is_(None))
        ]
    checked = 0
    for trainee in trainees:
        record = demo.store.records.trainee_record(trainee)
        definitions = demo.definitions_for(record.trainee)
        catalog = definitions.catalog
        raw = raw_autonomy(demo, trainee, catalog)
        data = build_booklet(definitions, record, immersion=demo.immersion_record(trainee))
        markup = unescape(re.sub(r"<[^>]+>", "", render_html(data)))
        text = re.sub(r"[ \t\r\n]+", " ", markup)  # \s would take the no-break spaces
        sector = catalog.sectors[record.trainee.sector]

        said = functools.partial(said_of, raw)
        lines_ = {line.name: line for block in data.grid for line in block.lines}
        for competency in sector.competencies:
            expected = said(competency.id)
            assert expected in lines_[competency.name].said, (trainee, competency.id)
            assert f"{competency.name} — {lines_[competency.name].said}" in text
            checked += 1
        for part in data.employers:
            for line in part.lines:
                if line.competency in {c.id for c in sector.competencies}:
                    assert said(line.competency) in line.said, (trainee, line.competency)
        for badge in data.acquired:
            words = said(badge.id)
            assert words in badge.evidence or words.capitalize() in badge.evidence, badge.id
    assert checked > 500  # every competency of every demo trainee


def test_page_one_names_every_employer_and_the_cohorts_own_hours(school, tmp_path):
    """A territory booklet gives each employer its own line on page one (not only the best
    fit); an employer asked for that does not recruit in this trade is said so, never judged
    « 0 sur N »; the cover prints the hours the cohort was set to, not the curriculum's."""
    gestes, _, trainees = school
    record = gestes.store.records.trainee_record(trainees["Guidée"])
    data = build_booklet(gestes.definitions, record, immersion=ImmersionRecord())
    assert len(data.employers) > 1
    assert [line.split(" :")[0] for line in data.summary.headlines] == [
        e.name for e in data.employers
    ]
    words, _ = text_of(render_pdf(data))
    cover = words.split("Vérifier ce livret")[0] if "Vérifier" in words else words[:3000]
    assert all(e.name in cover for e in data.employers)
    datacenter = build_booklet(
        gestes.definitions, record, employer="employeur.digital_realty", immersion=ImmersionRecord()
    )
    [part] = datacenter.employers
    assert not part.recruits and part.lines == ()
    assert datacenter.summary.headlines == (
        f"{part.name} ne recrute pas dans ce métier : ses exigences ne sont pas jugées ici.",
    )
    directory = gestes.store.directory
    cohort = directory.create_cohort(
        gestes.store.lookup.cohort(record.trainee.cohort_id).school_id,
        "fibre",
        "Fibre courte",
        TODAY - dt.timedelta(days=10),
        TODAY + dt.timedelta(days=60),
        planned_hours={"immersion": 140},
    )
    [short] = directory.add_trainees(cohort, [NewTrainee("Ines", "Courte")])
    hours = dict(
        build_booklet(
            gestes.definitions,
            gestes.store.records.trainee_record(short),
            immersion=ImmersionRecord(),
        ).hours
    )
    assert hours["Immersion en entreprise"] == 140


def test_the_cover_never_spills_onto_a_second_page(demo):
    """Every demo trainee's territory booklet: page two begins with the employer pages (the
    way levels are read, then « Pour … »), never with the end of the cover."""
    from core.store import tables as t

    with demo.store.database.read() as session:
        trainees = [row.id for row in session.query(t.Trainee)]
    for trainee in trainees:
        data = verified_booklet(demo, demo.store.records.trainee_record(trainee))
        second = PdfReader(io.BytesIO(render_pdf(data))).pages[1].extract_text().lstrip()
        assert second.startswith(("Chaque niveau est établi", "Pour ")), (trainee, second[:80])


def test_a_badge_names_its_recipient_by_a_salted_hash_never_the_address(school):
    """OB 3.0's IdentityObject: the trainee can prove the badges are theirs (their e-mail
    plus the salt hashes to it); the address itself is nowhere in the PDF or its badges."""
    import hashlib

    gestes, trainer, trainees = school
    cohort = gestes.store.records.trainee_record(trainees["Acquise"]).trainee.cohort_id
    [who] = gestes.store.directory.add_trainees(
        cohort, [NewTrainee("Nour", "Badge", "nour.badge@example.org")]
    )
    splice(gestes, trainer, who, 12)
    splice(gestes, trainer, who, 4)
    data = verified_booklet(gestes, gestes.store.records.trainee_record(who))
    assert data.acquired  # a badge at least
    words, attached = text_of(render_pdf(data))
    assert "nour.badge@example.org" not in words and "nour.badge@example.org" not in attached
    claims = json.loads(base64.urlsafe_b64decode(data.badges[0].split(".")[1] + "=="))
    [identity] = claims["credentialSubject"]["identifier"]
    salted = f"nour.badge@example.org{identity['salt']}".encode()
    assert identity["identityHash"] == f"sha256${hashlib.sha256(salted).hexdigest()}"
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    again = verified_booklet(gestes, gestes.store.records.trainee_record(who))
    claimed = json.loads(base64.urlsafe_b64decode(again.badges[0].split(".")[1] + "=="))
    assert claimed["credentialSubject"]["identifier"] == [identity]  # a stable salt

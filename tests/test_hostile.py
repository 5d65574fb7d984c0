"""Hostile input (issue 17): built in the tests, no binary fixtures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tracemalloc

import pytest

from core.immersion.record import ImmersionRecord
from core.tabular import TableImportError, read_rows
from tests.conftest import photo


def xlsx_bomb(rows: int = 16_000) -> bytes:
    """A small workbook whose sheet spans A1:XFD16000: one cell in the last column makes a
    naive reader pad every one of the 16,000 rows to 16,384 cells."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([None] * 16_383 + ["fin"])
    for n in range(rows):
        sheet.append([f"x{n}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_bomb_is_refused_fast_and_small():
    bomb = xlsx_bomb()
    assert len(bomb) < 200_000  # a small file…
    tracemalloc.start()
    with pytest.raises(TableImportError, match="Trop de lignes"):
        read_rows("liste.xlsx", bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # …refused having held little: padding its 16,000 rows to 16,384 columns would take
    # gigabytes. (Memory, not time: a timed assertion fails on a busy machine, not on a bug.)
    assert peak < 50 * 1024 * 1024, peak


def test_awkward_csv_files_are_explained_not_crashed_on():
    assert read_rows("l.csv", b"nom\nDiallo\n") == [["nom"], ["Diallo"]]  # one column
    with pytest.raises(TableImportError, match="illisible"):
        read_rows("l.csv", b"prenom,nom\n" + b'"' + b"a" * 200_000 + b'",b\n')


def test_exports_never_carry_a_live_formula(world):
    from openpyxl import load_workbook

    from core.domain import NewTrainee
    from core.tabular import grid_table, write_csv, write_xlsx

    world.directory.add_trainees(
        world.cohort,
        [NewTrainee('=HYPERLINK("http://evil.example")', "@SUM(1)"), NewTrainee("+cmd", "-x")],
    )
    grid = world.gestes.store.records.cohort_grid(world.cohort)
    names = [row[0] for row in grid_table(grid, world.gestes.catalog)[1:]]
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)
    csv_text = write_csv(grid_table(grid, world.gestes.catalog)).decode("utf-8-sig")
    assert "\n=" not in csv_text and ";=" not in csv_text
    sheet = load_workbook(io.BytesIO(write_xlsx(grid, world.gestes.catalog))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)  # text, not formulas


MARKER = "Zqxmarqueur"


def test_erasure_leaves_no_trace_anywhere_in_the_data(gestes, tmp_path):
    """A marker in every field and file a trainee's data reaches; after erasure, the whole
    data directory (database file and its log on SQLite) and the PostgreSQL tables hold none."""
    import datetime as dt
    import io
    import zipfile

    from sqlalchemy import text

    from core.booklet.handing import verified_booklet
    from core.booklet.printing import booklet_filename, cached_pdf
    from core.catalog.definitions import Autonomy
    from core.domain import ExitKind, NewTrainee, Role
    from core.judging.attempts import StepResult

    store, settings = gestes.store, gestes.settings
    school = store.directory.create_school(None, "École", "Lyon", "territoire.lyon")
    trainer = store.directory.create_user(
        "f@e.fr", "F", "mot-de-passe-long", Role.TRAINER, [school]
    )
    today = dt.date.today()
    cohort = store.directory.create_cohort(
        school, "fibre", "Promo", today - dt.timedelta(days=10), today + dt.timedelta(days=10)
    )
    [who] = store.directory.add_trainees(
        cohort,
        [NewTrainee(f"{MARKER}a", f"{MARKER}b", f"{MARKER.lower()}@exemple.fr", f"{MARKER}c")],
    )
    steps = {
        s.key: StepResult.REUSSI for s in gestes.catalog.gesture("fibre.g.soudure_fusion").steps
    }
    attempt = store.observations.record_attempt(
        who, trainer, "fibre.g.soudure_fusion", steps, Autonomy.AUTONOME, today, "a-1"
    )
    store.observations.record_comment(who, trainer, f"{MARKER} absent", today, "c-1")
    store.observations.record_level(
        who, trainer, "fibre.c.souder", "acquis", f"{MARKER} vu", today, "l-1"
    )
    store.observations.retract(attempt.id, trainer, f"{MARKER} erreur", "r-1")
    store.observations.record_exit(
        who, trainer, ExitKind.CDD, today, "x-1", employer_name=f"{MARKER} SARL"
    )
    jpeg = photo(description=MARKER)  # in the photo's metadata: re-encoding drops it
    other = store.observations.record_comment(who, trainer, "photo", today, "c-2")
    store.evidence.add(other.id, jpeg, "photo.jpg", "image/jpeg")
    data = verified_booklet(
        dataclasses.replace(gestes, settings=settings), store.records.trainee_record(who)
    )
    pdf = cached_pdf(data, store.files.within("booklets"))
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr(booklet_filename(who, data.trainee), pdf)
    store.files.write("exports/export.zip", export.getvalue())
    assert {"evidence", "booklets", "exports"} <= {n.split("/")[0] for n in store.files.names("")}

    store.rgpd.erase_trainee(who)
    with pytest.raises(Exception, match="effacé"):  # a late upload stores no file either
        store.evidence.add(other.id, jpeg + b"2", "photo2.jpg", "image/jpeg")

    needle = MARKER.encode()
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert needle not in path.read_bytes().replace(b"\x00", b""), path
    if store.dialect == "sqlite":  # the database file and its write-ahead log
        from pathlib import Path

        database = Path(store.database.engine.url.database or "")
        files = [p for p in database.parent.glob(f"{database.name}*") if p.is_file()]
        assert database in files
        for path in files:
            assert needle.lower() not in path.read_bytes().lower(), path
    else:
        with store.database.engine.connect() as connection:
            for table in ("trainees", "observations", "exits", "evidence", "verifications"):
                rows = connection.execute(text(f"SELECT {table}::text FROM {table}")).scalars()
                assert not any(MARKER.lower() in row.lower() for row in rows), table
            for name, data in connection.execute(text("SELECT name, data FROM stored_files")):
                assert needle not in bytes(data).replace(b"\x00", b""), name


def test_a_huge_body_is_refused_before_it_is_read_or_parsed(gestes):
    from fastapi.testclient import TestClient

    from web import create_app

    app = create_app(gestes)
    anonymous = TestClient(app)
    huge = b'{"text": "' + b"x" * (2 << 20) + b'", "key": "cle-enorme-1"}'
    answer = anonymous.post(
        "/api/trainees/1/comments", content=huge, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json()["detail"] == "Requête trop volumineuse."

    def chunks():  # no length announced: cut off once past the limit
        for _ in range(40):
            yield b"x" * 65536

    streamed = anonymous.post("/api/trainees/1/comments", content=chunks())
    assert streamed.status_code == 413


def test_files_with_personal_data_are_the_services_only(world, tmp_path):
    import stat

    from core.booklet.data import build_booklet
    from core.booklet.printing import cached_pdf
    from core.store.evidence import EvidenceFiles
    from core.store.files import LocalFiles

    gestes = world.gestes
    observation = gestes.store.observations.record_comment(
        world.trainees[0], world.trainer, "photo", dt.date(2026, 2, 2), "c-photo"
    )
    local = LocalFiles(tmp_path / "evidence")  # the single-machine default, whatever the test's
    evidence = EvidenceFiles(gestes.store.database, gestes.settings, local)
    evidence.add(observation.id, photo(), "p.jpg")
    local.write("replaced", b"x")
    record = gestes.store.records.trainee_record(world.trainees[0])
    cached_pdf(
        build_booklet(gestes.definitions, record, immersion=ImmersionRecord()),
        tmp_path / "booklets",
    )
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 3  # the photo, the other file, the booklet
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_trainee_list_is_capped_and_clean_through_the_api_too(world):
    from core.domain import NewTrainee, numbered_problems

    assert numbered_problems([NewTrainee("A\x00", "B")]) == [
        "ligne 1 : caractère de contrôle (invisible) dans le nom, l'adresse ou l'identifiant"
    ]


def test_the_api_import_has_the_files_cap(gestes):
    from fastapi.testclient import TestClient

    from core.domain import Role
    from web import create_app

    store = gestes.store
    school = store.directory.create_school(None, "E", "Lyon", "territoire.lyon")
    store.directory.create_user("c@e.fr", "C", "mot-de-passe-long", Role.COORDINATOR, [school])
    cohort = store.directory.create_cohort(
        school, "fibre", "P", dt.date.today() - dt.timedelta(days=3), dt.date.today()
    )
    client = TestClient(create_app(gestes))
    client.post("/login", data={"email": "c@e.fr", "password": "mot-de-passe-long"})
    client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]
    many = [{"first_name": "A", "last_name": str(n)} for n in range(501)]
    refused = client.post(f"/api/cohorts/{cohort}/trainees", json=many)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["message"] == "500 au plus"  # the cap, before any row
    assert store.records.cohort_grid(cohort).rows == ()


def test_uploads_are_cleaned_not_only_sniffed(world):
    from core.domain import RecordError
    from core.store.evidence import cleaned

    gps = photo(description="GPS 43.2965 N 5.3698 E, Marseille")
    assert b"GPS" in gps and b"GPS" not in cleaned(gps, "image/jpeg")  # metadata gone
    polyglot = photo() + b"<html><script>alert(1)</script></html>"
    assert b"<script>" not in cleaned(polyglot, "image/jpeg")  # what hid after it is gone
    with pytest.raises(RecordError, match="illisible"):
        cleaned(b"\xff\xd8\xff\xe0<html><script>alert(1)</script>", "image/jpeg")
    with pytest.raises(RecordError, match="PDF refusé"):
        cleaned(
            b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
            "application/pdf",
        )


def test_a_pdf_with_active_content_is_refused_however_its_names_are_spelt():
    """``/Open#41ction << /S /J#61vaScript >>`` is ``/OpenAction << /S /JavaScript >>`` to a
    reader: the PDF is parsed (names decoded, object streams read), not searched as bytes; a
    plain PDF is kept as it is."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    from core.domain import RecordError
    from core.store.evidence import cleaned

    def pdf(script: bool) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(200, 200)
        if script:
            action = DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): TextStringObject("app.alert(1)"),
                }
            )
            writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    plain = pdf(script=False)
    assert cleaned(plain, "application/pdf") == plain
    hidden = (
        pdf(script=True)
        .replace(b"/JavaScript", b"/J#61vaScript")
        .replace(b"/OpenAction", b"/Open#41ction")
        .replace(b"/JS ", b"/J#53 ")
    )
    assert b"/JavaScript" not in hidden and b"/OpenAction" not in hidden
    with pytest.raises(RecordError, match="PDF refusé"):
        cleaned(hidden, "application/pdf")


def test_an_xlsx_whose_parts_unpack_huge_is_refused_before_parsing():
    """A shared-strings part declaring millions of strings (tens of MB unpacked from a small
    upload) is refused from the archive's directory, before openpyxl parses anything."""
    import io
    import zipfile

    from core.tabular import TableImportError, read_rows

    strings = b"<sst>" + b"<si><t>x</t></si>" * 2_000_000 + b"</sst>"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
        archive.writestr("[Content_Types].xml", b"<Types/>")
    assert len(packed.getvalue()) < 500_000 and len(strings) > 30_000_000
    with pytest.raises(TableImportError, match="trop volumineux une fois décompressé"):
        read_rows("liste.xlsx", packed.getvalue())

"""Importing the same list twice never duplicates a trainee: those already in the school
(same e-mail, same France Travail id, same name) are named, and left out or added only when
the coordinator says so; columns nobody reads are said before importing; a title row above
the headings and an entry date column are read."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from fastapi.testclient import TestClient

from core.domain import NewTrainee, RecordError
from core.tabular import read_rows, read_trainees

LIST = (
    "Liste des stagiaires — promotion de janvier\n"
    "Prénom;Nom;Courriel;N° France Travail;Date d'entrée;Téléphone\n"
    "Awa;Diallo;awa@example.org;FT123;06/01/2026;0600000000\n"
    "Inès;Roux;;;;\n"
)


def test_a_list_with_a_title_row_an_entry_date_and_an_unread_column():
    table = read_trainees(read_rows("liste.csv", LIST.encode()))
    assert [t.last_name for t in table.trainees] == ["Diallo", "Roux"]
    assert table.trainees[0].joined_on == dt.date(2026, 1, 6)
    assert table.trainees[0].external_ref == "FT123"
    assert table.ignored == ["Téléphone"]


def test_the_same_trainees_are_never_added_twice_unless_asked(world):
    directory = world.gestes.store.directory
    again = [
        NewTrainee("AWA", "diallo"),  # same name, case aside
        NewTrainee("Lucas", "Martin-Bis", "x@example.org"),
        NewTrainee("Nour", "Benali"),
    ]
    found = directory.find_duplicates(world.cohort, again)
    assert [(d.line, d.why) for d in found] == [
        (1, "même prénom et même nom"),
        (3, "même prénom et même nom"),
    ]
    with pytest.raises(RecordError, match="2 déjà dans l'école") as refused:
        directory.add_trainees(world.cohort, again)
    assert "AWA diallo (n° 1) est déjà dans l'école" in str(refused.value)
    assert [*directory.add_trainees(world.cohort, again, "skip")]  # only Lucas Martin-Bis
    grid = world.gestes.store.records.cohort_grid(world.cohort)
    assert sorted(row.last_name for row, _ in grid.rows) == [
        "Benali",
        "Diallo",
        "Martin",
        "Martin-Bis",
    ]
    added = directory.add_trainees(world.cohort, [NewTrainee("Nour", "Benali")], "add")
    assert len(added) == 1  # a namesake, added because the coordinator said so
    by_email = [NewTrainee("Awa", "Autre", "AWA@example.org")]
    assert directory.find_duplicates(world.cohort, by_email)[0].why == "même e-mail"


def test_the_import_page_previews_duplicates_and_unread_columns_then_imports(world):
    from web import create_app

    web = TestClient(create_app(world.gestes))
    web.post("/login", data={"email": "coord@example.org", "password": "mot-de-passe-long"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/dashboard").text).group(1)
    sent = {"file": ("liste.csv", io.BytesIO(LIST.encode()), "text/csv")}
    preview = web.post(f"/cohorts/{world.cohort}/trainees", data={"csrf_token": csrf}, files=sent)
    assert preview.status_code == 200
    assert "Colonnes non lues (elles ne sont pas gardées) : Téléphone." in preview.text
    assert "1 stagiaire est déjà dans l'école." in html.unescape(preview.text)  # Awa Diallo
    rows = re.search(r'name="rows" value="([^"]+)"', preview.text).group(1)

    done = web.post(
        f"/cohorts/{world.cohort}/trainees",
        data={"csrf_token": csrf, "rows": html.unescape(rows), "duplicates": "skip"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard?added=1"
    again = web.post(
        f"/cohorts/{world.cohort}/trainees",
        data={"csrf_token": csrf},
        files={"file": ("liste.csv", io.BytesIO(LIST.encode()), "text/csv")},
    )
    assert "2 stagiaires sont déjà dans l'école." in html.unescape(again.text)  # not twice


def test_the_grid_downloads_as_a_spreadsheet_from_the_cohort_page(world):
    import csv
    import io as _io

    from openpyxl import load_workbook

    from web import create_app

    web = TestClient(create_app(world.gestes))
    web.post("/login", data={"email": "formateur@example.org", "password": "mot-de-passe-long"})
    page = web.get(f"/cohorts/{world.cohort}")
    assert f'href="/cohorts/{world.cohort}/grid.xlsx"' in page.text
    sheet = web.get(f"/cohorts/{world.cohort}/grid.csv")
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(_io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert any("Diallo" in " ".join(row) for row in rows)
    book = web.get(f"/cohorts/{world.cohort}/grid.xlsx")
    assert "grille-fibre-2026-1.xlsx" in book.headers["content-disposition"]
    assert load_workbook(_io.BytesIO(book.content)).active.max_row == len(rows)
    assert web.get(f"/cohorts/{world.cohort}/grid.pdf").status_code == 404

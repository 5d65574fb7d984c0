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
    "Prénom;Nom;Courriel;N° France Travail;Date d'entrée;Téléphone;Date de naissance;"
    "Prescripteur;Situation familiale\n"
    "Awa;Diallo;awa@example.org;FT123;06/01/2026;06 12 34 56 78;14/03/1998;Mission Locale;"
    "mariée\n"
    "Inès;Roux;;;;;;;\n"
)


def test_a_list_with_a_title_row_an_entry_date_and_an_unread_column():
    table = read_trainees(read_rows("liste.csv", LIST.encode()))
    assert [t.last_name for t in table.trainees] == ["Diallo", "Roux"]
    awa = table.trainees[0]
    assert awa.joined_on == dt.date(2026, 1, 6) and awa.external_ref == "FT123"
    assert (awa.birth_date, awa.phone, awa.prescriber) == (
        dt.date(1998, 3, 14),
        "06 12 34 56 78",
        "Mission Locale",
    )
    assert table.ignored == ["Situation familiale"]  # said before importing, never kept


def test_a_birth_date_tells_homonyms_apart_and_update_fills_in_with_a_trace(world):
    directory, corrections = world.gestes.store.directory, world.gestes.store.corrections
    awa = world.trainees[0]  # Awa Diallo, awa@example.org, no birth date yet
    [first] = directory.add_trainees(
        world.cohort, [NewTrainee("Karim", "Said", birth_date=dt.date(1990, 5, 1))]
    )
    namesake = NewTrainee("karim", "SAÏD", birth_date=dt.date(2001, 9, 9))
    assert directory.find_duplicates(world.cohort, [namesake]) == []  # another person
    same = NewTrainee("Karim", "Said", birth_date=dt.date(1990, 5, 1))
    [found] = directory.find_duplicates(world.cohort, [same])
    assert found.why == "même nom et même date de naissance" and found.trainee_id == first
    richer = NewTrainee(
        "Awa", "Diallo", "AWA@example.org", "FT999", None, dt.date(1998, 3, 14),
        "06 12 34 56 78", "Mission Locale",
    )  # fmt: skip
    added = directory.add_trainees(world.cohort, [richer, namesake], "update", world.coordinator)
    assert len(added) == 1  # the namesake added, Awa updated, not added again
    kept = world.gestes.store.lookup.trainee(awa)[0]
    assert (kept.external_ref, kept.birth_date, kept.phone, kept.prescriber) == (
        "FT999", dt.date(1998, 3, 14), "06 12 34 56 78", "Mission Locale"
    )  # fmt: skip
    traced = {(c.field, c.before, c.after, c.by) for c in corrections.history("trainee", [awa])}
    assert ("identifiant France Travail", None, "FT999", "Inès Coordinatrice") in traced
    assert ("date de naissance", None, "14/03/1998", "Inès Coordinatrice") in traced
    assert not any(c.field == "e-mail" for c in corrections.history("trainee", [awa]))
    with pytest.raises(RecordError, match="date de naissance improbable"):
        directory.add_trainees(world.cohort, [NewTrainee("Bébé", "X", birth_date=dt.date.today())])


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
    assert "Colonnes non lues (elles ne sont pas gardées) : Situation familiale." in preview.text
    assert "Mission Locale" in preview.text and "14/03/1998" in preview.text  # shown, kept
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
    rows = re.search(r'name="rows" value="([^"]+)"', again.text).group(1)
    updated = web.post(
        f"/cohorts/{world.cohort}/trainees",
        data={"csrf_token": csrf, "rows": html.unescape(rows), "duplicates": "update"},
    )
    assert "2 déjà dans l'école mis à jour." in html.unescape(updated.text)
    awa = world.gestes.store.lookup.trainee(world.trainees[0])[0]
    assert (awa.birth_date, awa.prescriber) == (dt.date(1998, 3, 14), "Mission Locale")


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

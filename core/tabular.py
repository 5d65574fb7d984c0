"""Trainee lists in (CSV, XLSX) and cohort grids out (CSV, XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.catalog.catalog import Catalog
from core.domain import NewTrainee, trainee_problems
from core.judging.record import CohortGrid

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 500

# Accepted column titles (compared without accents, case or spaces).
COLUMNS = {
    "first_name": {"prenom", "firstname", "first_name"},
    "last_name": {"nom", "nomdefamille", "lastname", "last_name"},
    "email": {"email", "e-mail", "courriel", "mail", "adresseemail"},
    "external_ref": {
        "identifiant",
        "external_ref",
        "idfrancetravail",
        "reference",
        "ref",
        "nfrancetravail",
        "numerofrancetravail",
        "identifiantfrancetravail",
    },
    "joined_on": {"datedentree", "entree", "dateentree", "joined_on", "arrivee"},
    "birth_date": {"datedenaissance", "naissance", "datenaissance", "nele", "birth_date"},
    "phone": {"telephone", "tel", "portable", "mobile", "phone", "numerodetelephone"},
    "prescriber": {"prescripteur", "orientepar", "prescriber", "structureprescriptrice"},
}


class TableImportError(ValueError):
    """The file cannot be imported; ``problems`` lists every reason, row by row, in French."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _norm(title: object) -> str:
    """A column title without accents, case, spaces or signs: « Date d'entrée » → dateentree."""
    import re

    text = unicodedata.normalize("NFKD", str(title or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


MAX_IMPORT_COLUMNS = 20  # a trainee list has eight useful columns; the rest is never read


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The cells of a CSV (UTF-8, ``,`` or ``;``) or XLSX file, as text.

    Bounded before anything is materialised: at most ``MAX_IMPORT_COLUMNS`` columns and one
    row more than an import may hold are ever read, whatever the file claims (a sheet that
    declares 16,384 columns and 16,000 rows is refused after reading 501 short rows)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TableImportError(
            [f"Fichier trop lourd : {MAX_IMPORT_BYTES // 1024 // 1024} Mo au maximum."]
        )
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _bounded(_xlsx_rows(data))
    if suffix == ".csv":
        return _bounded(_csv_rows(data))
    raise TableImportError(["Format non pris en charge : fichier .csv ou .xlsx attendu."])


# What an XLSX's parts may unpack to, checked from the archive's directory before any part is
# parsed: a trainee list is a few KB; a part declaring 2,000,000 shared strings (34 MB from
# 88 KB sent) cost 50 s of CPU in openpyxl before the row limit could apply.
MAX_XLSX_PART = 4 * 1024 * 1024
MAX_XLSX_UNPACKED = 16 * 1024 * 1024


def _xlsx_parts_bounded(data: bytes) -> None:
    import zipfile

    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise TableImportError(["Ce fichier XLSX est illisible."]) from None
    if max((p.file_size for p in parts), default=0) > MAX_XLSX_PART or (
        sum(p.file_size for p in parts) > MAX_XLSX_UNPACKED
    ):
        raise TableImportError(
            [
                "Fichier XLSX trop volumineux une fois décompressé : une liste de stagiaires, "
                "enregistrée à nouveau depuis le tableur, tient en quelques kilo-octets."
            ]
        )


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _xlsx_parts_bounded(data)
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_IMPORT_COLUMNS)
        for row in rows:
            yield ["" if c is None else str(c).strip() for c in row]
    except TableImportError:
        raise
    except Exception:  # openpyxl raises many kinds for a broken file
        raise TableImportError(["Ce fichier XLSX est illisible."]) from None


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel's "CSV" on a French Windows
    # The separator the first lines use most (a title row above the headings has none, and
    # threw the standard sniffer off).
    lines = [line for line in text.splitlines()[:6] if line.strip()]
    counts = {sep: max((line.count(sep) for line in lines), default=0) for sep in ";,\t"}
    separator = max(counts, key=lambda sep: counts[sep])
    try:
        for row in csv.reader(io.StringIO(text), delimiter=separator if counts[separator] else ","):
            yield [cell.strip() for cell in row[:MAX_IMPORT_COLUMNS]]
    except csv.Error:  # a field over the reader's limit, a stray NUL…
        raise TableImportError(["Ce fichier CSV est illisible."]) from None


def _bounded(rows: Iterator[list[str]]) -> list[list[str]]:
    """Non-empty rows, the header and at most ``MAX_IMPORT_ROWS`` more; beyond, refused."""
    kept: list[list[str]] = []
    for row in rows:
        if not any(row):
            continue
        kept.append(row)
        if len(kept) > MAX_IMPORT_ROWS + 1:
            raise TableImportError(
                [f"Trop de lignes : {MAX_IMPORT_ROWS} stagiaires au plus par import."]
            )
    return kept


@dataclass(frozen=True)
class TraineeTable:
    """What a trainee list holds: the trainees, and the columns nobody reads (said before
    importing, never dropped without a word)."""

    trainees: list[NewTrainee]
    ignored: list[str]


def parse_trainees(rows: Sequence[Sequence[str]]) -> list[NewTrainee]:
    return read_trainees(rows).trainees


def read_trainees(rows: Sequence[Sequence[str]]) -> TraineeTable:
    """Trainees from a header row and data rows; every problem is reported, by line. The
    header is the first of the first five rows that names a first and a last name (a title
    row above it is skipped, as spreadsheets often have)."""
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise TableImportError(["Le fichier est vide."])
    start = next((i for i, row in enumerate(rows[:5]) if _names_both(row)), 0)
    header = [_norm(cell) for cell in rows[start]]
    positions = {}
    for field, names in COLUMNS.items():
        found = [i for i, title in enumerate(header) if title in {_norm(n) for n in names}]
        if found:
            positions[field] = found[0]
    missing = [
        name
        for name, field in (("prénom", "first_name"), ("nom", "last_name"))
        if field not in positions
    ]
    if missing:
        raise TableImportError([f"Colonne manquante : {', '.join(missing)} (ligne 1 : titres)."])
    if len(rows) - 1 - start > MAX_IMPORT_ROWS:
        raise TableImportError(
            [f"Trop de lignes : {MAX_IMPORT_ROWS} stagiaires au plus par import."]
        )
    ignored = [
        str(rows[start][i]).strip()
        for i in range(len(header))
        if i not in positions.values() and str(rows[start][i]).strip()
    ]
    trainees, problems = [], []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):

        def cell(field: str, row: Sequence[str] = row) -> str:
            position = positions.get(field)
            return row[position].strip() if position is not None and position < len(row) else ""

        joined, problem = _day(cell("joined_on"), "date d'entrée")
        born, unread = _day(cell("birth_date"), "date de naissance")
        trainee = NewTrainee(
            cell("first_name"),
            cell("last_name"),
            cell("email") or None,
            cell("external_ref") or None,
            joined,
            born,
            cell("phone") or None,
            cell("prescriber") or None,
        )
        wrong = trainee_problems(trainee) + [p for p in (problem, unread) if p]
        problems += [f"ligne {number} : {p}" for p in wrong]
        trainees.append(trainee)
    if problems:
        raise TableImportError(problems)
    return TraineeTable(trainees, ignored)


def _names_both(row: Sequence[str]) -> bool:
    titles = {_norm(cell) for cell in row}
    return all(titles & {_norm(n) for n in COLUMNS[f]} for f in ("first_name", "last_name"))


def _day(text: str, what: str) -> tuple[dt.date | None, str | None]:
    """A date as spreadsheets write it: 05/01/2026, 2026-01-05 (or a date cell)."""
    if not text:
        return None, None
    for shape in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(text, shape).date(), None
        except ValueError:
            continue
    return None, f"{what} « {text} » illisible (JJ/MM/AAAA)"


def grid_table(grid: CohortGrid, catalog: Catalog) -> list[list[str]]:
    """Header + one row per trainee: level labels in the curriculum's words. Every cell is
    inert text: a name typed as ``=HYPERLINK(…)`` never becomes a formula in a spreadsheet."""
    scale = catalog.sectors[grid.sector].curriculum.scale
    header = ["Stagiaire", *[catalog.competency(c).name for c in grid.competencies]]
    return [[inert(cell) for cell in header]] + [
        [inert(info.full_name), *[inert(scale.label(level)) for level in levels]]
        for info, levels in grid.rows
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL = dict.fromkeys(range(32), None) | {9: " ", 10: " ", 13: " "}  # no NUL, BEL… in cells


def inert(text: str) -> str:
    """A cell a spreadsheet shows as text (OWASP's CSV injection advice: a leading quote
    before a formula's first character), without control characters."""
    text = text.translate(CONTROL)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)  # ';' : what French Excel opens directly
    return ("\ufeff" + out.getvalue()).encode("utf-8")


LEVEL_FILLS = {0: "FFFFFF", 1: "F4CCCC", 2: "FCE5CD", 3: "D9EAD3", 4: "93C47D"}


def write_xlsx(grid: CohortGrid, catalog: Catalog) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    scale = catalog.sectors[grid.sector].curriculum.scale
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Grille"
    table = grid_table(grid, catalog)
    sheet.append(table[0])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for (_, levels), row in zip(grid.rows, table[1:], strict=True):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula, whatever it starts with
        for column, level in enumerate(levels, start=2):
            color = LEVEL_FILLS[scale.tone(level)]  # by meaning, not position
            sheet.cell(sheet.max_row, column).fill = PatternFill("solid", fgColor=color)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_rows_xlsx(rows: Sequence[Sequence[str]], title: str) -> bytes:
    """A plain table as a workbook: a bold header, every cell text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append([inert(cell) for cell in row])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

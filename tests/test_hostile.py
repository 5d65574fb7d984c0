"""Hostile input (issue 17): built in the tests, no binary fixtures."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest

from core.tabular import TableImportError, read_rows


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
    started = time.perf_counter()
    with pytest.raises(TableImportError, match="Trop de lignes"):
        read_rows("liste.xlsx", bomb)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0 and peak < 50 * 1024 * 1024, (elapsed, peak)  # …refused in < 1 s


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

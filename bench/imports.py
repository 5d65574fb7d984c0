"""Hostile imports: an XLSX "bomb" refused fast and small, against an honest list.

    ./dev python bench/imports.py            # full run
    ./dev python bench/imports.py --quick    # smoke test (CI)

The bomb (tests/test_hostile.py) is an 88 KB workbook whose sheet claims A1:XFD16000: a naive
reader pads 16,000 rows to 16,384 cells (gigabytes). Measured in interleaved rounds with an
honest 500-row list of the same format as the baseline: the bomb's refusal time (target:
< 1 s) and the memory it holds while refused (target: < 50 MB), and the ratio to the honest
import. The web app reads imports off the event loop, so other requests go on meanwhile.

Then the duplicate check an import runs before adding anyone (the same e-mail, France
Travail id or name already in the school): a 500-row list against a school of 2,000
trainees, in interleaved rounds with reading that list as the baseline (target: ≤ 1 s).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.tabular import TableImportError, read_rows  # noqa: E402
from tests.test_hostile import xlsx_bomb  # noqa: E402


def honest_list(rows: int = 500) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["prenom", "nom", "email"])
    for n in range(rows - 1):
        sheet.append([f"Prénom{n}", f"Nom{n}", f"p{n}@exemple.fr"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(data: bytes) -> tuple[float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    with contextlib.suppress(TableImportError):
        read_rows("liste.xlsx", data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke test")
    rounds = 3 if parser.parse_args().quick else 9
    bomb, honest = xlsx_bomb(), honest_list()
    bombs, lists, peaks = [], [], []
    for _ in range(rounds):  # interleaved: the same machine state for both
        elapsed, peak = timed(bomb)
        bombs.append(elapsed)
        peaks.append(peak)
        lists.append(timed(honest)[0])
    refused, baseline = statistics.median(bombs), statistics.median(lists)
    memory = max(peaks) / (1024 * 1024)
    print(
        f"bomb ({len(bomb) // 1024} KB) refused in {refused * 1000:.0f} ms median of {rounds}, "
        f"{memory:.1f} MB held (targets < 1000 ms, < 50 MB: "
        f"{'ok' if refused < 1 and memory < 50 else 'MISSED'})"
    )
    print(
        f"honest 500-row list ({len(honest) // 1024} KB) read in {baseline * 1000:.0f} ms: "
        f"the bomb costs {refused / baseline:.2f}x an honest import"
    )


def _email(batch: int, n: int) -> str:
    return f"p{n}@exemple.fr" if batch == 0 and n < 125 else f"e{batch}-{n}@x.fr"


def duplicates_checked(rounds: int) -> None:
    """The duplicate check of a 500-row list against 2,000 trainees of the school."""
    import datetime as dt
    import tempfile

    from core.context import open_gestes
    from core.domain import NewTrainee
    from core.settings import Settings
    from core.tabular import read_trainees

    with tempfile.TemporaryDirectory() as folder:
        gestes = open_gestes(Settings(data_dir=Path(folder)), migrate=True)
        directory = gestes.store.directory
        school = directory.create_school(None, "École", "Lyon", "territoire.lyon")
        today = dt.date.today()
        for batch in range(4):  # 2,000 already there, over four cohorts
            cohort = directory.create_cohort(
                school, "fibre", f"C{batch}", today - dt.timedelta(days=30), today
            )
            directory.add_trainees(
                cohort,
                [  # a quarter of the list is already there (the same e-mail)
                    NewTrainee(f"Prénom{batch}-{n}", f"Nom{n}", _email(batch, n))
                    for n in range(500)
                ],
            )
        listed = honest_list()
        checks, reads = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            table = read_trainees(read_rows("liste.xlsx", listed))
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = directory.find_duplicates(cohort, table.trainees)
            checks.append(time.perf_counter() - started)
        checked, read = statistics.median(checks), statistics.median(reads)
        print(
            f"duplicate check: {len(table.trainees)} rows against 2,000 trainees in "
            f"{checked * 1000:.0f} ms median of {rounds} ({len(found)} found), "
            f"{checked / read:.2f}x reading the list (target ≤ 1000 ms: "
            f"{'ok' if checked <= 1 else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
    duplicates_checked(3 if "--quick" in sys.argv else 9)

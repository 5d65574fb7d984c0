"""A school's Qualiopi file at national scale: the counts, the trainees at risk today and the
opinions, then the file printed and signed in its ZIP.

    ./dev python bench/qualiopi.py            # full: 3,000 trainees, 10 M step results (cached)
    ./dev python bench/qualiopi.py --quick    # smoke test (CI): the same shape, tiny

For the school with the most trainees, over the last twelve months. The file's derivation
(``core.qualiopi.school_file``) is dominated by the trainees at risk of its running cohorts
(their records); reading those records alone is the baseline, in the same rounds,
interleaved. Targets: the whole ZIP (file, PDF, signature) <= 10 s; the file <= 2x the
baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from national import FULL, QUICK, national_store

from core.context import load_definitions
from core.qualiopi import file_zip, school_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the tiny store: a smoke test")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    gestes = national_store(args.backend, scale, load_definitions())
    store = gestes.store
    end = dt.date.today()
    start = end - dt.timedelta(days=365)
    sizes = Counter(
        {s.id: len(store.qualiopi.trainees(s.id, start, end)) for s in store.lookup.schools()}
    )
    school, trainees = sizes.most_common(1)[0]
    running = [c.id for c, _ in store.lookup.cohorts([school]) if not c.closed]
    started = time.perf_counter()
    file = school_file(gestes, school, start, end, "https://gestes.example")
    cold = time.perf_counter() - started
    derived, baseline, zipped = [], [], []
    for _ in range(3 if args.quick else 5):  # interleaved: the same cache, the same load
        started = time.perf_counter()
        for cohort in running:
            store.records.cohort_records(cohort)
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        file = school_file(gestes, school, start, end, "https://gestes.example")
        derived.append(time.perf_counter() - started)
        started = time.perf_counter()
        archive = file_zip(gestes, file)
        zipped.append(time.perf_counter() - started)
    seconds, base = statistics.median(derived), statistics.median(baseline)
    whole = seconds + statistics.median(zipped)
    ratio = seconds / base if base else float("inf")
    print(f"  {args.backend}, {scale.name}: school {school}, {trainees:,} trainees over the period")
    print(f"  first file of the process               {cold:6.2f} s")
    print(f"  records of its running cohorts (base)   {base:6.2f} s")
    print(
        f"  the file (counts, at risk, opinions)    {seconds:6.2f} s; {ratio:.2f}x the baseline "
        f"(target <= 2x: {'ok' if ratio <= 2 else 'MISSED'})"
    )
    print(
        f"  the signed ZIP, file included           {whole:6.2f} s ({len(archive):,} bytes); "
        f"target <= 10 s: {'ok' if whole <= 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

"""Trainees at risk at national scale: the dashboard's derivation over every cohort.

    ./dev python bench/at_risk.py            # full: 3,000 trainees, 10 M step results (cached)
    ./dev python bench/at_risk.py --quick    # smoke test (CI): the same shape, tiny

The derivation (``core.followup.derive.at_risk``) reads, per cohort, the attendance hours,
the trainees' records, the placements and the call log. Its dominant part is the records
(``cohort_records``, remembered per process until the cohort changes), measured alone as the
baseline in the same rounds, interleaved: the ratio says what following trainees adds to
reading their records. The first visit of a process derives every record (printed); the
targets are for a dashboard visited again: every followed cohort in <= 2 s, <= 1.5x the
baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from national import FULL, QUICK, national_store

from core.context import load_definitions
from core.followup.derive import RECENT, at_risk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the tiny store: a smoke test")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    gestes = national_store(args.backend, scale, load_definitions())
    followed = dt.date.today() - dt.timedelta(days=RECENT)  # ended earlier: not followed
    cohorts = [c.id for c, _ in gestes.store.lookup.cohorts(None) if c.ends_on >= followed]
    trainees = sum(len(gestes.store.attendance.roster(c)) for c in cohorts)
    started = time.perf_counter()
    at_risk(gestes, cohorts)  # cold: this process's first visit derives every record
    cold = time.perf_counter() - started
    derived, baseline, found = [], [], 0
    for _ in range(3 if args.quick else 5):  # interleaved: the same cache, the same load
        started = time.perf_counter()
        for cohort in cohorts:
            gestes.store.records.cohort_records(cohort)
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = len(at_risk(gestes, cohorts))
        derived.append(time.perf_counter() - started)
    seconds, base = statistics.median(derived), statistics.median(baseline)
    ratio = seconds / base
    print(
        f"  {args.backend}, {scale.name}: {trainees:,} trainees followed in {len(cohorts)} cohorts)"
    )
    print(f"  first visit (every record derived)   {cold:6.2f} s")
    print(f"  records of every cohort (baseline)   {base:6.2f} s")
    print(
        f"  trainees at risk, every cohort       {seconds:6.2f} s ({found} listed); "
        f"{ratio:.2f}x the baseline (target <= 1.5x: {'ok' if ratio <= 1.5 else 'MISSED'}); "
        f"target <= 2 s: {'ok' if seconds <= 2 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

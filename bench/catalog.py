"""Catalog load+validate time, its growth with catalog size, and CLI start-up time.

    ./dev python bench/catalog.py            # full run
    ./dev python bench/catalog.py --quick    # smoke test (CI)

Prints, in one run:
- load+validate of the three in-tree plugins (target: < 150 ms), median of N fresh loads;
- the same for generated catalogs 5×, 10× and 20× larger (every sector and employer cloned
  with renamed ids), with time per sector, so that linear growth shows as a flat column;
- ``gestes --help`` start-up against a bare ``python -c pass`` measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import hookimpl  # noqa: E402
from core.catalog.loading import load_catalog  # noqa: E402
from core.plugins import get_plugin_manager  # noqa: E402


def timed(function: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


class GeneratedPlugin:
    def __init__(self, sectors: list[Path], employers: list[Path], evaluators: list[Any]) -> None:
        self.sectors, self.employers, self.evaluators = sectors, employers, evaluators

    @hookimpl
    def gestes_evaluators(self) -> list[Any]:
        return self.evaluators

    @hookimpl
    def gestes_sectors(self) -> list[Path]:
        return self.sectors

    @hookimpl
    def gestes_employers(self) -> list[Path]:
        return self.employers


def generate(copies: int, folder: Path) -> GeneratedPlugin:
    """``copies`` clones of every in-tree sector and employer, ids renamed, as YAML files."""
    catalog = load_catalog(get_plugin_manager())
    sector_ids = set(catalog.sectors)
    renamable = {i for i, e in catalog.entries.items() if e.sector or e.kind == "employer"}

    def rename(value: Any, suffix: str) -> Any:
        if isinstance(value, dict):
            return {k: rename(v, suffix) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v, suffix) for v in value]
        if isinstance(value, str) and value in sector_ids:
            return f"{value}{suffix}"
        if isinstance(value, str) and value in renamable:
            head, _, rest = value.partition(".")
            if head in sector_ids:
                return f"{head}{suffix}.{rest}"
            return f"{value}{suffix}"  # employer ids
        return value

    sectors, employers = [], []
    for copy in range(1, copies + 1):
        suffix = f"_x{copy}"
        for sector in catalog.sectors.values():
            data = rename(sector.model_dump(mode="json", exclude_defaults=True), suffix)
            path = folder / f"{sector.id}{suffix}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
            sectors.append(path)
        data = {
            "employers": [
                rename(e.model_dump(mode="json"), suffix) for e in catalog.employers.values()
            ]
        }
        path = folder / f"employers{suffix}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        employers.append(path)
    evaluators = [e for e in catalog.evaluators.values() if e.plugin != "core"]
    return GeneratedPlugin(sectors, employers, evaluators)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke test")
    args = parser.parse_args()
    repeat = 3 if args.quick else 15
    scales = (1, 20) if args.quick else (1, 5, 10, 20)

    load_catalog(
        get_plugin_manager()
    )  # warm imports and the OS file cache, as a running app has them
    base = timed(lambda: load_catalog(get_plugin_manager()), repeat)
    catalog = load_catalog(get_plugin_manager())
    sectors = len(catalog.sectors)
    definitions = len(catalog.entries)
    print(f"three in-tree plugins: {sectors} sectors, {definitions} definitions")
    print(
        f"  load+validate median {ms(statistics.median(base))}   min {ms(min(base))}   "
        f"(target < 150 ms: {'ok' if statistics.median(base) < 0.150 else 'MISSED'})"
    )

    print("\ngenerated catalogs (every sector and employer cloned):")
    print(
        f"  {'size':>5} {'sectors':>8} {'definitions':>12} {'median':>11} {'per sector':>11} "
        f"{'vs 1×':>7}"
    )
    per_sector_1x = None
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            folder = Path(tmp) / f"x{scale}"
            folder.mkdir()
            plugin = generate(scale, folder)

            def load(plugin: GeneratedPlugin = plugin) -> Any:
                return load_catalog(
                    get_plugin_manager(load_entrypoints=False, plugins=[("generated", plugin)])
                )

            big = load()
            times = timed(load, max(2, repeat // scale))
            median = statistics.median(times)
            per_sector = median / len(big.sectors)
            per_sector_1x = per_sector_1x or per_sector
            print(
                f"  {scale:>4}× {len(big.sectors):>8} {len(big.entries):>12} {ms(median)} "
                f"{ms(per_sector)} {per_sector / per_sector_1x:>6.2f}×"
            )
    print("  (linear growth: the per-sector time stays flat as the catalog grows)")

    gestes = Path(sys.executable).parent / "gestes"
    python = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat)
    help_ = timed(
        lambda: subprocess.run([gestes, "--help"], check=True, stdout=subprocess.DEVNULL), repeat
    )
    print("\nstart-up (median):")
    print(f"  python -c pass   {ms(statistics.median(python))}")
    print(
        f"  gestes --help    {ms(statistics.median(help_))}   "
        f"({statistics.median(help_) / statistics.median(python):.1f}× bare Python)"
    )


if __name__ == "__main__":
    main()

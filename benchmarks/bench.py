"""Speed and memory of generate and analyze, with baselines measured in the same run.

    python benchmarks/bench.py [--people 600] [--managers 60]

Prints wall time, per-workbook time and peak Python memory (tracemalloc, in a second run) for:
  - generate: matrixkit's xlsxwriter writer, against openpyxl writing the same cells (baseline);
  - reading: python-calamine (what analyze uses), against openpyxl read-only (baseline);
  - the safety scan matrixkit runs before calamine, as a share of the reading time;
  - analyze end to end.
Nothing here is asserted: machines are noisy. Compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "sample_workbooks"))

import openpyxl  # noqa: E402
from build import fill_workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from matrixkit import load_frameworks  # noqa: E402
from matrixkit.intake.safety import scan_file  # noqa: E402
from matrixkit.outputs.generate import generate_workbooks  # noqa: E402
from matrixkit.run import analyze_workbooks  # noqa: E402
from matrixkit.sources.roster import read_roster  # noqa: E402


def measure(label: str, action: Callable[[], Any], count: int) -> tuple[float, Any]:
    """Time one run; then, separately (tracing slows Python code down), its peak Python memory."""
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<48} {elapsed:8.3f} s  {elapsed / count * 1000:8.2f} ms/workbook  peak {peak / 2**20:7.1f} MiB")
    return elapsed, result


def write_roster(path: Path, people: int, managers: int) -> None:
    levels = ["IC1", "IC2", "IC2", "IC3", "IC3", "IC4", "IC5", "M1"]
    lines = ["employee_id,name,family,level,manager_id,manager_name,level_since"]
    for n in range(people):
        manager = f"MGR-{n % managers:03d}"
        lines.append(
            f"E{n:05d},Person {n:05d},engineering,{levels[n % len(levels)]},{manager},Manager {manager},2025-01-15"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def openpyxl_baseline_write(paths: list[Path], out: Path) -> None:
    """The same cell values written with openpyxl (no validations or formats): a floor for a writer."""
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        source = CalamineWorkbook.from_path(str(path))
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name in source.sheet_names:
            ws = wb.create_sheet(name[:31])
            for row in source.get_sheet_by_name(name).to_python():
                ws.append(row)
        wb.save(out / path.name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--managers", type=int, default=60)
    args = parser.parse_args()
    frameworks = load_frameworks([REPO / "templates" / "engineering.yaml"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster_path = folder / "roster.csv"
        write_roster(roster_path, args.people, args.managers)
        roster = read_roster(roster_path, frameworks)
        count = len(roster.managers)
        print(f"{args.people} people, {count} workbooks (engineering template)\n")
        generate_time, paths = measure(
            "generate (matrixkit, xlsxwriter)",
            lambda: generate_workbooks(frameworks, roster, "2026-Q4", folder / "gen"),
            count,
        )
        baseline_time, _ = measure(
            "baseline: openpyxl writing the same values",
            lambda: openpyxl_baseline_write(paths, folder / "baseline"),
            count,
        )
        filled = folder / "filled"
        for path in paths:
            fill_workbook(path, filled / path.name, frameworks[0])
        filled_paths = sorted(filled.iterdir())
        print()
        calamine_time, _ = measure(
            "read ratings sheets: python-calamine",
            lambda: [CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Ratings").to_python() for p in filled_paths],
            count,
        )
        openpyxl_time, _ = measure(
            "baseline: openpyxl read-only",
            lambda: [
                list(openpyxl.load_workbook(p, read_only=True, data_only=True)["Ratings"].values) for p in filled_paths
            ],
            count,
        )
        scan_time, _ = measure(
            "safety scan before parsing", lambda: [scan_file(p, lambda n: n == "Ratings") for p in filled_paths], count
        )
        analyze_time, analysis = measure(
            "analyze end to end (scan, read, check, assess)",
            lambda: analyze_workbooks([filled], frameworks, roster=roster, cycle="2026-Q4"),
            count,
        )
        print()
        print(
            f"generate / openpyxl values-only baseline: {generate_time / baseline_time:6.2f}x the time "
            "(it also writes validations, formats, formulas, guide and metadata)"
        )
        print(f"openpyxl / calamine reading:              {openpyxl_time / calamine_time:6.1f}x the time")
        print(f"safety scan / calamine read:              {scan_time / calamine_time:6.2f}x the time")
        print(f"analyze per employee:                     {analyze_time / len(analysis.employees) * 1000:5.2f} ms")


if __name__ == "__main__":
    main()

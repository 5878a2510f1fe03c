"""Hostile inputs at volume: seconds and peak RSS of `matrixkit analyze` on each of issue 13's big cases.

    python benchmarks/hostile.py [--cases repeated invalid unknown] [--keep DIR] [--scale 0.01]

From the workbook `generate_workbooks` writes for the first manager of templates/rosters/engineering.csv,
each case rewrites the Ratings sheet's XML (tests/floods.py, the builders the tests use):

  repeated   the first employee's row, validly rated, pasted 5,000 times (conflicts);
  invalid    90,000 rows with every one of the 11 ratings typed as a word (a flood of one kind);
  unknown    a sheet at the default limit of 100,000 rows: 99,999 employees the roster does not know.

Each case runs `python -m matrixkit analyze FILE --framework … --roster … --cycle … --out … --json …` in a
child process; the parent times it (interpreter start-up included) and reaps it with os.wait4, whose
ru_maxrss is the peak RSS. The inputs are built in a child of their own: a child forked from a parent that
had built them would count the parent's pages in its ru_maxrss. A second child runs the reading alone
(`ingest_workbooks`: safety scan, calamine, cell checks and the problem cap), to tell what the flood costs
from what the employees it holds cost.
Targets (issue 13): ≤ 5 s and ≤ 300 MB per case.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the builders are the tests' own

TEMPLATE = REPO / "templates" / "engineering.yaml"
ROSTER = REPO / "templates" / "rosters" / "engineering.csv"
CYCLE = "2026-Q4"
TARGET_SECONDS, TARGET_MB = 5.0, 300.0
CASES = ("repeated", "invalid", "unknown")


def build(case: str, work: Path, scale: float = 1.0) -> tuple[Path, str]:
    """The case's input file and a line saying what it holds; `scale` shrinks the row counts (a smoke test)."""
    from floods import invalid_ratings, repeated_rows, unknown_employees

    from matrixkit import load_frameworks
    from matrixkit.outputs.generate import generate_workbooks
    from matrixkit.sources.roster import read_roster

    frameworks = load_frameworks([TEMPLATE])
    names = [c.name for c in frameworks[0].competencies]
    generated = work / "generated"
    if not generated.exists():
        generate_workbooks(frameworks, read_roster(ROSTER, frameworks), CYCLE, generated)
    source = sorted(generated.glob("*.xlsx"))[0]
    target = work / case / f"{case}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    copies, rows, strangers = (max(2, round(n * scale)) for n in (5_000, 90_000, 99_999))
    builders: dict[str, Callable[[], tuple[Path, str]]] = {
        "repeated": lambda: (
            repeated_rows(source, target, copies, dict.fromkeys(names, 3)),
            f"{copies:,} copies of one row",
        ),
        "invalid": lambda: (invalid_ratings(source, target, rows, names), f"{rows:,} rows × {len(names)} invalid"),
        "unknown": lambda: (
            unknown_employees(source, target, strangers, dict.fromkeys(names, 3)),
            f"{strangers:,} unknown employees",
        ),
    }
    return builders[case]()


INGEST_ONLY = """
import sys
from pathlib import Path
from matrixkit import load_frameworks
from matrixkit.intake.reader import ingest_workbooks
read = ingest_workbooks([Path(sys.argv[1])], load_frameworks([sys.argv[2]]))
print(sum(len(w.rows) for w in read), sum(len(w.problems) for w in read))
"""

COUNT_JSON = "import json, sys; d = json.load(open(sys.argv[1])); print(len(d['employees']), len(d['problems']))"


def run_child(command: list[str], log: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS (MB) and exit code of one child process."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(path: Path) -> dict[str, float | int]:
    out = path.parent / "out"
    out.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "matrixkit", "analyze", str(path), "--framework", str(TEMPLATE)]
    command += ["--roster", str(ROSTER), "--cycle", CYCLE, "--out", str(out / "report.xlsx")]
    command += ["--json", str(out / "report.json")]
    # The parent stays small (the JSON is counted in a child too): pages it holds when it forks count in
    # the child's ru_maxrss until the exec.
    ingest_s, ingest_mb, ingest_code = run_child(
        [sys.executable, "-c", INGEST_ONLY, str(path), str(TEMPLATE)], path.parent / "ingest.log"
    )
    if ingest_code != 0:
        raise RuntimeError(f"ingest failed: see {path.parent / 'ingest.log'}")
    seconds, rss_mb, code = run_child(command, path.parent / "analyze.log")
    written = code in (0, 1)
    counted = subprocess.run(
        [sys.executable, "-c", COUNT_JSON, str(out / "report.json")], capture_output=True, text=True, check=written
    )
    employees, problems = map(int, counted.stdout.split()) if written else (0, 0)
    return {
        "seconds": seconds,
        "rss_mb": rss_mb,
        "exit": code,
        "employees": employees,
        "problems": problems,
        "json_mb": (out / "report.json").stat().st_size / 2**20 if written else 0.0,
        "ingest_s": ingest_s,
        "ingest_mb": ingest_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files (default: a tempdir)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every case's rows (default 1: the issue's)")
    parser.add_argument("--build", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        path, what = build(args.build, args.work, args.scale)
        print(json.dumps({"path": str(path), "what": what}))
        return
    with tempfile.TemporaryDirectory(prefix="matrixkit-hostile-") as tmp:
        work = args.keep or Path(tmp)
        print(
            f"{'case':<9} {'input':<28} {'file MB':>7} | {'analyze s':>9} {'RSS MB':>6} {'exit':>4} {'employees':>9} "
            f"{'problems':>8} {'JSON MB':>7} | {'ingest s':>8} {'RSS MB':>6} | "
            f"≤ {TARGET_SECONDS:g} s, ≤ {TARGET_MB:g} MB"
        )
        for case in args.cases:
            built = subprocess.run(
                [sys.executable, __file__, "--build", case, "--work", str(work), "--scale", str(args.scale)],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            made = json.loads(built.stdout.strip().splitlines()[-1])
            path, what = Path(made["path"]), made["what"]
            figures = measure(path)
            met = figures["seconds"] <= TARGET_SECONDS and figures["rss_mb"] <= TARGET_MB and figures["exit"] in (0, 1)
            print(
                f"{case:<9} {what:<28} {path.stat().st_size / 2**20:>7.1f} | {figures['seconds']:>9.2f} "
                f"{figures['rss_mb']:>6.0f} {figures['exit']:>4} {figures['employees']:>9,} {figures['problems']:>8,} "
                f"{figures['json_mb']:>7.2f} | {figures['ingest_s']:>8.2f} {figures['ingest_mb']:>6.0f} | "
                f"{'✓' if met else '✗'}",
                flush=True,
            )


if __name__ == "__main__":
    main()

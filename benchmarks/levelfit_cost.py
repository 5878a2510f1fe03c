"""What Level fit and Equity cost `analyze` (issue 19: no more than 10%), measured A/B in one process.

Run `benchmarks/run.py --steps analyze --keep DIR` first (the company of 10,000), then:

    python benchmarks/levelfit_cost.py DIR

Each figure is the fastest of `--repeat` alternating runs (the fastest is the least disturbed by other work
on the machine): the core `analyze()` with and without level fit, the report with and without its Level fit
sheet, and `analyze(equity=["site"])` over a `site` column added to the roster here.
"""

from __future__ import annotations

import argparse
import importlib
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent


def fastest(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():  # alternating, so both sides see the same disturbances
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("work", type=Path, help="the --keep folder of benchmarks/run.py")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from matrixkit import load_frameworks
    from matrixkit.assess import analyze as analyze_module
    from matrixkit.assess import readiness
    from matrixkit.assess.analyze import analyze
    from matrixkit.intake.reader import expand_inputs, ingest_workbooks
    from matrixkit.model.roster import Roster
    from matrixkit.outputs import report
    from matrixkit.outputs.report import report_bytes
    from matrixkit.sources.roster import read_roster

    frameworks = load_frameworks([REPO / "templates" / "engineering.yaml"])
    roster = read_roster(args.work / "roster.csv", frameworks)
    sites = random.Random(2026)
    extra = [{"site": sites.choice(["Oslo", "Lagos", "Lima", "Pune", ""])} for _ in roster.employees]
    roster = Roster(roster.file, tuple(replace(e, extra=x) for e, x in zip(roster.employees, extra, strict=True)))
    rows = [row for w in ingest_workbooks(expand_inputs([args.work / "filled"]), frameworks) for row in w.rows]

    def core() -> object:
        return analyze(rows, frameworks, roster=roster, cycle="2026-Q4")

    def core_without() -> object:
        with (
            mock.patch.object(analyze_module, "level_fit", lambda *_: []),
            mock.patch.object(readiness, "profile_level", lambda *_: None),
        ):
            return core()

    analysis = core()
    started = time.perf_counter()
    for module in ("statsmodels.genmod.generalized_linear_model", "statsmodels.stats.contingency_tables"):
        importlib.import_module(module)  # what the first --equity run pays once

    statsmodels_import = time.perf_counter() - started
    timings = fastest(
        {
            "analyze() with level fit": core,
            "analyze() without": core_without,
            "analyze(equity=['site'])": lambda: analyze(
                rows, frameworks, roster=roster, cycle="2026-Q4", equity=["site"]
            ),
        },
        args.repeat,
    )

    def without_sheet() -> object:
        with mock.patch.object(report, "write_level_fit", lambda *_: None):
            return report_bytes(analysis, frameworks)  # type: ignore[arg-type]

    timings |= fastest(
        {
            "report with the Level fit sheet": lambda: report_bytes(analysis, frameworks),  # type: ignore[arg-type]
            "report without": without_sheet,
        },
        args.repeat,
    )
    for name, seconds in timings.items():
        print(f"{name:<34} {seconds:7.3f} s")
    print(f"{'statsmodels import (once)':<34} {statsmodels_import:7.3f} s")
    extra_core = timings["analyze() with level fit"] - timings["analyze() without"]
    extra_sheet = timings["report with the Level fit sheet"] - timings["report without"]
    total = timings["analyze() without"] + timings["report without"]
    added = extra_core + extra_sheet
    print(f"level fit adds {added:.3f} s to {total:.3f} s of analysis and report ({added / total:.1%}); reading")
    print("the workbooks, which it does not touch, comes on top of both")


if __name__ == "__main__":
    main()

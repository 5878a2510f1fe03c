"""Benchmark of generate and analyze on a synthetic company, against a floor and the usual alternative.

    python benchmarks/run.py --employees 10000 --per-manager 10 [--repeat 3] [--steps ...] [--json FILE]
    python benchmarks/run.py --scaling          # 10,000 then 100,000 employees, and the 100k / 10k ratios

A roster (reproducible from --seed) of `--employees` people under ceil(employees / per-manager) managers
uses templates/engineering.yaml. Then, each step in a fresh child process (`run.py --child STEP`):

  generate     matrixkit.outputs.generate.generate_workbooks: one workbook per manager;
  (fill)       untimed: every Ratings sheet filled by rewriting its XML in the zip (no openpyxl);
  floor        a bare python-calamine read of every rating cell of the filled files, nothing else;
  alternative  pandas.read_excel(engine="openpyxl") per file and pd.concat, as an analyst would write it;
  ingest       matrixkit.intake.reader.ingest_workbooks (framework loading included);
  analyze      the real CLI in-process: `matrixkit analyze ... --out report.xlsx --json report.json`.

The child times its own work with time.perf_counter(), *including* the imports of the libraries it
uses and excluding interpreter start-up, and prints `{"seconds": ...}` as its last stdout line. The
parent reaps it with os.wait4 and takes ru_maxrss (KiB on Linux) as the step's peak RSS; workers the
child spawned are reported too (RUSAGE_CHILDREN). Each step runs --repeat times: the table shows the
median time, every run, and the largest RSS. Targets are the issue's, stated for 10,000 employees on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import html
import importlib.util
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "templates" / "engineering.yaml"
CYCLE = "2026-Q4"
STEPS = ("generate", "floor", "alternative", "ingest", "analyze")
MATRIXKIT_STEPS = ("generate", "ingest", "analyze")
TARGETS = {"generate_s": 4.0, "analyze_s": 2.0, "ingest_per_floor": 1.5, "alternative_per_analyze": 3.0}
RSS_TARGET_MB, SCALING_TARGET = 150.0, 10.0
CPUS = os.cpu_count() or 1
LEVEL_WEIGHTS = {"IC1": 7, "IC2": 24, "IC3": 28, "IC4": 20, "IC5": 7, "IC6": 3, "M1": 6, "M2": 3, "M3": 1}
FIRST = ["Zoë", "Amara", "Björn", "Chloé", "Daniel", "Fatima", "Hiroshi", "Ingrid", "José", "Kwame", "Léa", "Mei"]
FIRST += ["Nuno", "Oluwaseun", "Priya", "Rafael", "Siobhán", "Søren", "Thảo", "Wei", "Yusuf", "Zoltán", "Ana"]
LAST = ["Nguyễn", "Smith", "Müller", "García", "Kowalski", "Ó Briain", "Okafor", "Tanaka", "Rossi", "Dubois"]
LAST += ["Øvergaard", "Silva", "Patel", "Chen", "Johansson", "Yılmaz", "Novák", "Haddad", "Kim", "Mensah"]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
EMPTY_CELL = re.compile(r"<c\b([^>]*?)\s*/>")
CELL_REF = re.compile(r'(?:^|\s)r="([A-Z]+[0-9]+)"')
TYPE_ATTR = re.compile(r'\st="[^"]*"')


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the synthetic company ------------------------------------------------------------------------------


def write_roster(path: Path, employees: int, per_manager: int, seed: int) -> int:
    """The roster CSV; return the number of managers (who are not roster rows themselves)."""
    from matrixkit import load_frameworks

    fw = load_frameworks([TEMPLATE])[0]
    levels = [level.id for track in fw.tracks for level in track.levels]
    weights = [LEVEL_WEIGHTS.get(level, 0) for level in levels]
    rng = random.Random(seed)
    start, days = date(2019, 1, 1), (date(2026, 9, 30) - date(2019, 1, 1)).days
    managers = math.ceil(employees / per_manager)
    manager_names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(managers)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["employee_id", "name", "family", "level", "manager_id", "manager_name", "level_since"])
        for n in range(employees):
            m = n // per_manager
            since = start + timedelta(days=rng.randrange(days))
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            level = rng.choices(levels, weights)[0]
            out.writerow([f"E{n + 1:06d}", name, fw.family.id, level, f"M{m + 1:05d}", manager_names[m], since])
    return managers


# -- filling, untimed: the Ratings sheet's XML is rewritten inside the zip -------------------------------

_fill_state: dict[str, Any] = {}


def _fill_init() -> None:
    from matrixkit import load_frameworks

    spec = importlib.util.spec_from_file_location("sample_build", REPO / "sample_workbooks" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _fill_state.update(fw=load_frameworks([TEMPLATE])[0], rating_for=module.rating_for, pick=module._pick)


def ratings_part(archive: zipfile.ZipFile, sheet: str = "Ratings") -> str:
    """The zip member of the named sheet, via xl/workbook.xml and its relationships."""
    from xml.etree import ElementTree

    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    found = [s.get(REL_ID) for s in book.iterfind("m:sheets/m:sheet", NS) if s.get("name") == sheet]
    if not found:
        raise ValueError(f"no sheet named {sheet!r} in {archive.filename}")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target", "") for r in rels if r.get("Id") == found[0])
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def planned_values(grid: Sequence[Sequence[Any]]) -> dict[str, str]:
    """Cell reference → the XML content of the filled cell (`<v>` or an inline string)."""
    from matrixkit.workbook.cells import cell_ref

    fw, rating_for, pick = _fill_state["fw"], _fill_state["rating_for"], _fill_state["pick"]
    by_name = {c.name: c for c in fw.competencies}
    evidence = {e.prompt for e in fw.evidence}
    metrics = {m.name for m in fw.metrics}
    header = [str(h) for h in grid[0]]
    id_col, level_col = header.index("Employee ID"), header.index("Level")
    planned: dict[str, str] = {}
    for row_index, row in enumerate(grid[1:], start=2):
        employee_id, level_id = row[id_col], row[level_col]
        if not employee_id:
            continue
        level = fw.level_by_id[level_id]
        stretch = pick(f"{employee_id}/stretch", [True, False, False])
        profile = (fw.next_level(level_id) or level) if stretch else level
        for col, title in enumerate(header):
            ref = cell_ref(row_index - 1, col)
            if title in by_name and row[col] != "n/a":
                comp = by_name[title]
                value = rating_for(employee_id, comp.id, profile.expected.get(comp.id, 3), fw.scale.values)
                planned[ref] = f"<v>{value}</v>"
            elif (title in evidence and row[col] != "n/a") or title == "Manager endorsement":
                planned[ref] = f"<is><t>{pick(f'{employee_id}/{title}', ['Yes', 'Yes', 'No'])}</t></is>"
            elif title in metrics:
                planned[ref] = f"<v>{pick(f'{employee_id}/{title}', [85, 96, 104, 112, 131])}</v>"
            elif title == "Comments":
                text = html.escape(f"Sample comment for {employee_id}: concrete examples go here — «ok» & done.")
                planned[ref] = f"<is><t>{text}</t></is>"
    return planned


def fill_file(job: tuple[Path, Path]) -> None:
    """Write `target`: `source` with every blank input cell of its Ratings sheet filled."""
    from python_calamine import CalamineWorkbook

    source, target = job
    if not _fill_state:
        _fill_init()
    grid = CalamineWorkbook.from_path(str(source)).get_sheet_by_name("Ratings").to_python(skip_empty_area=False)
    planned = planned_values(grid)
    done: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        ref = CELL_REF.search(match.group(1))
        if ref is None or ref.group(1) not in planned:
            return match.group(0)
        done.add(ref.group(1))
        content = planned[ref.group(1)]
        attrs = TYPE_ATTR.sub("", match.group(1)) + (' t="inlineStr"' if content.startswith("<is>") else "")
        return f"<c{attrs}>{content}</c>"

    with zipfile.ZipFile(source) as archive:
        part = ratings_part(archive)
        members = [(info, archive.read(info)) for info in archive.infolist()]
    partial = target.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == part:
                data = EMPTY_CELL.sub(replace, data.decode("utf-8")).encode("utf-8")
                missing = sorted(set(planned) - done)
                if missing:
                    raise ValueError(f"{source.name}: {len(missing)} cell(s) such as {missing[:5]} are not empty <c/>")
            out.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), data, zipfile.ZIP_DEFLATED)
    partial.replace(target)


def fill_all(sources: list[Path], folder: Path) -> list[Path]:
    import multiprocessing

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    jobs = [(p, folder / p.name) for p in sources]
    if len(jobs) < 50:
        for job in jobs:
            fill_file(job)
    else:
        with multiprocessing.Pool(CPUS, initializer=_fill_init) as pool:
            pool.map(fill_file, jobs, chunksize=max(1, len(jobs) // (8 * CPUS)))
    return [target for _, target in jobs]


# -- the steps, each in a fresh child: timing starts before the imports ----------------------------------


def step_generate(work: Path, setup: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    from matrixkit import load_frameworks
    from matrixkit.outputs.generate import generate_workbooks
    from matrixkit.sources.roster import read_roster

    frameworks = load_frameworks([setup["framework"]])
    roster = read_roster(work / "roster.csv", frameworks)
    paths = generate_workbooks(frameworks, roster, CYCLE, work / "generated")
    return {"seconds": time.perf_counter() - started, "workbooks": len(paths)}


def step_floor(work: Path, setup: dict[str, Any]) -> dict[str, Any]:
    files, names = sorted((work / "filled").glob("*.xlsx")), set(setup["competencies"])
    started = time.perf_counter()
    from python_calamine import CalamineWorkbook

    columns: list[int] = []
    total, cells = 0.0, 0
    for path in files:
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Ratings").to_python()
        if not columns:
            columns = [i for i, title in enumerate(grid[0]) if title in names]
        for row in grid[1:]:
            for i in columns:
                value = row[i]
                cells += 1
                if isinstance(value, int | float):
                    total += value
    return {"seconds": time.perf_counter() - started, "cells": cells, "sum": total}


def step_alternative(work: Path, setup: dict[str, Any]) -> dict[str, Any]:
    files = sorted((work / "filled").glob("*.xlsx"))
    started = time.perf_counter()
    import pandas as pd  # type: ignore[import-untyped]

    frame = pd.concat([pd.read_excel(p, sheet_name="Ratings", engine="openpyxl") for p in files], ignore_index=True)
    return {"seconds": time.perf_counter() - started, "rows": len(frame)}


def step_ingest(work: Path, setup: dict[str, Any]) -> dict[str, Any]:
    files = sorted((work / "filled").glob("*.xlsx"))
    started = time.perf_counter()
    from matrixkit import load_frameworks
    from matrixkit.intake.reader import ingest_workbooks

    ingested = ingest_workbooks(files, load_frameworks([setup["framework"]]))
    seconds = time.perf_counter() - started
    errors = sum(p.severity == "error" for w in ingested for p in w.problems)
    return {"seconds": seconds, "rows": sum(len(w.rows) for w in ingested), "errors": errors}


def step_analyze(work: Path, setup: dict[str, Any]) -> dict[str, Any]:
    out = work / "out"
    out.mkdir(exist_ok=True)
    args = ["analyze", str(work / "filled"), "--framework", setup["framework"], "--roster", str(work / "roster.csv")]
    args += ["--cycle", CYCLE, "--out", str(out / "report.xlsx"), "--json", str(out / "report.json")]
    started = time.perf_counter()
    from matrixkit.cli.main import main

    try:
        code = main(args, standalone_mode=False) or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    seconds = time.perf_counter() - started
    # The peak of analyze itself: loading its 15 MB of JSON to count below would otherwise be the peak.
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if code not in (0, 1):
        raise RuntimeError(f"matrixkit analyze exited {code}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    counts = {"employees": len(report["employees"]), "problems": len(report["problems"])}
    return {"seconds": seconds, "exit": code, "self_kb": self_kb, **counts}


CHILD_STEPS: dict[str, Callable[[Path, dict[str, Any]], dict[str, Any]]] = {
    "generate": step_generate,
    "floor": step_floor,
    "alternative": step_alternative,
    "ingest": step_ingest,
    "analyze": step_analyze,
}


def child_main(step: str, work: Path) -> None:
    result = CHILD_STEPS[step](work, json.loads((work / "setup.json").read_text(encoding="utf-8")))
    result.setdefault("self_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    result["workers_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stdout.write("\n" + json.dumps(result) + "\n")  # the last line, whatever the step printed


def run_child(step: str, work: Path) -> dict[str, Any]:
    """Run one step in a fresh interpreter; its figures plus the peak RSS from wait4 (KiB)."""
    with (work / f"{step}.log").open("w", encoding="utf-8") as errors:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", step, "--work", str(work)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert proc.stdout is not None
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = (work / f"{step}.log").read_text(encoding="utf-8")[-3000:]
        raise RuntimeError(f"step {step} failed (exit {proc.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["rss_kb"] = usage.ru_maxrss
    # CPU seconds of the child and the workers it reaped, start-up included: steadier than wall time on
    # a shared machine, where a busy neighbour stretches the wall clock but not the CPU a step needs.
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


# -- the parent: one company size ------------------------------------------------------------------------


def measure(step: str, work: Path, repeat: int, before: Callable[[], None] = lambda: None) -> dict[str, Any]:
    runs = []
    for n in range(repeat):
        before()
        runs.append(run_child(step, work))
        log(f"{step} run {n + 1}/{repeat}: {runs[-1]['seconds']:.3f} s, {runs[-1]['rss_kb'] / 1024:.0f} MB")
    workers_mb = max(r["workers_kb"] for r in runs) / 1024
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "load_average": os.getloadavg()[0],
        "runs": [r["seconds"] for r in runs],
        # The step's own peak (for analyze, before the benchmark loads the JSON to count), or a worker's.
        "rss_mb": max(max(r["self_kb"], r["workers_kb"]) for r in runs) / 1024,
        "workers_mb": workers_mb,
        # RUSAGE_CHILDREN gives the largest worker only: bound the total by one such worker per core.
        "self_plus_workers_mb": max(r["self_kb"] + CPUS * r["workers_kb"] for r in runs) / 1024 if workers_mb else None,
        "details": {k: v for k, v in runs[-1].items() if k not in ("seconds", "rss_kb", "self_kb", "workers_kb")},
    }


def run_size(
    employees: int, per_manager: int, seed: int, repeat: int, steps: Sequence[str], work: Path
) -> dict[str, Any]:
    from matrixkit import load_frameworks
    from matrixkit.intake.reader import ingest_workbooks

    work.mkdir(parents=True, exist_ok=True)
    for folder in ("generated", "filled", "out"):
        shutil.rmtree(work / folder, ignore_errors=True)
    managers = write_roster(work / "roster.csv", employees, per_manager, seed)
    fw = load_frameworks([TEMPLATE])[0]
    setup = {"framework": str(TEMPLATE), "competencies": [c.name for c in fw.competencies]}
    (work / "setup.json").write_text(json.dumps(setup), encoding="utf-8")
    log(f"{employees} employees, {managers} managers: roster in {work / 'roster.csv'}")
    result: dict[str, Any] = {"employees": employees, "per_manager": per_manager, "managers": managers, "seed": seed}
    figures: dict[str, Any] = {}

    def clear() -> None:
        shutil.rmtree(work / "generated", ignore_errors=True)

    if "generate" in steps:
        figures["generate"] = measure("generate", work, repeat, clear)
    else:
        log("generate not measured: writing the workbooks once, untimed")
        clear()
        run_child("generate", work)
    generated = sorted((work / "generated").glob("*.xlsx"))
    if len(generated) != managers:
        raise RuntimeError(f"generate wrote {len(generated)} workbooks, expected {managers}")
    started = time.perf_counter()
    filled = fill_all(generated, work / "filled")
    result["fill_seconds"] = time.perf_counter() - started
    log(f"filled {len(filled)} workbooks in {result['fill_seconds']:.1f} s (untimed)")
    check = ingest_workbooks([filled[0]], [fw])[0]
    bad = [p.message for p in check.problems if p.severity == "error"]
    unrated = [r.employee_id for _, r in check.rows if any(v is None for v in r.ratings.values())]
    if bad or unrated or not check.rows:
        raise RuntimeError(f"filling {filled[0].name} failed its check: {bad[:3]} {unrated[:3]}")
    for step in ("floor", "alternative", "ingest", "analyze"):
        if step in steps:
            figures[step] = measure(step, work, repeat)
    expected = {"generate": ("workbooks", managers), "alternative": ("rows", employees)}
    expected |= {"ingest": ("rows", employees), "analyze": ("employees", employees)}
    for step, (key, value) in expected.items():
        if step in figures and figures[step]["details"][key] != value:
            raise RuntimeError(f"{step}: {key} = {figures[step]['details'][key]}, expected {value}")
    result.update(steps=figures, workbooks=len(filled), ratios=ratios(figures))
    result["targets"] = targets(figures, result["ratios"])
    return result


def ratios(steps: dict[str, Any]) -> dict[str, float]:
    pairs = [("ingest", "floor"), ("analyze", "floor"), ("alternative", "ingest"), ("alternative", "analyze")]
    return {f"{a} / {b}": steps[a]["seconds"] / steps[b]["seconds"] for a, b in pairs if a in steps and b in steps}


def targets(steps: dict[str, Any], r: dict[str, float]) -> list[dict[str, Any]]:
    """Each of the issue's targets whose steps were measured: what it says, the figure, whether it is met."""
    checks: list[tuple[str, float | None, str, bool]] = []
    for step, goal in (("generate", TARGETS["generate_s"]), ("analyze", TARGETS["analyze_s"])):
        value = steps[step]["seconds"] if step in steps else None
        checks.append((f"{step} ≤ {goal:g} s", value, "{:.2f} s", value is not None and value <= goal))
    value, goal = r.get("ingest / floor"), TARGETS["ingest_per_floor"]
    checks.append((f"ingest ≤ {goal:g}× floor", value, "{:.2f}×", value is not None and value <= goal))
    value, goal = r.get("alternative / analyze"), TARGETS["alternative_per_analyze"]
    checks.append((f"analyze ≥ {goal:g}× faster than pandas+openpyxl", value, "{:.2f}×", bool(value and value >= goal)))
    for step in MATRIXKIT_STEPS:
        value = steps[step]["rss_mb"] if step in steps else None
        checks.append(
            (f"{step} peak RSS ≤ {RSS_TARGET_MB:g} MB", value, "{:.0f} MB", bool(value and value <= RSS_TARGET_MB))
        )
    return [
        {"target": name, "value": value, "measured": form.format(value), "met": met}
        for name, value, form, met in checks
        if value is not None
    ]


def print_size(result: dict[str, Any]) -> None:
    steps = result["steps"]
    company = (
        f"{result['employees']:,} employees, {result['managers']:,} managers (≤ {result['per_manager']} reports each)"
    )
    print(f"\nCompany: {company}, {result['workbooks']:,} workbooks, engineering template, seed {result['seed']}\n")
    print(f"{'step':<12} {'median s':>9}  {'runs (s)':<26} {'peak RSS MB':>11} {'CPU s':>6} {'load':>5}  notes")
    notes = {"generate": "{workbooks} workbooks", "floor": "{cells} rating cells", "alternative": "{rows} rows"}
    notes |= {
        "ingest": "{rows} rows, {errors} errors",
        "analyze": "exit {exit}, {employees} employees, {problems} problems",
    }
    for step in (s for s in STEPS if s in steps):
        f = steps[step]
        note = notes[step].format(**f["details"])
        if f["workers_mb"]:
            bound = f"self + {CPUS} workers ≤ {f['self_plus_workers_mb']:.0f} MB"
            note += f"; largest worker {f['workers_mb']:.0f} MB, {bound}"
        runs = " ".join(f"{s:.3f}" for s in f["runs"])
        cpu = f"{f['cpu_seconds']:>6.2f} {f['load_average']:>5.1f}"
        print(f"{step:<12} {f['seconds']:>9.3f}  {runs:<26} {f['rss_mb']:>11.0f} {cpu}  {note}")
    fill = f"{'(fill)':<12} {result['fill_seconds']:>9.3f}  {'untimed: XML rewrite':<26} {'–':>11}"
    print(f"{fill}  in the parent, a Pool from 50 files")
    if result["ratios"]:
        print("\nRatios: " + "   ".join(f"{k} = {v:.2f}" for k, v in result["ratios"].items()))
        seconds = {k: steps[k]["cpu_seconds"] for k in ("floor", "ingest", "analyze") if k in steps}
        if "floor" in seconds and len(seconds) > 1:
            print(
                "CPU ratios: "
                + "   ".join(f"{k} / floor = {v / seconds['floor']:.2f}" for k, v in seconds.items() if k != "floor")
            )
    print("\nTargets" + ("" if result["employees"] == 10_000 else " (stated for 10,000 employees)") + ":")
    for check in result["targets"]:
        print(f"  {'✓' if check['met'] else '✗'} {check['target']:<48} {check['measured']}")


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    packages = {}
    for name in ("python-calamine", "openpyxl", "pandas", "xlsxwriter", "matrixkit"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = "not installed"
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = models[0] if models else platform.processor()
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1)} | {
        "python": platform.python_version(),
        "packages": packages,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--per-manager", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="runs per step: the median time is reported")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS), help="steps to measure")
    parser.add_argument("--scaling", action="store_true", help="10,000 then 100,000 employees, and the ratios")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files (default: a tempdir)")
    parser.add_argument("--json", type=Path, help="also save every figure here")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.work)
        return
    info = machine()
    print(f"Machine: {info['platform']}, {info['cpus']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM")
    print(f"Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()))
    sizes = [10_000, 100_000] if args.scaling else [args.employees]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="matrixkit-bench-") as tmp:
        base = args.keep or Path(tmp)
        for size in sizes:
            work = base / str(size) if args.scaling else base
            results.append(run_size(size, args.per_manager, args.seed, args.repeat, args.steps, work))
            print_size(results[-1])
    scaling: dict[str, float] = {}
    if args.scaling:
        print(f"\nScaling, 100,000 ÷ 10,000 employees (target ≤ {SCALING_TARGET:g}×):")
        small, large = results[0]["steps"], results[1]["steps"]
        for step in (s for s in MATRIXKIT_STEPS if s in small):
            scaling[step] = large[step]["seconds"] / small[step]["seconds"]
            print(f"  {'✓' if scaling[step] <= SCALING_TARGET else '✗'} {step:<10} {scaling[step]:.2f}×")
    if args.json:
        document = {"machine": info, "runs": results, "scaling": scaling or None}
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"figures saved to {args.json}")


if __name__ == "__main__":
    main()

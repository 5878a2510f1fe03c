"""The analysis core is pure: matrixkit.assess and matrixkit.model import no spreadsheet library and no sqlite3.

A child process blocks those imports, imports every module of both packages, and analyses rows this
process has already ingested; its result must equal what the outer layer (`matrixkit.run`) gives.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
from conftest import REPO, TEMPLATES
from filling import fill, header_of

from matrixkit import __version__, load_frameworks
from matrixkit.assess.equity import CMH_TEST, FISHER_TEST, SCORE_TEST
from matrixkit.intake.reader import expand_inputs, ingest_workbooks
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.calibration import read_calibration
from matrixkit.sources.roster import read_roster

CYCLE = "2026-Q4"
BLOCKED = ("openpyxl", "xlsxwriter", "python_calamine", "sqlite3", "_sqlite3")

CHILD = """
import importlib, json, pickle, pkgutil, sys

BLOCKED = set(sys.argv[3].split(","))


class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: the analysis core must not import it")
        return None


sys.meta_path.insert(0, Blocker())

import matrixkit.assess
import matrixkit.model

for package in (matrixkit.assess, matrixkit.model):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
# What `--equity` imports lazily must do without them too: each of its tests, run once.
from matrixkit.assess.equity import stratified_test

outcomes = [True, False, True, True]
tests = [
    stratified_test([(g, s, m) for g in groups for s in ("L1", "L2") for m in outcomes])[1]
    for groups in (("a", "b"), ("a", "b", "c"))
]
tests.append(stratified_test([(g, "L1", m) for g in ("a", "b") for m in outcomes])[1])

from matrixkit.assess.analyze import analyze
from matrixkit.model.framework import load_frameworks

with open(sys.argv[1], "rb") as handle:
    scene = pickle.load(handle)
frameworks = load_frameworks(scene["framework_paths"])
by_family = {fw.family.id: fw for fw in frameworks}
analysis = analyze(
    [(by_family[row.family], row) for row in scene["rows"]],
    frameworks,
    roster=scene["roster"],
    calibration=scene["calibration"],
    cycle=scene["cycle"],
    problems=scene["problems"],
    files_read=scene["files_read"],
    equity=scene["equity"],
)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
print(json.dumps({"analysis": analysis.to_dict(sys.argv[2]), "loaded": loaded, "tests": tests}))
"""


def test_the_core_analyses_ingested_rows_without_spreadsheet_libraries_or_sqlite(tmp_path: Path) -> None:
    framework_paths = [TEMPLATES / "startup.yaml"]
    frameworks = load_frameworks(framework_paths)
    # The roster with a group column, so that the child compares promotion outcomes (`--equity`) too.
    lines = (TEMPLATES / "rosters" / "startup.csv").read_text(encoding="utf-8").splitlines()
    roster_path = tmp_path / "roster.csv"
    grouped = [lines[0] + ",site", *(f"{line},{('Oslo', 'Lagos', '')[n % 3]}" for n, line in enumerate(lines[1:]))]
    roster_path.write_text("\n".join(grouped) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    for number, path in enumerate(generate_workbooks(frameworks, roster, CYCLE, tmp_path / "generated")):
        sheet = openpyxl.load_workbook(path)["Ratings"]
        header = header_of(sheet)
        ratings = [title for title in header if title in {c.name for c in frameworks[0].competencies}]
        ids = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
        typed = {i: {title: (n + number) % 5 + 1 for n, title in enumerate(ratings)} for i in ids}
        fill(path, tmp_path / "filled" / path.name, typed)
    calibration_path = tmp_path / "calibration.csv"
    calibration_path.write_text("employee_id,confirmed\nST-001,yes\nST-002,no\nST-003,maybe\n", encoding="utf-8")
    calibration, calibration_problems = read_calibration(calibration_path)

    workbooks = ingest_workbooks(expand_inputs([tmp_path / "filled"]), frameworks)
    scene = {
        "framework_paths": framework_paths,
        "rows": [row for w in workbooks for _, row in w.rows],
        "roster": roster,
        "calibration": calibration,
        "cycle": CYCLE,
        "problems": [*calibration_problems, *(p for w in workbooks for p in w.problems)],
        "files_read": sum(w.readable for w in workbooks),
        "equity": ["site"],
    }
    assert scene["rows"], "the scene must have rows to analyse"
    scene_path = tmp_path / "scene.pickle"
    scene_path.write_bytes(pickle.dumps(scene))

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(scene_path), __version__, ",".join(BLOCKED)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    result: dict[str, Any] = json.loads(child.stdout)
    assert result["loaded"] == []
    outer = analyze_workbooks(
        [tmp_path / "filled"],
        frameworks,
        roster=roster,
        cycle=CYCLE,
        calibration_file=calibration_path,
        equity=["site"],
    )
    assert result["analysis"] == json.loads(json.dumps(outer.to_dict(__version__)))
    statuses = {e["status"] for e in result["analysis"]["employees"]}
    assert len(statuses) > 1, statuses  # a real analysis, not every employee incomplete
    assert [c["column"] for c in result["analysis"]["equity"]] == ["site"]
    assert result["tests"] == [CMH_TEST, SCORE_TEST, FISHER_TEST]
    assert result["analysis"]["level_fit"]

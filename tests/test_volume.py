"""Volume and floods: repeated rows stay linear, floods of one kind are summarised, a file that breaks the
reader is that file's problem, and byte-identical files count once. Inputs are built here (tests/floods.py)
from generated workbooks, and kept small: sizes show linear against quadratic by counting, never by timing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import TEMPLATES
from floods import invalid_ratings, repeated_rows, unknown_employees

import matrixkit.intake.reader as reader
from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.intake.ingest import ingest_sheet
from matrixkit.model.problems import Problem, sort_problems
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.parallel import map_ranges
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster

CYCLE = "2026-Q4"
PROBLEMS_PER_KIND = 100  # SPEC rev 2
LEFT_OUT = "problems-left-out"
FRAMEWORK = TEMPLATES / "startup.yaml"
ROSTER = TEMPLATES / "rosters" / "startup.csv"


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    frameworks = load_frameworks([FRAMEWORK])
    roster = read_roster(ROSTER, frameworks)
    paths = generate_workbooks(frameworks, roster, CYCLE, tmp_path_factory.mktemp("sent"))
    names = [c.name for c in frameworks[0].competencies]
    return {"frameworks": frameworks, "roster": roster, "paths": paths, "names": names}


def analyse(sent: dict[str, Any], *inputs: Path) -> Any:
    return analyze_workbooks(list(inputs), sent["frameworks"], roster=sent["roster"], cycle=CYCLE)


def cli_analyze(*inputs: Path, out: Path) -> tuple[int, dict[str, Any], str]:
    args = ["analyze", *map(str, inputs), "--framework", str(FRAMEWORK), "--roster", str(ROSTER)]
    args += ["--cycle", CYCLE, "--out", str(out / "report.xlsx"), "--json", str(out / "report.json")]
    result = CliRunner().invoke(main, args)
    written = (out / "report.json").exists()
    return result.exit_code, json.loads((out / "report.json").read_text("utf-8")) if written else {}, result.output


# -- repeated rows ------------------------------------------------------------------------------------


def test_a_row_pasted_a_thousand_times_is_one_conflict_of_bounded_length(sent: dict[str, Any], tmp_path: Path) -> None:
    copies = 1_000
    pasted = repeated_rows(sent["paths"][0], tmp_path / "pasted.xlsx", copies, dict.fromkeys(sent["names"], 3))
    analysis = analyse(sent, pasted)
    conflicts = [p for p in analysis.problems if p.code == "conflict"]
    # Before: one problem per copy, each naming all 1,000 places (about 60 MB of messages).
    assert len(conflicts) == 1
    (conflict,) = conflicts
    assert conflict.cell == "row 2" and conflict.file == str(pasted)
    assert f"appears {copies:,} times" in conflict.message and f"and {copies - 5:,} more" in conflict.message
    assert len(conflict.message) < 1_000
    assert [e.status for e in analysis.employees] == ["conflict"]


def test_a_conflict_across_files_is_named_in_each_file(sent: dict[str, Any], tmp_path: Path) -> None:
    ratings = dict.fromkeys(sent["names"], 3)
    first = repeated_rows(sent["paths"][0], tmp_path / "a.xlsx", 3, ratings)
    second = repeated_rows(sent["paths"][0], tmp_path / "b.xlsx", 2, {**ratings, sent["names"][0]: 4})
    conflicts = [p for p in analyse(sent, first, second).problems if p.code == "conflict"]
    assert [(p.file, p.cell) for p in conflicts] == [(str(first), "row 2"), (str(second), "row 2")]
    assert all("appears 5 times" in p.message and "and" not in p.message.split("(")[1] for p in conflicts)


# -- floods of one kind -------------------------------------------------------------------------------


def test_more_than_100_problems_of_a_kind_in_a_file_are_summarised(sent: dict[str, Any], tmp_path: Path) -> None:
    rows = 60
    flooded = invalid_ratings(sent["paths"][0], tmp_path / "flood.xlsx", rows, sent["names"])
    # What the file holds, every problem built: the reference the summary is checked against.
    content = reader.read_workbook(flooded, sent["frameworks"])
    ((fw, sheet),) = content.sheets
    _, every = ingest_sheet(sheet, fw)
    invalid = sort_problems(p for p in every if p.code == "rating-invalid")
    assert len(invalid) > PROBLEMS_PER_KIND + 50

    code, document, _output = cli_analyze(flooded, out=tmp_path)
    assert code == 1
    problems = [Problem(**p) for p in document["problems"]]
    listed = [p for p in problems if p.code == "rating-invalid"]
    assert listed == invalid[:PROBLEMS_PER_KIND]  # the first 100 in the natural order
    summary = next(p for p in problems if p.code == LEFT_OUT and "'rating-invalid'" in p.message)
    first_left_out = invalid[PROBLEMS_PER_KIND]
    assert (summary.file, summary.sheet, summary.cell) == (str(flooded), "Ratings", first_left_out.cell)
    assert summary.message.startswith(f"{len(invalid) - PROBLEMS_PER_KIND:,} more problems like these")
    # The unknown employees flood too (60 rows, under the limit: all listed).
    assert sum(p.code == "not-in-roster" for p in problems) == rows

    sheet_rows = list(openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)["Problems"].values)
    messages = [row[6] for row in sheet_rows[3:]]
    assert messages == [p.message for p in problems]  # the sheet lists what the JSON does, in its order


def test_analyze_summarises_its_own_floods(sent: dict[str, Any], tmp_path: Path) -> None:
    unknown = unknown_employees(sent["paths"][0], tmp_path / "strangers.xlsx", 150, dict.fromkeys(sent["names"], 3))
    problems = analyse(sent, unknown).problems
    assert sum(p.code == "not-in-roster" for p in problems) == PROBLEMS_PER_KIND
    summary = next(p for p in problems if p.code == LEFT_OUT)
    assert summary.message.startswith("50 more problems like these ('not-in-roster')") and summary.cell == "A102"


def test_status_summarises_rows_of_strangers_as_analyze_does(sent: dict[str, Any], tmp_path: Path) -> None:
    from matrixkit.run import return_status

    unknown = unknown_employees(sent["paths"][0], tmp_path / "strangers.xlsx", 150, dict.fromkeys(sent["names"], 3))
    problems = return_status([unknown], sent["frameworks"], sent["roster"], cycle=CYCLE).problems
    assert sum(p.code == "not-in-roster" for p in problems) == PROBLEMS_PER_KIND
    summary = next(p for p in problems if p.code == LEFT_OUT)
    assert summary.message.startswith("50 more problems like these ('not-in-roster')") and summary.cell == "A102"


def test_reading_a_flood_keeps_at_most_the_first_rows_worth(sent: dict[str, Any], tmp_path: Path) -> None:
    """A million bad cells must not become a million objects: past the cap a sheet's problems are counted."""
    from matrixkit.model.problems import ProblemCap

    flooded = invalid_ratings(sent["paths"][0], tmp_path / "flood.xlsx", 300, sent["names"])
    ((fw, sheet),) = reader.read_workbook(flooded, sent["frameworks"]).sheets
    _, every = ingest_sheet(sheet, fw)
    cap = ProblemCap()
    _, kept = ingest_sheet(sheet, fw, cap)
    per_row = len(sent["names"]) - 1  # each row: its ratings that apply (a track leaves one out)
    assert sum(p.code == "rating-invalid" for p in kept) <= PROBLEMS_PER_KIND + per_row
    counted = cap.left_out()["rating-invalid"]
    kept_invalid = sum(p.code == "rating-invalid" for p in kept)
    assert counted.count + kept_invalid == sum(p.code == "rating-invalid" for p in every)


def test_the_problems_sheet_never_passes_excels_rows() -> None:
    from matrixkit.outputs.report.problems import rows_that_fit

    flood = [Problem("warning", f"p{n}", file=f"f{n}.xlsx", code="x") for n in range(25)]
    fitted = rows_that_fit(flood, room=10)
    assert len(fitted) == 10 and fitted[:9] == flood[:9]
    assert fitted[-1].message.startswith("16 more problems are not shown")
    assert rows_that_fit(flood[:10], room=10) == flood[:10]


# -- a file that breaks the reader ---------------------------------------------------------------------


def test_a_file_that_breaks_the_reader_is_its_own_problem(
    sent: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sent["paths"][:3]:
        shutil.copy(path, folder / path.name)
    broken = folder / sent["paths"][1].name
    read_one = reader._ingest_one

    def exhausted(path: Path, *args: Any) -> Any:
        if path == broken:
            raise MemoryError
        return read_one(path, *args)

    monkeypatch.setattr(reader, "_ingest_one", exhausted)
    out = tmp_path / "out"
    out.mkdir()
    code, document, _output = cli_analyze(folder, out=out)
    assert code == 1 and (out / "report.xlsx").exists()  # before: the MemoryError ended the run, nothing written
    failed = [p for p in document["problems"] if p["code"] == "read-failed"]
    assert [(p["file"], p["severity"]) for p in failed] == [(str(broken), "error")]
    assert "ran out of memory" in failed[0]["message"]
    files = {e["source"]["file"] for e in document["employees"]}
    assert files == {str(folder / p.name) for p in sent["paths"][:3]} - {str(broken)}


_PARENT = os.getpid()


def _dies_at_job_three(offset: int) -> Any:
    def run(start: int, stop: int) -> list[int]:
        if start <= 3 < stop:
            if os.getpid() != _PARENT:
                os._exit(9)  # a worker killed (the kernel's OOM killer does this): the pool breaks
            raise MemoryError
        return [job + offset for job in range(start, stop)]

    return run


def test_a_broken_pool_loses_only_the_failing_job() -> None:
    results = map_ranges(_dies_at_job_three, (100,), 12, workers=2, chunk=2, on_failure=lambda job, exc: -job)
    assert results == [100, 101, 102, -3, 104, 105, 106, 107, 108, 109, 110, 111]
    with pytest.raises(BrokenProcessPool):  # without on_failure, as before: the failure propagates
        map_ranges(_dies_at_job_three, (100,), 12, workers=2, chunk=2)


# -- byte-identical files ------------------------------------------------------------------------------


def test_byte_identical_files_are_one_return(sent: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    original = folder / "ratings.xlsx"
    repeated_rows(sent["paths"][0], original, 1, dict.fromkeys(sent["names"], 3))
    copy = folder / "ratings (1).xlsx"
    shutil.copy(original, copy)
    other = folder / sent["paths"][1].name
    shutil.copy(sent["paths"][1], other)
    analysis = analyse(sent, folder)
    assert not [p for p in analysis.problems if p.code == "conflict"]  # before: every employee a conflict
    warnings = [p for p in analysis.problems if p.code == "identical-files"]
    assert [(p.severity, p.file) for p in warnings] == [("warning", str(copy))]
    assert str(original) in warnings[0].message
    assert analysis.files_read == 2
    assert {e.source.file for e in analysis.employees} == {str(original), str(other)}


def test_every_file_is_reported_to_progress_once_copies_included(sent: dict[str, Any], tmp_path: Path) -> None:
    original = tmp_path / "ratings.xlsx"
    shutil.copy(sent["paths"][0], original)
    copy = tmp_path / "ratings (1).xlsx"
    shutil.copy(original, copy)
    seen: list[Path] = []
    read = reader.ingest_workbooks([copy, original], sent["frameworks"], progress=seen.append)
    assert sorted(seen) == sorted([copy, original])
    assert [w.file for w in read] == [str(copy), str(original)] and [w.readable for w in read] == [False, True]


def test_the_hostile_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """benchmarks/hostile.py on a hundredth of a case (no timing asserted): it builds, runs and prints."""
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "hostile.py"
    command = [sys.executable, str(script), "--cases", "repeated", "--scale", "0.01", "--keep", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("repeated")]
    assert "50 copies of one row" in line and " 1 " in line.split("|")[1]  # exit 1: the conflict is a problem


def test_rows_of_strangers_past_the_cap_are_counted_and_never_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the first 100 unknown ids of a file the problems are summarised: the problem (and the roster
    suggestion in it) is never worked out for a row nobody will read, in analyze and in status alike."""
    from matrixkit.assess import analyze as analyze_module
    from matrixkit.assess.analyze import analyze
    from matrixkit.assess.results import RatedRow, Source
    from matrixkit.model.roster import Employee, Roster

    fw = load_frameworks([TEMPLATES / "engineering.yaml"])[0]
    roster = Roster("roster.csv", (Employee("ENG-0009", "Ann Lee", "engineering", "IC2", "ENG-0001", 2),))
    rows = [
        (
            fw,
            RatedRow(
                f"ENG-{n:04d}",
                "",
                "engineering",
                "IC2",
                None,
                {},
                {},
                None,
                {},
                "",
                Source("a.xlsx", "Ratings", n + 2),
                id_cell=f"A{n + 2}",
            ),
        )
        for n in range(10, 260)
    ]
    built: list[str] = []
    original = analyze_module.not_in_roster

    def counting(row: RatedRow, *args: object) -> object:
        built.append(row.employee_id)
        return original(row, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(analyze_module, "not_in_roster", counting)
    problems = analyze(rows, [fw], roster=roster, cycle="2026-Q4").problems
    strangers = [p for p in problems if p.code == "not-in-roster"]
    (summary,) = [p for p in problems if p.code == "problems-left-out"]
    assert len(strangers) == 100 and strangers[0].cell == "A12" and (strangers[0].expected or "").endswith("ENG-0009")
    assert summary.message.startswith("150 more problems like these ('not-in-roster')") and summary.cell == "A112"
    assert len(built) <= 101  # the 100 listed and at most the first left out, never 250


@pytest.mark.parametrize("where", ["building", "writing"])
def test_a_report_that_runs_out_of_memory_still_leaves_every_result_in_the_json(
    where: str, sent: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matrixkit.outputs.report as report

    def exhausted(*_args: object, **_kwargs: object) -> bytes:
        raise MemoryError

    def exhausted_half_way(members: object) -> Iterator[bytes]:
        yield b"PK\x03\x04"
        raise MemoryError

    if where == "building":
        monkeypatch.setattr(report, "_report_members", exhausted)
    else:
        monkeypatch.setattr(report, "zip_chunks", exhausted_half_way)
    code, document, output = cli_analyze(*sent["paths"], out=tmp_path)
    assert code == 2 and not (tmp_path / "report.xlsx").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(document["employees"]) == len(sent["roster"].employees)
    assert "out of memory while writing the report" in output and "every result is in" in output

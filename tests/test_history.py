"""History across cycles: sustained readiness, resets at promotion, replaced cycles, faults, concurrency."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, base_framework
from filling import fill

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.errors import StoreError, UsageError
from matrixkit.model.cycles import parse_cycle, previous_cycles
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.store.sqlite import SCHEMA_VERSION, open_store

LEVELS = {"E1": "L2", "E2": "L2", "E3": "L2", "E4": "L3"}


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    data = base_framework()
    for key in ("calibration", "months_in_level_at_least", "evidence"):
        data["promotion"].pop(key)
    framework = tmp_path / "eng.yaml"
    framework.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return {
        "tmp": tmp_path,
        "framework": framework,
        "frameworks": load_frameworks([framework]),
        "store": tmp_path / "history.db",
    }


def run_cycle(
    world: dict[str, Any], cycle: str, strong: set[str], levels: dict[str, str] | None = None, frameworks: Any = None
) -> Any:
    """Generate, fill (strong: every rating at the next level's profile; else 2s) and analyze one cycle."""
    frameworks = frameworks or world["frameworks"]
    fw = frameworks[0]
    levels = levels or LEVELS
    folder = world["tmp"] / cycle / str(time.perf_counter_ns())
    roster_path = folder / "roster.csv"
    folder.mkdir(parents=True)
    roster_path.write_text(
        "employee_id,name,family,level,manager_id,manager_name\n"
        + "".join(f"{e},Person {e},eng,{level},BOSS,Boss\n" for e, level in levels.items()),
        encoding="utf-8",
    )
    roster = read_roster(roster_path, frameworks)
    [workbook] = generate_workbooks(frameworks, roster, cycle, folder / "gen")
    values = {}
    for employee_id, level in levels.items():
        target = fw.next_level(level) or fw.level_by_id[level]
        comps = fw.competencies_for(fw.track_of_level[level].id)
        values[employee_id] = {c.name: (target.expected[c.id] if employee_id in strong else 2) for c in comps}
        values[employee_id]["Manager endorsement"] = "Yes"
    fill(workbook, folder / "filled" / workbook.name, values)
    return analyze_workbooks([folder / "filled"], frameworks, roster=roster, cycle=cycle, store=world["store"])


def by_id(analysis: Any) -> dict[str, Any]:
    return {e.employee_id: e for e in analysis.employees}


def sustained(employee: Any) -> Any:
    return next(c for c in employee.criteria if c.criterion == "sustained_cycles")


def test_three_cycles_sustained_reset_and_replacement(world: dict[str, Any]) -> None:
    q2 = by_id(run_cycle(world, "2026-Q2", strong={"E1", "E2", "E3"}))
    assert sustained(q2["E1"]).result == "unknown" and "2026-Q1: not in the store" in sustained(q2["E1"]).detail
    assert q2["E1"].status == "on_track"

    q3 = by_id(run_cycle(world, "2026-Q3", strong={"E1", "E2"}))
    assert sustained(q3["E1"]).result == "met" and q3["E1"].status == "ready"
    assert q3["E3"].status == "not_ready"

    q4 = by_id(run_cycle(world, "2026-Q4", strong={"E1", "E2", "E3"}, levels={**LEVELS, "E2": "L3"}))
    assert q4["E1"].status == "ready"
    assert sustained(q4["E2"]).result == "not_met" and "at L2" in sustained(q4["E2"]).detail  # promoted: reset
    assert q4["E2"].status == "on_track"
    assert sustained(q4["E3"]).result == "not_met" and "2026-Q3: not met" in sustained(q4["E3"]).detail

    # Q3 analysed again (E3's manager sent a corrected file): the cycle is replaced, not duplicated.
    run_cycle(world, "2026-Q3", strong={"E1", "E2", "E3"})
    with open_store(world["store"]) as store:
        assert store.cycles() == ["2026-Q2", "2026-Q3", "2026-Q4"]
        counts = dict(store.connection.execute("SELECT cycle, COUNT(*) FROM results GROUP BY cycle").fetchall())
        assert counts == {"2026-Q2": 4, "2026-Q3": 4, "2026-Q4": 4}
    q4_again = by_id(run_cycle(world, "2026-Q4", strong={"E1", "E2", "E3"}, levels={**LEVELS, "E2": "L3"}))
    assert q4_again["E3"].status == "ready"
    assert q4_again["E4"].status == "not_ready"


def test_history_command_table_and_json(world: dict[str, Any]) -> None:
    run_cycle(world, "2026-Q3", strong={"E1", "E2"})
    analysis = run_cycle(world, "2026-Q4", strong={"E1", "E2"}, levels={**LEVELS, "E2": "L3"})
    assert analysis.trends is not None and analysis.trends.cycles == ["2026-Q3", "2026-Q4"]
    runner = CliRunner()
    result = runner.invoke(main, ["history", "--store", str(world["store"]), "--employee", "E2", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [(c["cycle"], c["level"]) for c in document["cycles"]] == [("2026-Q3", "L2"), ("2026-Q4", "L3")]
    assert document["cycles"][0]["ratings"]["design"] == 4
    table = runner.invoke(main, ["history", "--store", str(world["store"]), "--employee", "E2"]).output
    assert "Person E2 (E2)" in table and "2026-Q4  L3" in table
    summary = runner.invoke(main, ["history", "--store", str(world["store"])])
    assert summary.exit_code == 0 and "2026-Q3" in summary.output and "not_ready" in summary.output
    people = json.loads(
        runner.invoke(main, ["history", "--store", str(world["store"]), "--manager", "BOSS", "--json"]).output
    )
    assert [p["employee_id"] for p in people["people"]] == ["E1", "E2", "E3", "E4"]
    level = json.loads(
        runner.invoke(main, ["history", "--store", str(world["store"]), "--level", "L3", "--json"]).output
    )
    assert {p["employee_id"] for p in level["people"]} == {"E2", "E4"}
    missing = runner.invoke(main, ["history", "--store", str(world["store"]), "--employee", "NOPE"])
    assert missing.exit_code == 2 and "no employee NOPE" in missing.output


def test_renamed_competency_is_reported_and_compared_by_id(world: dict[str, Any]) -> None:
    run_cycle(world, "2026-Q3", strong={"E1"})
    data = yaml.safe_load(world["framework"].read_text(encoding="utf-8"))
    data["family"]["version"] = "2027.1"
    data["competencies"][4]["name"] = "Architecture"
    newer = world["tmp"] / "eng-2027.yaml"
    newer.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    analysis = run_cycle(world, "2026-Q4", strong={"E1"}, frameworks=load_frameworks([newer]))
    renamed = [p for p in analysis.problems if "renamed" in p.message]
    assert len(renamed) == 1 and "'Design' to 'Architecture'" in renamed[0].message
    trends = analysis.trends
    assert trends is not None
    assert list(trends.competency_means[("eng", "design")]) == ["2026-Q3", "2026-Q4"]
    assert trends.competency_names[("eng", "design")] == "Architecture"


def test_cycles_order_as_time() -> None:
    ordered = sorted(
        ["2026", "2026-Q4", "2026-H2", "2026-12", "2025-Q4", "2026-10"], key=lambda c: parse_cycle(c).sort_key
    )
    assert ordered == ["2025-Q4", "2026-10", "2026-12", "2026-Q4", "2026-H2", "2026"]
    assert previous_cycles("2026-Q1", 1) == ["2025-Q4"] and previous_cycles("2026", 2) == ["2025", "2024"]
    for bad in ("2026-Q5", "2026-H3", "26-Q1", "2026-13", "Q4"):
        with pytest.raises(UsageError, match="not a cycle id"):
            parse_cycle(bad)


def test_store_schema_and_bad_files(tmp_path: Path) -> None:
    with open_store(tmp_path / "new.db") as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    future = tmp_path / "future.db"
    sqlite3.connect(future).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(StoreError, match="newer matrixkit"):
        open_store(future)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a matrixkit history store"):
        open_store(junk)


def test_a_second_writer_waits_then_fails_clearly(world: dict[str, Any]) -> None:
    run_cycle(world, "2026-Q3", strong={"E1"})
    blocker = sqlite3.connect(world["store"], isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with open_store(world["store"], busy_timeout=0.2) as store:
            with pytest.raises(StoreError, match="busy"):
                store.save_cycle(_empty_analysis(), [])
            assert store.cycles() == ["2026-Q3"]  # readers are never blocked (WAL)
    finally:
        blocker.execute("ROLLBACK")

    def release_later() -> None:
        time.sleep(0.5)
        blocker.execute("ROLLBACK")

    blocker.execute("BEGIN IMMEDIATE")
    threading.Thread(target=release_later).start()
    analysis = run_cycle(world, "2026-Q4", strong={"E1"})  # waits for the lock, then writes
    assert analysis.trends is not None and analysis.trends.cycles == ["2026-Q3", "2026-Q4"]
    blocker.close()


def _empty_analysis() -> Any:
    from matrixkit.assess.results import Analysis

    return Analysis(cycle="2026-Q4", employees=[], missing=[], problems=[], calibration=[])


FAULT_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import matrixkit.store.sqlite as store
    original = store.Store._write_rows
    def slow(self, db, cycle, analysis):
        original(self, db, cycle, analysis)          # rows written inside the open transaction...
        Path(sys.argv[1]).write_text("writing")      # ...tell the test...
        time.sleep(60)                               # ...and wait to be killed before COMMIT
    store.Store._write_rows = slow
    from matrixkit.cli.main import main
    main(sys.argv[2:])
    """
)


def test_killed_mid_write_leaves_the_earlier_cycles_intact(world: dict[str, Any]) -> None:
    run_cycle(world, "2026-Q2", strong={"E1"})
    run_cycle(world, "2026-Q3", strong={"E1", "E2"})
    with open_store(world["store"]) as store:
        before = store.connection.execute("SELECT * FROM results ORDER BY cycle, employee_id").fetchall()
    filled = next((world["tmp"] / "2026-Q3").iterdir()) / "filled"
    roster = next((world["tmp"] / "2026-Q3").iterdir()) / "roster.csv"
    signal_file = world["tmp"] / "writing"
    for cycle in ("2026-Q4", "2026-Q3"):  # a new cycle, and a replacement of a stored one
        signal_file.unlink(missing_ok=True)
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                FAULT_CHILD,
                str(signal_file),
                "analyze",
                str(filled),
                "--framework",
                str(world["framework"]),
                "--roster",
                str(roster),
                "--cycle",
                cycle,
                "--store",
                str(world["store"]),
                "--out",
                str(world["tmp"] / f"report-{cycle}.xlsx"),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            start_new_session=True,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not signal_file.exists():
            assert child.poll() is None, f"the child ended before writing: {child.communicate()[1]}"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        with open_store(world["store"]) as store:
            assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert store.cycles() == ["2026-Q2", "2026-Q3"]
            after = store.connection.execute("SELECT * FROM results ORDER BY cycle, employee_id").fetchall()
            assert after == before
    assert not (world["tmp"] / "report-2026-Q4.xlsx").exists()


def test_store_needs_a_cycle(world: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs the cycle"):
        analyze_workbooks([tmp_path], world["frameworks"], store=world["store"])


def test_store_from_environment_variable(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = run_cycle(world, "2026-Q3", strong={"E1"})
    assert analysis.trends is not None
    folder = next((world["tmp"] / "2026-Q3").iterdir())
    other = world["tmp"] / "env.db"
    monkeypatch.setenv("MATRIXKIT_STORE", str(other))
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            str(folder / "filled"),
            "--framework",
            str(world["framework"]),
            "--cycle",
            "2026-Q3",
            "--out",
            str(world["tmp"] / "r.xlsx"),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    with open_store(other) as store:
        assert store.cycles() == ["2026-Q3"]
    assert openpyxl.load_workbook(world["tmp"] / "r.xlsx").sheetnames[0] == "Summary"

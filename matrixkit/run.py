"""The outer layer of `analyze` and `status`: files and the store in, results out — what the CLI and the library call.

Everything that touches the disk for a run lives here: expanding the inputs, reading each workbook
through `intake` (safety scan first), the calibration file through `sources`, and the history store.
The decisions are the pure core's: `assess.analyze.analyze` and `assess.returns.tally_returns`.

>>> import tempfile
>>> from matrixkit import load_frameworks, read_roster
>>> from matrixkit.outputs.generate import generate_workbooks
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> returned = tempfile.mkdtemp()
>>> _ = generate_workbooks(frameworks, roster, "2026-Q4", returned)  # sent out, and back without a rating
>>> analysis = analyze_workbooks([returned], frameworks, roster=roster, cycle="2026-Q4")
>>> [e.status for e in analysis.employees][:3]
['incomplete', 'incomplete', 'incomplete']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from matrixkit.assess.analyze import Past, analyze, earlier_cycles_needed
from matrixkit.assess.equity import check_columns
from matrixkit.assess.results import Analysis, RatedRow
from matrixkit.assess.returns import ReturnStatus, tally_returns
from matrixkit.collector import collector_paused
from matrixkit.errors import UsageError
from matrixkit.intake.described import frameworks_from_workbooks
from matrixkit.intake.reader import VERSION_DIFFERS, expand_inputs, fold_by_cause, ingest_workbooks
from matrixkit.intake.safety import Limits
from matrixkit.model.cycles import cycle_for_store, parse_cycle, settle_cycle
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem, sort_problems
from matrixkit.model.roster import Roster
from matrixkit.sources.calibration import read_calibration
from matrixkit.store.sqlite import PastRecord, Store, open_store


def analyze_workbooks(
    inputs: Iterable[str | Path],
    frameworks: Sequence[Framework],
    *,
    roster: Roster | None = None,
    cycle: str | None = None,
    calibration_file: str | Path | None = None,
    store: str | Path | None = None,
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
    equity: Sequence[str] = (),
) -> Analysis:
    """Read every workbook (files or folders), check every cell, assess every employee.

    With a `store`, earlier cycles decide `sustained_cycles`, and this cycle replaces its stored copy; without
    a `cycle`, it is the one the workbooks' metadata names (a `UsageError` when they name none or disagree).

    >>> import tempfile
    >>> from matrixkit import load_frameworks, read_roster
    >>> from matrixkit.outputs.generate import generate_workbooks
    >>> frameworks = load_frameworks(["templates/startup.yaml"])
    >>> roster = read_roster("templates/rosters/startup.csv", frameworks)
    >>> folder = Path(tempfile.mkdtemp())
    >>> sent = generate_workbooks(frameworks, roster, "2026-Q4", folder / "returned")
    >>> analysis = analyze_workbooks(sent, frameworks, cycle="2026-Q4", store=folder / "history.db")
    >>> analysis.trends.cycles
    ['2026-Q4']
    """
    if cycle is not None:
        parse_cycle(cycle)
    check_columns(roster, equity)
    files = expand_inputs(inputs)
    problems: list[Problem] = []
    calibration: dict[str, bool] | None = None
    if calibration_file is not None:
        calibration, calibration_problems = read_calibration(calibration_file)
        problems.extend(calibration_problems)
    workbooks, folded = fold_by_cause(ingest_workbooks(files, frameworks, limits, progress), frameworks)
    problems.extend(folded)
    rows: list[tuple[Framework, RatedRow]] = []
    self_rows: list[tuple[Framework, RatedRow]] = []  # self-assessments: shown beside, never mixed in
    for workbook in workbooks:
        problems.extend(workbook.problems)
        (self_rows if workbook.kind == "self" else rows).extend(workbook.rows)
    readable = sum(w.readable for w in workbooks)
    named = {w.file: w.cycle for w in workbooks if w.cycle and w.rows and w.kind != "self"}
    if store is not None and cycle is None and (readable > 0 or not files):  # nothing readable: nothing is stored
        cycle = cycle_for_store(named)
    cycle = settle_cycle(cycle, named, problems)

    def run(past: Past | None) -> Analysis:
        with collector_paused():  # a million results and their dicts, none in a cycle (`collector`)
            return analyze(
                rows,
                frameworks,
                roster=roster,
                calibration=calibration,
                past=past,
                cycle=cycle,
                self_rows=self_rows,
                problems=problems,
                files_read=readable,
                equity=equity,
            )

    if store is None or cycle is None:
        return run(None)
    with open_store(store) as history:
        past = _past(history, rows, frameworks, cycle)
        problems.extend(history.framework_changes(cycle, frameworks))
        analysis = run(past)
        if analysis.files_read > 0:  # never replace a stored cycle with nothing
            history.save_cycle(analysis, frameworks)
            analysis = replace(analysis, trends=history.trends())
        return analysis


def _past(
    history: Store, rows: Sequence[tuple[Framework, RatedRow]], frameworks: Sequence[Framework], cycle: str
) -> Past:
    records = history.records({row.employee_id for _, row in rows}, earlier_cycles_needed(frameworks, cycle))
    by_employee: dict[str, dict[str, PastRecord]] = defaultdict(dict)
    for (earlier, employee_id), record in records.items():
        by_employee[employee_id][earlier] = record
    return Past(by_employee, frozenset(history.cycles()) - {cycle})


def return_status(
    inputs: Iterable[str | Path],
    frameworks: Sequence[Framework],
    roster: Roster,
    *,
    cycle: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
    described: Sequence[Problem] | None = None,
) -> ReturnStatus:
    """Read the returned workbooks (files or folders) and tally, per manager in the roster, what came back.

    `described`: the problems of `frameworks_in_workbooks` when `frameworks` came from it (no --framework).

    >>> import tempfile
    >>> from matrixkit import load_frameworks, read_roster
    >>> from matrixkit.outputs.generate import generate_workbooks
    >>> frameworks = load_frameworks(["templates/startup.yaml"])
    >>> roster = read_roster("templates/rosters/startup.csv", frameworks)
    >>> returned = tempfile.mkdtemp()
    >>> _ = generate_workbooks(frameworks, roster, "2026-Q4", returned)  # sent out, and back without a rating
    >>> status = return_status([returned], frameworks, roster, cycle="2026-Q4")
    >>> [(m.manager_id, m.rated, m.to_rate) for m in status.managers if not m.complete][:2]
    [('ST-001', 0, 35), ('ST-002', 0, 35)]
    """
    if cycle is not None:
        parse_cycle(cycle)
    workbooks, folded = fold_by_cause(ingest_workbooks(expand_inputs(inputs), frameworks, limits, progress), frameworks)
    if described is not None:
        folded = [p for p in folded if p.code != VERSION_DIFFERS]  # a rebuilt framework never has the same print
        folded.extend(described)
    status = tally_returns(workbooks, frameworks, roster, cycle=cycle)
    if not folded:
        return status
    unreadable = [p for p in folded if p.severity == "error"]
    return replace(
        status,
        unreadable=sort_problems([*status.unreadable, *unreadable]),
        problems=sort_problems([*status.problems, *folded]),
    )


def frameworks_in_workbooks(
    inputs: Iterable[str | Path], limits: Limits | None = None
) -> tuple[list[Framework], list[Problem]]:
    """The frameworks the workbooks (files or folders) describe in their metadata, for `status` without
    `--framework` (see `matrixkit.intake.described`); a `UsageError` when none does.

    >>> frameworks, problems = frameworks_in_workbooks(["sample_workbooks/sales/generated"])
    >>> [fw.family.id for fw in frameworks], problems
    (['sales'], [])
    """
    found, problems = frameworks_from_workbooks(expand_inputs(inputs), limits)
    if not found:
        raise UsageError(
            "the workbooks do not say which framework they were generated from (no matrixkit metadata): "
            "pass --framework"
        )
    return found, problems

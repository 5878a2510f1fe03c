"""`generate`: one workbook per manager from frameworks and a roster, or a blank matrix.

>>> import tempfile
>>> from matrixkit import load_frameworks
>>> from matrixkit.sources.roster import read_roster
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> paths = generate_workbooks(frameworks, roster, "2026-Q4", tempfile.mkdtemp())
>>> len(paths), paths[0].name
(5, 'ST-001_Ingrid-Lovaas.xlsx')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from anyascii import anyascii

from matrixkit.errors import FrameworkError
from matrixkit.fileio import atomic_write_bytes, atomic_write_files
from matrixkit.model.cycles import parse_cycle
from matrixkit.model.framework import Framework
from matrixkit.model.lint import lint_frameworks
from matrixkit.model.problems import has_errors
from matrixkit.model.roster import Manager, Roster
from matrixkit.parallel import map_ranges, worker_count
from matrixkit.workbook.layout import WorkbookPlan, plan_blank_matrix, plan_manager_workbook, plan_self_assessment
from matrixkit.workbook.writer import WorkbookWriter, workbook_bytes

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
BLANK_MATRIX_ROWS = 50


def safe_file_stem(text: str, limit: int = 60) -> str:
    """ASCII letters, digits, dot, dash and underscore only: safe on every OS and in every mail client.

    Letters outside ASCII are transliterated (ø → o, Ł → L, 张伟 → ZhangWei), never dropped: a name keeps
    its letters. ASCII rather than "safe Unicode" because a zip made on Windows, an attachment name in an
    older mail client and macOS's decomposed file names each garble or re-encode non-ASCII names.

    >>> safe_file_stem("M-7 / Zoë Nguyễn: CON")
    'M-7_Zoe-Nguyen-CON'
    >>> safe_file_stem("Søren Kjærgaard"), safe_file_stem("Łukasz Wójcik")
    ('Soren-Kjaergaard', 'Lukasz-Wojcik')
    """
    ascii_text = anyascii(unicodedata.normalize("NFC", text))
    parts = [_UNSAFE.sub("-", part).strip("-.") for part in ascii_text.split("/")]
    stem = "_".join(p for p in parts if p)
    stem = re.sub(r"-{2,}", "-", stem).replace("_-", "_").replace("-_", "_")
    stem = stem[:limit].strip("-._")
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem or "workbook"


def person_file_name(identifier: str, name: str) -> str:
    """`<id>_<name>.xlsx`, safe on every OS; the id alone when the name has no letters or digits."""
    stem = safe_file_stem(name)
    identifier = safe_file_stem(identifier, 30)
    return f"{identifier}_{stem}.xlsx" if stem != "workbook" else f"{identifier}.xlsx"


def manager_file_name(manager: Manager) -> str:
    return person_file_name(manager.id, manager.name)


def _unique_paths(folder: Path, names: Sequence[str]) -> list[Path]:
    """Two ids can flatten to the same safe name: number the later ones rather than overwrite."""
    seen: dict[str, int] = {}
    paths = []
    for file_name in names:
        count = seen.get(file_name.casefold(), 0)
        seen[file_name.casefold()] = count + 1
        paths.append(folder / (file_name.replace(".xlsx", f"-{count + 1}.xlsx") if count else file_name))
    return paths


def _write_all(
    jobs: Sequence[tuple[Path, WorkbookPlan]],
    password: str | None,
    progress: Callable[[Path], None] | None,
    workers: int | None = None,
) -> list[Path]:
    """Write every planned workbook, on every core when there are many; return the paths in order."""
    paths = [path for path, _ in jobs]
    advance = None if progress is None else lambda job: progress(paths[job])
    map_ranges(
        _workbook_writer,
        (jobs, password),
        len(jobs),
        workers=worker_count(len(jobs), workers),
        progress=advance,
    )
    return paths


def _workbook_writer(
    jobs: Sequence[tuple[Path, WorkbookPlan]], password: str | None
) -> Callable[[int, int], list[Path]]:
    """In each worker: one writer, whose caches serve every workbook that worker writes."""
    writer = WorkbookWriter(password)

    def write(start: int, stop: int) -> list[Path]:
        return atomic_write_files((path, writer.write(plan)) for path, plan in jobs[start:stop])

    return write


def check_usable(frameworks: Sequence[Framework]) -> None:
    """A framework with lint errors (unmeetable criteria, out-of-scale profiles) is not sent to managers."""
    problems = [p for p in lint_frameworks(frameworks) if p.severity == "error"]
    if has_errors(problems):
        raise FrameworkError(problems)


def generate_workbooks(
    frameworks: Sequence[Framework],
    roster: Roster,
    cycle: str,
    out_dir: str | Path,
    *,
    due: str | None = None,
    password: str | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write one workbook per manager into `out_dir`; return their paths, sorted by manager id."""
    parse_cycle(cycle)
    check_usable(frameworks)
    managers = roster.managers
    paths = _unique_paths(Path(out_dir), [manager_file_name(m) for m in managers])
    plans = [plan_manager_workbook(m, roster.reports_of(m.id), frameworks, cycle, due) for m in managers]
    return _write_all(list(zip(paths, plans, strict=True)), password, progress, workers)


def generate_self_assessments(
    frameworks: Sequence[Framework],
    roster: Roster,
    cycle: str,
    out_dir: str | Path,
    *,
    due: str | None = None,
    password: str | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """One workbook per employee to rate themselves, sorted by employee id."""
    parse_cycle(cycle)
    check_usable(frameworks)
    managers = {m.id: m for m in roster.managers}
    people = sorted(roster.employees, key=lambda e: e.employee_id)
    paths = _unique_paths(Path(out_dir), [person_file_name(e.employee_id, e.name) for e in people])
    plans = [plan_self_assessment(e, managers[e.manager_id], frameworks, cycle, due) for e in people]
    return _write_all(list(zip(paths, plans, strict=True)), password, progress, workers)


def generate_blank_matrix(
    framework: Framework,
    out_file: str | Path,
    *,
    rows: int = BLANK_MATRIX_ROWS,
    password: str | None = None,
    cycle: str | None = None,
) -> Path:
    """The roster-free role × competency matrix."""
    if cycle is not None:
        parse_cycle(cycle)
    check_usable([framework])
    plan = plan_blank_matrix(framework, rows, cycle)
    atomic_write_bytes(out_file, workbook_bytes(plan, password=password))
    return Path(out_file)

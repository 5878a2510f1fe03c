"""Open returned workbooks safely and hand their ratings sheets to `ingest` — the only file I/O of analyze.

Each file is inspected (`safety.scan_file`) before python-calamine parses it, so a hostile or broken
file becomes one problem for that file and never stops the others.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from matrixkit.assess.results import RatedRow
from matrixkit.collector import collector_paused
from matrixkit.intake.ingest import SheetInput, ingest_sheet, normalise_header
from matrixkit.intake.opening import Refusal, open_spreadsheet
from matrixkit.intake.safety import FileScan, Limits
from matrixkit.model.framework import Framework
from matrixkit.model.problems import FloodCaps, Problem, summarise_floods
from matrixkit.parallel import map_ranges, worker_count
from matrixkit.workbook.layout import METADATA_SHEET, ratings_sheet_names
from matrixkit.workbook.metadata import FamilyStamp, WorkbookMetadata, decode_properties, decode_sheet
from matrixkit.workbook.sheetxml import text_from_content

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
FAMILY_NOT_GIVEN = "family-not-given"
VERSION_DIFFERS = "framework-version-differs"


def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders searched recursively for workbooks (Office lock files skipped), sorted.

    A broken or looping link named like a workbook is kept, so that reading it says what it is
    instead of the file vanishing from the run; a link to a real file elsewhere is read normally.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "gone.xlsx").symlink_to(folder / "deleted.xlsx")
    >>> [p.name for p in expand_inputs([folder])]
    ['gone.xlsx']
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if (p.is_file() or (p.is_symlink() and not p.exists()))
                    and p.suffix.lower() in WORKBOOK_SUFFIXES
                    and not p.name.startswith(("~$", ".~lock", "."))
                )
            )
        else:
            found.append(path)
    unique: dict[str, Path] = {}
    for path in found:
        # os.path.realpath, unlike Path.resolve before Python 3.13, does not raise on a looping link.
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def is_ratings_sheet(name: str) -> bool:
    return name.casefold().startswith("ratings")


@dataclass
class WorkbookContent:
    file: str
    sheets: list[tuple[Framework, SheetInput]] = field(default_factory=list)
    metadata: WorkbookMetadata = field(default_factory=WorkbookMetadata)
    problems: list[Problem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return bool(self.sheets)


def read_workbook(path: Path, frameworks: Sequence[Framework], limits: Limits | None = None) -> WorkbookContent:
    """Every ratings sheet of one file, with its family resolved, or the problems that prevent it."""
    file = str(path)
    content = WorkbookContent(file)

    def fail(message: str, code: str, sheet: str | None = None, cell: str | None = None) -> WorkbookContent:
        content.problems.append(Problem("error", message, file=file, sheet=sheet, cell=cell, code=code))
        return content

    opened = open_spreadsheet(
        path,
        lambda name: is_ratings_sheet(name) or name == METADATA_SHEET,
        limits,
        xls_advice="open it and save it as .xlsx, then send it again",
    )
    if isinstance(opened, Refusal):
        return fail(opened.message, opened.code, opened.sheet, opened.cell)
    scan, names, grids = opened.scan, opened.sheet_names, opened.grids
    content.metadata = _metadata(grids.get(METADATA_SHEET), path, scan)
    ratings = [name for name in names if is_ratings_sheet(name)]
    if not ratings:
        return fail("no sheet named 'Ratings…': not a matrixkit workbook, or the sheet was renamed", "no-ratings-sheet")
    for name in ratings:
        fw, info = _family_of(name, grids[name], frameworks, content.metadata)
        if fw is None and info is not None:  # the metadata names a family none of the frameworks is
            given = ", ".join(f"{f.family.name} {f.family.version}" for f in frameworks) or "none"
            content.problems.append(
                Problem(
                    "error",
                    f"this sheet rates {_label(info)}; the frameworks given are {given}",
                    file=file,
                    sheet=name,
                    value=info.family_id,
                    expected=", ".join(f.family.id for f in frameworks),
                    code=FAMILY_NOT_GIVEN,
                )
            )
            continue
        if fw is None:
            fail(
                "cannot tell which job family this sheet rates: no metadata, and its name and columns match "
                "none of the frameworks given",
                "unknown-family",
                sheet=name,
            )
            continue
        if info is not None and info.fingerprint and info.fingerprint != fw.fingerprint:
            content.problems.append(
                Problem(
                    "warning",
                    f"generated from {fw.family.id} version {info.version or '?'}, analysed with "
                    f"version {fw.family.version}: competencies are matched by id",
                    file=file,
                    sheet=name,
                    value=info.fingerprint,
                    expected=fw.fingerprint,
                    code=VERSION_DIFFERS,
                )
            )
        sheet_scan = scan.sheets.get(name)
        if sheet_scan is not None and sheet_scan.dimension_warning:
            content.problems.append(
                Problem(
                    "warning",
                    sheet_scan.dimension_warning,
                    file=file,
                    sheet=name,
                    value=sheet_scan.false_dimension,
                    code="false-dimension",
                )
            )
        content.sheets.append(
            (
                fw,
                SheetInput(
                    file=file,
                    sheet=name,
                    grid=grids[name],
                    formula_cells=sheet_scan.formula_cells if sheet_scan else frozenset(),
                    error_cells=sheet_scan.error_cells if sheet_scan else frozenset(),
                    error_values=sheet_scan.error_values if sheet_scan else {},
                    generated_headers=dict(info.headers) if info is not None else {},
                    manager_id=content.metadata.manager_id,
                    manager_name=content.metadata.manager_name,
                    cycle=content.metadata.cycle,
                ),
            )
        )
    return content


def _family_of(
    sheet: str, grid: Sequence[Sequence[Any]], frameworks: Sequence[Framework], metadata: WorkbookMetadata
) -> tuple[Framework | None, FamilyStamp | None]:
    """The sheet's family: from the hidden metadata, else the only framework, its name, or its columns.

    (None, the workbook's stamp) when its metadata names a family that none of `frameworks` is.
    """
    by_id = {fw.family.id: fw for fw in frameworks}
    described = {stamp.family_id: stamp for stamp in metadata.families}
    for family_id, info in described.items():
        if info.sheet == sheet and family_id in by_id:
            return by_id[family_id], info
    stamped = [info for info in metadata.families if info.sheet == sheet] or [
        info for info in metadata.families if len(metadata.families) == 1 and info.sheet is None
    ]
    if stamped and stamped[0].family_id not in by_id:
        return None, stamped[0]  # the workbook says what it rates, and it is none of these frameworks
    found: Framework | None = None
    if len(frameworks) == 1:
        found = frameworks[0]
    else:
        names = ratings_sheet_names(frameworks)
        found = next((by_id[f] for f, name in names.items() if name.casefold() == sheet.casefold()), None)
        if found is None:
            header_texts = {normalise_header(cell) for row in grid[:30] for cell in row}
            scores = [(sum(normalise_header(c.name) in header_texts for c in fw.competencies), fw) for fw in frameworks]
            best = max(scores, key=lambda s: s[0], default=(0, None))
            found = best[1] if best[0] > 0 else None
    if found is None:
        return None, None
    return found, described.get(found.family.id)


def _metadata(grid: Sequence[Sequence[Any]] | None, path: Path, scan: FileScan) -> WorkbookMetadata:
    """The hidden sheet's key/value pairs; when a manager deleted it, the custom document properties."""
    if grid:
        return decode_sheet(grid)
    return decode_properties(_custom_properties(path, scan.kind))


def _custom_properties(path: Path, kind: str) -> dict[str, str]:
    """User-defined document properties of an .xlsx (docProps/custom.xml) or .ods (meta.xml)."""
    member = {"xlsx": "docProps/custom.xml", "ods": "meta.xml"}.get(kind)
    if member is None:
        return {}
    try:
        with zipfile.ZipFile(path) as archive:
            if member not in archive.namelist() or archive.getinfo(member).file_size > 2**20:
                return {}
            root = ElementTree.fromstring(archive.read(member))
    except Exception:  # properties are a convenience: unreadable ones are simply absent
        return {}
    result: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if kind == "xlsx" and tag == "property":
            name = element.get("name")
            text = "".join(child.text or "" for child in element)
            if name:
                result[name] = text_from_content(text)
        elif kind == "ods" and tag == "user-defined":
            name = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "name"), None)
            if name:
                result[name] = text_from_content(element.text or "")
    return result


@dataclass
class IngestedWorkbook:
    """One input file after reading and checking: its rows, its problems, what its metadata says."""

    file: str
    readable: bool
    kind: str  # "manager", "self" (an employee's self-assessment) or "blank_matrix"
    manager_id: str | None
    cycle: str | None
    rows: list[tuple[Framework, RatedRow]]
    problems: list[Problem]
    families: tuple[FamilyStamp, ...] = ()  # as its metadata records them


def ingest_workbooks(
    files: Sequence[Path],
    frameworks: Sequence[Framework],
    limits: Limits | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> list[IngestedWorkbook]:
    """Read and check every file, on every core when there are many; one bad file is its own
    problems and never stops the others. Results are in the order of `files`.

    Files with byte-identical content (the same attachment saved twice) are one return: one of them is
    read (`identical_files`), each other copy is a warning naming both (SPEC rev 2).
    """
    originals = identical_files(files, (limits or Limits()).max_file_bytes)
    to_read = [path for path in files if path not in originals]
    count = len(to_read)
    # The rows arrive by the hundred thousand and all stay alive: each cyclic collection meanwhile would
    # scan every one received so far, which made the collecting superlinear (at 100,000 employees 0.9 s of
    # the parent's 1.9 s).
    with collector_paused():
        shipped = map_ranges(
            _workbook_reader,
            (to_read, tuple(frameworks), limits),
            count,
            workers=worker_count(count, workers, min_jobs=_MIN_FILES_FOR_A_POOL),
            progress=None if progress is None else lambda job: progress(to_read[job]),
            on_failure=lambda job, exc: _failed(to_read[job], exc),
        )
        # Rows travel between processes with their family's position, not a copy of the framework.
        read = {
            path: replace(item, rows=[(frameworks[index], row) for index, row in item.rows])
            for path, item in zip(to_read, shipped, strict=True)
        }
    if progress is not None:
        for copy in originals:
            progress(copy)
    return [read[path] if path not in originals else _copy_of(path, originals[path], read) for path in files]


def identical_files(files: Sequence[Path], max_bytes: int) -> dict[Path, Path]:
    """Each file whose bytes equal another's → the one read in its place: the shortest name (`name.xlsx`
    before `name (1).xlsx`), then the first given. Only files of equal size are hashed, and none larger than
    `max_bytes` (those are refused unread anyway).

    >>> identical_files([], 2**20)
    {}
    """
    by_size: dict[int, list[Path]] = {}
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:  # missing or unreadable: the reader says so, for this file alone
            continue
        if size <= max_bytes:
            by_size.setdefault(size, []).append(path)
    originals: dict[Path, Path] = {}
    for same_size in by_size.values():
        if len(same_size) < 2:
            continue
        by_digest: dict[str, list[Path]] = {}
        for path in same_size:
            try:
                with path.open("rb") as handle:
                    by_digest.setdefault(hashlib.file_digest(handle, "sha256").hexdigest(), []).append(path)
            except OSError:
                continue
        for same in by_digest.values():
            original = min(same, key=lambda path: len(path.name))  # `name.xlsx`, not `name (1).xlsx`
            originals.update((path, original) for path in same if path != original)
    return originals


def _copy_of(path: Path, original: Path, read: dict[Path, IngestedWorkbook]) -> IngestedWorkbook:
    first = read[original]
    warning = Problem(
        "warning",
        f"the same bytes as {original}, which is read in its place: one return, counted once",
        file=str(path),
        value=str(path),
        expected=str(original),
        hint="delete the copy (an attachment saved twice?)",
        code="identical-files",
    )
    return IngestedWorkbook(str(path), False, first.kind, first.manager_id, first.cycle, [], [warning])


def _failed(path: Path, exc: BaseException) -> IngestedWorkbook:
    """What an unexpected failure while reading one file leaves: a problem for that file alone."""
    reason = f"failed unexpectedly ({type(exc).__name__}: {exc})"
    if isinstance(exc, MemoryError):
        reason = "ran out of memory"
    problem = Problem(
        "error",
        f"reading this file {reason}: it is not analysed; the other files are",
        file=str(path),
        hint="open it and save it again, or send it to the matrixkit maintainers",
        code="read-failed",
    )
    return IngestedWorkbook(str(path), False, "manager", None, None, [], [problem])


_MIN_FILES_FOR_A_POOL = 200


def _workbook_reader(
    files: Sequence[Path], frameworks: Sequence[Framework], limits: Limits | None
) -> Callable[[int, int], list[IngestedWorkbook]]:
    position = {fw.fingerprint: index for index, fw in enumerate(frameworks)}
    if multiprocessing.parent_process() is not None:
        gc.enable()  # a reading worker, forked while the parent collects with the collector off

    def read(start: int, stop: int) -> list[IngestedWorkbook]:
        return [_ingest_guarded(path, frameworks, limits, position) for path in files[start:stop]]

    return read


def _ingest_guarded(
    path: Path, frameworks: Sequence[Framework], limits: Limits | None, position: dict[str, int]
) -> IngestedWorkbook:
    try:
        return _ingest_one(path, frameworks, limits, position)
    except Exception as exc:  # MemoryError included: whatever one file does, it is that file's problem
        return _failed(path, exc)


def _ingest_one(
    path: Path, frameworks: Sequence[Framework], limits: Limits | None, position: dict[str, int]
) -> IngestedWorkbook:
    content = read_workbook(path, frameworks, limits)
    problems = list(content.problems)
    rows: list[tuple[Any, RatedRow]] = []
    caps = FloodCaps()  # per sheet: a sheet's problems come row by row
    for fw, sheet in content.sheets:
        sheet_rows, sheet_problems = ingest_sheet(sheet, fw, caps.of(content.file, sheet.sheet))
        problems.extend(sheet_problems)
        rows.extend((position[fw.fingerprint], row) for row in sheet_rows)
    return IngestedWorkbook(
        file=content.file,
        readable=content.readable,
        kind=content.metadata.kind or "manager",
        manager_id=content.metadata.manager_id,
        cycle=content.metadata.cycle,
        rows=rows,
        problems=summarise_floods(problems, left_out=caps.left_out()),
        families=content.metadata.families,
    )


def _label(stamp: FamilyStamp) -> str:
    return f"{stamp.name or stamp.family_id} {stamp.version}".strip()


def fold_by_cause(
    workbooks: Sequence[IngestedWorkbook], frameworks: Sequence[Framework]
) -> tuple[list[IngestedWorkbook], list[Problem]]:
    """Problems with one cause across many files said once: workbooks of a family no framework given is
    (the wrong --framework), and workbooks generated from an earlier edit of a framework. The workbooks come
    back without those problems; the folded problems name how many files and what to do.

    >>> fold_by_cause([], [])
    ([], [])
    """
    mismatched: dict[str, list[IngestedWorkbook]] = {}
    changed: dict[tuple[str, str], list[IngestedWorkbook]] = {}
    kept: list[IngestedWorkbook] = []
    for workbook in workbooks:
        stamps = {stamp.family_id: stamp for stamp in workbook.families}
        by_print = {stamp.fingerprint: stamp for stamp in workbook.families}
        for p in workbook.problems:
            if p.code == FAMILY_NOT_GIVEN and p.value in stamps:
                mismatched.setdefault(p.value, []).append(workbook)
            elif p.code == VERSION_DIFFERS and p.value in by_print:
                changed.setdefault((by_print[p.value].family_id, p.value), []).append(workbook)
        foldable = {FAMILY_NOT_GIVEN, VERSION_DIFFERS}
        kept.append(replace(workbook, problems=[p for p in workbook.problems if p.code not in foldable]))
    folded = [_mismatch(family_id, group, frameworks) for family_id, group in mismatched.items()]
    by_id = {fw.family.id: fw for fw in frameworks}
    folded += [_changed(by_id[family_id], fingerprint, group) for (family_id, fingerprint), group in changed.items()]
    return kept, folded


def _unique(group: Sequence[IngestedWorkbook]) -> list[str]:
    return list(dict.fromkeys(w.file for w in group))


def _where(files: Sequence[str]) -> str:
    """The one file, or the folder holding them all (the problem is about the set, not one file)."""
    if len(files) == 1:
        return files[0]
    try:
        return os.path.commonpath(files) or "."
    except ValueError:  # different drives
        return "."


def _files(count: int) -> str:
    return "1 file" if count == 1 else f"{count} files"


def _mismatch(family_id: str, group: Sequence[IngestedWorkbook], frameworks: Sequence[Framework]) -> Problem:
    from matrixkit.sources.roster import suggest_framework_file

    files = _unique(group)
    stamp = next(s for s in group[0].families if s.family_id == family_id)
    given = ", ".join(f"{fw.family.name} {fw.family.version}" for fw in frameworks) or "none"
    these = "this workbook is" if len(files) == 1 else "these workbooks are"
    return Problem(
        "error",
        f"{these} {_label(stamp)} ({_files(len(files))}); the frameworks given are {given}: "
        f"pass --framework {suggest_framework_file(family_id)}",
        file=_where(files),
        value=family_id,
        expected=", ".join(fw.family.id for fw in frameworks),
        hint=None if len(files) == 1 else "among them " + ", ".join(Path(f).name for f in files[:3]),
        code=FAMILY_NOT_GIVEN,
    )


def _changed(fw: Framework, fingerprint: str, group: Sequence[IngestedWorkbook]) -> Problem:
    files = _unique(group)
    stamp = next(s for s in group[0].families if s.fingerprint == fingerprint)
    count = _files(len(files))
    what = _what_changed(stamp, fw)
    if stamp.version == fw.family.version:
        message = (
            f"the {fw.family.name} framework changed since these workbooks were generated ({count}) but its "
            f"version is still {fw.family.version}" + (f": {what}" if what else "") + "; competencies are matched by id"
        )
        hint = "bump `family.version` when you change the framework"
    else:
        message = (
            f"generated from {fw.family.name} version {stamp.version or '?'} ({count}), analysed with version "
            f"{fw.family.version}" + (f": {what}" if what else "") + "; competencies are matched by id"
        )
        hint = None
    return Problem(
        "warning",
        message,
        file=_where(files),
        value=fingerprint,
        expected=fw.fingerprint,
        hint=hint,
        code=VERSION_DIFFERS,
    )


def _what_changed(stamp: FamilyStamp, fw: Framework) -> str:
    """What the workbook's recorded column headers tell of the change; a description's edit leaves no trace."""
    if not stamp.headers:
        return ""
    before = {}
    for header, kind in stamp.headers.items():
        if kind.startswith("rating:"):
            before[kind.removeprefix("rating:")] = header
    now = {c.id: c.name for c in fw.competencies}
    changes = [f"'{before[c]}' renamed '{now[c]}'" for c in now if c in before and before[c] != now[c]]
    changes += [f"'{now[c]}' added" for c in now if c not in before]
    changes += [f"'{before[c]}' removed" for c in before if c not in now]
    if not changes:
        return "its competencies keep their names, so a description, level or criterion changed"
    return "competency " + ", ".join(changes)


def read_metadata(path: str | Path, limits: Limits | None = None) -> WorkbookMetadata | Refusal:
    """What one workbook says about itself (manager, cycle, kind), after the same safety scan `analyze`
    runs; a `Refusal` says why the file cannot be read (hostile, broken, not a spreadsheet).

    >>> read_metadata("sample_workbooks/engineering/filled/ENG-001_Siobhan-Ni-Bhriain.xlsx").manager_id
    'ENG-001'
    """
    source = Path(path)
    opened = open_spreadsheet(source, lambda name: name == METADATA_SHEET, limits)
    if isinstance(opened, Refusal):
        return opened
    return _metadata(opened.grids.get(METADATA_SHEET), source, opened.scan)

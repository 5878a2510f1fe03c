"""Import an authoring workbook (.xlsx or .ods) back into a framework, every problem at its sheet and cell.

The import builds the same plain data a YAML file holds and loads it through the same path
(`framework_from_document`), so a workbook gets exactly the checks a YAML file gets; while reading, it
records which sheet and cell each framework path came from, and each problem is then located there.
The file passes the safety scan before anything opens it. One module, past 600 lines, because the
reader is one pass that builds the data and records each value's cell together; splitting the sheets
apart would split that bookkeeping too (the cell conversions it uses are in `cells`).

>>> import tempfile
>>> from pathlib import Path
>>> from matrixkit.authoring.export import export_framework
>>> from matrixkit.model.framework import load_framework
>>> workbook = export_framework(load_framework("templates/engineering.yaml"), Path(tempfile.mkdtemp()) / "e.xlsx")
>>> result = import_framework_workbook(workbook)
>>> result.ok, result.framework.family.id
(True, 'engineering')
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matrixkit.authoring.cells import (
    as_bool,
    as_codes,
    as_id,
    as_id_list,
    as_int,
    as_kind,
    as_number,
    as_text,
    is_blank,
    normalised,
    optional,
)
from matrixkit.authoring.sheets import (
    ANCHORS_SHEET,
    CLEARED,
    COMPETENCIES_SHEET,
    COMPETENCY_COLUMNS,
    COMPETENCY_ID,
    COMPETENCY_KIND,
    COMPETENCY_LINT,
    COMPETENCY_NAME,
    COMPETENCY_TRACKS,
    COMPETENCY_WEIGHT,
    CRITERIA_COLUMNS,
    CRITERIA_OWNER,
    CRITERIA_SHEET,
    CRITERIA_TARGET,
    DESCRIPTIONS_SHEET,
    ENTRY_FROM,
    ENTRY_TO,
    EVIDENCE_COLUMNS,
    EVIDENCE_ID,
    EVIDENCE_PROMPT,
    EVIDENCE_SHEET,
    FAMILY_SHEET,
    FIELD_ID,
    FIELD_LABEL,
    FIELD_LICENSE,
    FIELD_LINT,
    FIELD_MAX,
    FIELD_MIN,
    FIELD_NAME,
    FIELD_SCHEMA,
    FIELD_SOURCE,
    FIELD_VERSION,
    LATERAL_COLUMNS,
    LATERAL_FROM,
    LATERAL_NOTE,
    LATERAL_SHEET,
    LATERAL_TO,
    LATERAL_TRANSFERABLE,
    LEVEL_COLUMNS,
    LEVEL_EQUIVALENT,
    LEVEL_ID,
    LEVEL_SCOPE,
    LEVEL_TITLE,
    LEVELS_SHEET,
    METRIC_COLUMNS,
    METRIC_ID,
    METRIC_MAX,
    METRIC_MIN,
    METRIC_NAME,
    METRICS_SHEET,
    NAMES_ROW_MARK,
    NOT_ASSESSED,
    OWNER_DEFAULT,
    OWNER_ENTRY,
    OWNER_LEVEL,
    PROFILES_SHEET,
    SHEETS,
    TITLES_ROW_MARK,
    TRACK_ID,
    TRACK_NAME,
    Column,
)
from matrixkit.errors import FrameworkError, WorkbookImportError
from matrixkit.intake.opening import Refusal, open_spreadsheet
from matrixkit.intake.safety import Limits
from matrixkit.model.criteria import criterion
from matrixkit.model.framework import CRITERIA_KEYS, SCHEMA_VERSION, Framework, framework_from_document
from matrixkit.model.problems import Problem, has_errors, sort_problems
from matrixkit.sources.yamldoc import Loc, YamlDocument, format_path
from matrixkit.workbook.cells import cell_ref


@dataclass
class ImportResult:
    """A framework read from a workbook (None when there is an error) and every problem, located."""

    framework: Framework | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.framework is not None and not has_errors(self.problems)


def import_framework_workbook(path: str | Path, *, lint: bool = True, limits: Limits | None = None) -> ImportResult:
    """Read an authoring workbook (.xlsx or .ods) through the same checks as a YAML file, and lint it.

    Raises `WorkbookImportError` when the file is not a readable (or not a safe) spreadsheet;
    every problem in its content is in `problems`, with its sheet and cell.

    >>> import tempfile
    >>> from matrixkit.authoring.export import export_framework
    >>> from matrixkit.model.framework import load_framework
    >>> workbook = export_framework(load_framework("templates/sales.yaml"), Path(tempfile.mkdtemp()) / "s.xlsx")
    >>> result = import_framework_workbook(workbook)
    >>> result.ok, [p.describe() for p in result.problems][:1]
    (True, [])
    """
    reader = _WorkbookReader(Path(path), limits or Limits())
    data = reader.read()
    problems = list(reader.problems)
    framework: Framework | None = None
    try:
        framework = framework_from_document(YamlDocument(data, str(path)))
    except FrameworkError as exc:
        problems.extend(reader.locate(p) for p in exc.problems)
    if framework is not None and lint:
        from matrixkit.model.lint import lint_frameworks

        problems.extend(reader.locate(p) for p in lint_frameworks([framework]))
    problems = sort_problems(problems)
    if has_errors(problems):
        framework = None
    return ImportResult(framework, problems)


def read_framework_workbook(path: str | Path) -> Framework:
    """The framework in an authoring workbook; `FrameworkError` (located at sheet and cell) on any error."""
    result = import_framework_workbook(path)
    if result.framework is None:
        raise FrameworkError([p for p in result.problems if p.severity == "error"])
    return result.framework


class _WorkbookReader:
    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.file = str(path)
        self.limits = limits
        self.problems: list[Problem] = []
        self.places: dict[str, tuple[str, str]] = {}
        self.grids: dict[str, list[list[Any]]] = {}

    # -- where things are

    def at(self, loc: Loc, sheet: str, row: int, col: int) -> None:
        self.places.setdefault(format_path(loc), (sheet, cell_ref(row, col)))

    def locate(self, problem: Problem) -> Problem:
        """The problem with the sheet and cell its framework path came from."""
        path = problem.path
        while path:
            if path in self.places:
                sheet, cell = self.places[path]
                return dataclasses.replace(problem, file=self.file, sheet=sheet, cell=cell, line=None)
            path = _parent_path(path)
        return dataclasses.replace(problem, file=self.file, line=None)

    def error(
        self, message: str, sheet: str | None = None, row: int | None = None, col: int | None = None, value: Any = None
    ) -> None:
        cell = cell_ref(row, col) if row is not None and col is not None else None
        self.problems.append(
            Problem(
                "error",
                message,
                file=self.file,
                sheet=sheet,
                cell=cell,
                value=None if value is None else str(value),
                code="workbook",
            )
        )

    # -- reading

    def read(self) -> dict[str, Any]:
        self._open()
        data: dict[str, Any] = {}
        self._family(data)
        competencies = self._competencies()
        data["competencies"] = competencies
        self._descriptions(competencies)
        self._anchors(competencies)
        evidence = self._simple(EVIDENCE_SHEET, EVIDENCE_COLUMNS, "evidence", self._evidence_item)
        if evidence:
            data["evidence"] = evidence
        metrics = self._simple(METRICS_SHEET, METRIC_COLUMNS, "metrics", self._metric_item)
        if metrics:
            data["metrics"] = metrics
        tracks, level_locs = self._levels()
        self._profiles(tracks, level_locs)
        promotion = self._criteria(tracks, level_locs)
        if promotion is not None:
            data["promotion"] = promotion
        data["tracks"] = tracks
        lateral = self._simple(LATERAL_SHEET, LATERAL_COLUMNS, "lateral_paths", self._lateral_item)
        if lateral:
            data["lateral_paths"] = lateral
        ordered = {key: data[key] for key in _TOP_ORDER if key in data}
        return ordered

    def _open(self) -> None:
        opened = open_spreadsheet(
            self.path, lambda name: name in SHEETS, self.limits, xls_advice="save it as .xlsx or .ods"
        )
        if isinstance(opened, Refusal):
            raise WorkbookImportError(f"{self.file}: {opened.message}")
        self.grids.update({name: [list(row) for row in grid] for name, grid in opened.grids.items()})
        missing = [name for name in SHEETS if name not in self.grids]
        if len(missing) == len(SHEETS):
            raise WorkbookImportError(
                f"{self.file}: not a framework authoring workbook (no sheet named {', '.join(SHEETS[:3])}, …); "
                "make one with `matrixkit framework export`"
            )
        for name in missing:
            if name in (EVIDENCE_SHEET, METRICS_SHEET, LATERAL_SHEET, ANCHORS_SHEET):
                continue  # optional lists: a deleted sheet means none (and workbooks before anchors have none)
            self.error(f"sheet '{name}' is missing (was it renamed or deleted?)", sheet=name)

    def _table(
        self, sheet: str, columns: Sequence[str], optional: Sequence[str] = ()
    ) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
        """Column index by header (case-insensitive) and the non-blank data rows below the header; a missing
        column of `columns` is an error, of `optional` is simply not in the index."""
        grid = self.grids.get(sheet)
        if not grid:
            return {}, []
        header = {normalised(v): i for i, v in reversed(list(enumerate(grid[0]))) if not is_blank(v)}
        index: dict[str, int] = {}
        for name in columns:
            if normalised(name) in header:
                index[name] = header[normalised(name)]
            else:
                self.error(f"no column headed '{name}' in row 1", sheet=sheet, row=0, col=len(grid[0]))
        for name in optional:
            if normalised(name) in header:
                index[name] = header[normalised(name)]
        rows = [(r, row) for r, row in enumerate(grid[1:], start=1) if any(not is_blank(v) for v in row)]
        return index, rows

    @staticmethod
    def _get(row: list[Any], index: dict[str, int], name: str) -> Any:
        col = index.get(name)
        return row[col] if col is not None and col < len(row) else ""

    def _value(self, row: list[Any], index: dict[str, int], column: Column) -> Any:
        return self._get(row, index, column.header)

    def _family(self, data: dict[str, Any]) -> None:
        grid = self.grids.get(FAMILY_SHEET) or []
        values: dict[str, tuple[int, Any]] = {}
        labels: dict[Any, Any] = {}
        for r, row in enumerate(grid[1:], start=1):
            if not row or is_blank(row[0]):
                continue
            name = normalised(row[0])
            value = row[1] if len(row) > 1 else ""
            match = re.fullmatch(rf"{FIELD_LABEL.lower()}\s*(\S+)", name)
            if match:
                key = as_int(match.group(1))
                self.at(("scale", "labels", key), FAMILY_SHEET, r, 1)
                self.at(("scale", "labels"), FAMILY_SHEET, r, 1)
                if not is_blank(value):
                    labels[key] = as_text(value)
                continue
            values[name] = (r, value)
        family: dict[str, Any] = {}
        scale: dict[str, Any] = {}
        fields: list[tuple[str, Loc, Callable[[Any], Any]]] = [
            (FIELD_SCHEMA, ("matrixkit",), as_int),
            (FIELD_ID, ("family", "id"), as_id),
            (FIELD_NAME, ("family", "name"), as_text),
            (FIELD_VERSION, ("family", "version"), as_text),
            (FIELD_SOURCE, ("family", "source"), as_text),
            (FIELD_LICENSE, ("family", "license"), as_text),
            (FIELD_LINT, ("lint", "allow"), as_codes),
            (FIELD_MIN, ("scale", "min"), as_int),
            (FIELD_MAX, ("scale", "max"), as_int),
        ]
        for name, loc, convert in fields:
            if normalised(name) not in values:
                if name in (FIELD_ID, FIELD_NAME, FIELD_VERSION):
                    self.error(f"no row '{name}' in column A", sheet=FAMILY_SHEET)
                continue
            r, value = values[normalised(name)]
            self.at(loc, FAMILY_SHEET, r, 1)
            if is_blank(value):
                continue
            if loc == ("matrixkit",):
                data["matrixkit"] = convert(value)
            elif loc[0] == "lint":
                data["lint"] = {"allow": convert(value)}
            elif loc[0] == "family":
                family[str(loc[1])] = convert(value)
            else:
                scale[str(loc[1])] = convert(value)
        data.setdefault("matrixkit", SCHEMA_VERSION)
        data["family"] = family
        self.at(("family",), FAMILY_SHEET, 0, 0)
        if labels:
            scale["labels"] = labels
        if scale:
            data["scale"] = {key: scale[key] for key in ("min", "max", "labels") if key in scale}

    def _competencies(self) -> list[dict[str, Any]]:
        index, rows = self._table(COMPETENCIES_SHEET, COMPETENCY_COLUMNS)
        optional, _rows = self._table(COMPETENCIES_SHEET, (), optional=(COMPETENCY_LINT.header,))
        self.at(("competencies",), COMPETENCIES_SHEET, 0, 0)
        result: list[dict[str, Any]] = []
        for r, row in rows:
            i = len(result)
            item: dict[str, Any] = {}
            for column, convert in (
                (COMPETENCY_ID, as_id),
                (COMPETENCY_NAME, as_text),
                (COMPETENCY_KIND, as_kind),
                (COMPETENCY_TRACKS, as_id_list),
                (COMPETENCY_WEIGHT, as_number),
            ):
                if column.header in index:
                    self.at(("competencies", i, column.key), COMPETENCIES_SHEET, r, index[column.header])
                value = self._value(row, index, column)
                if not is_blank(value):
                    converted = convert(value)
                    if column is COMPETENCY_WEIGHT and converted == 1:
                        continue
                    item[column.key] = converted
            allowed = self._get(row, optional, COMPETENCY_LINT.header)
            if not is_blank(allowed):
                self.at(("competencies", i, "lint"), COMPETENCIES_SHEET, r, optional[COMPETENCY_LINT.header])
                item["lint"] = {"allow": as_codes(allowed)}
            self.at(("competencies", i), COMPETENCIES_SHEET, r, index.get(COMPETENCY_ID.header, 0))
            item["descriptions"] = {}
            result.append(item)
        return result

    def _descriptions(self, competencies: list[dict[str, Any]]) -> None:
        sheet = DESCRIPTIONS_SHEET
        grid = self.grids.get(sheet)
        if not grid:
            return
        columns = self._grid_columns(sheet, grid[0])
        for r, row, i, comp in self._competency_rows(
            sheet, grid, competencies, [c for c, _l in columns], "descriptions"
        ):
            self.at(("competencies", i, "descriptions"), sheet, r, 0)
            for col, level_id in columns:
                self.at(("competencies", i, "descriptions", level_id), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if not is_blank(value):
                    comp["descriptions"][level_id] = as_text(value)

    def _anchors(self, competencies: list[dict[str, Any]]) -> None:
        """The Anchors sheet: a row per competency, a column per scale point; blank cells say nothing."""
        sheet = ANCHORS_SHEET
        grid = self.grids.get(sheet)
        if not grid:
            return
        columns = [(col, as_int(point)) for col, point in self._grid_columns(sheet, grid[0])]
        for r, row, i, comp in self._competency_rows(sheet, grid, competencies, [c for c, _p in columns], "anchors"):
            anchors: dict[Any, Any] = {}
            self.at(("competencies", i, "anchors"), sheet, r, 0)
            for col, point in columns:
                self.at(("competencies", i, "anchors", str(point)), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if not is_blank(value):
                    anchors[point] = as_text(value)
            if anchors:
                comp["anchors"] = anchors

    def _competency_rows(
        self, sheet: str, grid: list[list[Any]], competencies: list[dict[str, Any]], filled: list[int], what: str
    ) -> Iterator[tuple[int, list[Any], int, dict[str, Any]]]:
        """(row, its cells, competency index, competency) for each row of a sheet keyed by competency id in
        column A; a row without an id, with an unknown id or a second row for one id is an error instead."""
        by_id = {str(c.get("id")): (i, c) for i, c in enumerate(competencies) if "id" in c}
        seen: dict[str, int] = {}
        for r, row in enumerate(grid[1:], start=1):
            if not row or normalised(row[0]) == normalised(TITLES_ROW_MARK) or all(is_blank(v) for v in row):
                continue
            if is_blank(row[0]):
                if any(not is_blank(row[col]) for col in filled if col < len(row)):
                    self.error(f"a row with {what} but no competency id in column A", sheet=sheet, row=r, col=0)
                continue
            cid = as_id(row[0])
            if cid not in by_id:
                self.error(
                    f"unknown competency '{cid}': add it on the {COMPETENCIES_SHEET} sheet first",
                    sheet=sheet,
                    row=r,
                    col=0,
                    value=cid,
                )
                continue
            if cid in seen:
                self.error(f"competency '{cid}' has two rows (also row {seen[cid] + 1})", sheet=sheet, row=r, col=0)
                continue
            seen[cid] = r
            i, comp = by_id[cid]
            yield r, row, i, comp

    def _grid_columns(self, sheet: str, header: list[Any]) -> list[tuple[int, str]]:
        columns: list[tuple[int, str]] = []
        seen: dict[str, int] = {}
        for col, value in enumerate(header[2:], start=2):
            if is_blank(value):
                continue
            key = as_id(value)
            if key in seen:
                self.error(f"two columns headed '{key}'", sheet=sheet, row=0, col=col, value=key)
                continue
            seen[key] = col
            columns.append((col, key))
        return columns

    def _simple(
        self,
        sheet: str,
        columns: Sequence[str],
        top: str,
        build: Callable[[list[Any], dict[str, int]], list[tuple[Column, Any]]],
    ) -> list[dict[str, Any]]:
        if sheet not in self.grids:
            return []
        index, rows = self._table(sheet, columns)
        self.at((top,), sheet, 0, 0)
        result: list[dict[str, Any]] = []
        for r, row in rows:
            i = len(result)
            item: dict[str, Any] = {}
            self.at((top, i), sheet, r, 0)
            for column, value in build(row, index):
                if column.header in index:
                    self.at((top, i, column.key), sheet, r, index[column.header])
                if value is not None:
                    item[column.key] = value
            result.append(item)
        return result

    def _evidence_item(self, row: list[Any], index: dict[str, int]) -> list[tuple[Column, Any]]:
        return [
            (EVIDENCE_ID, optional(as_id, self._value(row, index, EVIDENCE_ID))),
            (EVIDENCE_PROMPT, optional(as_text, self._value(row, index, EVIDENCE_PROMPT))),
        ]

    def _metric_item(self, row: list[Any], index: dict[str, int]) -> list[tuple[Column, Any]]:
        return [
            (METRIC_ID, optional(as_id, self._value(row, index, METRIC_ID))),
            (METRIC_NAME, optional(as_text, self._value(row, index, METRIC_NAME))),
            (METRIC_MIN, optional(as_number, self._value(row, index, METRIC_MIN))),
            (METRIC_MAX, optional(as_number, self._value(row, index, METRIC_MAX))),
        ]

    def _lateral_item(self, row: list[Any], index: dict[str, int]) -> list[tuple[Column, Any]]:
        transferable = self._value(row, index, LATERAL_TRANSFERABLE)
        return [
            (LATERAL_FROM, optional(as_id, self._value(row, index, LATERAL_FROM))),
            (LATERAL_TO, optional(as_id, self._value(row, index, LATERAL_TO))),
            (LATERAL_TRANSFERABLE, None if is_blank(transferable) else as_id_list(transferable)),
            (LATERAL_NOTE, optional(as_text, self._value(row, index, LATERAL_NOTE))),
        ]

    def _levels(self) -> tuple[list[dict[str, Any]], dict[str, Loc]]:
        sheet = LEVELS_SHEET
        index, rows = self._table(sheet, LEVEL_COLUMNS)
        self.at(("tracks",), sheet, 0, 0)
        tracks: dict[str, dict[str, Any]] = {}
        first_row: dict[str, dict[str, tuple[int, Any]]] = {}
        level_locs: dict[str, Loc] = {}
        for r, row in rows:
            raw_track = self._value(row, index, TRACK_ID)
            if is_blank(raw_track):
                self.error("no track id for this level", sheet=sheet, row=r, col=index.get(TRACK_ID.header, 0))
                continue
            track_id = as_id(raw_track)
            if track_id not in tracks:
                ti = len(tracks)
                track: dict[str, Any] = {"id": track_id}
                tracks[track_id] = track
                first_row[track_id] = {}
                self.at(("tracks", ti), sheet, r, index[TRACK_ID.header])
                self.at(("tracks", ti, TRACK_ID.key), sheet, r, index[TRACK_ID.header])
                self.at(("tracks", ti, "levels"), sheet, r, index.get(LEVEL_ID.header, 0))
            ti = list(tracks).index(track_id)
            track = tracks[track_id]
            for column in (TRACK_NAME, ENTRY_FROM, ENTRY_TO):
                key = column.key
                value = self._value(row, index, column)
                if is_blank(value):
                    continue
                converted = as_text(value) if key == "name" else as_id(value)
                earlier = first_row[track_id].get(key)
                if earlier is None:
                    first_row[track_id][key] = (r, converted)
                    loc: Loc = ("tracks", ti, "name") if key == "name" else ("tracks", ti, "entry", key)
                    self.at(loc, sheet, r, index[column.header])
                    if key == "from" or (key == "to" and "from" not in first_row[track_id]):
                        self.at(("tracks", ti, "entry"), sheet, r, index[column.header])
                elif earlier[1] != converted:
                    self.error(
                        f"{column.header} of track '{track_id}' is '{converted}' here but '{earlier[1]}' on row "
                        f"{earlier[0] + 1}: a track has one {column.header.lower()}",
                        sheet=sheet,
                        row=r,
                        col=index[column.header],
                        value=converted,
                    )
            level: dict[str, Any] = {}
            li = len(track.setdefault("levels", []))
            for column, convert in (
                (LEVEL_ID, as_id),
                (LEVEL_TITLE, as_text),
                (LEVEL_SCOPE, as_text),
                (LEVEL_EQUIVALENT, as_id),
            ):
                if column.header in index:
                    self.at(("tracks", ti, "levels", li, column.key), sheet, r, index[column.header])
                value = self._value(row, index, column)
                if not is_blank(value):
                    level[column.key] = convert(value)
            self.at(("tracks", ti, "levels", li), sheet, r, index.get(LEVEL_ID.header, 0))
            track["levels"].append(level)
            if "id" in level:
                level_locs.setdefault(str(level["id"]), ("tracks", ti, "levels", li))
        for track_id, track in tracks.items():
            info = first_row[track_id]
            if "name" in info:
                track["name"] = info["name"][1]
            if "from" in info or "to" in info:
                entry: dict[str, Any] = {}
                if "from" in info:
                    entry["from"] = info["from"][1]
                if "to" in info:
                    entry["to"] = info["to"][1]
                track["entry"] = entry
            levels = track.pop("levels")
            track.pop("id")
            tracks[track_id] = {"id": track_id, **track, "levels": levels}
        return list(tracks.values()), level_locs

    def _profiles(self, tracks: list[dict[str, Any]], level_locs: dict[str, Loc]) -> None:
        sheet = PROFILES_SHEET
        grid = self.grids.get(sheet)
        if not grid:
            return
        columns = self._grid_columns(sheet, grid[0])
        seen: dict[str, int] = {}
        for r, row in enumerate(grid[1:], start=1):
            if not row or normalised(row[0]) == normalised(NAMES_ROW_MARK) or all(is_blank(v) for v in row):
                continue
            if is_blank(row[0]):
                if any(not is_blank(row[col]) for col, _c in columns if col < len(row)):
                    self.error("a row with values but no level id in column A", sheet=sheet, row=r, col=0)
                continue
            level_id = as_id(row[0])
            if level_id not in level_locs:
                self.error(
                    f"unknown level '{level_id}': add it on the {LEVELS_SHEET} sheet first",
                    sheet=sheet,
                    row=r,
                    col=0,
                    value=level_id,
                )
                continue
            if level_id in seen:
                self.error(
                    f"level '{level_id}' has two rows (also row {seen[level_id] + 1})", sheet=sheet, row=r, col=0
                )
                continue
            seen[level_id] = r
            loc = level_locs[level_id]
            level = tracks[int(loc[1])]["levels"][int(loc[3])]
            expected: dict[str, Any] = {}
            self.at((*loc, "expected"), sheet, r, 0)
            for col, comp_id in columns:
                self.at((*loc, "expected", comp_id), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if isinstance(value, str) and normalised(value) == NOT_ASSESSED:
                    expected[comp_id] = None  # not assessed at this level
                elif not is_blank(value):
                    expected[comp_id] = as_int(value)
            if expected:
                level["expected"] = expected

    def _criteria(self, tracks: list[dict[str, Any]], level_locs: dict[str, Loc]) -> dict[str, Any] | None:
        sheet = CRITERIA_SHEET
        if sheet not in self.grids:
            return None
        index, rows = self._table(sheet, CRITERIA_COLUMNS[:2] + CRITERIA_KEYS)
        track_index = {str(t.get("id")): ti for ti, t in enumerate(tracks)}
        default: dict[str, Any] | None = None
        owners: dict[str, int] = {}
        for r, row in rows:
            owner = normalised(self._get(row, index, CRITERIA_OWNER))
            target = self._get(row, index, CRITERIA_TARGET)
            target_id = None if is_blank(target) else as_id(target)
            owner_col = index.get(CRITERIA_OWNER, 0)
            loc: Loc
            if owner == OWNER_DEFAULT:
                loc = ("promotion",)
            elif owner == OWNER_LEVEL:
                if target_id is None or target_id not in level_locs:
                    self.error(
                        f"unknown level '{target_id or ''}' in column {CRITERIA_TARGET}",
                        sheet=sheet,
                        row=r,
                        col=index.get(CRITERIA_TARGET, 1),
                        value=target_id,
                    )
                    continue
                loc = (*level_locs[target_id], "promotion")
            elif owner == OWNER_ENTRY:
                if target_id is None or target_id not in track_index:
                    self.error(
                        f"unknown track '{target_id or ''}' in column {CRITERIA_TARGET}",
                        sheet=sheet,
                        row=r,
                        col=index.get(CRITERIA_TARGET, 1),
                        value=target_id,
                    )
                    continue
                loc = ("tracks", track_index[target_id], "entry", "criteria")
            else:
                self.error(
                    f"'{self._get(row, index, CRITERIA_OWNER)}' in column {CRITERIA_OWNER}: expected "
                    f"{OWNER_DEFAULT}, {OWNER_LEVEL} or {OWNER_ENTRY}",
                    sheet=sheet,
                    row=r,
                    col=owner_col,
                )
                continue
            key_of_owner = format_path(loc)
            if key_of_owner in owners:
                self.error(
                    f"a second row for the same criteria (also row {owners[key_of_owner] + 1})",
                    sheet=sheet,
                    row=r,
                    col=owner_col,
                )
                continue
            owners[key_of_owner] = r
            self.at(loc, sheet, r, owner_col)
            criteria: dict[str, Any] = {}
            for key in CRITERIA_KEYS:
                if key not in index:
                    continue
                col = index[key]
                self.at((*loc, key), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if is_blank(value):
                    continue
                criteria[key] = self._criterion(key, value, sheet, r, col)
            if owner == OWNER_DEFAULT:
                default = criteria
            elif owner == OWNER_LEVEL:
                if criteria:
                    level = tracks[int(loc[1])]["levels"][int(loc[3])]
                    level["promotion"] = criteria
            else:
                track = tracks[int(loc[1])]
                if "entry" not in track:
                    self.error(
                        f"entry criteria for track '{target_id}', which has no Entry from / Entry to on the "
                        f"{LEVELS_SHEET} sheet",
                        sheet=sheet,
                        row=r,
                        col=owner_col,
                    )
                    continue
                if criteria:
                    track["entry"]["criteria"] = criteria
        return default or None

    def _criterion(self, key: str, value: Any, sheet: str, row: int, col: int) -> Any:
        if isinstance(value, str) and value.strip().lower() == CLEARED:
            return None
        value_type = criterion(key).value_type
        if value_type == "whole":
            return as_int(value)
        if value_type == "number":
            return as_number(value)
        if value_type == "yes_no":
            return as_bool(value)
        if value_type == "ids":
            return as_id_list(value)
        # metrics_at_least: "quota: 100, csat: 85"
        result: dict[str, Any] = {}
        for part in str(value).split(","):
            if not part.strip():
                continue
            name, sep, threshold = part.partition(":")
            if not sep or not name.strip():
                self.error(
                    f"'{part.strip()}': expected metric_id: value, e.g. quota: 100",
                    sheet=sheet,
                    row=row,
                    col=col,
                    value=value,
                )
                continue
            result[name.strip()] = as_number(threshold.strip())
        return result


_TOP_ORDER = (
    "matrixkit",
    "family",
    "lint",
    "scale",
    "competencies",
    "evidence",
    "metrics",
    "promotion",
    "tracks",
    "lateral_paths",
)


def _parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = path.rfind(".")
    bracket = path.rfind("]")
    if cut > bracket:
        return path[:cut]
    return path[: bracket + 1] if bracket >= 0 else ""

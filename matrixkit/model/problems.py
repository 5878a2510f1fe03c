"""Problems are values: every check returns them, reports and exit codes derive from them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (error) or worth a look (warning) in an input.

    Framework problems locate themselves by `path` (``competencies[3].descriptions.IC4``) and `line`;
    workbook problems by `sheet` and `cell`. Every problem has a `code`, a stable kebab-case name for its
    kind (``unknown-level``, ``rating-out-of-scale``) that scripts and summaries can group by.

    >>> Problem("error", "Unknown level", file="f.yaml", path="tracks[0]", line=12, code="reference").describe()
    'f.yaml:12: tracks[0]: error: Unknown level'
    """

    severity: Severity
    message: str
    file: str | None = None
    path: str | None = None
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    expected: str | None = None
    hint: str | None = None
    code: str = field(kw_only=True)

    @property
    def location(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.sheet is not None:
            where += f" [{self.sheet}]" if where else f"[{self.sheet}]"
        if self.cell is not None:
            where += f"!{self.cell}"
        if self.path:
            where += f": {self.path}" if where else self.path
        return where

    def describe(self) -> str:
        text = (
            f"{self.location}: {self.severity}: {self.message}"
            if self.location
            else (f"{self.severity}: {self.message}")
        )
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors first, then by place in natural order (`problem_sort_key`): the one order of the JSON, the
    report's Problems sheet and the terminal.

    >>> [p.cell for p in sort_problems([Problem("error", "x", cell=c, code="c") for c in ("D10", "row 9", "D2")])]
    ['D2', 'row 9', 'D10']
    """
    return sorted(problems, key=problem_sort_key)


def problem_sort_key(p: Problem) -> tuple[Any, ...]:
    """Errors first, then file, line, sheet, cell (row, then column), path and message; digits compare
    as numbers everywhere, so D2 comes before D10, row 9 before row 10 and file2.xlsx before file10.xlsx.

    >>> sorted(["file10.xlsx", "file2.xlsx"], key=natural_key)
    ['file2.xlsx', 'file10.xlsx']
    """
    return (
        p.severity != "error",
        natural_key(p.file),
        p.line or 0,
        natural_key(p.sheet),
        _cell_key(p.cell),
        natural_key(p.path),
        natural_key(p.message),
    )


_DIGITS = re.compile(r"(\d+)")
_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_ROW = re.compile(r"row (\d+)")


def natural_key(text: str | None) -> tuple[str | int, ...]:
    """`text` split into words and numbers, the numbers compared as numbers.

    >>> sorted(["row 10", "row 9", "competencies[10]", "competencies[2]"], key=natural_key)
    ['competencies[2]', 'competencies[10]', 'row 9', 'row 10']
    """
    # re.split with a group alternates text and digits, text first: position i is always the same type.
    parts = _DIGITS.split(text or "")
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def _cell_key(cell: str | None) -> tuple[int, int, str]:
    """A1 references and "row N" by row, then column (the order a reader scans a sheet).

    Columns order by length, then letters (Z before AA): the column order, without converting letters to
    numbers.
    """
    if not cell:
        return (0, 0, "")
    if found := _A1.fullmatch(cell):
        return (int(found[2]), len(found[1]), found[1])
    if found := _ROW.fullmatch(cell):
        return (int(found[1]), 0, "")
    return (0, 0, cell)

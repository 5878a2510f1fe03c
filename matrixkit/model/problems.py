"""Problems are values: every check returns them, reports and exit codes derive from them."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Mapping
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


PROBLEMS_PER_KIND = 100  # SPEC rev 2: more of one kind in one file are summarised
LEFT_OUT = "problems-left-out"  # the code of the one problem that says how many were not listed


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Problems of one kind in one file that were counted but never built (a reader past the cap):
    how many, and the first of them in the natural order."""

    count: int
    first: Problem


class ProblemCap:
    """Keeps a reader's problems of each code up to the row where the `limit`-th was found, and only counts
    the rest, with the first of them: a sheet of a million bad cells never becomes a million objects.

    For a reader that finds problems row by row in one sheet, so that what it keeps holds the first `limit`
    of each code in the natural order; `summarise_floods` then cuts and says how many were left out.

    >>> cap, kept = ProblemCap(limit=2), []
    >>> for row in range(1, 6):
    ...     cap.add(kept, "bad-cell", row, 3, lambda: Problem("error", "bad", cell=f"D{row}", code="bad-cell"))
    >>> [p.cell for p in kept], {code: (n.count, n.first.cell) for code, n in cap.left_out().items()}
    (['D1', 'D2'], {'bad-cell': (3, 'D3')})
    """

    def __init__(self, limit: int = PROBLEMS_PER_KIND) -> None:
        self.limit = limit
        self._kept: dict[str, int] = {}
        self._full_after: dict[str, int] = {}  # code → the row of its limit-th problem
        # code → [how many were counted, (row, column) of the first, the first]
        self._counted: dict[str, list[Any]] = {}

    def add(self, problems: list[Problem], code: str, row: int, col: int | None, build: Callable[[], Problem]) -> None:
        """Append `build()` to `problems`, or only count it when `code` is full before this row."""
        full_after = self._full_after.get(code)
        if full_after is None or row <= full_after:
            problems.append(build())
            kept = self._kept[code] = self._kept.get(code, 0) + 1
            if kept == self.limit:
                self._full_after[code] = row
            return
        position = (row, -1 if col is None else col)
        counted = self._counted.get(code)
        if counted is None:
            self._counted[code] = [1, position, build()]
            return
        counted[0] += 1
        if position < counted[1]:  # within a row a reader may visit columns out of order
            counted[1], counted[2] = position, build()

    def only_counts(self, code: str, row: int) -> bool:
        """Count a problem of `code` in `row` and say True when `add` would only have counted it, without
        building it: its code is full and an earlier row holds the first left out (so this one is not it).

        >>> cap, kept = ProblemCap(limit=1), []
        >>> cap.add(kept, "bad-cell", 1, 3, lambda: Problem("error", "bad", cell="D1", code="bad-cell"))
        >>> cap.add(kept, "bad-cell", 2, 3, lambda: Problem("error", "bad", cell="D2", code="bad-cell"))
        >>> cap.only_counts("bad-cell", 2), cap.only_counts("bad-cell", 3), cap.left_out()["bad-cell"].count
        (False, True, 2)
        """
        counted = self._counted.get(code)
        if counted is None or counted[1][0] >= row:
            return False
        counted[0] += 1
        return True

    def left_out(self) -> dict[str, LeftOut]:
        """Per code, the problems counted and not kept."""
        return {code: LeftOut(count, first) for code, (count, _position, first) in self._counted.items()}


class FloodCaps:
    """A `ProblemCap` per sheet of each file, and what they only counted per (file, code), the form
    `summarise_floods` takes: for a reader that goes through many files' rows in order.

    >>> caps, kept = FloodCaps(limit=1), []
    >>> for row in (2, 3, 4):
    ...     caps.add(kept, "a.xlsx", "Ratings", "not-in-roster", row, 0,
    ...              lambda: Problem("error", "x", file="a.xlsx", cell=f"A{row}", code="not-in-roster"))
    >>> [p.cell for p in kept], caps.left_out()[("a.xlsx", "not-in-roster")].count
    (['A2'], 2)
    """

    def __init__(self, limit: int = PROBLEMS_PER_KIND) -> None:
        self.limit = limit
        self._caps: dict[tuple[str | None, str | None], ProblemCap] = {}

    def of(self, file: str | None, sheet: str | None) -> ProblemCap:
        """The cap of one sheet, for a reader that takes it row by row."""
        cap = self._caps.get((file, sheet))
        if cap is None:
            cap = self._caps[(file, sheet)] = ProblemCap(self.limit)
        return cap

    def add(
        self,
        problems: list[Problem],
        file: str | None,
        sheet: str | None,
        code: str,
        row: int,
        col: int | None,
        build: Callable[[], Problem],
    ) -> None:
        self.of(file, sheet).add(problems, code, row, col, build)

    def left_out(self) -> dict[tuple[str | None, str], LeftOut]:
        """Per (file, code), the problems counted and not kept over all of the file's sheets."""
        merged: dict[tuple[str | None, str], LeftOut] = {}
        for (file, _sheet), cap in self._caps.items():
            for code, counted in cap.left_out().items():
                earlier = merged.get((file, code))
                if earlier is not None:
                    first = min(earlier.first, counted.first, key=problem_sort_key)
                    counted = LeftOut(earlier.count + counted.count, first)
                merged[(file, code)] = counted
        return merged


def summarise_floods(
    problems: Iterable[Problem],
    limit: int = PROBLEMS_PER_KIND,
    left_out: Mapping[tuple[str | None, str], LeftOut] | None = None,
) -> list[Problem]:
    """`problems` with each flood cut short: where one file has more than `limit` problems of one `code`,
    the first `limit` in the natural order stay, and one more problem says how many were left out and
    where they start. `left_out` adds, per (file, code), problems a reader only counted. Sorted.

    >>> flood = [Problem("error", "bad", file="f.xlsx", cell=f"D{row}", code="rating-invalid") for row in range(2, 9)]
    >>> [p.cell for p in summarise_floods(flood, limit=3)]
    ['D2', 'D3', 'D4', 'D5']
    >>> summarise_floods(flood, limit=3)[-1].message
    "4 more problems like these ('rating-invalid') in this file are not listed, the first at D5: bad"
    """
    groups: dict[tuple[str | None, str], list[Problem]] = {}
    for problem in problems:
        groups.setdefault((problem.file, problem.code), []).append(problem)
    extra = dict(left_out or {})
    result: list[Problem] = []
    for key, group in groups.items():
        counted = extra.pop(key, None)
        if (len(group) <= limit and counted is None) or key[1] == LEFT_OUT:
            result.extend(group)
            continue
        # The first limit + 1: the ones kept, and the first left out (a heap, not a sort of the whole flood).
        head = heapq.nsmallest(limit + 1, group, key=problem_sort_key)
        result.extend(head[:limit])
        dropped = len(group) - len(head[:limit])
        candidates = head[limit:] + ([counted.first] if counted is not None else [])
        if counted is not None:
            dropped += counted.count
        if dropped:
            result.append(_left_out_problem(key[1], dropped, min(candidates, key=problem_sort_key)))
    for (_file, code), counted in extra.items():
        result.append(_left_out_problem(code, counted.count, counted.first))
    return sort_problems(result)


def _left_out_problem(code: str, count: int, first: Problem) -> Problem:
    where = " ".join(part for part in (f"[{first.sheet}]" if first.sheet else "", first.cell or "") if part)
    return Problem(
        "error" if first.severity == "error" else "warning",
        f"{count:,} more problems like these ('{code}') in this file are not listed, the first at "
        f"{where or first.location}: {first.message}",
        file=first.file,
        path=first.path,
        line=first.line,
        sheet=first.sheet,
        cell=first.cell,
        value=first.value,
        expected=first.expected,
        hint="fix the ones listed and run again: the same mistake is usually repeated",
        code=LEFT_OUT,
    )


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

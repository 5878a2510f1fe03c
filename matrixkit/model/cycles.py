"""Review cycle ids as time: `2026-Q4`, `2026-H1`, `2026`, `2026-10`.

>>> parse_cycle("2026-Q4").end
datetime.date(2026, 12, 31)
>>> sorted(["2026", "2026-Q4", "2026-H2"], key=lambda c: parse_cycle(c).sort_key)
['2026-Q4', '2026-H2', '2026']
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matrixkit.errors import UsageError
from matrixkit.model.problems import Problem

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|H(?P<half>[12])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True, order=False)
class Cycle:
    id: str
    kind: str  # "quarter" | "half" | "year" | "month"
    start: date
    end: date

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def sort_key(self) -> tuple[date, int]:
        """Cycles order by end date, the shorter first on a tie (SPEC)."""
        return (self.end, self.months)


def parse_cycle(text: str) -> Cycle:
    """Parse a cycle id; a malformed one is a usage error naming the accepted forms."""
    match = _PATTERN.match(text.strip())
    if not match:
        raise UsageError(f"cycle '{text}' is not a cycle id: use 2026-Q4, 2026-H1, 2026 or 2026-10")
    year = int(match["year"])
    if match["quarter"]:
        first = (int(match["quarter"]) - 1) * 3 + 1
        return Cycle(text, "quarter", date(year, first, 1), _month_end(year, first + 2))
    if match["half"]:
        first = 1 if match["half"] == "1" else 7
        return Cycle(text, "half", date(year, first, 1), _month_end(year, first + 5))
    if match["month"]:
        month = int(match["month"])
        return Cycle(text, "month", date(year, month, 1), _month_end(year, month))
    return Cycle(text, "year", date(year, 1, 1), date(year, 12, 31))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def previous_cycles(cycle_id: str, count: int) -> list[str]:
    """The `count` cycles of the same kind just before `cycle_id`, nearest first.

    >>> previous_cycles("2026-Q1", 2), previous_cycles("2026-H1", 1), previous_cycles("2026-01", 1)
    (['2025-Q4', '2025-Q3'], ['2025-H2'], ['2025-12'])
    """
    cycle = parse_cycle(cycle_id)
    year = cycle.start.year
    result: list[str] = []
    if cycle.kind == "year":
        return [str(year - n) for n in range(1, count + 1)]
    per_year = {"quarter": 4, "half": 2, "month": 12}[cycle.kind]
    span = 12 // per_year
    index = (cycle.start.month - 1) // span  # 0-based position within the year
    for _ in range(count):
        index -= 1
        if index < 0:
            index, year = per_year - 1, year - 1
        if cycle.kind == "quarter":
            result.append(f"{year}-Q{index + 1}")
        elif cycle.kind == "half":
            result.append(f"{year}-H{index + 1}")
        else:
            result.append(f"{year}-{index + 1:02d}")
    return result


def cycle_for_store(named: dict[str, str]) -> str:
    """The one cycle the workbooks name (file → cycle), for a history store given no `--cycle`.

    A store replaces what it holds for the cycle, so a majority is not enough: no cycle named, cycles that
    disagree or a malformed one is a usage error saying which.

    >>> cycle_for_store({"a.xlsx": "2026-Q4", "b.xlsx": "2026-Q4"})
    '2026-Q4'
    >>> try:
    ...     cycle_for_store({"a.xlsx": "2026-Q4", "b.xlsx": "2026-Q3"})
    ... except UsageError as exc:
    ...     print(str(exc).split(": ", 1)[1])
    2026-Q3 (b.xlsx), 2026-Q4 (a.xlsx); give --cycle (e.g. --cycle 2026-Q4)
    """
    files_by_cycle: dict[str, list[str]] = {}
    for file, file_cycle in sorted(named.items()):
        files_by_cycle.setdefault(file_cycle, []).append(Path(file).name)
    if not files_by_cycle:
        raise UsageError(
            "a history store needs the cycle, and no workbook names one in its metadata: "
            "give --cycle (e.g. --cycle 2026-Q4)"
        )
    if len(files_by_cycle) > 1:
        named_cycles = ", ".join(f"{c} ({_some(files)})" for c, files in sorted(files_by_cycle.items()))
        example = max(files_by_cycle, key=lambda c: (len(files_by_cycle[c]), c))
        raise UsageError(
            f"a history store needs the cycle, and the workbooks disagree: {named_cycles}; "
            f"give --cycle (e.g. --cycle {example})"
        )
    [cycle] = files_by_cycle
    try:
        parse_cycle(cycle)
    except UsageError:
        raise UsageError(
            f"a history store needs the cycle, and the workbooks name '{cycle}', which is not a cycle id: "
            "give --cycle (e.g. --cycle 2026-Q4)"
        ) from None
    return cycle


def _some(files: list[str], shown: int = 3) -> str:
    return ", ".join(files[:shown]) + (f" and {len(files) - shown} more" if len(files) > shown else "")


def settle_cycle(
    cycle: str | None,
    named: dict[str, str],
    problems: list[Problem],
    *,
    purpose: str = "the analysis",
    consequence: str = "",
) -> str | None:
    """The given cycle, else the one most workbooks name (file → cycle); each disagreeing file is a problem.

    >>> problems: list[Problem] = []
    >>> settle_cycle(None, {"a.xlsx": "2026-Q4", "b.xlsx": "2026-Q4", "c.xlsx": "2026-Q3"}, problems)
    '2026-Q4'
    >>> [(p.file, p.message) for p in problems]
    [('c.xlsx', 'this workbook is for cycle 2026-Q3, the analysis for 2026-Q4')]
    """
    if cycle is None:
        counts = Counter(named.values())
        if not counts:
            return None
        cycle = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
        try:
            parse_cycle(cycle)
        except UsageError:
            problems.append(
                Problem("error", f"the workbooks name cycle '{cycle}', which is not a cycle id", code="cycle-invalid")
            )
            return None
    for file, file_cycle in sorted(named.items()):
        if file_cycle != cycle:
            problems.append(
                Problem(
                    "error",
                    f"this workbook is for cycle {file_cycle}, {purpose} for {cycle}{consequence}",
                    file=file,
                    value=file_cycle,
                    expected=cycle,
                    code="cycle-mismatch",
                )
            )
    return cycle

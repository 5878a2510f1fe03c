"""Problems are values: every check returns them, reports and exit codes derive from them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (error) or worth a look (warning) in an input.

    Framework problems locate themselves by `path` (``competencies[3].descriptions.IC4``) and `line`;
    workbook problems by `sheet` and `cell`.

    >>> Problem("error", "Unknown level", file="f.yaml", path="tracks[0]", line=12).describe()
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
    code: str | None = None
    hint: str | None = None

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


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by place, so output is stable and reads top to bottom."""
    return sorted(
        problems,
        key=lambda p: (
            p.severity != "error",
            p.file or "",
            p.line or 0,
            p.sheet or "",
            p.cell or "",
            p.path or "",
            p.message,
        ),
    )

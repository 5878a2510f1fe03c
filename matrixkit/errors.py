"""One error family: every exception matrixkit raises is a `MatrixkitError`, defined here.

The CLI turns each into a message and an exit code in one place (`matrixkit.cli.main.translate_errors`).
Errors that carry `problems` are printed as the problems table; the others as their message.

>>> try:
...     raise RosterError([])
... except MatrixkitError as exc:
...     exc.problems
[]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from matrixkit.model.problems import Problem


class MatrixkitError(Exception):
    """Something matrixkit cannot do with the inputs it was given."""

    @property
    def problems(self) -> list[Problem]:
        """The located problems behind this error (none for an error that is only a message)."""
        return []


class UsageError(MatrixkitError):
    """The command line or an option value is wrong (exit code 2)."""


class _ProblemsError(MatrixkitError):
    """An input that cannot be used at all; `problems` names every place that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self._problems = problems
        super().__init__("\n".join(p.describe() for p in problems))

    @property
    def problems(self) -> list[Problem]:
        return self._problems


class FrameworkError(_ProblemsError):
    """A framework file cannot be loaded; `problems` says every place that is wrong."""


class RosterError(_ProblemsError):
    """The roster has rows that cannot be used; `problems` names each one."""


class YamlSyntaxError(MatrixkitError):
    """A YAML file cannot be parsed (or read) at all; `problem` names the file and line."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.describe())

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]


class UnsafeFileError(MatrixkitError):
    """This file cannot be analysed safely; the message says why, in words an HR analyst can act on."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell


class WorkbookImportError(MatrixkitError):
    """A framework authoring workbook cannot be read as a spreadsheet at all."""


class StoreError(MatrixkitError):
    """The history store cannot be used (busy, newer schema, not a store)."""


class MailError(MatrixkitError):
    """A mail server cannot be used (not reached, certificate not verified, login refused); nothing more is sent."""


class PdfConversionError(MatrixkitError):
    """LibreOffice could not turn some documents into PDF; the .xlsx files are written all the same."""

    def __init__(self, files: Sequence[Path], reason: str, written: Sequence[Path] = ()) -> None:
        self.files = list(files)  # the documents left without a PDF
        self.written = sorted(written)  # every file that was written all the same
        self.reason = reason
        super().__init__(f"no PDF for {len(self.files)} document(s): {reason}")

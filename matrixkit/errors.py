"""One error family: the CLI turns each into a message and an exit code in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matrixkit.model.problems import Problem


class MatrixkitError(Exception):
    """Something matrixkit cannot do with the inputs it was given."""


class UsageError(MatrixkitError):
    """The command line or an option value is wrong (exit code 2)."""


class FrameworkError(MatrixkitError):
    """A framework file cannot be loaded; `problems` says every place that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.describe() for p in problems))

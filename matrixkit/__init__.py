"""matrixkit: career progression frameworks as spreadsheets, and filled spreadsheets back into decisions.

>>> from matrixkit import load_framework, lint_frameworks
>>> fw = load_framework("templates/engineering.yaml")
>>> [p.message for p in lint_frameworks([fw])]
[]
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

from matrixkit.errors import FrameworkError, MatrixkitError, UsageError
from matrixkit.model.framework import Criteria, Framework, load_framework, load_frameworks
from matrixkit.model.problems import Problem

if TYPE_CHECKING:
    from matrixkit.model.lint import lint_frameworks, lint_paths
    from matrixkit.run import analyze_workbooks, return_status
    from matrixkit.sources.roster import read_roster

# The entry points that read files are imported on first use, so that importing the pure core
# (matrixkit.model, matrixkit.assess) never loads the readers, calamine or sqlite3; the linter, which
# `analyze` never runs, is imported on first use too.
_AT_THE_EDGES = {
    "lint_frameworks": "matrixkit.model.lint",
    "lint_paths": "matrixkit.model.lint",
    "analyze_workbooks": "matrixkit.run",
    "return_status": "matrixkit.run",
    "read_roster": "matrixkit.sources.roster",
}


def __getattr__(name: str) -> Any:
    if name in _AT_THE_EDGES:
        return getattr(importlib.import_module(_AT_THE_EDGES[name]), name)
    raise AttributeError(f"module 'matrixkit' has no attribute {name!r}")


__all__ = [
    "Criteria",
    "Framework",
    "FrameworkError",
    "MatrixkitError",
    "Problem",
    "UsageError",
    "__version__",
    "analyze_workbooks",
    "lint_frameworks",
    "lint_paths",
    "load_framework",
    "load_frameworks",
    "read_roster",
    "return_status",
]

"""matrixkit: career progression frameworks as spreadsheets, and filled spreadsheets back into decisions.

>>> from matrixkit import load_framework, lint_frameworks
>>> fw = load_framework("templates/engineering.yaml")
>>> [p.message for p in lint_frameworks([fw])]
[]
"""

__version__ = "0.1.0"

from matrixkit.errors import FrameworkError, MatrixkitError, UsageError
from matrixkit.model.framework import Criteria, Framework, load_framework, load_frameworks
from matrixkit.model.lint import lint_frameworks, lint_paths
from matrixkit.model.problems import Problem

__all__ = [
    "Criteria",
    "Framework",
    "FrameworkError",
    "MatrixkitError",
    "Problem",
    "UsageError",
    "__version__",
    "lint_frameworks",
    "lint_paths",
    "load_framework",
    "load_frameworks",
]

"""Start-up: what analyze's reading imports, and what it leaves for the commands that need it (issue 19)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_reading_does_not_import_the_linter() -> None:
    """`analyze` never lints: `import matrixkit` and the reader leave matrixkit.model.lint unloaded until
    `matrixkit.lint_frameworks` is first asked for."""
    code = (
        "import sys, matrixkit, matrixkit.intake.reader\n"
        "print('matrixkit.model.lint' in sys.modules)\n"
        "from matrixkit import lint_frameworks\n"
        "print('matrixkit.model.lint' in sys.modules, callable(lint_frameworks))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["False", "True True"]

"""README's module map names every subpackage and top-level module of the package, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _map_entries() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Where things live", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([^`]+)`", first_cell))
    return names


def _tree_entries() -> set[str]:
    package = ROOT / "matrixkit"
    subpackages = {f"{p.parent.name}/" for p in package.glob("*/__init__.py")}
    modules = {p.name for p in package.glob("*.py") if not p.name.startswith("__")}
    return subpackages | modules


def test_module_map_matches_the_tree() -> None:
    assert _map_entries() == _tree_entries()

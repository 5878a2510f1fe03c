from __future__ import annotations

import os

# The committed filled samples are openpyxl's own writer's bytes; with lxml installed (the OOXML
# validation needs it) openpyxl would switch writers and every sample would read as drifted.
os.environ["OPENPYXL_LXML"] = "False"

import copy
import functools
import hashlib
import importlib
import os
import sys
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
import yaml
from ooxml_check import made_by_matrixkit, validate_xlsx

pytest_plugins = ["conftest_libreoffice", "pytester"]

REPO = Path(__file__).resolve().parent.parent
# A copy of ../shared/fixtures (the FT framework, MIT): CI clones the repository on its own, so the
# tests must not depend on a folder beside it. test_fixture_copy_is_current keeps the copy honest.
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
FIXTURES = REPO / "tests" / "fixtures"
FT_ENGINEERING = FIXTURES / "real-world" / "ft-engineering.yaml"
TEMPLATES = REPO / "templates"

# Each level's phrase differs in scope, so adjacent descriptions are never near-identical.
_SCOPE = {
    "L1": "on tasks a senior engineer breaks down for them, asking for review on every change",
    "L2": "across a feature from design note to release, with a teammate reviewing the plan",
    "L3": "for the whole team's service, publishing a quarterly plan that two teams follow",
    "L4": "across several teams, chairing the monthly review where cross-team decisions get written down",
    "M1": "for a team of five to eight people, running weekly one-to-ones and a monthly planning session",
    "M2": "for a group of three teams, writing the hiring plan and the budget each half-year",
    "M3": "for a department of ten teams, presenting the annual roadmap to the executive board",
    "M4": "for the whole company, setting the yearly engineering headcount and reporting it to the board",
}
_ACTS = {
    "communication": "Writes status updates",
    "collaboration": "Pairs with peers",
    "delivery": "Ships changes",
    "craft": "Writes tested code",
    "design": "Draws system diagrams",
    "operations": "Handles on-call pages",
    "coaching": "Mentors colleagues",
}


def base_framework() -> dict[str, Any]:
    """A lint-clean framework: two tracks of four levels, seven competencies, every rule satisfied."""
    ic = ["L1", "L2", "L3", "L4"]
    mgmt = ["M1", "M2", "M3", "M4"]
    kinds = {
        "communication": "core",
        "collaboration": "core",
        "delivery": "core",
        "craft": "functional",
        "design": "functional",
        "operations": "functional",
        "coaching": "leadership",
    }
    competencies = [
        {
            "id": cid,
            "name": cid.title(),
            "kind": kind,
            "descriptions": {level: f"{_ACTS[cid]} {_SCOPE[level]}." for level in ic + mgmt},
        }
        for cid, kind in kinds.items()
    ]

    def profile(base: int) -> dict[str, int]:
        return {cid: min(5, base) for cid in kinds}

    framework: dict[str, Any] = {
        "matrixkit": 1,
        "family": {"id": "eng", "name": "Engineering", "version": "2026.1"},
        "scale": {
            "min": 1,
            "max": 5,
            "labels": {1: "Learning", 2: "Developing", 3: "Proficient", 4: "Advanced", 5: "Expert"},
        },
        "competencies": competencies,
        "evidence": [{"id": "cross_team_scope", "prompt": "Has led a project with 3+ cross-team stakeholders"}],
        "metrics": [{"id": "quota", "name": "Quota attainment (%)", "min": 0, "max": 1000}],
        "promotion": {
            "average_at_least": 3.5,
            "each_at_least": 3,
            "next_level_gaps_at_most": 1,
            "sustained_cycles": 2,
            "months_in_level_at_least": 12,
            "evidence": ["cross_team_scope"],
            "endorsement": True,
            "calibration": True,
        },
        "tracks": [
            {
                "id": "ic",
                "name": "Individual contributor",
                "levels": [
                    {"id": level, "title": f"Engineer {i + 1}", "expected": profile(i + 2)}
                    for i, level in enumerate(ic)
                ],
            },
            {
                "id": "management",
                "name": "Management",
                "entry": {"from": "L2", "to": "M1", "criteria": {"each_at_least": 3}},
                "levels": [
                    {
                        "id": level,
                        "title": f"Manager {i + 1}",
                        "expected": profile(i + 2),
                        "equivalent": ic[i],
                    }
                    for i, level in enumerate(mgmt)
                ],
            },
        ],
        "lateral_paths": [{"from": "L2", "to": "data:DS2", "transferable": ["communication"]}],
    }
    # The first step up expects 3 everywhere: an average of 3.5 would ask for more than the next level.
    for track in framework["tracks"]:
        track["levels"][0]["promotion"] = {"average_at_least": 3}
    return framework


@pytest.fixture
def framework_data() -> dict[str, Any]:
    return copy.deepcopy(base_framework())


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def write(data: Any, name: str | None = None) -> Path:
        path = tmp_path / (name or f"framework{next(counter)}.yaml")
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


# ---------------------------------------------------------------- every .xlsx matrixkit writes is one Excel opens
#
# Each test fails if a workbook matrixkit wrote while it ran breaks the OOXML schemas or what Excel
# enforces beyond them (tests/ooxml_check.py). Two nets: the functions that return a workbook's bytes
# are wrapped for the session (their output is matrixkit's by definition, whether or not a test saves
# it), and the test's tmp_path is searched for .xlsx files, which catches workbooks written by worker
# processes and CLI subprocesses; there only files matrixkit wrote and nothing changed since count
# (`made_by_matrixkit`), so the broken and re-saved files the tests build are left alone. Folders of
# module-scoped fixtures (tmp_path_factory) are searched once, at the end of the session. A test that
# writes, with matrixkit's own signature, a file it then breaks on purpose says so with
# @pytest.mark.ooxml_unchecked.

_BYTES_WRITERS = {
    "matrixkit.outputs.report": ("report_bytes",),
    "matrixkit.outputs.packets": ("packet_bytes", "employee_report_bytes"),
    "matrixkit.authoring.export": ("framework_workbook_bytes",),
}
_VERDICTS: dict[str, list[str]] = {}  # sha-256 of a workbook → what validate_xlsx found
_PRODUCED: list[str] = []  # digests of workbooks produced in this process since the last test ended
_CHECKED_PATHS: set[Path] = set()
_UNCHECKED_FOLDERS: set[Path] = set()  # the folders of the tests marked ooxml_unchecked
_MAIN_PROCESS = os.getpid()


def _verdict(data: bytes) -> tuple[str, list[str]]:
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _VERDICTS:
        _VERDICTS[digest] = validate_xlsx(data)
    return digest, _VERDICTS[digest]


def _recording(writer: Callable[..., bytes]) -> Callable[..., bytes]:
    @functools.wraps(writer)
    def record(*args: Any, **kwargs: Any) -> bytes:
        data = writer(*args, **kwargs)
        if os.getpid() == _MAIN_PROCESS:  # a worker's files are checked where they land
            _PRODUCED.append(_verdict(data)[0])
        return data

    return record


def _wrap_bytes_writers() -> None:
    from matrixkit.workbook.writer import WorkbookWriter

    WorkbookWriter.write = _recording(WorkbookWriter.write)  # type: ignore[method-assign]
    for module_name, names in _BYTES_WRITERS.items():
        module = importlib.import_module(module_name)
        for name in names:
            original = getattr(module, name)
            wrapped = _recording(original)
            # The modules imported so far that re-export it (matrixkit.authoring) get the wrapper too.
            for other in list(sys.modules.values()):
                if getattr(other, "__name__", "").startswith("matrixkit") and getattr(other, name, None) is original:
                    setattr(other, name, wrapped)


def ooxml_failures(digests: list[str], folders: list[Path]) -> list[str]:
    failures = [
        f"a workbook matrixkit returned: {error}" for digest in dict.fromkeys(digests) for error in _VERDICTS[digest]
    ]
    for folder in folders:
        for path in sorted(folder.rglob("*.xlsx")):
            unchecked = any(path.is_relative_to(skipped) for skipped in _UNCHECKED_FOLDERS)
            if unchecked or path in _CHECKED_PATHS or not path.is_file() or path.is_symlink():
                continue
            _CHECKED_PATHS.add(path)
            data = path.read_bytes()
            if made_by_matrixkit(data):
                failures += [f"{path.relative_to(folder)}: {error}" for error in _verdict(data)[1]]
    return failures


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ooxml_unchecked: the test alters workbooks matrixkit wrote; don't validate them (tests/conftest.py)"
    )
    _wrap_bytes_writers()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        yield  # a test that failed on its own fails with its own message
    finally:
        digests = _PRODUCED[:]
        _PRODUCED.clear()
    funcargs = getattr(item, "funcargs", {})
    folders = [funcargs["tmp_path"]] if "tmp_path" in funcargs else []
    if item.get_closest_marker("ooxml_unchecked") is not None:
        inner = [funcargs["pytester"].path] if "pytester" in funcargs else []  # a pytest run inside this one
        _UNCHECKED_FOLDERS.update(folders + inner)
        folders = []
    failures = ooxml_failures(digests, folders)
    if failures:
        raise AssertionError("matrixkit wrote a workbook Excel would repair:\n" + "\n".join(failures[:50]))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or getattr(factory, "_basetemp", None) is None:
        return
    failures = ooxml_failures([], [factory.getbasetemp()])
    if failures:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("matrixkit wrote a workbook Excel would repair (in a fixture's folder):", red=True)
            for failure in failures[:50]:
                reporter.write_line(f"  {failure}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

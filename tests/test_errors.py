"""One error family in matrixkit.errors, translated by the CLI in one place into SPEC's exit codes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import TEMPLATES

import matrixkit
from matrixkit import errors
from matrixkit.cli.main import TRANSLATES_ERRORS, main

FRAMEWORK = str(TEMPLATES / "startup.yaml")


def all_modules() -> list[str]:
    found = pkgutil.walk_packages(matrixkit.__path__, "matrixkit.")
    return sorted(m.name for m in found if not m.name.endswith("__main__"))  # importing __main__ runs the CLI


def test_every_exception_class_is_defined_in_errors_under_matrixkit_error() -> None:
    elsewhere = []
    for name in all_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            defined_here = inspect.isclass(value) and value.__module__ == name
            if defined_here and issubclass(value, BaseException) and name != "matrixkit.errors":
                elsewhere.append(f"{name}.{value.__name__}")
    assert elsewhere == []
    family = [v for v in vars(errors).values() if inspect.isclass(v) and issubclass(v, BaseException)]
    assert len(family) >= 9
    for cls in family:
        assert issubclass(cls, errors.MatrixkitError), cls
        assert cls.__doc__ and cls.__name__.endswith("Error"), cls


def test_every_command_translates_errors() -> None:
    def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found += commands(command, f"{prefix}{name} ")
            else:
                found.append((prefix + name, command))
        return found

    listed = commands(main)
    assert len(listed) >= 10
    assert [name for name, command in listed if not getattr(command.callback, TRANSLATES_ERRORS, False)] == []


@pytest.fixture
def bad_roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(
        "employee_id,name,family,level,manager_id\nE1,Ann,startup,S9,M1\nM1,Mo,startup,S3,M1\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("command", ["generate", "analyze", "status"])
def test_a_bad_roster_exits_2_with_its_problems_in_every_command(
    command: str, bad_roster: Path, tmp_path: Path
) -> None:
    workbook = tmp_path / "in.xlsx"
    workbook.write_bytes(b"PK")
    arguments = {
        "generate": ["generate", "--framework", FRAMEWORK, "--cycle", "2026-Q4", "--out", str(tmp_path / "out")],
        "analyze": ["analyze", str(workbook), "--framework", FRAMEWORK, "--out", str(tmp_path / "report.xlsx")],
        "status": ["status", str(workbook), "--framework", FRAMEWORK],
    }[command]
    result = CliRunner().invoke(main, [*arguments, "--roster", str(bad_roster)])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, errors.MatrixkitError)  # translated, not a traceback
    assert "unknown level 'S9'" in result.output and "M1 is their own manager" in result.output
    assert "Nothing was written." in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "report.xlsx").exists()


def test_an_error_without_problems_prints_its_message(tmp_path: Path) -> None:
    store = tmp_path / "history.db"
    store.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(main, ["history", "--store", str(store)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "not a matrixkit history store" in result.output


def test_a_yaml_syntax_error_is_in_the_family_and_carries_its_problem(tmp_path: Path) -> None:
    from matrixkit.sources.yamldoc import read_yaml

    path = tmp_path / "tabs.yaml"
    path.write_text("a:\n\tb: 1\n", encoding="utf-8")
    with pytest.raises(errors.MatrixkitError) as caught:
        read_yaml(path)
    assert isinstance(caught.value, errors.YamlSyntaxError)
    assert [p.code for p in caught.value.problems] == ["yaml-syntax"]

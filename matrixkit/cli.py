"""The command line: each command parses options, calls the library, prints. Nothing more."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

import click

from matrixkit import __version__
from matrixkit.errors import FrameworkError, MatrixkitError, UsageError
from matrixkit.problems import Problem, has_errors

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def translate_errors(func: F) -> F:
    """Turn library exceptions into messages and SPEC's exit codes, in one place."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FrameworkError as exc:
            print_problems(exc.problems)
            raise SystemExit(EXIT_USAGE) from None
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        except MatrixkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise SystemExit(EXIT_USAGE) from None

    return wrapper  # type: ignore[return-value]


def print_problems(problems: Sequence[Problem], *, err: bool = True) -> None:
    """A readable table, grouped by file: line, severity, where, what — and a hint under it."""
    current_file: str | None = None
    for p in problems:
        if p.file != current_file:
            current_file = p.file
            click.secho(p.file or "(no file)", bold=True, err=err)
        if p.line is not None:
            position = f"{p.line:>5}"
        elif p.sheet is not None:
            position = f"{p.sheet}!{p.cell or ''}"
        else:
            position = p.cell or ""
        click.echo(f"  {position:>5}  {_severity(p.severity)}  {p.path or ''}".rstrip(), err=err)
        click.echo(f"  {'':>5}  {'':<7}  {p.message}", err=err)
        if p.hint:
            click.echo(f"  {'':>5}  {'':<7}  → {p.hint}", err=err)


def _severity(severity: str) -> str:
    colour = "red" if severity == "error" else "yellow"
    return click.style(f"{severity:<7}", fg=colour)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matrixkit")
def main() -> None:
    """Career progression frameworks as spreadsheets people use, and back into decisions."""


@main.command()
@click.argument("frameworks", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@translate_errors
def lint(frameworks: tuple[str, ...], as_json: bool) -> None:
    """Check FRAMEWORKS (files or folders) for structural errors and vague criteria.

    Exit 1 on any error; warnings alone exit 0.
    """
    from matrixkit.lint import lint_paths

    problems = lint_paths(frameworks)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        print_problems(problems, err=False)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        summary = f"{errors} error(s), {warnings} warning(s) in {len(frameworks)} input(s)"
        click.echo(summary if problems else f"No problems: {summary}", err=True)
    sys.exit(EXIT_PROBLEMS if has_errors(problems) else EXIT_OK)


@main.command("templates")
@translate_errors
def templates_command() -> None:
    """List the shipped frameworks."""
    from matrixkit.templates import list_templates

    for info in list_templates():
        click.echo(info.summary())


@main.command()
@click.option("--template", "name", required=True, help="Template name, as `matrixkit templates` lists it.")
@click.argument("directory", type=click.Path(file_okay=False))
@translate_errors
def init(name: str, directory: str) -> None:
    """Copy a shipped framework and its sample roster into DIRECTORY."""
    from matrixkit.templates import init_template

    for path in init_template(name, directory):
        click.echo(f"wrote {path}")


@main.command()
@click.option(
    "--framework",
    "framework_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True),
    help="Framework file or folder; repeat for several families.",
)
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), help="Roster CSV or XLSX.")
@click.option("--cycle", help="Review cycle, e.g. 2026-Q4 (required with --roster).")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(),
    help="Folder for the managers' workbooks; with no roster, the .xlsx file to write.",
)
@click.option("--due", help="Return deadline shown on the instructions sheet, e.g. 2026-12-15.")
@click.option("--password", help="Password for sheet protection (default: protected without one).")
@click.option("--rows", default=50, show_default=True, help="Empty rows in a blank matrix (no roster).")
@translate_errors
def generate(
    framework_paths: tuple[str, ...],
    roster: str | None,
    cycle: str | None,
    out: str,
    due: str | None,
    password: str | None,
    rows: int,
) -> None:
    """Write one workbook per manager, or with no --roster a blank role × competency matrix."""
    from matrixkit.framework import load_frameworks
    from matrixkit.generate import generate_blank_matrix, generate_workbooks
    from matrixkit.roster import RosterError, read_roster

    frameworks = load_frameworks(framework_paths)
    if roster is None:
        if len(frameworks) != 1:
            raise UsageError("a blank matrix is for one framework: give exactly one --framework")
        if not out.lower().endswith(".xlsx"):
            raise UsageError("without --roster, --out names the .xlsx file to write")
        path = generate_blank_matrix(frameworks[0], out, rows=rows, password=password, cycle=cycle)
        click.echo(f"wrote {path}", err=True)
        return
    if cycle is None:
        raise UsageError("--cycle is required with --roster (e.g. --cycle 2026-Q4)")
    try:
        people = read_roster(roster, frameworks)
    except RosterError as exc:
        print_problems(exc.problems)
        click.echo("Nothing was written.", err=True)
        raise SystemExit(EXIT_USAGE) from None
    managers = people.managers
    with progress_bar(len(managers), "Writing workbooks") as advance:
        paths = generate_workbooks(
            frameworks, people, cycle, out, due=due, password=password, progress=lambda _path: advance()
        )
    click.echo(f"wrote {len(paths)} workbook(s) for {len(people.employees)} people to {out}", err=True)


class progress_bar:
    """A progress bar on a terminal; silent when stderr is not one (CI, pipes, tests)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label = total, label
        self._bar: Any = None

    def __enter__(self) -> Callable[[], None]:
        if sys.stderr.isatty() and self.total > 1:
            self._bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
            return lambda: self._bar.update(1)
        return lambda: None

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

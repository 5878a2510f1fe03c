"""The command line: each command parses options, calls the library, prints. Nothing more."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from matrixkit import __version__
from matrixkit.errors import MatrixkitError, UsageError
from matrixkit.model.problems import Problem, has_errors, sort_problems

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])

# Marks a command's callback as wrapped by `translate_errors` (a test checks that every command is).
TRANSLATES_ERRORS = "translates_matrixkit_errors"


def translate_errors(func: F) -> F:
    """Turn library exceptions into messages and SPEC's exit codes, in one place: every command is wrapped.

    A usage error prints the usage line; an error with located problems (a framework, roster or YAML file
    that cannot be used, found before anything is written) prints the problems table; any other
    `MatrixkitError` its message. Every one exits 2 (SPEC: usage error, or nothing could be read).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        except MatrixkitError as exc:
            if exc.problems:
                print_problems(exc.problems)
                click.echo("Nothing was written.", err=True)
            else:
                click.echo(f"Error: {exc}", err=True)
            raise SystemExit(EXIT_USAGE) from None

    setattr(wrapper, TRANSLATES_ERRORS, True)
    return wrapper  # type: ignore[return-value]


def print_problems(problems: Sequence[Problem], *, err: bool = True) -> None:
    """A readable table, grouped by file: line, severity, where, what — and a hint under it.

    In the one problem order (`sort_problems`), the order of the JSON and the Problems sheet.
    """
    current_file: str | None = None
    for p in sort_problems(problems):
        if p.file != current_file:
            current_file = p.file
            click.secho(p.file or "(no file)", bold=True, err=err)
        if p.line is not None:
            position = f"{p.line:>5}"
        elif p.sheet is not None:
            position = f"{p.sheet}!{p.cell or ''}"
        else:
            position = p.cell or ""
        if not position and not p.path:
            click.echo(f"  {'':>5}  {_severity(p.severity)}  {p.message}", err=err)
        else:
            click.echo(f"  {position:>5}  {_severity(p.severity)}  {p.path or ''}".rstrip(), err=err)
            click.echo(f"  {'':>5}  {'':<7}  {p.message}", err=err)
        if p.hint:
            click.echo(f"  {'':>5}  {'':<7}  → {p.hint}", err=err)


def _severity(severity: str) -> str:
    colour = "red" if severity == "error" else "yellow"
    return click.style(f"{severity:<7}", fg=colour)


framework_option = click.option(
    "--framework",
    "framework_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True),
    help="Framework file or folder; repeat for several families.",
)


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
    from matrixkit.model.lint import lint_paths

    problems = lint_paths(frameworks)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        print_problems(problems, err=False)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        summary = f"{errors} error(s), {warnings} warning(s) in {len(frameworks)} input(s)"
        # A line of its own, below the table: the table's last line may be a long hint.
        click.echo(f"\n{summary}" if problems else f"No problems: {summary}", err=True)
    sys.exit(EXIT_PROBLEMS if has_errors(problems) else EXIT_OK)


@main.command("templates")
@translate_errors
def templates_command() -> None:
    """List the shipped frameworks."""
    from matrixkit.sources.templates import list_templates

    for info in list_templates():
        click.echo(info.summary())


@main.command()
@click.option("--template", "name", required=True, help="Template name, as `matrixkit templates` lists it.")
@click.argument("directory", type=click.Path(file_okay=False))
@translate_errors
def init(name: str, directory: str) -> None:
    """Copy a shipped framework and its sample roster into DIRECTORY."""
    from matrixkit.sources.templates import init_template

    for path in init_template(name, directory):
        click.echo(f"wrote {path}")


@main.command()
@framework_option
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
@click.option(
    "--self-assessment",
    is_flag=True,
    help="Also write one workbook per employee to rate themselves (into OUT/self-assessment/).",
)
@translate_errors
def generate(
    framework_paths: tuple[str, ...],
    roster: str | None,
    cycle: str | None,
    out: str,
    due: str | None,
    password: str | None,
    rows: int,
    self_assessment: bool,
) -> None:
    """Write one workbook per manager, or with no --roster a blank role × competency matrix."""
    from matrixkit.model.framework import load_frameworks
    from matrixkit.outputs.generate import generate_blank_matrix, generate_self_assessments, generate_workbooks
    from matrixkit.sources.roster import read_roster

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
    people = read_roster(roster, frameworks)
    managers = people.managers
    with progress_bar(len(managers), "Writing workbooks") as advance:
        paths = generate_workbooks(
            frameworks, people, cycle, out, due=due, password=password, progress=lambda _path: advance()
        )
    click.echo(f"wrote {len(paths)} workbook(s) for {len(people.employees)} people to {out}", err=True)
    if self_assessment:
        folder = Path(out) / "self-assessment"
        with progress_bar(len(people.employees), "Writing self-assessments") as advance:
            own = generate_self_assessments(
                frameworks, people, cycle, folder, due=due, password=password, progress=lambda _path: advance()
            )
        click.echo(f"wrote {len(own)} self-assessment workbook(s) to {folder}", err=True)


def json_lines(document: dict[str, Any]) -> str:
    """Indented at the top level, one list item (an employee, a problem) per line: readable, greppable,
    and encoded by json's C encoder (indenting every level takes its pure-Python one, ten times slower)."""
    lines = []
    for key, value in document.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            lines.append(f"  {name}: [\n    {items}\n  ]")
        else:
            lines.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


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


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@framework_option
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), help="Roster CSV or XLSX (the roster wins).")
@click.option("--cycle", help="Review cycle, e.g. 2026-Q4 (default: from the workbooks).")
@click.option(
    "--calibration",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV or XLSX with employee_id and optionally confirmed (Yes/No).",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    envvar="MATRIXKIT_STORE",
    help="History store (SQLite, created on first use; or $MATRIXKIT_STORE): earlier cycles decide "
    "sustained_cycles, and this cycle replaces its stored copy.",
)
@click.option(
    "--equity",
    "equity",
    multiple=True,
    metavar="COLUMN",
    help="Compare promotion outcomes across the groups of this roster column (e.g. gender, location); repeatable. "
    "Needs --roster; groups under 5 people are withheld. Without it nothing about the column is reported.",
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The report workbook (.xlsx).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Also write the JSON report here.")
@click.option(
    "--packets",
    "packets_dir",
    type=click.Path(file_okay=False),
    help="Also write a promotion packet per ready and on_track employee into this folder (.xlsx, and a PDF "
    "beside each when LibreOffice's soffice is on PATH).",
)
@click.option(
    "--employee-reports",
    "employee_reports_dir",
    type=click.Path(file_okay=False),
    help="Also write each employee's own report into this folder (.xlsx holding nobody else's data; with "
    "--store, their history too).",
)
@click.option("--max-file-mb", default=50, show_default=True, help="Refuse input files larger than this.")
@click.option("--max-unzipped-mb", default=200, show_default=True, help="Refuse files that unzip to more than this.")
@click.option("--max-rows", default=100_000, show_default=True, help="Refuse ratings sheets with more rows.")
@click.option("--max-columns", default=1_000, show_default=True, help="Refuse ratings sheets with more columns.")
@translate_errors
def analyze(
    inputs: tuple[str, ...],
    framework_paths: tuple[str, ...],
    roster: str | None,
    cycle: str | None,
    calibration: str | None,
    store: str | None,
    equity: tuple[str, ...],
    out: str,
    json_path: str | None,
    packets_dir: str | None,
    employee_reports_dir: str | None,
    max_file_mb: int,
    max_unzipped_mb: int,
    max_rows: int,
    max_columns: int,
) -> None:
    """Read returned workbooks (files or folders) and write the readiness report.

    Exit 0 when clean, 1 when the report lists problems, 2 on a usage error or when nothing could be read.
    """
    from matrixkit import __version__
    from matrixkit.assess.equity import check_columns
    from matrixkit.fileio import atomic_write_bytes, refuse_overwriting_inputs
    from matrixkit.intake.reader import expand_inputs
    from matrixkit.intake.safety import Limits
    from matrixkit.model.framework import load_frameworks
    from matrixkit.outputs.report import report_bytes
    from matrixkit.run import analyze_workbooks
    from matrixkit.sources.roster import read_roster

    frameworks = load_frameworks(framework_paths)
    people = None
    if roster is not None:
        people = read_roster(roster, frameworks)
    check_columns(people, equity)
    files = expand_inputs(inputs)
    if not files:
        raise UsageError("no workbooks (.xlsx, .xlsm, .ods, .xls) found in the inputs")
    outputs = [out, *([json_path] if json_path else [])]
    inputs_given: list[str | Path] = [
        *files,
        *framework_paths,
        *([roster] if roster else []),
        *([calibration] if calibration else []),
    ]
    refuse_overwriting_inputs([*outputs, *([store] if store else [])], inputs_given)
    for folder in (packets_dir, employee_reports_dir):
        if folder is not None:
            _refuse_folder_of_inputs(folder, [*inputs, *files])
    limits = Limits(
        max_file_bytes=max_file_mb * 2**20,
        max_unzipped_bytes=max_unzipped_mb * 2**20,
        max_rows=max_rows,
        max_columns=max_columns,
    )
    with progress_bar(len(files), "Reading workbooks") as advance:
        analysis = analyze_workbooks(
            files,
            frameworks,
            roster=people,
            cycle=cycle,
            calibration_file=calibration,
            store=store,
            limits=limits,
            progress=lambda _path: advance(),
            equity=equity,
        )
    document = json_lines(analysis.to_dict(__version__))
    if analysis.files_read == 0:
        if json_path:
            atomic_write_bytes(json_path, document.encode("utf-8"))
        print_problems(analysis.problems)
        click.echo("Nothing could be read: no report written.", err=True)
        raise SystemExit(EXIT_USAGE)
    atomic_write_bytes(out, report_bytes(analysis, frameworks))
    if json_path:
        atomic_write_bytes(json_path, document.encode("utf-8"))
    if packets_dir is not None:
        _write_packets(analysis, frameworks, packets_dir)
    if employee_reports_dir is not None:
        from matrixkit.outputs.packets import write_employee_reports

        reports = write_employee_reports(analysis, frameworks, employee_reports_dir, store=store)
        click.echo(f"Employee reports: {len(reports)} in {employee_reports_dir}", err=True)
    _print_summary(analysis, out, json_path)
    sys.exit(EXIT_PROBLEMS if analysis.problems else EXIT_OK)


def _print_summary(analysis: Any, out: str, json_path: str | None, shown: int = 20) -> None:
    from collections import Counter

    from matrixkit.assess.results import STATUSES

    counts = Counter(e.status for e in analysis.employees)
    click.echo(
        f"{len(analysis.employees)} employee(s) from {analysis.files_read} workbook(s), cycle {analysis.cycle or '?'}",
        err=True,
    )
    click.echo("  " + " · ".join(f"{status} {counts.get(status, 0)}" for status in STATUSES), err=True)
    if analysis.missing:
        click.echo(f"  missing from every workbook: {len(analysis.missing)}", err=True)
    if analysis.problems:
        errors = sum(p.severity == "error" for p in analysis.problems)
        click.echo(f"{errors} error(s), {len(analysis.problems) - errors} warning(s):", err=True)
        print_problems(analysis.problems[:shown])
        if len(analysis.problems) > shown:
            click.echo(f"… and {len(analysis.problems) - shown} more on the Problems sheet", err=True)
    click.echo(f"Report: {out}" + (f"  JSON: {json_path}" if json_path else ""), err=True)


@main.command()
@click.option(
    "--store",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    envvar="MATRIXKIT_STORE",
    help="The history store written by analyze --store.",
)
@click.option("--employee", help="One employee: level, status, average and every rating per cycle.")
@click.option("--manager", help="One manager's reports: status and average per cycle.")
@click.option("--level", help="Employees at this level: status and average per cycle.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@translate_errors
def history(store: str, employee: str | None, manager: str | None, level: str | None, as_json: bool) -> None:
    """What the history store holds, per cycle."""
    from matrixkit.store.history import history_document, history_table
    from matrixkit.store.sqlite import open_store

    with open_store(store) as opened:
        document = history_document(opened, employee=employee, manager=manager, level=level)
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(history_table(document))


def _refuse_folder_of_inputs(folder: str, inputs: Sequence[str | Path]) -> None:
    """Documents are never written beside the inputs: a name could clash, and the next run would read them."""
    target = Path(folder).resolve()
    for given in inputs:
        path = Path(given).resolve()
        if (path.is_dir() and (path == target or path in target.parents)) or path.parent == target:
            raise UsageError(f"refusing to write into {folder}: it holds input workbooks ({given})")


def _write_packets(analysis: Any, frameworks: Any, folder: str) -> None:
    from matrixkit.errors import PdfConversionError
    from matrixkit.outputs.packets import write_packets
    from matrixkit.outputs.pdf import soffice_path

    if soffice_path() is None:
        click.echo("LibreOffice (soffice) is not on PATH: packets are written without PDFs.", err=True)
    try:
        written = write_packets(analysis, frameworks, folder)
    except PdfConversionError as exc:
        click.echo(f"Warning: {exc}", err=True)
        written = exc.written
    packets = sum(1 for path in written if path.suffix == ".xlsx")
    pdfs = len(written) - packets
    click.echo(
        f"Promotion packets: {packets} (ready and on_track) in {folder}" + (f", {pdfs} PDF" if pdfs else ""), err=True
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@framework_option
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV or XLSX.")
@click.option("--cycle", help="Review cycle, e.g. 2026-Q4 (default: the one most workbooks name).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (as return_status(...).to_dict()) instead of a table."
)
@translate_errors
def status(
    inputs: tuple[str, ...], framework_paths: tuple[str, ...], roster: str, cycle: str | None, as_json: bool
) -> None:
    """Before the deadline: per manager, returned or not, file(s), rated cells, and reports still missing.

    INPUT: the returned workbooks (files or folders). Exit 0 when every manager returned a complete workbook;
    1 when one has not, a rating is missing or invalid, a report is in no workbook, or a file has a problem
    (unreadable, another cycle, someone not in the roster); 2 on a usage error.
    """
    from matrixkit.assess.returns import status_table
    from matrixkit.model.framework import load_frameworks
    from matrixkit.run import return_status
    from matrixkit.sources.roster import read_roster

    frameworks = load_frameworks(framework_paths)
    people = read_roster(roster, frameworks)
    result = return_status(inputs, frameworks, people, cycle=cycle)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(status_table(result))
    sys.exit(EXIT_OK if result.complete else EXIT_PROBLEMS)


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@translate_errors
def diff(old: str, new: str, as_json: bool) -> None:
    """What changed from OLD to NEW: two versions of one family's framework file.

    Exit 0 whether or not anything changed; 2 when a file does not load.
    """
    from matrixkit.model.diff import diff_frameworks, format_changes
    from matrixkit.model.framework import load_framework

    before, after = load_framework(old), load_framework(new)
    changes = diff_frameworks(before, after)
    if as_json:
        click.echo(json.dumps([change.to_dict() for change in changes], indent=2, ensure_ascii=False))
    else:
        click.echo(format_changes(changes, before, after))


@main.group("framework")
def framework_group() -> None:
    """Author a framework in a spreadsheet: export it to .xlsx, edit it, import it back to YAML."""


@framework_group.command("export")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="The workbook to write (.xlsx).")
@translate_errors
def framework_export(source: str, out: str) -> None:
    """Write the framework file SOURCE as a workbook HR and managers can edit."""
    from matrixkit.authoring import export_framework
    from matrixkit.fileio import refuse_overwriting_inputs
    from matrixkit.model.framework import load_framework

    if not out.lower().endswith(".xlsx"):
        raise UsageError("-o names the .xlsx workbook to write")
    refuse_overwriting_inputs([out], [source])
    path = export_framework(load_framework(source), out)
    click.echo(f"wrote {path}", err=True)


@framework_group.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="The framework file to write.")
@translate_errors
def framework_import(workbook: str, out: str) -> None:
    """Read an edited WORKBOOK (.xlsx or .ods) back into a framework YAML file.

    Every check of `matrixkit lint` runs, each problem named by sheet and cell. Exit 1 on any error (nothing
    is written); warnings are printed and the file is written.
    """
    from matrixkit.authoring import import_framework_workbook, write_framework_yaml
    from matrixkit.fileio import refuse_overwriting_inputs

    refuse_overwriting_inputs([out], [workbook])
    result = import_framework_workbook(workbook)
    print_problems(result.problems)
    if result.framework is None:
        errors = sum(p.severity == "error" for p in result.problems)
        click.echo(f"{errors} error(s): nothing was written.", err=True)
        sys.exit(EXIT_PROBLEMS)
    write_framework_yaml(
        result.framework,
        out,
        header=f"Imported from {Path(workbook).name} by `matrixkit framework import`. Check it with `matrixkit lint`.",
    )
    warnings = len(result.problems)
    click.echo(f"wrote {out}" + (f" ({warnings} warning(s))" if warnings else ""), err=True)


@main.command()
@click.argument("frameworks", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="The page to write (.html).")
@click.option(
    "--date",
    "published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date shown on the page, YYYY-MM-DD (default: today).",
)
@translate_errors
def publish(frameworks: tuple[str, ...], out: str, published: Any) -> None:
    """Publish FRAMEWORKS (files or folders) as one self-contained web page for every employee.

    The page works offline and without JavaScript (which only adds search and a comparison of two levels),
    prints cleanly and reads on a phone. Same frameworks and --date, same bytes.
    """
    from datetime import date

    from matrixkit.fileio import atomic_write_bytes, refuse_overwriting_inputs
    from matrixkit.model.framework import expand_framework_paths, load_frameworks
    from matrixkit.outputs.publish import publish_html

    refuse_overwriting_inputs([out], expand_framework_paths(frameworks))
    loaded = load_frameworks(frameworks)
    if not loaded:
        raise UsageError("no framework files (.yaml, .yml) found in the inputs")
    page = publish_html(loaded, published.date() if published else date.today())
    atomic_write_bytes(out, page.encode("utf-8"))
    click.echo(f"wrote {out} ({', '.join(fw.family.name for fw in loaded)})", err=True)

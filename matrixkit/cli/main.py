"""The command line: each command parses options, calls the library, prints. Nothing more."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
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
        if not p.path:  # a cell or no place: the message on the same line
            click.echo(f"  {position:>5}  {_severity(p.severity)}  {p.message}", err=err)
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


# `--help` lists the commands in the order a review cycle uses them; a command not named here comes after,
# alphabetically, and a name here without its command is skipped.
CYCLE_ORDER = (
    "templates",
    "init",
    "lint",
    "generate",
    "send",
    "status",
    "remind",
    "collect",
    "analyze",
    "history",
    "publish",
    "diff",
    "framework",
)
# One line each for the email loop's commands (the email helper's), whose first sentences run longer; a
# command's own `short_help` wins.
CYCLE_SUMMARIES = {
    "send": "Email each manager their own workbook.",
    "remind": "Email the managers whose workbook is missing or incomplete.",
    "collect": "Save the workbooks managers sent back, one per manager.",
}


class CycleOrderedGroup(click.Group):
    """A group whose `--help` lists commands as the cycle runs, each description whole (click cuts at 45)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        ordered = [name for name in CYCLE_ORDER if name in names]
        return ordered + sorted(name for name in names if name not in CYCLE_ORDER)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                # No limit: the first sentence (or `short_help`) whole, wrapped by the formatter if long.
                summary = command.short_help or CYCLE_SUMMARIES.get(name)
                rows.append((name, summary or command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=CycleOrderedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matrixkit")
def main() -> None:
    """Career progression frameworks as spreadsheets people use, and back into decisions."""


@main.command(short_help="Check frameworks for structural errors and vague criteria.")
@click.argument("frameworks", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@translate_errors
def lint(frameworks: tuple[str, ...], as_json: bool) -> None:
    """Check FRAMEWORKS (files or folders) for structural errors and vague criteria.

    Exit 1 on any error; warnings alone exit 0.
    """
    from matrixkit.model.lint import lint_report

    report = lint_report(frameworks)
    problems = report.problems
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        print_problems(problems, err=False)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        summary = f"{errors} error(s), {warnings} warning(s) in {len(frameworks)} input(s)"
        if report.allowed:  # accepted on purpose (`lint: {allow: [...]}`): counted, so never hidden entirely
            codes = ", ".join(sorted({p.code for p in report.allowed}))
            allowed = len(report.allowed)
            summary += f"\n{allowed} finding{'s' if allowed > 1 else ''} allowed by the framework ({codes})"
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


@main.command(short_help="Copy a shipped framework and its sample roster to start from.")
@click.option("--template", "name", required=True, help="Template name, as `matrixkit templates` lists it.")
@click.argument("directory", type=click.Path(file_okay=False))
@translate_errors
def init(name: str, directory: str) -> None:
    """Copy a shipped framework and its sample roster into DIRECTORY."""
    from matrixkit.sources.templates import init_template

    for path in init_template(name, directory):
        click.echo(f"wrote {path}")


@main.command(short_help="Write one workbook per manager (or a blank matrix).")
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
    from matrixkit.sources.roster import manager_id_warnings, read_roster

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
    print_problems(manager_id_warnings(people))  # warnings: the workbooks are still written
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


@main.command(short_help="Read the returned workbooks and write the readiness report.")
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
    from matrixkit.outputs.json_report import json_chunks
    from matrixkit.outputs.report import write_report
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
    if analysis.files_read == 0:
        if json_path:
            atomic_write_bytes(json_path, json_chunks(analysis.json_parts(__version__)))
        print_problems(analysis.problems)
        click.echo("Nothing could be read: no report written.", err=True)
        raise SystemExit(EXIT_USAGE)
    if json_path:  # first: every result is kept whatever writing the report meets
        atomic_write_bytes(json_path, json_chunks(analysis.json_parts(__version__)))
    try:
        write_report(out, analysis, frameworks)
    except MemoryError:
        kept = f"; every result is in {json_path}" if json_path else "; run again with --json to keep the results"
        raise MatrixkitError(f"out of memory while writing the report {out}: it was not written{kept}") from None
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

    from matrixkit.assess.results import STATUS_WORDS, STATUSES

    counts = Counter(e.status for e in analysis.employees)
    click.echo(
        f"{len(analysis.employees)} employee(s) from {analysis.files_read} workbook(s), cycle {analysis.cycle or '?'}",
        err=True,
    )
    click.echo("  " + " · ".join(f"{STATUS_WORDS[status]} {counts.get(status, 0)}" for status in STATUSES), err=True)
    if analysis.missing:
        click.echo(f"  missing from every workbook: {len(analysis.missing)}", err=True)
    width = max(40, shutil.get_terminal_size().columns - 2)
    for reason in analysis.ready_out_of_reach:
        click.echo(textwrap.fill(reason, width, initial_indent="  ", subsequent_indent="    "), err=True)
    if analysis.problems:
        errors = sum(p.severity == "error" for p in analysis.problems)
        click.echo(f"{errors} error(s), {len(analysis.problems) - errors} warning(s):", err=True)
        print_problems(analysis.problems[:shown])
        if len(analysis.problems) > shown:
            click.echo(f"… and {len(analysis.problems) - shown} more on the Problems sheet", err=True)
    click.echo(f"Report: {out}" + (f"  JSON: {json_path}" if json_path else ""), err=True)


@main.command(short_help="What the history store holds, per cycle.")
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


@main.command(short_help="Before the deadline: who has sent back what, how complete.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--framework",
    "framework_paths",
    multiple=True,
    type=click.Path(exists=True),
    help="Framework file or folder (default: what the workbooks' own metadata describes).",
)
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV or XLSX.")
@click.option("--cycle", help="Review cycle, e.g. 2026-Q4 (default: the one most workbooks name).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON instead of a table.")
@translate_errors
def status(
    inputs: tuple[str, ...], framework_paths: tuple[str, ...], roster: str, cycle: str | None, as_json: bool
) -> None:
    """Before the deadline: per manager, returned or not, file(s), rated cells, and reports still missing.

    INPUT: the returned workbooks (files or folders). Without --framework, the workbooks say which framework
    they were generated from. Exit 0 when every manager returned a complete workbook; 1 when one has not, a
    rating is missing or invalid, a report is in no workbook, or a file has a problem (unreadable, another
    cycle, someone not in the roster); 2 on a usage error.
    """
    from matrixkit.assess.returns import status_table
    from matrixkit.model.framework import load_frameworks
    from matrixkit.run import frameworks_in_workbooks, return_status
    from matrixkit.sources.roster import read_roster

    described = None
    if framework_paths:
        frameworks = load_frameworks(framework_paths)
    else:
        frameworks, described = frameworks_in_workbooks(inputs)
    people = read_roster(roster, frameworks)
    result = return_status(inputs, frameworks, people, cycle=cycle, described=described)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(status_table(result))
    sys.exit(EXIT_OK if result.complete else EXIT_PROBLEMS)


@main.command(short_help="What changed between two versions of a framework file.")
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


@main.group("framework", cls=CycleOrderedGroup, short_help="Edit a framework in a spreadsheet: export, then import.")
def framework_group() -> None:
    """Author a framework in a spreadsheet: export it to .xlsx, edit it, import it back to YAML."""


@framework_group.command("export", short_help="Write a framework file as a workbook to edit.")
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


@framework_group.command("import", short_help="Read an edited workbook back into a framework file.")
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


@main.command(short_help="Publish frameworks as one web page for every employee.")
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


def mail_options(func: F) -> F:
    """The options `send` and `remind` share: where the messages go, and what they say."""
    options = [
        click.option(
            "--smtp", "smtp", metavar="HOST[:PORT]", help="Send through this SMTP server (STARTTLS, port 587)."
        ),
        click.option(
            "--eml",
            "eml_dir",
            type=click.Path(file_okay=False),
            help="Instead of sending, write one .eml draft per message here (opens unsent in Outlook).",
        ),
        click.option("--from", "sender", required=True, help="The sender, e.g. 'HR <hr@example.com>'."),
        click.option("--subject", help="Subject template ({manager_name}, {cycle}, {due}, {missing})."),
        click.option(
            "--body",
            "body_file",
            type=click.Path(exists=True, dir_okay=False),
            help="Body template file (UTF-8) with {manager_name}, {cycle}, {due}, {missing}.",
        ),
        click.option("--due", help="The return deadline, for {due}, e.g. 2026-12-15."),
        click.option("--user", help="SMTP login; the password comes from $MATRIXKIT_SMTP_PASSWORD or a prompt."),
        click.option("--ssl", "use_ssl", is_flag=True, help="TLS from the first byte (port 465) instead of STARTTLS."),
        click.option(
            "--insecure", is_flag=True, help="Do not verify the server's certificate; allow an unencrypted connection."
        ),
        click.option(
            "--cafile", type=click.Path(exists=True, dir_okay=False), help="Verify the server against this CA (PEM)."
        ),
        click.option(
            "--log",
            "log_path",
            type=click.Path(dir_okay=False),
            help="The send log (default: matrixkit-sent.jsonl beside the workbooks).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _password(variable: str, user: str | None, what: str) -> str | None:
    """From the environment, else asked on the terminal; never an option, never echoed."""
    import os

    if user is None:
        return None
    if os.environ.get(variable):
        return os.environ[variable]
    if not sys.stdin.isatty():
        raise UsageError(f"set {variable} to the {what} password of {user} (there is no terminal to ask on)")
    password: str = click.prompt(f"{what} password for {user}", hide_input=True, err=True)
    return password


def _dispatch(
    plan: Any,
    form: Any,
    *,
    smtp: str | None,
    eml_dir: str | None,
    user: str | None,
    use_ssl: bool,
    insecure: bool,
    cafile: str | None,
    log_path: Path,
    noun: str,
) -> None:
    """Send (or write as drafts) every planned message, print what happened, exit as SPEC says."""
    from matrixkit.mail.loop import write_drafts
    from matrixkit.mail.smtp import SendLog, SmtpSettings, deliver, parse_server

    problems = list(plan.problems)
    if eml_dir is not None:
        drafts = write_drafts(plan.messages, form, eml_dir)
        for outgoing, path in zip(plan.messages, drafts, strict=True):
            click.echo(f"draft  {outgoing.manager_id}  {outgoing.manager_name} <{outgoing.address}>  {path}")
        summary = f"{len(drafts)} draft(s) written to {eml_dir} (open each in Outlook to send it; nothing was sent)"
    else:
        assert smtp is not None
        host, port = parse_server(smtp)
        settings = SmtpSettings(
            host,
            port,
            ssl=use_ssl,
            insecure=insecure,
            cafile=cafile,
            user=user,
            password=_password("MATRIXKIT_SMTP_PASSWORD", user, "SMTP"),
        )
        log = SendLog(log_path)
        with progress_bar(len(plan.messages), "Sending") as advance:
            delivery = deliver(plan.messages, form.compose, settings, log, progress=lambda _message: advance())
        for outgoing in delivery.sent:
            shown = f"  {outgoing.attachment.name}" if outgoing.attachment else ""
            click.echo(f"sent   {outgoing.manager_id}  {outgoing.manager_name} <{outgoing.address}>{shown}")
        problems.extend(delivery.problems)
        summary = f"Sent {len(delivery.sent)} {noun}"
        if delivery.already and not delivery.sent and not delivery.problems:
            summary = f"Nothing to send: all {len(delivery.already)} {noun} went out in an earlier run ({log_path})"
        elif delivery.already:
            summary += f"; {len(delivery.already)} already sent by an earlier run (see {log_path}), not sent again"
    if problems:
        print_problems(problems)
    click.echo(summary, err=True)
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)


def _mail_usage(smtp: str | None, eml_dir: str | None) -> None:
    if (smtp is None) == (eml_dir is None):
        raise UsageError("give either --smtp HOST[:PORT] to send, or --eml DIR to write drafts")


def _body_text(body_file: str | None) -> str | None:
    if body_file is None:
        return None
    try:
        return Path(body_file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--body {body_file}: cannot be read as UTF-8 text ({exc})") from None


@main.command()
@click.argument("workbooks_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV or XLSX.")
@mail_options
@translate_errors
def send(
    workbooks_dir: str,
    roster: str,
    smtp: str | None,
    eml_dir: str | None,
    sender: str,
    subject: str | None,
    body_file: str | None,
    due: str | None,
    user: str | None,
    use_ssl: bool,
    insecure: bool,
    cafile: str | None,
    log_path: str | None,
) -> None:
    """Email each manager their own workbook from WORKBOOKS_DIR (as `generate` wrote it).

    A workbook goes to the roster's manager_email of the manager its own metadata names, or nowhere. A
    send log beside the workbooks makes a re-run send only what was not sent. Exit 0 when every manager
    got theirs, 1 when one did not (each named), 2 on a usage error or an unusable server.
    """
    from matrixkit.mail.loop import MessageForm, find_workbooks, read_managers
    from matrixkit.mail.plan import plan_sends
    from matrixkit.mail.smtp import LOG_NAME

    _mail_usage(smtp, eml_dir)
    form = MessageForm.of(sender, kind="send", subject=subject, body=_body_text(body_file), due=due)
    managers = read_managers(roster)
    workbooks = find_workbooks(workbooks_dir)
    if not workbooks:
        raise UsageError(f"no workbooks (.xlsx, .xlsm, .ods) in {workbooks_dir}")
    plan = plan_sends(managers, workbooks, due=due)
    _dispatch(
        plan,
        form,
        smtp=smtp,
        eml_dir=eml_dir,
        user=user,
        use_ssl=use_ssl,
        insecure=insecure,
        cafile=cafile,
        log_path=Path(log_path) if log_path else Path(workbooks_dir) / LOG_NAME,
        noun="message(s)",
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@framework_option
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False), help="Roster CSV or XLSX.")
@click.option("--cycle", help="Review cycle, e.g. 2026-Q4 (default: the one most workbooks name).")
@mail_options
@translate_errors
def remind(
    inputs: tuple[str, ...],
    framework_paths: tuple[str, ...],
    roster: str,
    cycle: str | None,
    smtp: str | None,
    eml_dir: str | None,
    sender: str,
    subject: str | None,
    body_file: str | None,
    due: str | None,
    user: str | None,
    use_ssl: bool,
    insecure: bool,
    cafile: str | None,
    log_path: str | None,
) -> None:
    """Email each manager whose workbook has not come back, or came back incomplete, what is missing.

    INPUT: the returned workbooks (files or folders), as for `status`. One reminder per manager per day: a
    re-run the same day sends only those not sent yet. Exit 0 when every reminder went out (or nobody needs
    one), 1 when one could not be sent, 2 on a usage error or an unusable server.
    """
    from datetime import date

    from matrixkit.mail.loop import MessageForm
    from matrixkit.mail.plan import plan_reminders
    from matrixkit.mail.smtp import LOG_NAME
    from matrixkit.model.framework import load_frameworks
    from matrixkit.run import return_status
    from matrixkit.sources.roster import read_roster

    _mail_usage(smtp, eml_dir)
    form = MessageForm.of(sender, kind="remind", subject=subject, body=_body_text(body_file), due=due)
    frameworks = load_frameworks(framework_paths)
    people = read_roster(roster, frameworks)
    with progress_bar(len(inputs), "Reading workbooks") as advance:
        status_now = return_status(inputs, frameworks, people, cycle=cycle, progress=lambda _path: advance())
    plan = plan_reminders(status_now, people.managers, due=due, day=date.today().isoformat())
    if not plan.messages and not plan.problems:
        click.echo(f"Every manager's workbook is back and complete ({len(plan.nobody)}): nobody to remind.", err=True)
        sys.exit(EXIT_OK)
    first = Path(inputs[0])
    folder = first if first.is_dir() else first.parent
    _dispatch(
        plan,
        form,
        smtp=smtp,
        eml_dir=eml_dir,
        user=user,
        use_ssl=use_ssl,
        insecure=insecure,
        cafile=cafile,
        log_path=Path(log_path) if log_path else folder / LOG_NAME,
        noun="reminder(s)",
    )


@main.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the returned workbooks, one per manager.",
)
@click.option(
    "--roster", type=click.Path(exists=True, dir_okay=False), help="Roster: names files, says who has not replied."
)
@click.option("--imap", "imap", metavar="HOST[:PORT]", help="Read an IMAP mailbox (STARTTLS, port 143).")
@click.option("--user", help="IMAP login; the password comes from $MATRIXKIT_IMAP_PASSWORD or a prompt.")
@click.option("--folder", default="INBOX", show_default=True, help="The IMAP folder holding the replies.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only messages from this day on.")
@click.option(
    "--from-dir",
    "from_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Instead of IMAP, a folder of saved .eml messages.",
)
@click.option("--cycle", help="Keep only workbooks of this cycle, e.g. 2026-Q4.")
@click.option("--ssl", "use_ssl", is_flag=True, help="TLS from the first byte (port 993) instead of STARTTLS.")
@click.option("--insecure", is_flag=True, help="Do not verify the server's certificate; allow an unencrypted one.")
@click.option("--cafile", type=click.Path(exists=True, dir_okay=False), help="Verify the server against this CA (PEM).")
@click.option("--max-file-mb", default=50, show_default=True, help="Refuse attachments larger than this.")
@translate_errors
def collect(
    out: str,
    roster: str | None,
    imap: str | None,
    user: str | None,
    folder: str,
    since: Any,
    from_dir: str | None,
    cycle: str | None,
    use_ssl: bool,
    insecure: bool,
    cafile: str | None,
    max_file_mb: int,
) -> None:
    """Save the workbooks managers sent back into OUT: one per manager, named after them, the newest kept.

    Every attachment passes the same safety scan as analyze. Exit 0 when clean, 1 when an attachment was
    refused or needs a look (each named), 2 on a usage error or when there was no message to read.
    """
    from matrixkit.intake.safety import Limits
    from matrixkit.mail.collect import collect_messages, read_eml_folder
    from matrixkit.mail.imap import ImapSettings, fetch_messages
    from matrixkit.mail.loop import read_managers
    from matrixkit.mail.smtp import parse_server

    if (imap is None) == (from_dir is None):
        raise UsageError("give either --imap HOST --user U to read a mailbox, or --from-dir DIR of .eml files")
    limits = Limits(max_file_bytes=max_file_mb * 2**20)
    managers = read_managers(roster) if roster else None
    max_message = 2 * limits.max_file_bytes  # base64 makes an attachment a third larger
    if from_dir is not None:
        messages, problems = read_eml_folder(from_dir, max_message)
        where = from_dir
    else:
        assert imap is not None
        if user is None:
            raise UsageError("--imap needs --user")
        host, port = parse_server(imap)
        password = _password("MATRIXKIT_IMAP_PASSWORD", user, "IMAP") or ""
        settings = ImapSettings(
            host,
            user,
            password,
            port=port,
            folder=folder,
            since=since.date() if since else None,
            ssl=use_ssl,
            insecure=insecure,
            cafile=cafile,
        )
        messages, problems = fetch_messages(settings, max_message)
        where = f"{folder} on {host}"
    if not messages and not problems:
        click.echo(f"No messages in {where}" + (f" since {since.date()}" if since else "") + ".", err=True)
        raise SystemExit(EXIT_USAGE)
    report = collect_messages(messages, out, managers=managers, cycle=cycle, limits=limits)
    problems.extend(report.problems)
    for saved in report.saved:
        when = saved.date.strftime("%Y-%m-%d %H:%M") if saved.date else "no date"
        replaced = f" (replaces {saved.replaced})" if saved.replaced else ""
        click.echo(
            f"saved  {saved.manager_id}  {saved.manager_name}  from {saved.sender} {when}  {saved.file}{replaced}"
        )
    for manager_id, reply in report.older:
        click.echo(f"older  {manager_id}  {reply.describe()}: a newer one is kept, not saved")
    if report.no_reply:
        names = ", ".join(f"{m.id} ({m.name})" for m in report.no_reply)
        click.echo(f"No workbook yet from {len(report.no_reply)} manager(s): {names}")
    if problems:
        print_problems(problems)
    summary = (
        f"{report.messages} message(s), {report.workbooks} workbook attachment(s): {len(report.saved)} saved to {out}"
    )
    if report.repeated:
        summary += f", {report.repeated} seen before (not saved again)"
    if report.repeated == report.messages and not problems:
        summary = f"Nothing new: all {report.messages} message(s) were collected by an earlier run (into {out})"
    click.echo(summary, err=True)
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)

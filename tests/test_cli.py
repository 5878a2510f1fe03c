from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import REPO, TEMPLATES

from matrixkit import __version__
from matrixkit.cli.main import main
from matrixkit.sources.templates import list_templates


def test_templates_lists_every_shipped_framework() -> None:
    result = CliRunner().invoke(main, ["templates"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(p.stem for p in TEMPLATES.glob("*.yaml"))
    engineering = next(line for line in lines if line.startswith("engineering "))
    assert "IC1–IC7 (7)" in engineering and "M1–M4 (4)" in engineering
    assert all(info.roster is not None for info in list_templates())


def test_init_copies_framework_and_roster_and_never_overwrites(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "start"
    result = runner.invoke(main, ["init", "--template", "sales", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "sales.yaml").read_bytes() == (TEMPLATES / "sales.yaml").read_bytes()
    assert (target / "rosters" / "sales.csv").read_bytes() == (TEMPLATES / "rosters" / "sales.csv").read_bytes()
    again = runner.invoke(main, ["init", "--template", "sales", str(target)])
    assert again.exit_code == 2 and "not overwriting" in again.output
    unknown = runner.invoke(main, ["init", "--template", "astrology", str(tmp_path / "x")])
    assert unknown.exit_code == 2 and "no template named 'astrology'" in unknown.output


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "matrixkit", "--version"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_password_protects_every_visible_sheet(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--framework",
            str(TEMPLATES / "startup.yaml"),
            "--roster",
            str(TEMPLATES / "rosters" / "startup.csv"),
            "--cycle",
            "2026-Q4",
            "--out",
            str(tmp_path),
            "--password",
            "s3cret",
        ],
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))
    for name in ("Instructions", "Ratings", "Guide", "Role profile"):
        assert wb[name].protection.sheet and wb[name].protection.password, name


def test_generate_is_quiet_off_a_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--framework",
            str(TEMPLATES / "startup.yaml"),
            "--roster",
            str(TEMPLATES / "rosters" / "startup.csv"),
            "--cycle",
            "2026-Q4",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0
    assert result.output.strip().splitlines() == [f"wrote 5 workbook(s) for 22 people to {tmp_path}"]


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"matrixkit {name}" in readme, name


def test_the_readmes_first_command_runs_the_main_job_on_shipped_data(tmp_path: Path) -> None:
    """README opens with `pip install . && matrixkit analyze …`: run that analyze, as written, from the
    repository, with its outputs sent to a temporary folder."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = readme.split("```sh\n", 1)[1].split("\n```", 1)[0]
    install, command = first.split(" && ", 1)
    assert install == "pip install ." and command.startswith("matrixkit analyze ")
    args = command.replace("out/", f"{tmp_path}/").split()[1:]
    done = subprocess.run([sys.executable, "-m", "matrixkit", *args], cwd=REPO, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert (tmp_path / "report.xlsx").exists() and (tmp_path / "report.json").exists()
    assert "47 employee(s) from 7 workbook(s)" in done.stderr and f"Report: {tmp_path}/report.xlsx" in done.stderr


def test_every_picture_and_page_the_readme_links_exists() -> None:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(((?:docs|sample_workbooks)/[^)#]+)\)", readme)
    assert "docs/report-readiness.png" in linked
    assert [path for path in linked if not (REPO / path).exists()] == []

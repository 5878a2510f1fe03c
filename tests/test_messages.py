"""Issue 16, the terminal and the inputs: each mismatch or typo is said once, with its cause and the fix."""

from __future__ import annotations

from matrixkit.outputs.generate import person_file_name


def test_file_names_keep_every_letter_of_a_name() -> None:
    assert person_file_name("ENG-016", "Søren Kjærgaard") == "ENG-016_Soren-Kjaergaard.xlsx"
    assert person_file_name("ENG-005", "Łukasz Wójcik") == "ENG-005_Lukasz-Wojcik.xlsx"
    assert person_file_name("SLS-006", "Paweł Kowalczyk") == "SLS-006_Pawel-Kowalczyk.xlsx"
    assert person_file_name("ENG-008", "张伟") == "ENG-008_ZhangWei.xlsx"  # no longer the id alone


def test_help_lists_commands_in_cycle_order_each_line_whole() -> None:
    from click.testing import CliRunner

    from matrixkit.cli.main import CYCLE_ORDER, main

    shown = CliRunner().invoke(main, ["--help"], terminal_width=100).output
    listing = shown.split("Commands:")[1].splitlines()
    names = [line.split()[0] for line in listing if line.strip()]
    assert names == [name for name in CYCLE_ORDER if name in main.commands]
    assert names[:4] == ["templates", "init", "lint", "generate"] and names.index("analyze") > names.index("status")
    assert not any(line.rstrip().endswith("...") for line in listing)
    narrow = CliRunner().invoke(main, ["--help"], terminal_width=80).output.split("Commands:")[1].splitlines()
    assert all(line.startswith("  ") and line[2] != " " for line in narrow if line.strip())  # one line each


def test_a_command_added_later_keeps_its_whole_description() -> None:
    import click
    from click.testing import CliRunner

    from matrixkit.cli.main import CycleOrderedGroup

    @click.group(cls=CycleOrderedGroup)
    def group() -> None:
        """A group."""

    @group.command()
    def archive() -> None:
        """Zip every returned workbook of the cycle, with the report, for the records of the HR team."""

    @group.command()
    def remind() -> None:
        """Email each manager whose workbook has not come back."""

    @group.command()
    def send() -> None:
        """Email each manager their workbook."""

    shown = CliRunner().invoke(group, ["--help"], terminal_width=120).output
    assert shown.index("send") < shown.index("remind") < shown.index("archive")  # unknown names last
    assert "for the records of the HR team." in shown


REPO_TEMPLATES = __import__("pathlib").Path(__file__).resolve().parent.parent / "templates"


def _roster_problems(text: str, template: str = "engineering") -> list:  # type: ignore[type-arg]
    import pytest

    from matrixkit.model.framework import load_frameworks
    from matrixkit.sources.roster import RosterError, roster_from_table
    from matrixkit.sources.tables import Table

    lines = [line.split(",") for line in text.strip().splitlines()]
    table = Table("roster.csv", header=lines[0], rows=[(n, row) for n, row in enumerate(lines[1:], start=2)])
    with pytest.raises(RosterError) as caught:
        roster_from_table(table, load_frameworks([REPO_TEMPLATES / f"{template}.yaml"]))
    return list(caught.value.problems)


ENGINEERS = "employee_id,name,family,level,manager_id,manager_name\n" + "\n".join(
    f"E-{n},Person {n},engineering,IC2,X-CTO,Ada" for n in range(1, 48)
)


def test_roster_of_another_family_is_one_problem_naming_the_framework_to_pass() -> None:
    [problem] = _roster_problems(ENGINEERS, template="sales")
    assert "unknown family 'engineering' in 47 rows" in problem.message and "Sales" in problem.message
    assert problem.hint is not None and "--framework" in problem.hint and "engineering.yaml" in problem.hint


def test_roster_level_typo_lists_the_levels_and_suggests_the_one_meant() -> None:
    text = ENGINEERS.replace("E-5,Person 5,engineering,IC2", "E-5,Person 5,engineering,IC 3").replace(
        "E-6,Person 6,engineering,IC2", "E-6,Person 6,enginering,IC2"
    )
    by_column = {problem.path: problem for problem in _roster_problems(text)}
    level, family = by_column["level"], by_column["family"]
    assert "unknown level 'IC 3' in row 6" in level.message and "did you mean IC3?" in level.message
    assert "IC1, IC2, IC3" in level.message
    assert "did you mean 'engineering'?" in family.message


def test_a_manager_id_typo_warns_naming_rows_people_and_the_id_meant(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from matrixkit.cli.main import main

    roster = (REPO_TEMPLATES / "rosters" / "engineering.csv").read_text(encoding="utf-8")
    (tmp_path / "roster.csv").write_text(roster.replace(",ENG-003,Nguyễn", ",ENG-0003,Nguyễn"), encoding="utf-8")
    args = [
        "generate",
        "--framework",
        str(REPO_TEMPLATES / "engineering.yaml"),
        "--roster",
        str(tmp_path / "roster.csv"),
    ]
    result = CliRunner().invoke(main, [*args, "--cycle", "2026-Q4", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0  # a warning: the workbooks are still written
    assert "manager_id ENG-0003 in 8 rows" in result.output and "did you mean ENG-003" in result.output
    assert "ENG-016 (Søren Kjærgaard)" in result.output
    assert list((tmp_path / "out").glob("*.xlsx"))


SAMPLES = REPO_TEMPLATES.parent / "sample_workbooks"


def _analyze(tmp_path, *args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from matrixkit.cli.main import main

    return CliRunner().invoke(main, ["analyze", *args, "--out", str(tmp_path / "report.xlsx")])


def test_workbooks_of_another_family_say_so_once_with_the_framework_to_pass(tmp_path) -> None:  # type: ignore[no-untyped-def]
    filled = SAMPLES / "engineering" / "filled"
    result = _analyze(tmp_path, str(filled), "--framework", str(REPO_TEMPLATES / "sales.yaml"))
    assert result.exit_code == 2
    count = len(list(filled.glob("*.xlsx")))
    assert f"these workbooks are Engineering 2026.1 ({count} files)" in result.output
    assert "the frameworks given are Sales 2026.1: pass --framework" in result.output
    assert "engineering.yaml" in result.output
    assert result.output.count("error") == 1  # no per-file, per-column or per-row problems for the same cause


def _edited_framework(tmp_path, rename: bool):  # type: ignore[no-untyped-def]
    import yaml

    data = yaml.safe_load((REPO_TEMPLATES / "engineering.yaml").read_text(encoding="utf-8"))
    data["competencies"][0]["descriptions"]["IC1"] += " Edited."
    if rename:
        data["competencies"][1]["name"] = "Teamwork"
    path = tmp_path / "engineering.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_framework_edited_without_a_version_bump_warns_once_saying_what_changed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    filled = SAMPLES / "engineering" / "filled"
    count = len(list(filled.glob("*.xlsx")))
    result = _analyze(tmp_path, str(filled), "--framework", str(_edited_framework(tmp_path, rename=True)))
    assert result.exit_code == 1
    assert result.output.count("changed since these workbooks were generated") == 1
    assert f"({count} files) but its version is still 2026.1" in result.output
    assert "'Collaboration' renamed 'Teamwork'" in result.output and "bump `family.version`" in result.output


def test_workbooks_with_no_rating_at_all_say_nothing_was_rated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sent = SAMPLES / "engineering" / "generated"
    result = _analyze(tmp_path, str(sent), "--framework", str(REPO_TEMPLATES / "engineering.yaml"))
    assert result.exit_code == 1
    workbooks = len(list(sent.glob("*.xlsx")))
    assert f"none of the 47 employees in {workbooks} workbooks has a rating yet" in result.output


def _status(*args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from matrixkit.cli.main import main

    return CliRunner().invoke(main, ["status", *args, "--roster", str(REPO_TEMPLATES / "rosters" / "engineering.csv")])


def test_status_without_framework_reads_what_the_workbooks_describe() -> None:
    for folder in ("generated", "filled"):
        workbooks = str(SAMPLES / "engineering" / folder)
        without = _status(workbooks, "--json")
        given = _status(workbooks, "--json", "--framework", str(REPO_TEMPLATES / "engineering.yaml"))
        assert without.exit_code == given.exit_code == (1 if folder == "generated" else 0), without.output
        assert without.stdout == given.stdout


def test_status_names_the_cells_hr_chases(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    import openpyxl

    returned = tmp_path / "returned"
    shutil.copytree(SAMPLES / "engineering" / "filled", returned)
    path = returned / "ENG-002_Rafael-Gutierrez.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Ratings"]
    employee = sheet["A3"].value
    sheet["D3"], sheet["E3"], sheet["F5"] = None, None, "four"
    workbook.save(path)
    result = _status(str(returned))
    assert result.exit_code == 1
    assert "(Ratings row 3): 2 blank (D3, E3)" in result.stdout and employee in result.stdout
    assert "F5 'four' is no rating" in result.stdout
    assert "Of 47 employees, 2 not fully rated" in result.stdout


def test_status_help_speaks_to_the_user_not_of_functions() -> None:
    from click.testing import CliRunner

    from matrixkit.cli.main import main

    shown = CliRunner().invoke(main, ["status", "--help"]).output
    assert "(...)" not in shown and "to_dict" not in shown and "return_status" not in shown


def test_status_of_workbooks_as_sent_says_nothing_is_rated_per_manager() -> None:
    result = _status(str(SAMPLES / "engineering" / "generated"))
    assert result.exit_code == 1
    assert result.stdout.count("nothing rated yet") == len(list((SAMPLES / "engineering" / "generated").glob("*.xlsx")))

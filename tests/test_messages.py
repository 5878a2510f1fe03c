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


def test_a_command_added_later_keeps_its_whole_description() -> None:
    import click
    from click.testing import CliRunner

    from matrixkit.cli.main import CycleOrderedGroup

    @click.group(cls=CycleOrderedGroup)
    def group() -> None:
        """A group."""

    @group.command()
    def remind() -> None:
        """Email each manager whose workbook has not come back, with what is missing."""

    @group.command()
    def send() -> None:
        """Email each manager their workbook."""

    shown = CliRunner().invoke(group, ["--help"], terminal_width=120).output
    assert shown.index("send") < shown.index("remind")
    assert "with what is missing." in shown

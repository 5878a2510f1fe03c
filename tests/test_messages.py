"""Issue 16, the terminal and the inputs: each mismatch or typo is said once, with its cause and the fix."""

from __future__ import annotations

from matrixkit.outputs.generate import person_file_name


def test_file_names_keep_every_letter_of_a_name() -> None:
    assert person_file_name("ENG-016", "Søren Kjærgaard") == "ENG-016_Soren-Kjaergaard.xlsx"
    assert person_file_name("ENG-005", "Łukasz Wójcik") == "ENG-005_Lukasz-Wojcik.xlsx"
    assert person_file_name("SLS-006", "Paweł Kowalczyk") == "SLS-006_Pawel-Kowalczyk.xlsx"
    assert person_file_name("ENG-008", "张伟") == "ENG-008_ZhangWei.xlsx"  # no longer the id alone

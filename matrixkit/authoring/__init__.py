"""Authoring a framework in a spreadsheet: export it to xlsx for HR to edit, import it back.

`sheets` is the workbook's plan (sheet names, headers, the words cells use), written by `export` and read
by `importing` (whose cell conversions are in `cells`); YAML is written by `matrixkit.sources.yamlwriter`.
A round trip YAML → xlsx → YAML gives back a framework equal to the original.

>>> from matrixkit.model.framework import load_framework                       # doctest: +SKIP
>>> export_framework(load_framework("engineering.yaml"), "engineering.xlsx")   # doctest: +SKIP
>>> result = import_framework_workbook("engineering.xlsx")                     # doctest: +SKIP
>>> result.framework.fingerprint == load_framework("engineering.yaml").fingerprint   # doctest: +SKIP
True
"""

from matrixkit.authoring.export import export_framework, framework_workbook_bytes
from matrixkit.authoring.importing import (
    ImportResult,
    WorkbookImportError,
    import_framework_workbook,
    read_framework_workbook,
)
from matrixkit.authoring.sheets import CRITERIA_SHEET, DESCRIPTIONS_SHEET, PROFILES_SHEET, SHEETS
from matrixkit.sources.yamlwriter import (
    framework_data,
    framework_plain,
    framework_yaml,
    same_framework,
    write_framework_yaml,
)

__all__ = [
    "CRITERIA_SHEET",
    "DESCRIPTIONS_SHEET",
    "PROFILES_SHEET",
    "SHEETS",
    "ImportResult",
    "WorkbookImportError",
    "export_framework",
    "framework_data",
    "framework_plain",
    "framework_workbook_bytes",
    "framework_yaml",
    "import_framework_workbook",
    "read_framework_workbook",
    "same_framework",
    "write_framework_yaml",
]

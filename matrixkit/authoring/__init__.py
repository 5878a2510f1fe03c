"""Authoring a framework in a spreadsheet: export it to xlsx for HR to edit, import it back.

`sheets` is the workbook's plan (sheet names, headers, the words cells use), written by `export` and read
by `importing` (whose cell conversions are in `cells`); YAML is written by `matrixkit.sources.yamlwriter`.
A round trip YAML → xlsx → YAML gives back a framework equal to the original.

>>> import tempfile
>>> from pathlib import Path
>>> from matrixkit.model.framework import load_framework
>>> workbook = Path(tempfile.mkdtemp()) / "engineering.xlsx"
>>> _ = export_framework(load_framework("templates/engineering.yaml"), workbook)
>>> result = import_framework_workbook(workbook)
>>> result.framework.fingerprint == load_framework("templates/engineering.yaml").fingerprint
True
"""

from matrixkit.authoring.export import export_framework, framework_workbook_bytes
from matrixkit.authoring.importing import (
    ImportResult,
    import_framework_workbook,
    read_framework_workbook,
)
from matrixkit.authoring.sheets import CRITERIA_SHEET, DESCRIPTIONS_SHEET, PROFILES_SHEET, SHEETS
from matrixkit.errors import WorkbookImportError
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

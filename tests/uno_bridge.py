#!/usr/bin/python3
"""One-shot bridge between the test suite and a running headless LibreOffice.

Run with the interpreter that has python3-uno (Debian: ``/usr/bin/python3``), never with the
pyenv interpreter that runs pytest::

    /usr/bin/python3 tests/uno_bridge.py --connect "pipe,name=NAME" [--connect-timeout 60] < req.json

``--connect`` takes the same connection description as ``soffice --accept=...`` without the
``;urp;...`` tail: ``pipe,name=NAME`` or ``socket,host=127.0.0.1,port=2002`` (``--pipe NAME`` and
``--socket HOST:PORT`` are shorthands). Connecting is retried until ``--connect-timeout``
seconds have passed, so the bridge can be used to wait for a freshly started soffice.

The bridge reads ONE JSON object (the request) from stdin and writes ONE JSON object (the
response) to stdout. Exit codes: 0 success, 1 the operation failed, 2 no connection to soffice,
3 malformed request. On failure the response is ``{"error": "...", "kind": "...",
"traceback": "..."}``. Every document the bridge opens is closed again (``close(True)``, falling
back to ``dispose()``), also on error.

Requests
--------
``{"op": "ping"}``
    -> ``{"ok": true, "product": "LibreOffice", "version": "7.4.7.2",
    "config": {"OOXMLRecalcMode": 1, "ODFRecalcMode": 1}}``. The ``config`` values are the
    effective "Recalculation on file load" settings of the running profile
    (0 always, 1 never, 2 prompt).

``{"op": "read", "path": "/abs/book.xlsx", "recalc": false, "cells": null, "detail_sheet_prefix": "Ratings"}``
    Loads the file hidden, read-only, with ``MacroExecutionMode=NEVER_EXECUTE``.
    ``recalc: false`` (default) shows the values as loaded: with the harness profile
    (OOXMLRecalcMode = ODFRecalcMode = 1, "never") these are the cached values stored in the
    file, which is what a user's first screen shows; only formula cells without a cached value
    are computed. ``recalc: true`` calls ``XCalculatable.calculateAll()`` first.
    ``cells`` selects the cells whose protection, background and data validation are reported:
    ``{"Sheet": ["E2", "A1:C3"], ...}``; when absent or null, every cell of the used range of each
    sheet whose name starts with ``detail_sheet_prefix`` (default ``"Ratings"``; null for none)
    is reported, the range extended from A1 to also cover blank cells that carry a validation,
    a background or non-default protection (LibreOffice's used area counts only cells with
    content; formats applied to whole columns/rows count only as far as the used area reaches).

``{"op": "fill", "path": src, "output": dst, "format": "xlsx" | "ods", "edits": [...], "cells": ...}``
    (``cells`` and ``detail_sheet_prefix`` as for ``read``.)
    Loads ``src`` (hidden, not read-only, no macros), applies the edits in order, calls
    ``calculateAll()``, stores to ``dst`` ("xlsx": filter "Calc MS Excel 2007 XML", "ods":
    filter "calc8") and returns the ``read`` result of the edited, recalculated document (what
    was just written). An edit is ``{"sheet": "Ratings", "cell": "D2", "value": 4}``: numbers
    (and booleans, as 1/0) go through ``setValue``, strings through ``setString`` (a string
    starting with "=" stays text), ``null`` clears the cell's content (formats and validation
    stay). ``{"sheet": ..., "cell": ..., "formula": "=SUM(A1:A3)"}`` sets a formula instead (API
    grammar: English function names, ``;`` as separator). Edits go through the API, which
    ignores sheet protection: a locked cell on a protected sheet is written like any other.

``{"op": "convert", "path": src, "output": "/abs/out.pdf", "recalc": false}``
    Stores the document as PDF (filter "calc_pdf_Export") -> ``{"ok": true, "output": ...}``.

``{"op": "row_heights", "path": src, "sheets": ["Guide"]}``
    For every row of each sheet's used area: the height LibreOffice shows as loaded and the height
    its own layout needs for the row's content (``OptimalHeight`` set on a copy in memory, never
    saved), both in 1/100 mm -> ``{"ok": true, "heights": {"Guide": [[shown, needed], ...]}}``.

Read result
-----------
::

    {
      "ok": true, "path": "...", "recalculated": false,
      "sheets": [
        {"name": "Ratings", "index": 0,
         "visibility": "visible" | "hidden",
         "protected": true,
         "used_range": "A1:G2" | null,
         "rows": [["a", "b", ...], [1.0, 2.0, 3.0, 0.0, null, "#DIV/0!", "pos"]],
         "formulas": {"D2": "=AVERAGE(A2:C2)"},
         "formulas_odf": {"D2": "=AVERAGE(A2:C2)"},
         "errors": {"F2": "#DIV/0!"}}
      ],
      "custom_properties": {"Framework": "ft-eng", "Version": 3, "When": "2024-01-02T03:04:05"},
      "cells": {"Ratings": {"E2": {"locked": false, "formula_hidden": false, "hidden": false,
                                   "background": "#FFFF00" | null,
                                   "validation": null | {...}}}}
    }

``rows`` always starts at A1: ``rows[r][c]`` is the cell in row ``r + 1``, column ``c + 1``, up to
the end of the used area (``used_range`` is null and ``rows`` empty for an empty sheet). Values:
numbers as JSON numbers (dates are serial numbers, booleans 1/0), text as strings, empty cells
as null, and a formula whose result is an error as its displayed text (``"#DIV/0!"``,
``"#VALUE!"``, ``"Err:502"``); ``errors`` lists those cells so they can be told apart from text.
``formulas`` holds every formula cell's formula in Excel (OOXML, English, ``,``-separated,
``Sheet!A1``) syntax with a leading ``=``; ``formulas_odf`` holds LibreOffice's own API text
(``;``-separated, ``$Sheet.A1``). LibreOffice has no "very hidden" sheet state: an xlsx
``veryHidden`` sheet loads as (and is reported as) "hidden".

``validation`` (null when the cell has none)::

    {"type": "list" | "whole" | "decimal" | "date" | "time" | "text_length" | "custom" | "any",
     "operator": "between" | "equal" | ... | "none",
     "formula1": "\\"Yes\\";\\"No\\"", "formula2": "",
     "list_entries": ["Yes", "No"] | null,      # literal list, or values of a referenced range
     "list_source": null | "$Lists.$A$1:$A$3",  # formula1 when the list comes from a range/name
     "ignore_blank": true, "show_list": "unsorted" | "sorted" | "none",
     "show_input_message": true, "input_title": "...", "input_message": "...",
     "show_error_message": true, "error_style": "stop" | "warning" | "information" | "macro",
     "error_title": "...", "error_message": "..."}

Custom properties are the document's user-defined properties (File > Properties > Custom
Properties): strings, numbers, booleans; dates/times as ISO 8601 strings, durations as
``{"duration": "P..."}``. Note that LibreOffice surfaces some xlsx extended properties
(``AppVersion``) among them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
import traceback
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NO_CONNECTION = 2
EXIT_BAD_REQUEST = 3

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "pdf": "calc_pdf_Export"}

# com.sun.star.sheet.CellFlags
_VALUE, _DATETIME, _STRING, _FORMULA = 1, 2, 4, 16
# com.sun.star.sheet.FormulaResult
_RESULT_ERROR = 4


class BridgeError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED, kind: str = "operation") -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind


# --------------------------------------------------------------------------- helpers without UNO


def col_letters(col: int) -> str:
    """0-based column index -> "A", "B", ..., "AA"."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(col: int, row: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def split_list_formula(formula: str) -> list[str] | None:
    """'"Yes";"No"' -> ["Yes", "No"]; None when formula1 is not a list of string literals."""
    text = formula.strip()
    if not text.startswith('"'):
        return None
    entries: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != '"':
            return None
        i += 1
        buf = []
        while True:
            if i >= n:
                return None
            if text[i] == '"':
                if i + 1 < n and text[i + 1] == '"':
                    buf.append('"')
                    i += 2
                    continue
                i += 1
                break
            buf.append(text[i])
            i += 1
        entries.append("".join(buf))
        while i < n and text[i] == " ":
            i += 1
        if i < n:
            if text[i] not in ";,":
                return None
            i += 1
            while i < n and text[i] == " ":
                i += 1
    return entries


_RANGE_REF = re.compile(
    r"^\$?(?:'(?P<qsheet>(?:[^']|'')+)'|(?P<sheet>[^.'$!]+))[.!](?P<range>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$"
)


# --------------------------------------------------------------------------- UNO side


def connect(description: str, timeout: float) -> Any:
    import uno  # type: ignore[import-not-found]
    from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:{description};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException as exc:
            last = str(exc.Message if hasattr(exc, "Message") else exc)
        except Exception as exc:  # RuntimeException while soffice is still starting up
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise BridgeError(
                f"cannot connect to soffice at {url!r} within {timeout:g}s: {last}",
                EXIT_NO_CONNECTION,
                "connection",
            )
        time.sleep(0.25)


def prop(name: str, value: Any) -> Any:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


class Session:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.smgr = ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    # ---- configuration

    def config_value(self, nodepath: str, name: str) -> Any:
        provider = self.smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", self.ctx)
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", (prop("nodepath", nodepath),)
        )
        try:
            return access.getPropertyValue(name)
        finally:
            access.dispose()

    def ping(self) -> dict[str, Any]:
        load = "/org.openoffice.Office.Calc/Formula/Load"
        return {
            "ok": True,
            "product": self.config_value("/org.openoffice.Setup/Product", "ooName"),
            "version": self.config_value("/org.openoffice.Setup/Product", "ooSetupVersionAboutBox"),
            "config": {
                "OOXMLRecalcMode": self.config_value(load, "OOXMLRecalcMode"),
                "ODFRecalcMode": self.config_value(load, "ODFRecalcMode"),
            },
        }

    # ---- documents

    def load(self, path: str, read_only: bool) -> Any:
        import uno

        if not os.path.isabs(path):
            raise BridgeError(f"path must be absolute: {path!r}", EXIT_BAD_REQUEST, "request")
        if not os.path.isfile(path):
            raise BridgeError(f"no such file: {path}")
        never = uno.getConstantByName("com.sun.star.document.MacroExecMode.NEVER_EXECUTE")
        args = (
            prop("Hidden", True),
            prop("ReadOnly", read_only),
            prop("MacroExecutionMode", never),
            prop("UpdateDocMode", uno.getConstantByName("com.sun.star.document.UpdateDocMode.NO_UPDATE")),
        )
        doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, args)
        if doc is None:
            raise BridgeError(f"LibreOffice could not load {path}")
        if not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            close(doc)
            raise BridgeError(f"{path} is not a spreadsheet document")
        return doc

    @staticmethod
    def store(doc: Any, output: str, fmt: str) -> None:
        import uno

        if fmt not in FILTERS:
            raise BridgeError(f"unknown format {fmt!r}; expected one of {sorted(FILTERS)}", EXIT_BAD_REQUEST, "request")
        if not os.path.isabs(output):
            raise BridgeError(f"output must be absolute: {output!r}", EXIT_BAD_REQUEST, "request")
        doc.storeToURL(uno.systemPathToFileUrl(output), (prop("FilterName", FILTERS[fmt]), prop("Overwrite", True)))
        if not os.path.isfile(output):
            raise BridgeError(f"LibreOffice reported success but {output} was not written")


def close(doc: Any) -> None:
    if doc is None:
        return
    try:
        doc.close(True)
    except Exception:
        with contextlib.suppress(Exception):
            doc.dispose()


def _json_scalar(value: Any) -> Any:
    """Convert a UNO property value to something json can write."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    name = str(getattr(value, "typeName", ""))
    if name == "com.sun.star.util.DateTime":
        frac = f".{value.NanoSeconds:09d}".rstrip("0") if value.NanoSeconds else ""
        tz = "Z" if value.IsUTC else ""
        return (
            f"{value.Year:04d}-{value.Month:02d}-{value.Day:02d}T"
            f"{value.Hours:02d}:{value.Minutes:02d}:{value.Seconds:02d}{frac}{tz}"
        )
    if name == "com.sun.star.util.Date":
        return f"{value.Year:04d}-{value.Month:02d}-{value.Day:02d}"
    if name == "com.sun.star.util.DateTimeWithTimezone":
        return _json_scalar(value.DateTimeInTZ)
    if name == "com.sun.star.util.DateWithTimezone":
        return _json_scalar(value.DateInTZ)
    if name == "com.sun.star.util.Duration":
        sign = "-" if value.Negative else ""
        return {
            "duration": f"{sign}P{value.Years}Y{value.Months}M{value.Days}DT"
            f"{value.Hours}H{value.Minutes}M{value.Seconds}S"
        }
    if hasattr(value, "value"):  # enums
        return str(value.value)
    return str(value)


def _enum_name(value: Any) -> str:
    return str(getattr(value, "value", value))


_VALIDATION_TYPES = {
    "ANY": "any",
    "WHOLE": "whole",
    "DECIMAL": "decimal",
    "DATE": "date",
    "TIME": "time",
    "TEXT_LEN": "text_length",
    "LIST": "list",
    "CUSTOM": "custom",
}
_ALERT_STYLES = {"STOP": "stop", "WARNING": "warning", "INFO": "information", "MACRO": "macro"}
_SHOW_LIST = {0: "none", 1: "unsorted", 2: "sorted"}


class Reader:
    """Reads values, formulas and structure of a loaded spreadsheet document."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._parser: Any = None

    # ---- formulas in Excel syntax

    def _excel_parser(self) -> Any:
        if self._parser is None:
            import uno

            parser = self.doc.createInstance("com.sun.star.sheet.FormulaParser")
            mapper = self.doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper")
            parser.OpCodeMap = mapper.getAvailableMappings(
                uno.getConstantByName("com.sun.star.sheet.FormulaLanguage.XL_ENGLISH"),
                uno.getConstantByName("com.sun.star.sheet.FormulaMapGroup.ALL_EXCEPT_SPECIAL"),
            )
            parser.FormulaConvention = uno.getConstantByName("com.sun.star.sheet.AddressConvention.XL_A1")
            parser.CompileEnglish = True
            self._parser = parser
        return self._parser

    def excel_formula(self, cell: Any) -> str:
        try:
            text = str(self._excel_parser().printFormula(cell.getTokens(), cell.getCellAddress()))
        except Exception:
            return str(cell.getFormula())
        return text if text.startswith("=") else "=" + text

    # ---- sheets

    @staticmethod
    def used_end(sheet: Any) -> tuple[int, int] | None:
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        addr = cursor.getRangeAddress()
        end_col, end_row = addr.EndColumn, addr.EndRow
        if end_col == 0 and end_row == 0:
            cell = sheet.getCellByPosition(0, 0)
            if _enum_name(cell.getType()) == "EMPTY":
                return None
        return end_col, end_row

    @staticmethod
    def _cells_of(ranges: Any) -> list[tuple[int, int]]:
        out = []
        for addr in ranges.getRangeAddresses():
            for row in range(addr.StartRow, addr.EndRow + 1):
                for col in range(addr.StartColumn, addr.EndColumn + 1):
                    out.append((col, row))
        return out

    def sheet_info(self, sheet: Any, index: int) -> dict[str, Any]:
        info: dict[str, Any] = {
            "name": sheet.getName(),
            "index": index,
            "visibility": "visible" if sheet.IsVisible else "hidden",
            "protected": bool(sheet.isProtected()),
            "used_range": None,
            "rows": [],
            "formulas": {},
            "formulas_odf": {},
            "errors": {},
        }
        end = self.used_end(sheet)
        if end is None:
            return info
        end_col, end_row = end
        info["used_range"] = f"A1:{a1(end_col, end_row)}"
        rng = sheet.getCellRangeByPosition(0, 0, end_col, end_row)
        data = [list(row) for row in rng.getDataArray()]
        filled = set(self._cells_of(rng.queryContentCells(_VALUE | _DATETIME | _STRING | _FORMULA)))
        for row in range(end_row + 1):
            for col in range(end_col + 1):
                if (col, row) not in filled:
                    data[row][col] = None
        for col, row in sorted(self._cells_of(rng.queryContentCells(_FORMULA)), key=lambda cr: (cr[1], cr[0])):
            cell = sheet.getCellByPosition(col, row)
            ref = a1(col, row)
            info["formulas"][ref] = self.excel_formula(cell)
            info["formulas_odf"][ref] = str(cell.getFormula())
        for col, row in self._cells_of(rng.queryFormulaCells(_RESULT_ERROR)):
            text = str(sheet.getCellByPosition(col, row).getString())
            info["errors"][a1(col, row)] = text
            data[row][col] = text
        info["rows"] = data
        return info

    # ---- per-cell structure

    def _list_source_values(self, formula: str) -> list[Any] | None:
        """Values of the range a list validation refers to ($Sheet.$A$1:$A$5 or a named range)."""
        text = formula.strip()
        try:
            match = _RANGE_REF.match(text)
            if match:
                sheet_name = match.group("qsheet")
                sheet_name = sheet_name.replace("''", "'") if sheet_name else match.group("sheet")
                rng = self.doc.Sheets.getByName(sheet_name).getCellRangeByName(match.group("range").replace("$", ""))
            elif re.fullmatch(r"[A-Za-z_][\w.]*", text) and self.doc.NamedRanges.hasByName(text):
                rng = self.doc.NamedRanges.getByName(text).getReferredCells()
                if rng is None:
                    return None
            else:
                return None
            return [v for row in rng.getDataArray() for v in row if v != ""]
        except Exception:
            return None

    def validation_info(self, validation: Any) -> dict[str, Any] | None:
        vtype = _VALIDATION_TYPES.get(_enum_name(validation.Type), _enum_name(validation.Type).lower())
        show_input = bool(validation.ShowInputMessage)
        if vtype == "any" and not show_input and not validation.InputTitle and not validation.InputMessage:
            return None
        formula1 = str(validation.getFormula1())
        entries = None
        source = None
        if vtype == "list":
            entries = split_list_formula(formula1)
            if entries is None:
                source = formula1
                entries = self._list_source_values(formula1)
        return {
            "type": vtype,
            "operator": _enum_name(validation.getOperator()).lower(),
            "formula1": formula1,
            "formula2": str(validation.getFormula2()),
            "list_entries": entries,
            "list_source": source,
            "ignore_blank": bool(validation.IgnoreBlankCells),
            "show_list": _SHOW_LIST.get(int(validation.ShowList), str(validation.ShowList)),
            "show_input_message": show_input,
            "input_title": str(validation.InputTitle),
            "input_message": str(validation.InputMessage),
            "show_error_message": bool(validation.ShowErrorMessage),
            "error_style": _ALERT_STYLES.get(
                _enum_name(validation.ErrorAlertStyle), _enum_name(validation.ErrorAlertStyle)
            ),
            "error_title": str(validation.ErrorTitle),
            "error_message": str(validation.ErrorMessage),
        }

    def format_info(self, obj: Any) -> dict[str, Any]:
        protection = obj.CellProtection
        color = int(obj.CellBackColor)
        transparent = bool(obj.IsCellBackgroundTransparent)
        return {
            "locked": bool(protection.IsLocked),
            "formula_hidden": bool(protection.IsFormulaHidden),
            "hidden": bool(protection.IsHidden),
            "background": None if transparent or color < 0 else f"#{color & 0xFFFFFF:06X}",
            "validation": self.validation_info(obj.Validation),
        }

    @staticmethod
    def _interesting(info: dict[str, Any]) -> bool:
        return (
            not info["locked"]
            or info["formula_hidden"]
            or info["hidden"]
            or info["background"] is not None
            or info["validation"] is not None
        )

    def cells_detail_all(self, sheet: Any) -> dict[str, Any]:
        """Detail of every cell in the used area, extended to cover the cells that carry
        validation, a background or non-default protection (blank input cells are often
        outside LibreOffice's used area, which only counts cells with content)."""
        whole = sheet.getRangeAddress()
        max_col, max_row = whole.EndColumn, whole.EndRow
        end = self.used_end(sheet)
        used_col, used_row = end if end is not None else (0, 0)
        groups = sheet.getUniqueCellFormatRanges()  # cheap: one entry per distinct format
        found: list[tuple[dict[str, Any], list[Any]]] = []
        box_col, box_row = (used_col, used_row) if end is not None else (-1, -1)
        for i in range(groups.getCount()):
            addrs = list(groups.getByIndex(i).getRangeAddresses())
            if not addrs:
                continue
            first = addrs[0]
            info = self.format_info(sheet.getCellByPosition(first.StartColumn, first.StartRow))
            found.append((info, addrs))
            if not self._interesting(info):
                continue
            for addr in addrs:
                # Whole-column / whole-row formats count only as far as the used area reaches.
                end_col = addr.EndColumn if addr.EndColumn < max_col else max(addr.StartColumn, used_col)
                end_row = addr.EndRow if addr.EndRow < max_row else max(addr.StartRow, used_row)
                box_col, box_row = max(box_col, end_col), max(box_row, end_row)
        out: dict[str, Any] = {}
        if box_col < 0:
            return out
        for info, addrs in found:
            for addr in addrs:
                for row in range(addr.StartRow, min(addr.EndRow, box_row) + 1):
                    for col in range(addr.StartColumn, min(addr.EndColumn, box_col) + 1):
                        out[a1(col, row)] = info
        return dict(sorted(out.items(), key=lambda kv: _ref_key(kv[0])))

    def cells_detail(self, sheet: Any, refs: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ref in refs:
            rng = sheet.getCellRangeByName(ref)
            addr = rng.getRangeAddress()
            for row in range(addr.StartRow, addr.EndRow + 1):
                for col in range(addr.StartColumn, addr.EndColumn + 1):
                    out[a1(col, row)] = self.format_info(sheet.getCellByPosition(col, row))
        return out

    def custom_properties(self) -> dict[str, Any]:
        props = self.doc.getDocumentProperties().getUserDefinedProperties()
        out = {}
        for p in props.getPropertySetInfo().getProperties():
            out[p.Name] = _json_scalar(props.getPropertyValue(p.Name))
        return out

    def read(self, request: dict[str, Any], recalculated: bool) -> dict[str, Any]:
        sheets = self.doc.Sheets
        result: dict[str, Any] = {
            "ok": True,
            "recalculated": recalculated,
            "sheets": [],
            "custom_properties": {},
            "cells": {},
        }
        for index in range(sheets.getCount()):
            result["sheets"].append(self.sheet_info(sheets.getByIndex(index), index))
        result["custom_properties"] = self.custom_properties()
        cells = request.get("cells")
        if cells is None:
            prefix = request.get("detail_sheet_prefix", "Ratings")
            for index in range(sheets.getCount()):
                sheet = sheets.getByIndex(index)
                if prefix is not None and sheet.getName().startswith(prefix):
                    result["cells"][sheet.getName()] = self.cells_detail_all(sheet)
        else:
            if not isinstance(cells, dict):
                raise BridgeError('"cells" must map sheet names to lists of cell refs', EXIT_BAD_REQUEST, "request")
            for name, refs in cells.items():
                if not sheets.hasByName(name):
                    raise BridgeError(f"no sheet named {name!r}")
                result["cells"][name] = self.cells_detail(sheets.getByName(name), list(refs))
        return result


def _ref_key(ref: str) -> tuple[int, str]:
    m = re.match(r"([A-Z]+)(\d+)", ref)
    assert m
    return int(m.group(2)), m.group(1).rjust(3)


# --------------------------------------------------------------------------- operations


def apply_edit(doc: Any, edit: dict[str, Any]) -> None:
    if not isinstance(edit, dict) or "sheet" not in edit or "cell" not in edit:
        raise BridgeError(f"bad edit {edit!r}: needs 'sheet' and 'cell'", EXIT_BAD_REQUEST, "request")
    sheets = doc.Sheets
    if not sheets.hasByName(edit["sheet"]):
        raise BridgeError(f"edit {edit!r}: no sheet named {edit['sheet']!r}")
    cell = sheets.getByName(edit["sheet"]).getCellRangeByName(edit["cell"])
    if "formula" in edit:
        cell.setFormula(str(edit["formula"]))
        return
    if "value" not in edit:
        raise BridgeError(f"bad edit {edit!r}: needs 'value' or 'formula'", EXIT_BAD_REQUEST, "request")
    value = edit["value"]
    if value is None:
        cell.setString("")  # leaves no content; formats and validation stay
    elif isinstance(value, bool):
        cell.setValue(1.0 if value else 0.0)
    elif isinstance(value, (int, float)):
        cell.setValue(float(value))
    elif isinstance(value, str):
        cell.setString(value)
    else:
        raise BridgeError(
            f"bad edit {edit!r}: value must be a number, string, boolean or null", EXIT_BAD_REQUEST, "request"
        )


def run(session: Session, request: dict[str, Any]) -> dict[str, Any]:
    op = request.get("op")
    if op == "ping":
        return session.ping()
    if op not in ("read", "fill", "convert", "row_heights"):
        raise BridgeError(f"unknown op {op!r}", EXIT_BAD_REQUEST, "request")
    path = request.get("path")
    if not isinstance(path, str):
        raise BridgeError('"path" is required', EXIT_BAD_REQUEST, "request")

    doc = None
    try:
        if op == "read":
            doc = session.load(path, read_only=True)
            recalc = bool(request.get("recalc", False))
            if recalc:
                doc.calculateAll()
            result = Reader(doc).read(request, recalculated=recalc)
            result["path"] = path
            return result
        if op == "fill":
            output, fmt = request.get("output"), request.get("format")
            if not isinstance(output, str) or fmt not in ("xlsx", "ods"):
                raise BridgeError('fill needs "output" and "format" ("xlsx" or "ods")', EXIT_BAD_REQUEST, "request")
            doc = session.load(path, read_only=False)
            for edit in request.get("edits", []):
                apply_edit(doc, edit)
            doc.calculateAll()
            session.store(doc, output, fmt)
            result = Reader(doc).read(request, recalculated=True)
            result.update(path=path, output=output, format=fmt)
            return result
        if op == "row_heights":
            doc = session.load(path, read_only=False)
            heights: dict[str, list[list[int]]] = {}
            for name in request.get("sheets", []):
                sheet = doc.Sheets.getByName(name)
                cursor = sheet.createCursor()
                cursor.gotoEndOfUsedArea(False)
                last = cursor.RangeAddress.EndRow
                rows = sheet.Rows
                shown = [rows.getByIndex(r).Height for r in range(last + 1)]
                needed = []
                for r in range(last + 1):
                    row = rows.getByIndex(r)
                    row.OptimalHeight = True
                    needed.append(row.Height)
                heights[name] = [[a, b] for a, b in zip(shown, needed, strict=True)]
            return {"ok": True, "path": path, "heights": heights}
        # convert
        output = request.get("output")
        if not isinstance(output, str):
            raise BridgeError('convert needs "output"', EXIT_BAD_REQUEST, "request")
        doc = session.load(path, read_only=True)
        if request.get("recalc", False):
            doc.calculateAll()
        session.store(doc, output, "pdf")
        return {"ok": True, "path": path, "output": output}
    finally:
        close(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--connect", help='UNO connection, e.g. "pipe,name=NAME" or "socket,host=H,port=P"')
    target.add_argument("--pipe", help="pipe name (shorthand for --connect pipe,name=NAME)")
    target.add_argument("--socket", help="HOST:PORT (shorthand for --connect socket,host=HOST,port=PORT)")
    parser.add_argument("--connect-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    if args.pipe:
        description = f"pipe,name={args.pipe}"
    elif args.socket:
        host, _, port = args.socket.rpartition(":")
        description = f"socket,host={host or '127.0.0.1'},port={port}"
    else:
        description = args.connect

    try:
        try:
            request = json.loads(sys.stdin.read())
        except ValueError as exc:
            raise BridgeError(f"request is not valid JSON: {exc}", EXIT_BAD_REQUEST, "request") from exc
        if not isinstance(request, dict):
            raise BridgeError("request must be a JSON object", EXIT_BAD_REQUEST, "request")
        try:
            import uno  # noqa: F401
        except ImportError as exc:
            raise BridgeError(
                f"python3-uno is not importable in {sys.executable}: {exc}", EXIT_NO_CONNECTION, "uno"
            ) from exc
        ctx = connect(description, args.connect_timeout)
        response = run(Session(ctx), request)
        code = EXIT_OK
    except BridgeError as exc:
        response = {"error": str(exc), "kind": exc.kind, "traceback": traceback.format_exc()}
        code = exc.code
    except Exception as exc:  # UNO exceptions carry their text in .Message
        message = getattr(exc, "Message", "") or str(exc)
        response = {
            "error": f"{type(exc).__name__}: {message}",
            "kind": "uno",
            "traceback": traceback.format_exc(),
        }
        code = EXIT_FAILED
    sys.stdout.write(json.dumps(response, ensure_ascii=False))
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: pyuno's bridge destructors can hang or crash at exit.
    os._exit(code)


if __name__ == "__main__":
    main()

"""Worksheet XML written directly: the per-manager parts of a generated workbook, at string speed.

A general writer (xlsxwriter) spends most of its time per workbook on parts that never change between
managers and on per-call checks our plans do not need. `generate` therefore builds the package once
per workbook shape (`package.Skeleton`: styles, theme, relationships) and writes each worksheet here,
element for element in the order and form xlsxwriter writes them, so that Excel and LibreOffice read
the same file they read before. Strings are inline (`t="inlineStr"`): no shared-strings table ties one
sheet to another, so a sheet rendered once (the guide) is reused byte for byte in every workbook.

>>> sheet = Worksheet()
>>> sheet.text(0, 0, "Tom & Zoë", 3)
>>> sheet.number(0, 1, 4)
>>> b"<c r=\\"A1\\" s=\\"3\\" t=\\"inlineStr\\"><is><t>Tom &amp; Zo\\xc3\\xab</t></is></c>" in sheet.xml()
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from matrixkit.workbook.cells import cell_ref, col_letter

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)
_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_x([0-9a-fA-F]{4})_")
_NEEDS_ESCAPE = re.compile(r"[&<>\"\n\r\t\x00-\x1f_\ufffe\uffff]")


def text_content(text: str) -> str:
    """Text as element content: XML-escaped; characters XML cannot carry as Excel's `_xHHHH_` escapes."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F\g<0>", text)  # literal text that looks like an escape
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def text_from_content(content: str) -> str:
    """The inverse of `text_content` once an XML parser has read the entities: `_xHHHH_` undone.

    >>> text_from_content("Tom_x0001_ _x005F_x0041_") == "Tom\x01 _x0041_"
    True
    """
    if "_x" not in content:
        return content
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), content)


def attribute(text: str) -> str:
    """Text as an attribute value (without the quotes)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    text = text.replace("\n", "&#xA;").replace("\r", "&#xD;").replace("\t", "&#x9;")
    return _CONTROL.sub("", text)


def number_text(value: float) -> str:
    """`4`, `3.5`, `1e+99`: integers without a fraction, everything else round-trip exact."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return repr(float(value))


def column_width(characters: float) -> str:
    """Excel's stored width for a column `characters` wide in Calibri 11 (xlsxwriter's arithmetic)."""
    pixels = int(characters * 7 + 0.5) + 5 if characters >= 1 else int(characters * 12 + 0.5)
    return number_text(int(pixels / 7 * 256) / 256)


def row_height(points: float) -> str:
    """Heights snap to whole pixels, as Excel stores them."""
    return number_text(int(points * 4 / 3 + 0.5) * 0.75)


def password_hash(password: str) -> str:
    """The legacy sheet-protection hash (ECMA-376-4 §18.2.29): hides nothing, deters accidents."""
    digest = 0
    for char in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


@dataclass(frozen=True)
class Validation:
    """A data validation: `kind` list / decimal; `source` a quoted list, a range, or (min, max)."""

    kind: str
    source: str | tuple[float, float]
    input_title: str = ""
    input_message: str = ""
    error_title: str = ""
    error_message: str = ""

    def xml(self, sqref: str) -> str:
        head, tail = self._rendered
        return f'{head} sqref="{sqref}">{tail}'

    @cached_property
    def _rendered(self) -> tuple[str, str]:
        """The element around its `sqref`, rendered once: one validation serves many sheets."""
        parts = [f'<dataValidation type="{self.kind}" allowBlank="1" showInputMessage="1" showErrorMessage="1"']
        for name, value in (
            ("errorTitle", self.error_title),
            ("error", self.error_message),
            ("promptTitle", self.input_title),
            ("prompt", self.input_message),
        ):
            if value:
                parts.append(f' {name}="{attribute(value)}"')
        if isinstance(self.source, tuple):
            low, high = self.source
            formulas = f"<formula1>{number_text(low)}</formula1><formula2>{number_text(high)}</formula2>"
        else:
            formulas = f"<formula1>{text_content(self.source)}</formula1>"
        return "".join(parts), formulas + "</dataValidation>"


def quoted_list(values: Iterable[str]) -> str:
    return '"' + ",".join(values) + '"'


@dataclass
class Worksheet:
    """One worksheet's content and settings; `xml()` renders it. Rows and columns are zero-based."""

    columns: list[tuple[int, int, float]] = field(default_factory=list)  # first, last, width
    freeze: tuple[int, int] | None = None  # rows and columns frozen
    show_gridlines: bool = True
    print_gridlines: bool = False
    selected: bool = False  # the tab shown when the workbook opens
    protected: bool = True
    protect_options: bool = True  # allow sorting, filtering and resizing (the input sheets)
    password: str | None = None
    autofilter: tuple[int, int] | None = None  # (last row, last column) of a filter from A1
    landscape: bool = False
    fit_to_width: bool = False
    paper: int | None = None
    # row → column → the cell's XML: a cell written again replaces what was written (one `<c>` per cell)
    _rows: dict[int, dict[int, str]] = field(default_factory=dict)
    _heights: dict[int, float] = field(default_factory=dict)
    _validations: list[str] = field(default_factory=list)
    _conditional: list[tuple[str, list[tuple[str, int, bool]]]] = field(default_factory=list)

    # -- cells ---------------------------------------------------------------------------------

    def _put(self, row: int, col: int, xml: str) -> None:
        cells = self._rows.get(row)
        if cells is None:
            self._rows[row] = {col: xml}
        else:
            cells[col] = xml

    def raw(self, row: int, col: int, xml: str) -> None:
        """Cells rendered elsewhere (`cells_xml` of a row like this one), placed from column `col` on.

        They count as one cell at `col`: the caller writes nothing else into the columns they cover."""
        self._put(row, col, xml)

    def cells_xml(self, row: int) -> str:
        return "".join(xml for _, xml in sorted(self._rows.get(row, {}).items(), key=_first))

    def text(self, row: int, col: int, value: str, style: int | None = None) -> None:
        s = f' s="{style}"' if style else ""
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        self._put(
            row,
            col,
            f'<c r="{col_letter(col)}{row + 1}"{s} t="inlineStr"><is><t{space}>{text_content(value)}</t></is></c>',
        )

    def number(self, row: int, col: int, value: float, style: int | None = None) -> None:
        """A number; NaN or infinity, which no cell can hold (Excel refuses the file), as a blank cell."""
        s = f' s="{style}"' if style else ""
        if isinstance(value, float) and not math.isfinite(value):
            self._put(row, col, f'<c r="{col_letter(col)}{row + 1}"{s}/>')
            return
        self._put(row, col, f'<c r="{col_letter(col)}{row + 1}"{s}><v>{number_text(value)}</v></c>')

    def blank(self, row: int, col: int, style: int) -> None:
        self._put(row, col, f'<c r="{col_letter(col)}{row + 1}" s="{style}"/>')

    def formula(self, row: int, col: int, formula: str, style: int) -> None:
        """A formula whose value on opening is empty (what every generated formula shows first)."""
        formula = formula.removeprefix("=")
        self._put(row, col, f'<c r="{col_letter(col)}{row + 1}" s="{style}"><f>{text_content(formula)}</f><v></v></c>')

    def height(self, row: int, points: float) -> None:
        self._heights[row] = points

    # -- rules ---------------------------------------------------------------------------------

    def validate(self, sqref: str, validation: Validation) -> None:
        self._validations.append(validation.xml(sqref))

    def conditional(self, sqref: str, rules: Sequence[tuple[str, int, bool]]) -> None:
        """Rules (formula without `=`, dxf style, stop if true) applied to `sqref`, in priority order."""
        self._conditional.append((sqref, list(rules)))

    # -- rendering -----------------------------------------------------------------------------

    def xml(self) -> bytes:
        out: list[str] = [_HEAD]
        if self.fit_to_width:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        out.append(f'<dimension ref="{self._dimension()}"/>')
        out.append(self._views())
        out.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self.columns:
            out.append("<cols>")
            for first, last, width in self.columns:
                out.append(f'<col min="{first + 1}" max="{last + 1}" width="{column_width(width)}" customWidth="1"/>')
            out.append("</cols>")
        out.append(self._sheet_data())
        if self.protected:
            out.append(self._protection())
        if self.autofilter is not None:
            last_row, last_col = self.autofilter
            out.append(f'<autoFilter ref="A1:{cell_ref(last_row, last_col)}"/>')
        priority = 0
        for sqref, rules in self._conditional:
            out.append(f'<conditionalFormatting sqref="{sqref}">')
            for formula, dxf, stop in rules:
                priority += 1
                stop_attr = ' stopIfTrue="1"' if stop else ""
                out.append(
                    f'<cfRule type="expression" dxfId="{dxf}" priority="{priority}"{stop_attr}>'
                    f"<formula>{text_content(formula)}</formula></cfRule>"
                )
            out.append("</conditionalFormatting>")
        if self._validations:
            out.append(f'<dataValidations count="{len(self._validations)}">')
            out.extend(self._validations)
            out.append("</dataValidations>")
        if self.print_gridlines:
            out.append('<printOptions gridLines="1"/>')
        out.append(_MARGINS)
        if self.landscape or self.paper or self.fit_to_width:
            paper = f' paperSize="{self.paper}"' if self.paper else ""
            fit = ' fitToHeight="0"' if self.fit_to_width else ""
            orientation = ' orientation="landscape"' if self.landscape else ""
            out.append(f"<pageSetup{paper}{fit}{orientation}/>")
        out.append("</worksheet>")
        return "".join(out).encode("utf-8")

    def _dimension(self) -> str:
        if not self._rows:
            return "A1"
        first_row, last_row = min(self._rows), max(self._rows)
        columns = [col for cells in self._rows.values() for col in cells]
        first, last = cell_ref(first_row, min(columns)), cell_ref(last_row, max(columns))
        return first if first == last else f"{first}:{last}"

    def _views(self) -> str:
        attributes = "" if self.show_gridlines else ' showGridLines="0"'
        if self.selected:
            attributes += ' tabSelected="1"'
        if self.freeze is None:
            return f'<sheetViews><sheetView{attributes} workbookViewId="0"/></sheetViews>'
        rows, cols = self.freeze
        top_left = cell_ref(rows, cols)
        return (
            f'<sheetViews><sheetView{attributes} workbookViewId="0">'
            f'<pane xSplit="{cols}" ySplit="{rows}" topLeftCell="{top_left}" activePane="bottomRight" state="frozen"/>'
            f'<selection pane="topRight" activeCell="{col_letter(cols)}1" sqref="{col_letter(cols)}1"/>'
            f'<selection pane="bottomLeft" activeCell="A{rows + 1}" sqref="A{rows + 1}"/>'
            '<selection pane="bottomRight"/></sheetView></sheetViews>'
        )

    def _sheet_data(self) -> str:
        if not self._rows:
            return "<sheetData/>"
        out = ["<sheetData>"]
        for row in sorted(self._rows.keys() | self._heights.keys()):
            height = self._heights.get(row)
            ht = f' ht="{row_height(height)}" customHeight="1"' if height is not None else ""
            cells = self._rows.get(row)
            if not cells:
                out.append(f'<row r="{row + 1}"{ht}/>')
                continue
            out.append(f'<row r="{row + 1}"{ht}>')
            out.extend(xml for _, xml in sorted(cells.items(), key=_first))
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out)

    def _protection(self) -> str:
        password = f' password="{password_hash(self.password)}"' if self.password else ""
        options = ' formatColumns="0" formatRows="0" sort="0" autoFilter="0"' if self.protect_options else ""
        return f'<sheetProtection{password} sheet="1" objects="1" scenarios="1"{options}/>'


def _first(item: tuple[int, str]) -> int:
    return item[0]

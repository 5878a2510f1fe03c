"""Is an .xlsx one Excel opens without its "We found a problem with some content" repair prompt?

`validate_xlsx` checks every XML part against the ISO/IEC 29500 transitional schemas vendored in
tests/ooxml/ (chosen by the part's content type), after removing Markup-Compatibility content and
xml:space / xml:lang attributes as Office does before it validates, and then what Excel enforces
beyond the schemas: cells and rows in order and each written once, within XFD1048576; style,
shared-string and dxf indexes inside their tables; formulas of at most 8,192 characters; numbers
Excel can hold (no NaN, no infinity); cell text of at most 32,767 UTF-16 units; data-validation
prompts and errors of at most 255, titles of at most 32; sheet names Excel accepts (31 UTF-16 units,
none of []:*?/\\, no control character, no apostrophe at either end), unique; defined names unique
per scope and naming sheets that exist, and charts drawing from sheets that exist; merged ranges
that do not overlap; every part typed and every relationship pointing at a part.

>>> from ooxml_check import validate_xlsx
>>> validate_xlsx(b"not a zip")
['(file): not a zip archive']
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "ooxml"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML = "http://www.w3.org/XML/1998/namespace"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"

_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
WORKSHEET = _SML + "worksheet+xml"
WORKBOOK = _SML + "sheet.main+xml"
STYLES = _SML + "styles+xml"
SHARED_STRINGS = _SML + "sharedStrings+xml"
CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CONTENT_TYPE_SCHEMAS = {
    WORKSHEET: "sml.xsd",
    WORKBOOK: "sml.xsd",
    STYLES: "sml.xsd",
    SHARED_STRINGS: "sml.xsd",
    _SML + "table+xml": "sml.xsd",
    _SML + "comments+xml": "sml.xsd",
    _SML + "calcChain+xml": "sml.xsd",
    CHART: "dml-chart.xsd",
    "application/vnd.openxmlformats-officedocument.drawing+xml": "dml-spreadsheetDrawing.xsd",
    "application/vnd.openxmlformats-officedocument.theme+xml": "dml-main.xsd",
    "application/vnd.openxmlformats-package.core-properties+xml": "opc-coreProperties.xsd",
    "application/vnd.openxmlformats-officedocument.extended-properties+xml": "shared-documentPropertiesExtended.xsd",
    "application/vnd.openxmlformats-officedocument.custom-properties+xml": "shared-documentPropertiesCustom.xsd",
    "application/vnd.openxmlformats-package.relationships+xml": "opc-relationships.xsd",
}
CONTENT_TYPES_PART = "[Content_Types].xml"

# Excel's limits (support.microsoft.com, "Excel specifications and limits") and its rules for names.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_FORMULA = 8_192
MAX_CELL_TEXT = 32_767
MAX_VALIDATION_TEXT = 255
MAX_VALIDATION_TITLE = 32
MAX_VALIDATION_LIST = 255
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
FIRST_CUSTOM_NUMBER_FORMAT = 164

# A sheet named in a formula: 'quoted, with '' for an apostrophe'! or plain!
_SHEET_REFERENCE = re.compile(r"'((?:[^']|'')+)'!|([A-Za-z_][\w.]*)!")
_FORMULA, _VALUE, _INLINE, _TEXT = (f"{{{MAIN}}}{tag}" for tag in ("f", "v", "is", "t"))
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
ERROR_VALUES = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


def validate_xlsx(source: str | Path | bytes) -> list[str]:
    """Every reason Excel would repair or refuse `source` (a path or the file's bytes), each naming
    the part and line; an empty list for a file Excel opens cleanly.

    >>> import xlsxwriter
    >>> buffer = io.BytesIO()
    >>> workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    >>> workbook.add_worksheet("Ratings").write(0, 0, "Employee ID")
    0
    >>> workbook.close()
    >>> validate_xlsx(buffer.getvalue())
    []
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ["(file): not a zip archive"]
    with archive:
        return _Package(archive).validate()


@cache
def _schema(name: str) -> etree.XMLSchema:
    """Each schema compiled once per session (lxml resolves the imports beside it)."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass
class _Part:
    name: str
    content_type: str | None
    root: etree._Element | None = None


class _Package:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.errors: list[str] = []
        self.names = [info.filename for info in archive.infolist() if not info.filename.endswith("/")]
        self.parts: dict[str, _Part] = {}

    def error(self, part: str, line: int | None, message: str) -> None:
        self.errors.append(f"{part}:{line}: {message}" if line else f"{part}: {message}")

    def validate(self) -> list[str]:
        if len(set(self.names)) != len(self.names):
            self.error("(zip)", None, "a part name appears twice")
        if CONTENT_TYPES_PART not in self.names:
            self.error(CONTENT_TYPES_PART, None, "missing")
            return self.errors
        types = self._content_types()
        for name in self.names:
            if name == CONTENT_TYPES_PART:
                continue
            content_type = types(name)
            part = self.parts[name] = _Part(name, content_type)
            if content_type is None:
                self.error(name, None, "no content type in [Content_Types].xml")
            elif content_type.endswith("xml"):
                schema = CONTENT_TYPE_SCHEMAS.get(content_type)
                if schema is None:
                    self.error(name, None, f"no schema known for content type {content_type}")
                part.root = self._parse_and_validate(name, schema)
        self._check_relationships()
        self._check_workbook()
        return self.errors

    def _content_types(self) -> _TypeLookup:
        root = self._parse_and_validate(CONTENT_TYPES_PART, "opc-contentTypes.xsd")
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        if root is not None:
            for element in root:
                if element.tag == f"{{{CONTENT_TYPES_NS}}}Default":
                    defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
                elif element.tag == f"{{{CONTENT_TYPES_NS}}}Override":
                    overrides[element.get("PartName", "").lstrip("/").lower()] = element.get("ContentType", "")
        for override in overrides:
            if override not in {name.lower() for name in self.names}:
                self.error(CONTENT_TYPES_PART, None, f"an Override names /{override}, which is not in the package")
        return _TypeLookup(defaults, overrides)

    def _parse_and_validate(self, name: str, schema: str | None) -> etree._Element | None:
        try:
            raw = self.archive.read(name)
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            self.error(name, exc.lineno, f"not well-formed XML: {exc.msg}")
            return None
        if b"markup-compatibility" in raw or b"xml:" in raw:  # else there is nothing to drop
            drop_markup_compatibility(root)
        if schema is not None:
            validator = _schema(schema)
            if not validator.validate(root):
                for entry in validator.error_log:
                    message = entry.message.replace(f"{{{MAIN}}}", "")
                    self.error(name, entry.line, f"{_where(root, entry.path)}{message}")
        return root

    def _check_relationships(self) -> None:
        known = {name.lower() for name in self.names}
        for part in self.parts.values():
            if part.root is None or not part.name.endswith(".rels"):
                continue
            source_folder = posixpath.dirname(posixpath.dirname(part.name))  # "xl/_rels/x.rels" → "xl"
            for rel in part.root:
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target", "")
                resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(source_folder, target)
                resolved = posixpath.normpath(resolved)
                if resolved.lower() not in known:
                    self.error(
                        part.name,
                        rel.sourceline,
                        f"relationship {rel.get('Id')} points at {resolved}, not in the package",
                    )

    def _check_workbook(self) -> None:
        by_type: dict[str, list[_Part]] = {}
        for part in self.parts.values():
            if part.root is not None and part.content_type is not None:
                by_type.setdefault(part.content_type, []).append(part)
        styles = next(iter(by_type.get(STYLES, [])), None)
        limits = self._check_styles(styles) if styles is not None else _StyleLimits(1, 0)
        strings = next(iter(by_type.get(SHARED_STRINGS, [])), None)
        string_count = len(strings.root.findall(f"{{{MAIN}}}si")) if strings and strings.root is not None else 0
        if strings is not None and strings.root is not None:
            for si in strings.root.iter(f"{{{MAIN}}}si"):
                text = "".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t") if t.getparent().tag != f"{{{MAIN}}}rPh")
                if (length := _utf16_length(text)) > MAX_CELL_TEXT:
                    self.error(
                        strings.name,
                        si.sourceline,
                        f"a shared string of {length:,} UTF-16 units (Excel holds {MAX_CELL_TEXT:,})",
                    )
        sheet_names: set[str] = set()
        for workbook in by_type.get(WORKBOOK, []):
            sheet_names |= self._check_sheet_names(workbook)
        for chart in by_type.get(CHART, []):
            assert chart.root is not None
            for reference in chart.root.iter(f"{{{CHART_NS}}}f"):
                for sheet_name in sheets_named_in(reference.text or ""):
                    if sheet_name.casefold() not in sheet_names:
                        self.error(
                            chart.name,
                            reference.sourceline,
                            f"the chart draws from sheet {sheet_name!r}, which the workbook lacks",
                        )
        for sheet in by_type.get(WORKSHEET, []):
            _SheetCheck(self, sheet, limits, string_count).run()

    def _check_styles(self, styles: _Part) -> _StyleLimits:
        assert styles.root is not None

        def count(table: str) -> int:
            element = styles.root.find(f"{{{MAIN}}}{table}") if styles.root is not None else None
            return 0 if element is None else len(element)

        sizes = {name: count(name) for name in ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "dxfs")}
        number_formats = {
            int(fmt.get("numFmtId", "-1")) for fmt in styles.root.iterfind(f"{{{MAIN}}}numFmts/{{{MAIN}}}numFmt")
        }
        references = {"fontId": "fonts", "fillId": "fills", "borderId": "borders", "xfId": "cellStyleXfs"}
        for table in ("cellStyleXfs", "cellXfs"):
            for xf in styles.root.iterfind(f"{{{MAIN}}}{table}/{{{MAIN}}}xf"):
                for attribute, target in references.items():
                    value = xf.get(attribute)
                    if (
                        value is not None
                        and not 0 <= int(value) < sizes[target]
                        and not (table == "cellStyleXfs" and attribute == "xfId")
                    ):
                        self.error(
                            styles.name,
                            xf.sourceline,
                            f"{table} xf has {attribute}={value}, past the {sizes[target]} {target}",
                        )
                number_format = int(xf.get("numFmtId", "0"))
                if number_format >= FIRST_CUSTOM_NUMBER_FORMAT and number_format not in number_formats:
                    self.error(
                        styles.name,
                        xf.sourceline,
                        f"{table} xf has numFmtId={number_format}, which numFmts does not define",
                    )
        return _StyleLimits(sizes["cellXfs"], sizes["dxfs"])

    def _check_sheet_names(self, workbook: _Part) -> set[str]:
        """Checks the sheet and defined names; returns the sheet names, casefolded."""
        assert workbook.root is not None
        seen: set[str] = set()
        for sheet in workbook.root.iterfind(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet"):
            name = sheet.get("name", "")
            for problem in sheet_name_problems(name):
                self.error(workbook.name, sheet.sourceline, f"sheet name {name!r}: {problem}")
            if name.casefold() in seen:
                self.error(workbook.name, sheet.sourceline, f"sheet name {name!r} appears twice")
            seen.add(name.casefold())
        sheet_count = len(seen)
        defined_names: set[tuple[str, str | None]] = set()
        for defined in workbook.root.iterfind(f"{{{MAIN}}}definedNames/{{{MAIN}}}definedName"):
            local = defined.get("localSheetId")
            scoped = (defined.get("name", "").casefold(), local)
            if scoped in defined_names:
                self.error(
                    workbook.name, defined.sourceline, f"defined name {defined.get('name')} appears twice in one scope"
                )
            defined_names.add(scoped)
            if local is not None and not 0 <= int(local) < sheet_count:
                self.error(
                    workbook.name,
                    defined.sourceline,
                    f"defined name {defined.get('name')} has localSheetId={local}, past the {sheet_count} sheets",
                )
            formula = defined.text or ""
            if len(formula) > MAX_FORMULA:
                self.error(
                    workbook.name,
                    defined.sourceline,
                    f"defined name {defined.get('name')} of {len(formula):,} characters (Excel takes {MAX_FORMULA:,})",
                )
            for sheet_name in sheets_named_in(formula):
                if sheet_name.casefold() not in seen:
                    self.error(
                        workbook.name,
                        defined.sourceline,
                        f"defined name {defined.get('name')} refers to sheet {sheet_name!r}, which the workbook lacks",
                    )
        return seen


def sheets_named_in(formula: str) -> list[str]:
    """The sheets a formula refers to.

    >>> sheets_named_in("'Team gaps'!$A$1:$B$2,Summary!$1:$1,'Bob''s'!A1")
    ['Team gaps', 'Summary', "Bob's"]
    """
    return [quoted.replace("''", "'") if quoted else plain for quoted, plain in _SHEET_REFERENCE.findall(formula)]


def sheet_name_problems(name: str) -> list[str]:
    """What Excel refuses in a sheet name.

    >>> sheet_name_problems("Ratings"), sheet_name_problems("🚀" * 16)
    ([], ['32 UTF-16 units, past 31'])
    """
    problems = []
    if not name:
        problems.append("empty")
    if _utf16_length(name) > MAX_SHEET_NAME:
        problems.append(f"{_utf16_length(name)} UTF-16 units, past {MAX_SHEET_NAME}")
    if forbidden := sorted(SHEET_NAME_FORBIDDEN.intersection(name)):
        problems.append(f"holds {''.join(forbidden)}")
    if any(ord(character) < 0x20 or 0x7F <= ord(character) < 0xA0 for character in name):
        problems.append("holds a control character")
    if name.startswith("'") or name.endswith("'"):
        problems.append("begins or ends with an apostrophe")
    if name.casefold() == "history":
        problems.append("History is reserved by Excel")
    return problems


@dataclass(frozen=True)
class _StyleLimits:
    cell_formats: int
    differential_formats: int


@dataclass(frozen=True)
class _TypeLookup:
    defaults: dict[str, str]
    overrides: dict[str, str]

    def __call__(self, name: str) -> str | None:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return self.overrides.get(name.lower(), self.defaults.get(extension))


class _SheetCheck:
    """What Excel enforces in one worksheet beyond its schema."""

    def __init__(self, package: _Package, part: _Part, styles: _StyleLimits, strings: int) -> None:
        assert part.root is not None
        self.package = package
        self.part = part
        self.root = part.root
        self.styles = styles
        self.strings = strings

    def error(self, element: etree._Element, message: str) -> None:
        self.package.error(self.part.name, element.sourceline, message)

    def run(self) -> None:
        self._check_cells()
        self._check_columns()
        self._check_validations()
        self._check_merges()
        for rule in self.root.iterfind(f"{{{MAIN}}}conditionalFormatting/{{{MAIN}}}cfRule"):
            dxf = rule.get("dxfId")
            if dxf is not None and not int(dxf) < self.styles.differential_formats:
                self.error(rule, f"conditional format dxfId={dxf}, past the {self.styles.differential_formats} dxfs")

    def _style(self, element: etree._Element, attribute: str, where: str) -> None:
        value = element.get(attribute)
        if value is not None and not int(value) < self.styles.cell_formats:
            self.error(
                element, f"{where} has style {value}, past the {self.styles.cell_formats} cellXfs of the styles part"
            )

    def _check_cells(self) -> None:
        previous_row = 0
        for row in self.root.iterfind(f"{{{MAIN}}}sheetData/{{{MAIN}}}row"):
            number = int(row.get("r", previous_row + 1))
            if number <= previous_row:
                kind = "written twice" if number == previous_row else f"after row {previous_row}"
                self.error(row, f"row {number} {kind}: rows must be in ascending order")
            if number > MAX_ROWS:
                self.error(row, f"row {number}, past Excel's {MAX_ROWS:,}")
            previous_row = max(previous_row, number)
            self._style(row, "s", f"row {number}")
            previous_column = 0
            for cell in row.iterfind(f"{{{MAIN}}}c"):
                ref = cell.get("r")
                column = previous_column + 1
                if ref is not None:
                    letters = ref.rstrip("0123456789")
                    digits = ref[len(letters) :]
                    if not (letters.isascii() and letters.isalpha() and letters.isupper() and digits.isdigit()):
                        self.error(cell, f"cell reference {ref!r} is not a cell")
                        continue
                    column = column_number(letters)
                    if int(digits) != number:
                        self.error(cell, f"cell {ref} inside row {number}")
                name = ref or f"{column_letters(column)}{number}"
                if column > MAX_COLUMNS:
                    self.error(cell, f"cell {name}, past Excel's last column XFD")
                if column == previous_column:
                    self.error(cell, f"cell {name} written twice")
                elif column < previous_column:
                    self.error(
                        cell,
                        f"cell {name} after {column_letters(previous_column)}{number}: cells must be in column order",
                    )
                previous_column = max(previous_column, column)
                style = cell.get("s")
                if style is not None and not int(style) < self.styles.cell_formats:
                    self._style(cell, "s", f"cell {name}")
                if len(cell):  # a value, a formula or inline text
                    self._check_value(cell, name)

    def _check_value(self, cell: etree._Element, name: str) -> None:
        kind = cell.get("t", "n")
        for child in cell:
            if child.tag == _FORMULA:
                if len(child.text or "") > MAX_FORMULA:
                    self.error(
                        cell,
                        f"cell {name}: formula of {len(child.text or ''):,} characters (Excel takes {MAX_FORMULA:,})",
                    )
            elif child.tag == _VALUE:
                self._check_cached(cell, name, kind, child.text or "")
            elif child.tag == _INLINE:
                for text in child.iter(_TEXT):
                    self._check_text(cell, name, text.text or "")

    def _check_cached(self, cell: etree._Element, name: str, kind: str, value: str) -> None:
        if kind == "s":
            index = int(value) if value.isdigit() else -1
            if not 0 <= index < self.strings:
                self.error(cell, f"cell {name}: shared string {value!r}, past the {self.strings} strings")
        # An empty <v/> is a formula not yet calculated, as openpyxl writes it too: Excel accepts it.
        elif kind == "n" and value and not _finite_number(value):
            self.error(cell, f"cell {name}: number {value!r}, which Excel cannot hold")
        elif kind == "b" and value not in ("0", "1"):
            self.error(cell, f"cell {name}: boolean {value!r}, not 0 or 1")
        elif kind == "e" and value not in ERROR_VALUES:
            self.error(cell, f"cell {name}: error value {value!r}, not one Excel has")
        elif kind == "str":
            self._check_text(cell, name, value)

    def _check_text(self, cell: etree._Element, name: str, text: str) -> None:
        if len(text) * 2 > MAX_CELL_TEXT and (length := _utf16_length(text)) > MAX_CELL_TEXT:
            self.error(cell, f"cell {name}: text of {length:,} UTF-16 units (Excel holds {MAX_CELL_TEXT:,})")

    def _check_merges(self) -> None:
        taken: dict[tuple[int, int], str] = {}
        for merge in self.root.iterfind(f"{{{MAIN}}}mergeCells/{{{MAIN}}}mergeCell"):
            span = merge.get("ref", "")
            corners = [_CELL_REF.fullmatch(corner) for corner in span.split(":")]
            if len(corners) != 2 or None in corners:
                self.error(merge, f"merged range {span!r} is not a range")
                continue
            (first_col, first_row), (last_col, last_row) = (
                (column_number(found.group(1)), int(found.group(2))) for found in corners if found is not None
            )
            for row in range(first_row, last_row + 1):
                for col in range(first_col, last_col + 1):
                    if (row, col) in taken:
                        self.error(merge, f"merged range {span} overlaps {taken[row, col]}")
                        return
                    taken[row, col] = span

    def _check_columns(self) -> None:
        previous = 0
        for col in self.root.iterfind(f"{{{MAIN}}}cols/{{{MAIN}}}col"):
            first, last = int(col.get("min", "0")), int(col.get("max", "0"))
            if first <= previous or last < first or last > MAX_COLUMNS:
                self.error(
                    col, f"column range {first}-{last} overlaps, runs backwards or passes XFD (after {previous})"
                )
            previous = max(previous, last)
            self._style(col, "style", f"columns {first}-{last}")

    def _check_validations(self) -> None:
        for validation in self.root.iterfind(f"{{{MAIN}}}dataValidations/{{{MAIN}}}dataValidation"):
            where = f"data validation over {validation.get('sqref')}"
            for attribute, limit in (
                ("prompt", MAX_VALIDATION_TEXT),
                ("error", MAX_VALIDATION_TEXT),
                ("promptTitle", MAX_VALIDATION_TITLE),
                ("errorTitle", MAX_VALIDATION_TITLE),
            ):
                text = validation.get(attribute)
                if text is not None and _utf16_length(text) > limit:
                    self.error(validation, f"{where}: {attribute} of {_utf16_length(text)} characters, past {limit}")
            for tag in ("formula1", "formula2"):
                formula = validation.find(f"{{{MAIN}}}{tag}")
                source = "" if formula is None else formula.text or ""
                if len(source) > MAX_FORMULA:
                    self.error(validation, f"{where}: {tag} of {len(source):,} characters, past {MAX_FORMULA:,}")
                if (
                    validation.get("type") == "list"
                    and source.startswith('"')
                    and len(source) - 2 > MAX_VALIDATION_LIST
                ):
                    self.error(
                        validation, f"{where}: a list of {len(source) - 2} characters, past {MAX_VALIDATION_LIST}"
                    )


def drop_markup_compatibility(root: etree._Element) -> None:
    """Remove what an Office reader removes before it validates, in place: `mc:AlternateContent`
    becomes the content of its `mc:Fallback`, elements and attributes in the namespaces `mc:Ignorable`
    names go (declared anywhere in the part: Office writers declare them on the root), and so do
    xml:space, xml:lang and the mc: attributes themselves."""
    while (alternate := next(root.iter(f"{{{MC}}}AlternateContent"), None)) is not None:
        parent = alternate.getparent()
        assert parent is not None, "the root of a part is never mc:AlternateContent"
        fallback = alternate.find(f"{{{MC}}}Fallback")
        position = parent.index(alternate)
        parent.remove(alternate)
        for offset, child in enumerate([] if fallback is None else list(fallback)):
            parent.insert(position + offset, child)
    ignorable = {MC, XML}
    for element in root.xpath("//*[@mc:Ignorable]", namespaces={"mc": MC}):
        ignorable.update(element.nsmap.get(prefix) for prefix in element.get(f"{{{MC}}}Ignorable", "").split())
    ignorable.discard(None)
    for namespace in ignorable:
        for attribute in root.xpath("//@*[namespace-uri() = $ns]", ns=namespace):
            attribute.getparent().attrib.pop(attribute.attrname)
        for element in root.xpath("//*[namespace-uri() = $ns]", ns=namespace):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)


def _where(root: etree._Element, path: str | None) -> str:
    """The cell (or row) a schema error sits in, since xlsxwriter writes a worksheet on one line."""
    if not path:
        return ""
    try:
        found = root.xpath(path)
    except etree.XPathError:
        return ""
    element = found[0] if found and isinstance(found[0], etree._Element) else None
    while element is not None:
        if element.tag in (f"{{{MAIN}}}c", f"{{{MAIN}}}row") and element.get("r"):
            return f"{'cell' if element.tag.endswith('}c') else 'row'} {element.get('r')}: "
        element = element.getparent()
    return ""


@cache
def column_number(letters: str) -> int:
    """'A' → 1, 'XFD' → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    """1 → 'A', 16384 → 'XFD'."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _finite_number(text: str) -> bool:
    """Excel stores numbers as finite doubles: no NaN, no infinity, nothing Python's float() reads but
    XML Schema's double does not (underscores, spaces)."""
    if not _NUMBER.fullmatch(text):
        return False
    return math.isfinite(float(text))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def iter_xlsx_made_by_matrixkit(folder: Path) -> Iterator[Path]:
    """The .xlsx files under `folder` that matrixkit wrote and nothing changed since (see
    `made_by_matrixkit`)."""
    for path in sorted(folder.rglob("*.xlsx")):
        if path.is_file() and not path.is_symlink() and made_by_matrixkit(path.read_bytes()):
            yield path


def made_by_matrixkit(data: bytes) -> bool:
    """Whether `data` is a workbook as matrixkit writes it: its core properties name matrixkit as
    the author, its extended properties the application xlsxwriter names, and every zip member keeps
    the fixed 1980-01-01 date that matrixkit and xlsxwriter stamp. A workbook re-saved by openpyxl or
    LibreOffice, or rebuilt by tests/badfiles.py (which dates its members 2026), fails one of them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(info.date_time != (1980, 1, 1, 0, 0, 0) for info in archive.infolist()):
                return False
            core = etree.fromstring(archive.read("docProps/core.xml"), _PARSER)
            app = etree.fromstring(archive.read("docProps/app.xml"), _PARSER)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, OSError):
        return False
    creator: str | None = core.findtext(f"{{{DC}}}creator")
    application: str | None = app.findtext(f"{{{EXTENDED_NS}}}Application")
    return creator == "matrixkit" and application == "Microsoft Excel"

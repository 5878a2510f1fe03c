"""The .xlsx package around the worksheets: built once per workbook shape, then stamped per manager.

xlsxwriter writes a *skeleton* workbook once — styles, theme, relationships, content types, document
properties and the workbook part, with empty worksheets of the right names — so every package part
is exactly what a mature writer produces. Each manager's workbook then takes the skeleton's parts,
already compressed, and adds its own worksheets and the few small parts that name the manager, whose
variable text the skeleton holds as placeholders. The zip is written here, with fixed timestamps, so
identical inputs give identical bytes.

>>> member = deflate("xl/worksheets/sheet1.xml", b"<worksheet/>")
>>> member.size, zip_bytes([member])[:4]
(12, b'PK\\x03\\x04')
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import xlsxwriter

from matrixkit.workbook.sheetxml import attribute, text_content

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, as xlsxwriter stamps its members
SHARED_COMPRESSION = 6  # parts compressed once for every workbook: worth the smallest size
OWN_COMPRESSION = 1  # parts of one workbook: a third of the time for a tenth more bytes

# Last rows (1-based) of the skeleton's filter ranges, one per Ratings sheet, each replaced by the real
# last row; below Excel's 1,048,576, which xlsxwriter would turn into a whole-column reference.
_SENTINEL_ROW = 999_999


@dataclass(frozen=True)
class Spooled:
    """A raw deflate stream whose middle waits in a temporary file (in memory up to a few MiB, then on
    disk, unnamed and readable by this process only): `head`, what `spool` holds, `tail`. A report's large
    sheets wait here for the workbook to close instead of in memory."""

    head: bytes
    spool: IO[bytes]
    spooled: int
    tail: bytes

    def __len__(self) -> int:
        return len(self.head) + self.spooled + len(self.tail)

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        self.spool.seek(0)
        while block := self.spool.read(_SPOOL_BLOCK):
            yield block
        yield self.tail


def close_members(members: Sequence[Member]) -> None:
    """Close the temporary files of spooled members: their bytes are written (or no longer wanted)."""
    for member in members:
        if isinstance(member.data, Spooled):
            member.data.spool.close()


SPOOL_IN_MEMORY = 4 * 2**20  # bytes a spool keeps in memory before it moves to a temporary file
_SPOOL_BLOCK = 2**20


@dataclass(frozen=True)
class Member:
    """One zip member, compressed: what the central directory needs besides its name."""

    name: str
    crc: int
    size: int
    data: bytes | Spooled  # raw deflate stream


def deflate(name: str, content: bytes, level: int = SHARED_COMPRESSION) -> Member:
    return Member(name, zlib.crc32(content), len(content), zlib.compress(content, level, -15))


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of `a + b` from the CRC-32 of `a`, that of `b` and the length of `b` (zlib's
    `crc32_combine`, which Python's zlib module does not expose): a part compressed in pieces, as they were
    rendered, is checked without being held whole.

    >>> crc32_combine(zlib.crc32(b"<sheetData>"), zlib.crc32(b"<row/>"), 6) == zlib.crc32(b"<sheetData><row/>")
    True
    """
    if length2 <= 0:
        return crc1
    # Appending zeros is linear over GF(2): the operator for one zero byte, squared for each bit of the length.
    operator = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    for _ in range(3):
        operator = _gf2_square(operator)  # two, four, eight zero bits
    while length2:
        if length2 & 1:
            crc1 = _gf2_times(operator, crc1)
        length2 >>= 1
        if length2:
            operator = _gf2_square(operator)
    return crc1 ^ crc2


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, column) for column in matrix]


def zip_bytes(members: Sequence[Member]) -> bytes:
    """A deterministic zip of already-compressed members (no extra fields, fixed dates)."""
    return b"".join(zip_chunks(members))


def zip_chunks(members: Sequence[Member]) -> Iterator[bytes]:
    """The bytes of `zip_bytes`, in pieces: a report of 100,000 employees goes to its file without a
    second copy of its 60 MB in memory."""
    directory = []
    offset = 0
    for member in members:
        name = member.name.encode("utf-8")
        fields = (20, 0, zipfile.ZIP_DEFLATED, 0, _DOS_DATE, member.crc, len(member.data), member.size, len(name))
        header = struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields, 0) + name
        directory.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name)
        yield header
        if isinstance(member.data, Spooled):
            yield from member.data.chunks()
        else:
            yield member.data
        offset += len(header) + len(member.data)
    central = b"".join(directory)
    yield central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0)


@dataclass(frozen=True)
class SheetSlot:
    """A worksheet of the skeleton: its name and what the workbook part says about it."""

    name: str
    hidden: bool = False
    active: bool = False
    filter_columns: int | None = None  # a Ratings sheet: autofilter from A1 over this many columns
    print_titles: bool = False


@dataclass(frozen=True)
class Shape:
    """Everything a skeleton depends on: same shape, same skeleton."""

    slots: tuple[SheetSlot, ...]
    created: datetime
    properties: tuple[str, ...]  # custom property names, in order


class Skeleton:
    """The shared parts of every workbook of one shape, and the style indices worksheets refer to."""

    def __init__(self, shape: Shape, formats: Mapping[str, dict[str, Any]], highlights: Mapping[str, dict[str, Any]]):
        self.shape = shape
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        workbook.set_properties(
            {
                "title": _token("title"),
                "author": "matrixkit",
                "comments": _token("comments"),
                "created": shape.created,
            }
        )
        for name in shape.properties:
            workbook.set_custom_property(name, _token(name))
        cell_formats = {name: workbook.add_format(props) for name, props in formats.items()}
        dxf_formats = {name: workbook.add_format(props) for name, props in highlights.items()}
        filters = 0
        for index, slot in enumerate(shape.slots):
            ws = workbook.add_worksheet(slot.name)
            if index == 0:
                # Using every format once registers it, in this order, in the styles part.
                for row, fmt in enumerate(cell_formats.values()):
                    ws.write_blank(row, 0, None, fmt)
                for row, fmt in enumerate(dxf_formats.values()):
                    ws.conditional_format(row, 1, row, 1, {"type": "formula", "criteria": "=TRUE", "format": fmt})
            if slot.filter_columns is not None:
                ws.autofilter(0, 0, _SENTINEL_ROW - 1 - filters, slot.filter_columns - 1)
                filters += 1
            if slot.print_titles:
                ws.repeat_rows(0)
            if slot.hidden:
                ws.hide()
            if slot.active:
                ws.activate()
        workbook.close()
        self.styles = {name: int(fmt.xf_index) for name, fmt in cell_formats.items()}
        self.highlights = {name: int(fmt.dxf_index) for name, fmt in dxf_formats.items()}
        self.members: list[Member] = []
        self.templates: dict[str, str] = {}  # parts with placeholders, rendered per workbook
        self.sheet_parts: list[str] = []
        with zipfile.ZipFile(buffer) as archive:
            for info in archive.infolist():
                content = archive.read(info.filename)
                if info.filename.startswith("xl/worksheets/sheet"):
                    self.sheet_parts.append(info.filename)
                    self.members.append(Member(info.filename, 0, 0, b""))  # a slot, filled per workbook
                elif b"@@matrixkit:" in content or info.filename == "xl/workbook.xml":
                    self.templates[info.filename] = content.decode("utf-8")
                    self.members.append(Member(info.filename, 0, 0, b""))
                else:
                    self.members.append(deflate(info.filename, content))
        self.sheet_parts.sort(key=lambda part: int(part.removeprefix("xl/worksheets/sheet").removesuffix(".xml")))

    def assemble(
        self,
        sheets: Sequence[Member | bytes],
        values: Mapping[str, str],
        filter_rows: Sequence[int],
    ) -> bytes:
        """The workbook: `sheets` in slot order (rendered XML, or members compressed earlier), the
        placeholders replaced by `values` (title, comments, each custom property), and each Ratings
        sheet's filter range ending at its last row (zero-based)."""
        by_part = {
            part: sheet if isinstance(sheet, Member) else deflate(part, sheet, OWN_COMPRESSION)
            for part, sheet in zip(self.sheet_parts, sheets, strict=True)
        }
        for part, template in self.templates.items():
            text = template
            for name, value in values.items():
                text = text.replace(_token(name), text_content(value))
            for index, last_row in enumerate(filter_rows):
                text = text.replace(f"${_SENTINEL_ROW - index}<", f"${last_row + 1}<")
            by_part[part] = deflate(part, text.encode("utf-8"), OWN_COMPRESSION)
        return zip_bytes([by_part.get(m.name, m) for m in self.members])


def _token(name: str) -> str:
    return f"@@matrixkit:{attribute(name)}@@"

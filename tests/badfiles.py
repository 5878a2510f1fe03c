"""Broken and hostile workbook files, built by code for tests/test_safety.py (no binaries committed).

Every builder writes one file and returns its path. Those that start from a valid workbook take its path
(the tests make one with `generate_workbooks`). Sizes stay small on disk and in memory: the 300 MiB zip
bomb is 300 copies of one deflated MiB, written without ever holding the 300 MiB.

Never open these files with python-calamine in the test process: the dimension bombs abort the
interpreter (tafia/calamine#693). Tests that need calamine's own behaviour run it in a subprocess.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from defusedxml import ElementTree

MIB = 2**20
FIXED_DATE = (2026, 1, 1, 0, 0, 0)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


# ---------------------------------------------------------------- zip helpers


def read_members(path: Path) -> dict[str, bytes]:
    """Every member of a (trusted, valid) zip, in archive order."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, members: Mapping[str, bytes], *, stored: Iterable[str] = ("mimetype",)) -> Path:
    """A plain zip, deflated except the names in `stored` (an ODF mimetype must be stored)."""
    keep_stored = set(stored)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED if name in keep_stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def rewrite_members(src: Path, dst: Path, changes: Mapping[str, bytes]) -> Path:
    """A copy of `src` with some members replaced (or added)."""
    members = read_members(src)
    members.update(changes)
    return write_zip(dst, members)


def sheet_part(xlsx: Path, sheet: str) -> str:
    """The worksheet part holding `sheet` (e.g. 'xl/worksheets/sheet2.xml')."""
    members = read_members(xlsx)
    workbook = ElementTree.fromstring(members["xl/workbook.xml"])
    rels = ElementTree.fromstring(members["xl/_rels/workbook.xml.rels"])
    rid = next(s.get(f"{{{REL_NS}}}id") for s in workbook.iter(f"{{{MAIN_NS}}}sheet") if s.get("name") == sheet)
    target = next(r.get("Target") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship") if r.get("Id") == rid)
    assert target is not None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


@dataclass(frozen=True)
class RawMember:
    """One zip entry written byte by byte, so that its header may lie about the data."""

    name: str
    payload: bytes  # compressed bytes as stored in the archive
    method: int  # zipfile.ZIP_STORED or zipfile.ZIP_DEFLATED
    crc: int
    file_size: int  # declared uncompressed size
    header_offset: int | None = None  # point the central directory elsewhere (overlapping entries)
    flags: int = 0


def raw_member(name: str, data: bytes, *, deflate: bool = True) -> RawMember:
    if not deflate:
        return RawMember(name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data))
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    payload = compressor.compress(data) + compressor.flush()
    return RawMember(name, payload, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data))


def write_raw_zip(path: Path, members: Iterable[RawMember]) -> Path:
    """A zip written by hand: local headers, data, central directory, end record (no zip64)."""
    dos_time, dos_date = 0, (2026 - 1980) << 9 | 1 << 5 | 1
    offsets: list[tuple[RawMember, int]] = []
    with path.open("wb") as out:
        for member in members:
            name = member.name.encode("utf-8")
            offset = out.tell()
            out.write(
                struct.pack(
                    "<4sHHHHHIIIHH",
                    b"PK\x03\x04",
                    20,
                    member.flags | 0x800,
                    member.method,
                    dos_time,
                    dos_date,
                    member.crc,
                    len(member.payload),
                    member.file_size,
                    len(name),
                    0,
                )
            )
            out.write(name)
            out.write(member.payload)
            offsets.append((member, offset if member.header_offset is None else member.header_offset))
        directory_start = out.tell()
        for member, offset in offsets:
            name = member.name.encode("utf-8")
            out.write(
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    20,
                    20,
                    member.flags | 0x800,
                    member.method,
                    dos_time,
                    dos_date,
                    member.crc,
                    len(member.payload),
                    member.file_size,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
            )
            out.write(name)
        directory_size = out.tell() - directory_start
        count = len(offsets)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, directory_size, directory_start, 0))
    return path


def raw_copy(src: Path) -> list[RawMember]:
    """The members of a valid zip as raw entries (recompressed), to mix with forged ones."""
    return [raw_member(name, data, deflate=name != "mimetype") for name, data in read_members(src).items()]


@cache
def _deflated_mib(byte: int) -> tuple[bytes, int]:
    """One MiB of `byte`, deflated to a self-contained, byte-aligned run of blocks, and its CRC."""
    data = bytes([byte]) * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH), zlib.crc32(data)


def huge_deflated(head: bytes, mib: int, tail: bytes, byte: int = 0x20) -> tuple[bytes, int, int]:
    """`head` + `mib` MiB of `byte` + `tail`, deflated, with its CRC and size, built in a few milliseconds.

    After a full flush a deflate stream has no back references, so the same compressed MiB can be
    repeated; the default filler is spaces, which keeps an XML part well-formed.
    """
    block, _ = _deflated_mib(byte)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = first.compress(head) + first.flush(zlib.Z_FULL_FLUSH)
    payload += block * mib
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload += last.compress(tail) + last.flush()
    crc = zlib.crc32(head)
    filler = bytes([byte]) * MIB
    for _ in range(mib):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(tail, crc)
    return payload, crc, len(head) + mib * MIB + len(tail)


# ---------------------------------------------------------------- not a zip


def csv_text(dst: Path) -> Path:
    dst.write_text("Employee ID,Name,Level,Communication\nE-1,Ann Lee,IC2,4\nE-2,Bo Chen,IC3,3\n", encoding="utf-8")
    return dst


def html_page(dst: Path) -> Path:
    dst.write_text(
        "<!DOCTYPE html>\n<html><body><table><tr><td>Employee ID</td><td>Rating</td></tr></table></body></html>\n",
        encoding="utf-8",
    )
    return dst


def empty_file(dst: Path) -> Path:
    dst.write_bytes(b"")
    return dst


def pdf_renamed(dst: Path) -> Path:
    """A minimal but real one-page PDF (catalog, pages, page, xref table, trailer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    dst.write_bytes(bytes(out))
    return dst


def truncated(src: Path, dst: Path) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


# ---------------------------------------------------------------- OLE compound files

_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _cfb_order(name: str) -> tuple[int, str]:
    return len(name), name.upper()


def cfb_bytes(streams: Mapping[str, bytes]) -> bytes:
    """A minimal compound file (version 3, 512-byte sectors): one FAT sector, the directory, the streams.

    Streams are padded to at least 4096 bytes so that they live in regular sectors (no mini stream).
    """
    names = sorted(streams, key=_cfb_order)
    padded = {n: streams[n].ljust(max(4096, -(-len(streams[n]) // 512) * 512), b"\0") for n in names}
    entries = len(names) + 1
    dir_sectors = -(-entries // 4)
    fat = [_FAT_SECTOR]
    fat += [*range(2, 1 + dir_sectors), _END]  # the directory chain: sectors 1..dir_sectors
    starts: dict[str, int] = {}
    sector = 1 + dir_sectors
    for name in names:
        count = len(padded[name]) // 512
        starts[name] = sector
        fat += [*range(sector + 1, sector + count), _END]
        sector += count
    assert len(fat) <= 128, "one FAT sector covers 128 sectors"
    fat += [_FREE] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return struct.pack(
            "<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, _NO_STREAM, right, child, b"\0" * 16, 0, 0, 0, start, size
        )

    directory = entry("Root Entry", 5, 1 if names else _NO_STREAM, _NO_STREAM, _END, 0)
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else _NO_STREAM  # a chain of right siblings, in CFB order
        directory += entry(name, 2, _NO_STREAM, right, starts[name], len(streams[name]))
    directory = directory.ljust(dir_sectors * 512, b"\0")
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        1,
        1,
        0,
        4096,
        _END,
        0,
        _END,
        0,
    ) + struct.pack("<109I", 0, *[_FREE] * 108)
    return header + struct.pack("<128I", *fat) + directory + b"".join(padded[n] for n in names)


def encrypted_by_hand(dst: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE file with EncryptionInfo and EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version='1.0'?><encryption/>"  # agile encryption header
    dst.write_bytes(cfb_bytes({"EncryptionInfo": info, "EncryptedPackage": bytes(range(256)) * 32}))
    return dst


def encrypted_with_msoffcrypto(src: Path, dst: Path, password: str = "secret") -> Path:
    """A workbook really encrypted with a password, as Excel does (needs msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-untyped]

    with src.open("rb") as plain, dst.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return dst


def legacy_xls(dst: Path) -> Path:
    """An OLE file with a BIFF8 `Workbook` stream (a BOF record is enough for the scan)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    dst.write_bytes(cfb_bytes({"Workbook": bof + struct.pack("<HH", 0x000A, 0)}))
    return dst


def word_doc(dst: Path) -> Path:
    dst.write_bytes(cfb_bytes({"WordDocument": b"\xec\xa5" + b"\0" * 510}))
    return dst


# ---------------------------------------------------------------- XML attacks

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE sst [\n <!ENTITY lol0 "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


_SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    "<si><t>Ratings</t></si></sst>"
)


def shared_strings(src: Path) -> str:
    """The shared-strings part every workbook saved by Excel or LibreOffice has (generated files use
    inline strings, so a minimal one stands in for it there)."""
    found = read_members(src).get("xl/sharedStrings.xml")
    return found.decode("utf-8") if found is not None else _SHARED_STRINGS


def billion_laughs(src: Path, dst: Path) -> Path:
    """The classic entity expansion, injected into xl/sharedStrings.xml (and used in one string)."""
    shared = shared_strings(src)
    body = shared[shared.index("<sst") :]
    body = body.replace("<t>", "<t>&lol9;", 1)
    return rewrite_members(src, dst, {"xl/sharedStrings.xml": (BILLION_LAUGHS + body).encode("utf-8")})


def external_entity(src: Path, dst: Path) -> Path:
    """An external entity (XXE) declared in xl/workbook.xml."""
    workbook = read_members(src)["xl/workbook.xml"].decode("utf-8")
    body = workbook[workbook.index("<workbook") :]
    doctype = '<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    return rewrite_members(src, dst, {"xl/workbook.xml": (doctype + body).encode("utf-8")})


def utf16_entities(src: Path, dst: Path) -> Path:
    """The entity expansion again, in a UTF-16 encoded part (a naive bytes search misses it)."""
    shared = shared_strings(src)
    body = shared[shared.index("<sst") :]
    text = BILLION_LAUGHS.replace('encoding="UTF-8"', 'encoding="UTF-16"') + body
    return rewrite_members(src, dst, {"xl/sharedStrings.xml": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")})


# ---------------------------------------------------------------- zip bombs


def zip_bomb(src: Path, dst: Path, part: str, mib: int = 300) -> Path:
    """`part` replaced by a well-formed worksheet of `mib` MiB (spaces), about 1,000:1 compressed."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    payload, crc, size = huge_deflated(head, mib, b"</sheetData></worksheet>")
    members = [m for m in raw_copy(src) if m.name != part]
    members.append(RawMember(part, payload, zipfile.ZIP_DEFLATED, crc, size))
    return write_raw_zip(dst, members)


def zip_bomb_forged(src: Path, dst: Path, part: str, mib: int = 300) -> Path:
    """The same bomb, but its headers declare a harmless 30 KiB: only decompression can tell."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    payload, crc, _size = huge_deflated(head, mib, b"</sheetData></worksheet>")
    members = [m for m in raw_copy(src) if m.name != part]
    members.append(RawMember(part, payload, zipfile.ZIP_DEFLATED, crc, 30 * 1024))
    return write_raw_zip(dst, members)


def zip_bomb_many_parts(src: Path, dst: Path, parts: int = 201) -> Path:
    """Many parts of exactly 1 MiB each: no single part is beyond the ratio floor, the total is 201 MiB."""
    block, crc = _deflated_mib(0x20)
    finish = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    members = raw_copy(src)
    members += [
        RawMember(f"customXml/item{i}.bin", block + finish, zipfile.ZIP_DEFLATED, crc, MIB) for i in range(parts)
    ]
    return write_raw_zip(dst, members)


def too_many_members(src: Path, dst: Path, count: int = 10_001) -> Path:
    members = raw_copy(src)
    empty = raw_member("x", b"", deflate=False)
    members += [RawMember(f"customXml/item{i}.xml", b"", empty.method, empty.crc, 0) for i in range(count)]
    return write_raw_zip(dst, members)


def overlapping_members(src: Path, dst: Path) -> Path:
    """Two directory entries sharing one compressed stream: the shape of an overlapping zip bomb."""
    members = raw_copy(src)
    first = raw_member("customXml/a.xml", b"<a>" + b" " * 50_000 + b"</a>")
    members.append(first)
    path = write_raw_zip(dst, members)
    offset = _local_header_offset(path, first.name)
    members.append(RawMember("customXml/b.xml", first.payload, first.method, first.crc, first.file_size, offset))
    return write_raw_zip(dst, members)


def _local_header_offset(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo(name).header_offset


def duplicate_names(src: Path, dst: Path) -> Path:
    """Two parts whose names differ only in case: calamine and a scanner could each pick another."""
    members = raw_copy(src)
    members.append(raw_member("XL/workbook.xml", read_members(src)["xl/workbook.xml"]))
    return write_raw_zip(dst, members)


def corrupt_member(src: Path, dst: Path, part: str) -> Path:
    """Bytes flipped inside one part's compressed data (a bad download or disk)."""
    members = []
    for member in raw_copy(src):
        if member.name == part:
            payload = bytearray(member.payload)
            middle = len(payload) // 2
            payload[middle : middle + 16] = bytes(b ^ 0x5A for b in payload[middle : middle + 16])
            member = RawMember(member.name, bytes(payload), member.method, member.crc, member.file_size)
        members.append(member)
    return write_raw_zip(dst, members)


def bzip2_member(src: Path, dst: Path) -> Path:
    members = read_members(src)
    with zipfile.ZipFile(dst, "w") as archive:
        for name, data in members.items():
            method = zipfile.ZIP_BZIP2 if name == "xl/styles.xml" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, FIXED_DATE), data, compress_type=method)
    return dst


def zip_encrypted_flag(src: Path, dst: Path) -> Path:
    """Zip-level (ZipCrypto) encryption flag on every part."""
    members = [RawMember(m.name, m.payload, m.method, m.crc, m.file_size, flags=0x1) for m in raw_copy(src)]
    return write_raw_zip(dst, members)


# ---------------------------------------------------------------- minimal .xlsx files


def cell_xml(ref: str, value: int | float | str | None = None, formula: str | None = None, prefix: str = "") -> str:
    """One `<c>`: a number, an inline string, a formula (with an optional cached value), or empty."""
    inner = ""
    kind = ""
    if formula is not None:
        inner += f"<{prefix}f>{formula}</{prefix}f>"
    if isinstance(value, str):
        kind = ' t="inlineStr"'
        inner += f"<{prefix}is><{prefix}t>{value}</{prefix}t></{prefix}is>"
    elif value is not None:
        inner += f"<{prefix}v>{value}</{prefix}v>"
    if not inner:
        return f'<{prefix}c r="{ref}"/>'
    return f'<{prefix}c r="{ref}"{kind}>{inner}</{prefix}c>'


def rows_xml(cells: Mapping[str, object], prefix: str = "") -> str:
    """`{"A1": "Employee ID", "B2": 4, "C2": ("=", "B2*2")}` as rows of cells, in row order."""
    import re

    by_row: dict[int, list[str]] = {}
    for ref, value in cells.items():
        match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        assert match is not None
        if isinstance(value, tuple):
            xml = cell_xml(ref, None, value[1], prefix)
        else:
            assert value is None or isinstance(value, int | float | str)
            xml = cell_xml(ref, value, None, prefix)
        by_row.setdefault(int(match.group(2)), []).append(xml)
    return "".join(f'<{prefix}row r="{row}">{"".join(xmls)}</{prefix}row>' for row, xmls in sorted(by_row.items()))


def minimal_xlsx(
    dst: Path, sheets: Mapping[str, str], *, prefix: str = "", dimensions: Mapping[str, str] | None = None
) -> Path:
    """A small valid .xlsx whose sheets hold the given sheetData XML; `prefix="x:"` writes prefixed names
    (as some generators do), and `dimensions` adds `<dimension ref=...>`."""
    p = prefix
    ns = f'xmlns:{p[:-1]}="{MAIN_NS}"' if p else f'xmlns="{MAIN_NS}"'
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {ns} xmlns:r="{REL_NS}"><{p}sheets>'
            + "".join(
                f'<{p}sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1)
            )
            + f"</{p}sheets></{p}workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Relationships>"
        ),
    }
    for i, (name, data) in enumerate(sheets.items(), start=1):
        dimension = (dimensions or {}).get(name)
        dimension_xml = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
        members[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}>{dimension_xml}'
            f"<{p}sheetData>{data}</{p}sheetData></{p}worksheet>"
        )
    return write_zip(dst, {name: text.encode("utf-8") for name, text in members.items()})


RATINGS_OK = {"A1": "Employee ID", "B1": "Name", "C1": "Communication", "A2": "E-1", "B2": "Ann Lee", "C2": 4}


def dimension_bomb(dst: Path, *, prefix: str = "") -> Path:
    """A ~1 KB workbook whose Ratings sheet has cells at A1 and XFD1048576 (calamine aborts on it)."""
    cells = {"A1": "Employee ID", "XFD1048576": 1}
    return minimal_xlsx(
        dst, {"Ratings": rows_xml(cells, prefix)}, prefix=prefix, dimensions={"Ratings": "A1:XFD1048576"}
    )


def dimension_ref_bomb(dst: Path) -> Path:
    """Only the `<dimension>` is out of bounds; the cells are ordinary."""
    return minimal_xlsx(dst, {"Ratings": rows_xml(RATINGS_OK)}, dimensions={"Ratings": "A1:XFD1048576"})


def bomb_without_references(dst: Path) -> Path:
    """Rows and cells without `r`: calamine places them by counting, so must the scan."""
    data = '<row><c t="inlineStr"><is><t>Employee ID</t></is></c></row><row r="1048576"><c><v>1</v></c></row>'
    return minimal_xlsx(dst, {"Ratings": data})


def bomb_in_unwanted_sheet(dst: Path) -> Path:
    """A normal Ratings sheet, and a Notes sheet that is a dimension bomb."""
    return minimal_xlsx(
        dst,
        {"Ratings": rows_xml(RATINGS_OK), "Notes": rows_xml({"A1": "note", "XFD1048576": 1})},
        dimensions={"Notes": "A1:XFD1048576"},
    )


# ---------------------------------------------------------------- minimal .ods files

ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)


def ods_text_cell(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def ods_number_cell(value: float, formula: str | None = None, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    f = f' table:formula="{formula}"' if formula else ""
    attributes = f'{f} office:value-type="float" office:value="{value}"{rep}'
    return f"<table:table-cell{attributes}><text:p>{value}</text:p></table:table-cell>"


def ods_empty(repeat: int = 1) -> str:
    return f'<table:table-cell table:number-columns-repeated="{repeat}"/>' if repeat > 1 else "<table:table-cell/>"


def ods_row(*cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{''.join(cells)}</table:table-row>"


def minimal_ods(dst: Path, tables: Mapping[str, str], *, mimetype: str = ODS_MIMETYPE, encrypted: bool = False) -> Path:
    """A small .ods: mimetype (stored, first), manifest, content.xml with the given tables' rows."""
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
        "</manifest:encryption-data>"
        if encrypted
        else ""
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{encryption}'
        "</manifest:file-entry></manifest:manifest>"
    )
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES} office:version="1.3">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    return write_zip(
        dst,
        {
            "mimetype": mimetype.encode("ascii"),
            "META-INF/manifest.xml": manifest.encode("utf-8"),
            "content.xml": content.encode("utf-8"),
        },
    )


ODS_HEADER = ods_row(ods_text_cell("Employee ID"), ods_text_cell("Name"), ods_text_cell("Communication"))
ODS_EMPLOYEE = ods_row(
    ods_text_cell("E-1"), ods_text_cell("Ann Lee"), ods_number_cell(4), ods_number_cell(4, "of:=[.C2]")
)
# What LibreOffice writes after the data: the rest of the sheet as repeated empty rows and cells.
ODS_LIBREOFFICE_TAIL = ods_row(ods_empty(16384), repeat=1_048_573)


def ods_with_libreoffice_repeats(dst: Path) -> Path:
    tail_cells = ods_row(ods_text_cell("E-2"), ods_empty(16383))
    return minimal_ods(dst, {"Ratings": ODS_HEADER + ODS_EMPLOYEE + tail_cells + ODS_LIBREOFFICE_TAIL})


def ods_dimension_bomb(dst: Path, sheet: str = "Ratings") -> Path:
    """A content cell after a million repeated empty rows and 16,383 empty cells: XFD1048576."""
    far = ods_row(ods_empty(16383), ods_number_cell(1))
    tables = {"Ratings": ODS_HEADER + ODS_EMPLOYEE}
    tables[sheet] = ODS_HEADER + ods_row(ods_empty(16384), repeat=1_048_574) + far
    return minimal_ods(dst, tables)


def ods_repeated_content_bomb(dst: Path) -> Path:
    """One content cell repeated across every column of 100,001 rows."""
    rows = ODS_HEADER + ods_row(ods_number_cell(1, repeat=16384), repeat=100_001)
    return minimal_ods(dst, {"Ratings": rows})


# ---------------------------------------------------------------- disguises


def merged_zip(dst: Path, *sources: Path) -> Path:
    """One zip holding the parts of several (an .ods and an .xlsx in one file, for instance)."""
    members: dict[str, bytes] = {}
    for source in sources:
        members.update(read_members(source))
    return write_zip(dst, members)


def utf16_sheet(dst: Path) -> Path:
    """A workbook whose Ratings part is UTF-16 XML (valid XML, but nothing a spreadsheet program writes)."""
    minimal_xlsx(dst, {"Ratings": rows_xml({"A1": "Employee ID", "XFD1048576": 1})})
    members = read_members(dst)
    text = members["xl/worksheets/sheet1.xml"].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    members["xl/worksheets/sheet1.xml"] = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    return write_zip(dst, members)

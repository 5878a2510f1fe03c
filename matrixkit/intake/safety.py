"""Inspect a returned workbook before any spreadsheet parser touches it.

python-calamine reads what `analyze` needs quickly, but it trusts its input: a zip bomb fills memory,
and a sheet with cells at A1 and XFD1048576 makes it allocate the whole grid and abort the Python
process (tafia/calamine#693: no exception, the process is gone). So every file first goes through
`scan_file`, which reads only the zip central directory (through zipfile), the OLE directory (through
olefile) and the XML parts, all bounded by `Limits`, and either raises `UnsafeFileError` with a
message an HR analyst can act on, or returns what the reader needs: the file's kind and, per wanted
sheet, its extent and formula cells (calamine cannot tell a formula from a typed value).

It is one module of about a thousand lines on purpose: the guarantee is only as strong as the weakest
path through it, and every path (OLE, zip, XML text, .xlsx sheets, .ods) shares the same `Limits`, the
same refusal messages and the same bounded readers; its sections, in that order, are marked below.

>>> import tempfile
>>> from matrixkit import load_frameworks
>>> from matrixkit.sources.roster import read_roster
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> from matrixkit.outputs.generate import generate_workbooks
>>> returned = generate_workbooks(frameworks, roster, "2026-Q4", tempfile.mkdtemp())[0]
>>> scan = scan_file(returned, lambda name: name.startswith("Ratings"))
>>> sorted(scan.sheets["Ratings"].formula_cells)[:2]
['O2', 'O3']

What the reader must hold to, for the guarantees to hold (tests/test_safety.py runs calamine in a
subprocess to show each claim about it):

- .xlsx/.xlsm: calamine parses xl/workbook.xml, its relationships, xl/sharedStrings.xml and
  xl/styles.xml when the workbook is opened, and a worksheet part only when that sheet is asked for.
  Every XML part is checked for honest sizes and DTDs, but the row, column and cell limits apply to
  the *wanted* sheets only: the reader must never ask calamine for a sheet missing from
  `FileScan.sheets`.
- .ods: calamine parses every sheet of content.xml when the workbook is opened, so the limits apply
  to every sheet; `FileScan.sheets` still lists only the wanted ones.
- .xls (legacy BIFF, an OLE compound file): only its size and encryption are checked. Its sheets
  cannot be inspected here, so `FileScan.sheets` is empty and no formula cell can be detected; BIFF8
  itself caps a sheet at 65,536 rows and 256 columns.
- calamine chooses its reader by the file's extension. A file whose content contradicts a known
  extension (an .ods named .xlsx, an .xlsx named .xls) is refused with a "rename it" message, and a
  zip carrying both kinds of workbook has both checked.

Cost: a typical returned workbook (15-30 KB) takes 1-3 ms as .xlsx and about 5 ms as .ods; a large
worksheet is scanned at about 50 MB of XML per second (25 MB tag by tag, in an unusual shape). Memory
stays within a few MiB: files up to 4 MiB are read at once, everything else in chunks of at most 1 MiB.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import html
import io
import itertools
import operator
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, NoReturn
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from matrixkit.errors import UnsafeFileError
from matrixkit.workbook.cells import col_letter, column_index

KIB = 2**10
MIB = 2**20

_RAW_CHUNK = 256 * KIB  # compressed bytes read at a time
_OUT_CHUNK = 1 * MIB  # decompressed bytes produced at a time
_PROLOG_BYTES = 64 * KIB  # an XML declaration and leading comments longer than this are refused
_PROLOG_PEEK = 512  # bytes inflated at a time to find a part's root element: nearly always enough
_MAX_TAG = 1 * MIB  # one XML start tag longer than this is refused
_IN_MEMORY_BYTES = 4 * MIB  # files up to this size are read at once
_SMALL_XML = 1 * MIB  # XML parts up to this size are parsed at once, larger ones streamed

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_DTD_MESSAGE = "contains a DTD / XML entity declarations, which are refused (XML entity expansion attack)"
_ENCRYPTED_MESSAGE = "password-protected (encrypted) workbook: ask for a copy saved without a password"
_DAMAGED_ZIP = "damaged file: the zip archive is truncated or corrupt"


@dataclass(frozen=True)
class Limits:
    """How much one input file may hold (SPEC defaults; `analyze` options may raise them)."""

    max_file_bytes: int = 50 * MIB
    max_unzipped_bytes: int = 200 * MIB
    max_ratio: float = 100.0  # no member compressed more than 100:1 ...
    ratio_floor_bytes: int = MIB  # ... beyond 1 MiB uncompressed
    max_members: int = 10_000
    max_rows: int = 100_000  # a ratings sheet within 100,000 rows
    max_columns: int = 1_000  # and 1,000 columns
    # ... and within this many cells from A1 to its last cell: calamine allocates that whole rectangle,
    # and a 2 KB file with cells at A1 and ALL100000 (inside both limits above) costs 3.8 GB and 20 s.
    max_cells: int = 5_000_000


@dataclass(frozen=True)
class SheetScan:
    name: str
    max_row: int  # 1-based, the largest row holding a cell with content (0 if none)
    max_column: int  # 1-based
    formula_cells: frozenset[str]  # A1 references ("D7") of the cells holding a formula
    # Cells holding an error value (#N/A, #DIV/0!...) typed or computed: calamine reads them as "".
    error_cells: frozenset[str] = frozenset()
    # ... and the error each shows, where the file says (a problem reports the value found).
    error_values: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    # The sheet's `<dimension>` when it claims more than the limits allow while its cells are within them
    # ("A1:XFD1048576" over A1:S5). calamine sizes the sheet by its cells, not by this claim (shown by
    # tests/test_bad_cells.py in a subprocess), so the cells are judged and the claim only reported.
    false_dimension: str | None = field(default=None, compare=False)

    @property
    def dimension_warning(self) -> str | None:
        """What HR reads about a false `<dimension>`, or None."""
        if self.false_dimension is None:
            return None
        holds = f"A1:{_column_letters(self.max_column)}{self.max_row}" if self.max_row else "no cells"
        return f"the sheet's declared size {self.false_dimension} is false; it holds {holds} (its cells were read)"


@dataclass(frozen=True)
class FileScan:
    kind: Literal["xlsx", "ods", "xls"]
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # only the sheets selected by `wanted`


def scan_file(path: Path, wanted: Callable[[str], bool], limits: Limits = Limits()) -> FileScan:
    """Refuse a broken or hostile file with `UnsafeFileError`; otherwise describe its wanted sheets.

    Bounded work: the file's size is checked before it is opened, the zip's declared sizes before
    anything is decompressed, and every decompression stops at the declared size.

    >>> import tempfile
    >>> renamed = Path(tempfile.mkdtemp()) / "budget.pdf.xlsx"
    >>> _ = renamed.write_bytes(b"%PDF-1.7 a scanned budget")
    >>> scan_file(renamed, lambda name: True)
    Traceback (most recent call last):
    matrixkit.errors.UnsafeFileError: a PDF file, not a spreadsheet (renamed to .xlsx?)
    """
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise UnsafeFileError(f"{_size(size)} on disk; the limit is {_size(limits.max_file_bytes)}")
        if size == 0:
            raise UnsafeFileError("empty file (0 bytes), not a spreadsheet")
        with path.open("rb") as file:
            # A typical returned workbook is a few dozen KiB: one read beats hundreds of small ones.
            content = file.read() if size <= _IN_MEMORY_BYTES else None
            handle: IO[bytes] = io.BytesIO(content) if content is not None else file
            head = handle.read(512)
            if head.startswith(_ZIP_MAGIC):
                return _scan_zip(handle, size, path.suffix.lower(), wanted, limits, content)
            if head.startswith(_OLE_MAGIC):
                return _scan_ole(handle, size, path.suffix.lower())
    except OSError as exc:
        raise UnsafeFileError(f"cannot be read: {exc.strerror or exc}") from None
    if head.startswith(b"%PDF"):
        raise UnsafeFileError("a PDF file, not a spreadsheet (renamed to .xlsx?)")
    raise UnsafeFileError(f"not a spreadsheet: not a zip file{_looks_like(head)}")


# ---------------------------------------------------------------- messages


def _size(n: int) -> str:
    """'52.3 MiB', '50 MiB', '29.3 KiB', '812 bytes'."""
    for unit, scale in (("GiB", 2**30), ("MiB", MIB), ("KiB", KIB)):
        if n >= scale:
            text = f"{n / scale:,.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{n:,} bytes"


def _looks_like(head: bytes) -> str:
    """What a non-spreadsheet file seems to be, from its first bytes, as a parenthesis (or nothing)."""
    signatures = {
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"GIF8": "a GIF image",
        b"\x1f\x8b": "a gzip archive",
        b"7z\xbc\xaf": "a 7-Zip archive",
        b"Rar!": "a RAR archive",
        b"{\\rtf": "an RTF document",
    }
    for magic, what in signatures.items():
        if head.startswith(magic):
            return f" (it is {what})"
    text = _decode_head(head)
    if text is None:
        return ""
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<table" in lowered[:512]:
        return " (it is an HTML page, perhaps a web export renamed to .xlsx)"
    if lowered.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            return " (it is an Excel 2003 XML spreadsheet: save it as .xlsx)"
        return " (it is an XML file)"
    if any(sep in text for sep in (",", ";", "\t")) and "\n" in text:
        return " (it is plain text, probably CSV: save it as .xlsx)"
    return " (it is plain text)"


def _decode_head(head: bytes) -> str | None:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut at the end of the head, or text in a legacy code page (a CSV from Excel).
        text = head[: exc.start].decode("utf-8") if exc.start >= len(head) - 3 else head.decode("cp1252", "replace")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return text if text and printable >= 0.95 * len(text) else None


# ---------------------------------------------------------------- OLE compound files (.xls, encrypted OOXML)


def _scan_ole(handle: IO[bytes], size: int, suffix: str) -> FileScan:
    """Encrypted .xlsx files and legacy .xls share this container: tell them apart by stream names."""
    names = _ole_stream_names(handle)
    if names & {"encryptedpackage", "encryptioninfo"}:
        raise UnsafeFileError(_ENCRYPTED_MESSAGE)
    if names & {"workbook", "book"}:
        if _KIND_BY_SUFFIX.get(suffix, "xls") != "xls":
            raise UnsafeFileError(
                f"a legacy Excel 97-2003 workbook (.xls) with the extension {suffix}: rename it to .xls, "
                "or better, save it as .xlsx"
            )
        return FileScan(kind="xls", sheets={})
    what = " (a Word .doc?)" if "worddocument" in names else ""
    raise UnsafeFileError(f"not a spreadsheet: an old-style Office file without a workbook inside{what}")


def _ole_stream_names(handle: IO[bytes]) -> set[str]:
    """Names (case-folded) of every storage and stream in the compound file, at any depth."""
    handle.seek(0)
    try:
        with olefile.OleFileIO(handle, raise_defects=olefile.DEFECT_INCORRECT) as ole:
            paths = ole.listdir(streams=True, storages=True)
    # olefile reports a malformed structure as OSError, but hostile sector numbers and chains can
    # surface as any of these from its parsing code; each means the same thing to the analyst.
    except (OSError, ValueError, IndexError, KeyError, TypeError, struct.error, RecursionError):
        raise UnsafeFileError("damaged file: the Office compound file is truncated or corrupt") from None
    return {name.casefold() for path in paths for name in path}


# ---------------------------------------------------------------- zip containers (.xlsx, .xlsm, .ods)


def _scan_zip(
    handle: IO[bytes],
    size: int,
    suffix: str,
    wanted: Callable[[str], bool],
    limits: Limits,
    content: bytes | None = None,
) -> FileScan:
    # zipfile builds an object per directory entry on opening: count them first, from the raw bytes.
    entries = _count_directory_entries(handle, size)
    if entries > limits.max_members:
        raise UnsafeFileError(f"zip bomb: {entries:,} parts in the archive; the limit is {limits.max_members:,}")
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError):
        raise UnsafeFileError(_DAMAGED_ZIP) from None
    with archive:
        return _scan_archive(archive, suffix, wanted, limits, content)


def _scan_archive(
    archive: zipfile.ZipFile,
    suffix: str,
    wanted: Callable[[str], bool],
    limits: Limits,
    content: bytes | None = None,
) -> FileScan:
    zip_file = _Zip(archive, _check_members(archive.infolist(), limits), content)
    scans: dict[str, FileScan] = {}
    # calamine picks its reader by the file's extension, not its content: when a zip carries both an
    # OpenDocument and an OOXML workbook, both are checked, whichever one calamine will read.
    if zip_file.info("mimetype") is not None:
        scans["ods"] = _scan_ods(zip_file, wanted, limits)
    if zip_file.info("xl/workbook.xml") is not None:
        scans["xlsx"] = _scan_xlsx(zip_file, wanted, limits)
    if not scans:
        raise UnsafeFileError(f"not a spreadsheet: a zip archive without a workbook inside{_zip_guess(zip_file)}")
    # The other parts calamine or the reader parse (shared strings, styles, document properties) are read
    # to their end: their declared size is verified and a DTD refused. Parts nothing parses (other
    # sheets, the theme, drawings) only have their prolog checked: what they hold cannot do harm.
    for key, info in zip_file.members.items():
        if key not in zip_file.opened and _is_xml_part(key):
            if key in _PARSED_PARTS:
                chunks = zip_file.xml_chunks(info.filename)
                _drain(_valid_text(chunks, info.filename) if key in _DECODED_PARTS else chunks)
            else:
                zip_file.check_prolog(info.filename)
    expected = _KIND_BY_SUFFIX.get(suffix)
    if expected is None:
        return scans.get("xlsx") or scans["ods"]
    if expected not in scans:
        found = "an OpenDocument spreadsheet (.ods)" if "ods" in scans else "an Excel workbook (.xlsx)"
        better = ".ods" if "ods" in scans else ".xlsx"
        raise UnsafeFileError(f"{found} with the extension {suffix}: rename it to {better}")
    return scans[expected]


# Case-folded names of the parts parsed besides the workbook, its relationships and the wanted sheets.
_PARSED_PARTS = frozenset(
    {
        "[content_types].xml",
        "xl/sharedstrings.xml",
        "xl/styles.xml",
        "xl/metadata.xml",
        "docprops/custom.xml",
        "meta.xml",
        "styles.xml",
        "settings.xml",
    }
)
# Of those, the ones calamine decodes as UTF-8 text (and fails on, naming nothing, when they are not).
_DECODED_PARTS = frozenset({"xl/sharedstrings.xml", "xl/styles.xml"})
_KIND_BY_SUFFIX = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xls"}


def _count_directory_entries(handle: IO[bytes], size: int) -> int:
    """An upper bound on the central directory's entries (each starts with its signature), read from the
    end record's offsets without building anything per entry."""
    tail_size = min(size, 22 + 65_535)  # the end record, and at most a 64 KiB comment after it
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) - end < 22:
        raise UnsafeFileError(_DAMAGED_ZIP)
    directory_size, directory_offset = struct.unpack_from("<II", tail, end + 12)
    locator = end - 20
    if locator >= 0 and tail.startswith(b"PK\x06\x07", locator):  # zip64: the real figures are elsewhere
        record_offset = struct.unpack_from("<Q", tail, locator + 8)[0]
        handle.seek(record_offset)
        record = handle.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            raise UnsafeFileError(_DAMAGED_ZIP)
        directory_size, directory_offset = struct.unpack_from("<QQ", record, 40)
    if directory_offset + directory_size > size:
        raise UnsafeFileError(_DAMAGED_ZIP)
    handle.seek(directory_offset)
    count, overlap = 0, b""
    left = directory_size
    while left:
        data = handle.read(min(_RAW_CHUNK, left))
        if not data:
            raise UnsafeFileError(_DAMAGED_ZIP)
        left -= len(data)
        count += (overlap + data).count(b"PK\x01\x02")
        overlap = data[-3:]
    return count


def _check_members(infos: list[zipfile.ZipInfo], limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The central directory, judged from declared sizes only, before anything is decompressed."""
    if len(infos) > limits.max_members:
        raise UnsafeFileError(f"zip bomb: {len(infos):,} parts in the archive; the limit is {limits.max_members:,}")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        key = info.filename.casefold()  # calamine finds parts by case-insensitive name
        if key in members:
            raise UnsafeFileError(f"damaged file: the zip archive holds two parts named {info.filename}")
        members[key] = info
        if info.flag_bits & 0x1:
            raise UnsafeFileError(_ENCRYPTED_MESSAGE)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeFileError(
                f"damaged file: {info.filename} uses a compression method no spreadsheet program writes "
                f"(method {info.compress_type})"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise UnsafeFileError(
                f"zip bomb: {info.filename} expands {ratio:,.0f}:1 to {_size(info.file_size)}; "
                f"the limit is {limits.max_ratio:,.0f}:1"
            )
        total += info.file_size
    if total > limits.max_unzipped_bytes:
        raise UnsafeFileError(
            f"zip bomb: the archive expands to {_size(total)}; the limit is {_size(limits.max_unzipped_bytes)}"
        )
    # Parts sharing compressed bytes (an "overlapping" zip bomb) multiply the data without high ratios.
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for first, second in itertools.pairwise(ordered):
        if first.header_offset + 30 + len(first.orig_filename) + first.compress_size > second.header_offset:
            raise UnsafeFileError(f"zip bomb: parts {first.filename} and {second.filename} overlap in the archive")
    return members


def _zip_guess(zip_file: _Zip) -> str:
    members = zip_file.members
    if "xl/workbook.bin" in members:
        return " (it is an Excel binary workbook, .xlsb: save it as .xlsx)"
    if "word/document.xml" in members:
        return " (it is a Word document)"
    if "ppt/presentation.xml" in members:
        return " (it is a PowerPoint presentation)"
    return ""


def _is_xml_part(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


class _Zip:
    """The archive's members by case-folded name, read through zipfile with their sizes verified."""

    def __init__(
        self, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], content: bytes | None = None
    ) -> None:
        self.archive = archive
        self.members = members  # by case-folded name
        self.opened: set[str] = set()
        # The whole file, when it was read at once: members are then inflated straight from it.
        self.content = content

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.casefold())

    def chunks(self, name: str, out_chunk: int = _OUT_CHUNK) -> Iterator[bytes]:
        """The member's bytes, at most `out_chunk` at a time, never more than its declared size."""
        info = self.members[name.casefold()]
        self.opened.add(name.casefold())
        part = info.filename
        corrupt = UnsafeFileError(f"damaged file: {part} is corrupt inside the zip archive")
        declared = info.file_size
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != declared:
            raise corrupt
        # Both readers ask for one byte past the declared size, so a header that lies is caught in the act.
        source = self._inflated(info, out_chunk) if self.content is not None else self._read(info, out_chunk)
        yield from _accounted(source, info)

    def _read(self, info: zipfile.ZipInfo, out_chunk: int) -> Iterator[bytes]:
        """The member's bytes through zipfile, asked for one byte past its declared size (`_accounted`)."""
        part = info.filename
        corrupt = UnsafeFileError(f"damaged file: {part} is corrupt inside the zip archive")
        declared = info.file_size
        bounded = zipfile.ZipInfo(info.orig_filename)
        bounded.flag_bits, bounded.compress_type = info.flag_bits, info.compress_type
        bounded.header_offset, bounded.compress_size = info.header_offset, info.compress_size
        bounded.file_size = declared + 1
        try:
            member = self.archive.open(bounded)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
            raise UnsafeFileError(_DAMAGED_ZIP) from None
        produced = 0
        with member:
            ended = False
            while not ended:
                wanted = min(out_chunk, declared - produced + 1)
                try:
                    data = member.read(wanted)
                except EOFError:
                    raise UnsafeFileError(_DAMAGED_ZIP) from None
                except (zlib.error, zipfile.BadZipFile):
                    raise corrupt from None
                ended = len(data) < wanted  # zipfile returns less than asked only at the member's end
                produced += len(data)
                yield data

    def _inflated(self, info: zipfile.ZipInfo, out_chunk: int) -> Iterator[bytes]:
        """`chunks` for a file held in memory: the member inflated straight from its bytes, with the checks
        zipfile's `open` and `read` make (local header, name, flags, truncation) and the same refusals.

        A `ZipExtFile` per part, re-reading its local header through a shared file object, cost more than
        the inflating for a typical workbook's 14 small parts (issue 19)."""
        content = self.content
        assert content is not None
        part = info.filename
        corrupt = UnsafeFileError(f"damaged file: {part} is corrupt inside the zip archive")
        offset = info.header_offset
        header = content[offset : offset + 30]
        if len(header) != 30 or not header.startswith(b"PK\x03\x04"):
            raise UnsafeFileError(_DAMAGED_ZIP)
        (local_flags,) = struct.unpack_from("<H", header, 6)
        name_length, extra_length = struct.unpack_from("<HH", header, 26)
        if info.flag_bits & 0x60:  # compressed patched data, strong encryption: zipfile refuses both
            raise UnsafeFileError(_DAMAGED_ZIP)
        raw_name = content[offset + 30 : offset + 30 + name_length]
        try:
            local_name = raw_name.decode("utf-8" if local_flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            raise UnsafeFileError(_DAMAGED_ZIP) from None
        if local_name != info.orig_filename:
            raise UnsafeFileError(_DAMAGED_ZIP)
        start = offset + 30 + name_length + extra_length
        stored = memoryview(content)[start : start + info.compress_size]
        truncated = len(stored) < info.compress_size  # the file ends inside the member
        declared = info.file_size
        produced = 0
        if info.compress_type == zipfile.ZIP_STORED:
            for at in range(0, len(stored), out_chunk):
                yield bytes(stored[at : at + out_chunk])
            if truncated:
                raise UnsafeFileError(_DAMAGED_ZIP)
        else:
            inflater = zlib.decompressobj(-15)
            fed = 0
            pending: bytes | memoryview = b""
            while not inflater.eof:
                if not pending:
                    if fed >= len(stored):
                        # The input is spent: what zlib still holds comes out, as zipfile's last read does.
                        data = inflater.flush()
                    else:
                        pending, fed = stored[fed : fed + _RAW_CHUNK], fed + _RAW_CHUNK
                        data = b""
                    if not pending and not data:
                        break
                if pending:
                    # One byte more than the declared size is asked for: a header that lies is caught in the act.
                    wanted = min(out_chunk, declared - produced + 1)
                    try:
                        data = inflater.decompress(pending, wanted)
                    except zlib.error:
                        raise corrupt from None
                    pending = inflater.unconsumed_tail
                produced += len(data)
                yield data
            if truncated and not inflater.eof:
                raise UnsafeFileError(_DAMAGED_ZIP)

    def xml_chunks(self, name: str) -> Iterator[bytes]:
        """Like `chunks`, after refusing a DTD in the part's prolog."""
        chunks = self.chunks(name)
        head = b""
        for chunk in chunks:
            head += chunk
            if len(head) >= _PROLOG_BYTES:
                break
        _check_prolog(head, self.members[name.casefold()].filename)
        if head:
            yield head
        yield from chunks

    def check_prolog(self, name: str) -> None:
        """Refuse a DTD in a part that nothing parses, from its first bytes only."""
        head = b""
        for chunk in self.chunks(name, out_chunk=_PROLOG_PEEK):
            head += chunk
            if _check_prolog(head, self.members[name.casefold()].filename) or len(head) >= _PROLOG_BYTES:
                return

    def read_small(self, name: str, limit: int) -> bytes:
        info = self.members[name.casefold()]
        if info.file_size > limit:
            raise UnsafeFileError(f"damaged file: {info.filename} is {_size(info.file_size)}, far too large")
        return b"".join(self.chunks(name))


def _accounted(pieces: Iterator[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes as a reader gives them (through zipfile or from memory), refused the moment they
    pass the size its header declares (a zip bomb), then checked against that size and its CRC. Each
    reader asks for one byte past the declared size: zipfile would stop there without a word, and that
    byte would fail its CRC check before it is seen, so the readers check no CRC and this does."""
    part, declared = info.filename, info.file_size
    produced = crc = 0
    for data in pieces:
        produced += len(data)
        if produced > declared:
            raise UnsafeFileError(f"zip bomb: {part} expands beyond the {_size(declared)} its zip header declares")
        crc = zlib.crc32(data, crc)
        if data:
            yield data
    if produced != declared or crc != info.CRC:
        raise UnsafeFileError(f"damaged file: {part} is corrupt inside the zip archive")


# A character reference (`&#xD800;`, `&#0;`) whose number XML 1.0 allows no character for.
_CHARACTER_REFERENCE = re.compile(rb"&#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_CHARACTER_REFERENCE_START = re.compile(rb"&#")
_CELL_BEFORE = re.compile(rb'<(?:[^\s<>/:]+:)?c\s[^<>]*?\br\s*=\s*["\']([A-Za-z]{1,3}[0-9]{1,7})["\']')


def _is_xml_character(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _valid_text(chunks: Iterable[bytes], part: str, sheet: str | None = None) -> Iterator[bytes]:
    """The chunks of a UTF-8 XML part, refused with the place it breaks when a byte sequence is not UTF-8
    (a lone surrogate among them) or a character reference names no character; calamine would stop
    there with a decoder's message naming neither the part nor the cell. UTF-16 parts pass unchecked."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    before = b""  # the end of the previous chunk: where a bad sequence is, and what precedes it
    for index, chunk in enumerate(chunks):
        if index == 0 and chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
            yield chunk
            yield from chunks
            return
        window = before + chunk
        pending = decoder.getstate()[0]  # the start of a character cut by the previous chunk
        if not (chunk.isascii() and not pending):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = len(before) - len(pending) + exc.start
                lone = window[at : at + 1] == b"\xed" and b"\xa0" <= window[at + 1 : at + 2] <= b"\xbf"
                what = "half of a character pair (a lone surrogate)" if lone else "bytes that are not UTF-8 text"
                _refuse_text(window, at, part, sheet, what)
        if _CHARACTER_REFERENCE_START.search(window):  # the regex engine's literal scan beats `in` here
            for match in _CHARACTER_REFERENCE.finditer(window):
                hexadecimal, decimal = match.groups()
                code = int(hexadecimal, 16) if hexadecimal else int(decimal)
                if not _is_xml_character(code):
                    kind = "half of a character pair (a lone surrogate)" if 0xD800 <= code <= 0xDFFF else "no character"
                    reference = match.group().decode("ascii")
                    _refuse_text(window, match.start(), part, sheet, f"the reference {reference}, which is {kind}")
        before = chunk[-4 * KIB :]
        yield chunk
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse_text(before, len(before), part, sheet, "a character cut short at its end")


_PART_MEANING = {
    "xl/sharedstrings.xml": " (the workbook's shared text)",
    "xl/workbook.xml": " (the names of the sheets)",
    "xl/styles.xml": " (the cell formats)",
}


def _refuse_text(window: bytes, at: int, part: str, sheet: str | None, what: str) -> NoReturn:
    """Where bad text is, in words HR can act on: the sheet and cell, or the part, and the text before it."""
    before = window[max(0, at - 400) : at].decode("utf-8", errors="replace")
    inside_tag = before.rfind("<") > before.rfind(">")
    # Inside a tag: the attribute value so far; else the text since the last tag.
    text = re.split(r"[\"']", before)[-1] if inside_tag else before[before.rfind(">") + 1 :]
    near = html.unescape(" ".join(text.split()))[-40:]
    after = f" after the text '{near}'" if near else " at the start of its text"
    if sheet is not None:
        cells = _CELL_BEFORE.findall(window, max(0, at - 4 * KIB), at)
        cell = cells[-1].decode("ascii").upper() if cells else None
        where = f"sheet '{sheet}', cell {cell}" if cell else f"sheet '{sheet}' ({part})"
        fix = "retype that cell's text" if cell else "retype the text there"
    else:
        cell = None
        where = part + _PART_MEANING.get(part.casefold(), "")
        fix = "retype that text"
    raise UnsafeFileError(
        f"damaged text: {where} holds {what}{after}; {fix} and save the file again", sheet=sheet, cell=cell
    )


def _drain(chunks: Iterable[bytes]) -> None:
    for _ in chunks:
        pass


_XML_DECL = re.compile(r"<\?.*?\?>", re.DOTALL)
_XML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _check_prolog(head: bytes, part: str) -> bool:
    """A DTD can only come before the root element: refuse one there, in any encoding. False when `head`
    ends inside the prolog (a longer head decides)."""
    text = _xml_text(head)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<?", position):
            match = _XML_DECL.match(text, position)
        elif text.startswith("<!--", position):
            match = _XML_COMMENT.match(text, position)
        elif text.startswith("<!", position):
            if text[position + 2 : position + 9].upper().startswith(("DOCTYPE", "ENTITY")):
                raise UnsafeFileError(f"{part} {_DTD_MESSAGE}")
            # Something else malformed, which the XML parser reports; unless the head is cut short.
            return len(text) - position >= 9
        else:
            return position < len(text)  # the root element (or text): no DTD can follow
        if match is None:
            if len(head) >= _PROLOG_BYTES:
                raise UnsafeFileError(
                    f"{part} starts with more than {_size(_PROLOG_BYTES)} of XML declarations and comments, "
                    "which is refused"
                )
            return False
        position = match.end()


def _xml_text(head: bytes) -> str:
    """The part's first bytes as text, honouring a UTF-16 byte order mark or layout (XML 1.0 appendix F)."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head.decode("utf-16-le", errors="replace").lstrip("\ufeff")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head.decode("utf-16-be", errors="replace").lstrip("\ufeff")
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


class _ChunkStream(io.RawIOBase):
    """A read-only file over chunks, for the XML parser's streaming interface."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview | bytearray) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


@contextlib.contextmanager
def _xml_errors(part: str) -> Iterator[None]:
    """defusedxml's refusals and parse errors, as messages about the part."""
    try:
        yield
    except DefusedXmlException:
        raise UnsafeFileError(f"{part} {_DTD_MESSAGE}") from None
    except ParseError as exc:
        line, column = exc.position
        raise UnsafeFileError(f"damaged file: {part} is not well-formed XML (line {line}, column {column})") from None


def _parse_xml(chunks: Iterator[bytes], part: str, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    """defusedxml's streaming parser, DTDs forbidden."""
    with _xml_errors(part):
        yield from iterparse(_ChunkStream(chunks), events=events, forbid_dtd=True)


def _xml_elements(zip_file: _Zip, name: str) -> Iterator[Element]:
    """Every element of a small part (workbook, relationships, manifest), for its attributes only."""
    info = zip_file.members[name.casefold()]
    if info.file_size <= _SMALL_XML:
        data = b"".join(_valid_text(zip_file.xml_chunks(name), info.filename))
        with _xml_errors(info.filename):
            root = fromstring(data, forbid_dtd=True)
        yield from root.iter()
        return
    for _event, element in _parse_xml(_valid_text(zip_file.xml_chunks(name), info.filename), info.filename, ("end",)):
        yield element
        element.clear()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------- .xlsx / .xlsm

_RELATIONSHIP_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


def _scan_xlsx(zip_file: _Zip, wanted: Callable[[str], bool], limits: Limits) -> FileScan:
    sheets: list[tuple[str, str]] = []  # (name, relationship id)
    for element in _xml_elements(zip_file, "xl/workbook.xml"):
        if _local(element.tag) == "sheet":
            sheets.append((element.get("name", ""), _relationship_id(element)))
    targets: dict[str, str] = {}
    if zip_file.info("xl/_rels/workbook.xml.rels") is not None:
        for element in _xml_elements(zip_file, "xl/_rels/workbook.xml.rels"):
            if _local(element.tag) == "Relationship" and element.get("TargetMode") != "External":
                targets[element.get("Id", "")] = element.get("Target", "")
    scans: dict[str, SheetScan] = {}
    for name, rid in sheets:
        if not wanted(name):
            continue
        parts = [p for p in _sheet_parts(targets.get(rid, "")) if zip_file.info(p) is not None]
        if not parts:
            raise UnsafeFileError(f"damaged file: sheet '{name}' has no data in the archive", sheet=name)
        for part in parts:
            size = zip_file.members[part.casefold()].file_size
            chunks = _valid_text(zip_file.xml_chunks(part), zip_file.members[part.casefold()].filename, name)
            scans[name] = _scan_sheet_xml(chunks, name, limits, size)
    return FileScan(kind="xlsx", sheets=scans)


def _relationship_id(element: Element) -> str:
    """`r:id`, whatever the prefix (`r`, `relationships`, ...), in the transitional or strict namespace."""
    for key, value in element.attrib.items():
        namespace, _, local = key[1:].partition("}")
        if key.startswith("{") and local == "id" and namespace in _RELATIONSHIP_NAMESPACES:
            return value
    return ""


def _sheet_parts(target: str) -> list[str]:
    """Where calamine looks for a relationship target, and where the OPC rules put it, if different."""
    if not target:
        return []
    if target.startswith("/xl/"):
        calamine = target[1:]
    elif target.startswith("xl/"):
        calamine = target
    else:
        calamine = f"xl/{target}"
    parts = [calamine]
    resolved: list[str] = []
    for piece in (target[1:] if target.startswith("/") else f"xl/{target}").split("/"):
        if piece == "..":
            if resolved:
                resolved.pop()
        elif piece not in ("", "."):
            resolved.append(piece)
    opc = "/".join(resolved)
    if opc.casefold() != calamine.casefold():
        parts.append(opc)
    return parts


# Start and end tags of the elements that place cells, located the way calamine's XML reader does:
# any namespace prefix, a name ending at white space, '/' or '>'. The attribute group is strict XML
# (quoted values, no '<' inside); a tag that fails it is refused rather than guessed at.
_NAME_PREFIX = rb"(?:[^\s<>/:!?=\"']+:)?"
_NAME = rb"([^\s<>/:!?=\"']+)"
# One match per tag that places cells: the end of a row, or the start of a cell, a row or the dimension.
# The common `r="D7"` written first is captured directly (letters, digits), any other spelling is found
# among the attributes; for a cell, a lookahead names the tag that follows (`f`: a formula; `/c`: the
# cell is empty).
_TAG = re.compile(
    rb"<(?:/" + _NAME_PREFIX + rb"(row)\s*>|" + _NAME_PREFIX + rb"(c|row|dimension)(?=[\s/>])"
    rb"(?:(?:\s+r=\"([A-Za-z]{0,3})([0-9]{1,7})\")?"
    rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*(/?)>"
    rb"(?:(?=\s*<(/?)" + _NAME_PREFIX + _NAME + rb"))?)?)"
)
_ATTRIBUTE = re.compile(rb"\s([^\s=/>]+)\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
_CELL_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
_TEXT_AFTER_TAG = re.compile(rb">[^<]+\Z")


# `_SheetScanner.plain_rows`: cells and rows with their reference first, told from every other spelling.
_PLAIN_ATTRIBUTES = rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*\s*"
# (letters, digits, "/" for `<c .../>`, "</c" for `<c ...></c>`): a cell without content has either.
_PLAIN_CELL_END = rb"(/?)>(?:(\s*</c)(?=[\s<>/:!?=\"']|\Z))?"
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _PLAIN_ATTRIBUTES + _PLAIN_CELL_END)
# The same cells as Excel, LibreOffice and matrixkit itself spell them (`r`, then a style, a type or both):
# matched at about twice the speed, since a general attribute costs the regex engine most of its time.
_USUAL_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: [st]="[0-9A-Za-z]{1,9}"){0,2}' + _PLAIN_CELL_END)
_PLAIN_ROW = re.compile(rb'<row r="[0-9]{1,7}"' + _PLAIN_ATTRIBUTES + rb"/?>")
_PLAIN_ROWS_BYTES = 256 * KIB  # rows are read in windows of this much: findall's lists stay within a few MiB


def _attribute(attributes: bytes, name: bytes) -> bytes | None:
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1) == name:
            value = match.group(2)
            return value if value is not None else match.group(3)
    return None


def _beyond(row: int, column: int, limits: Limits) -> bool:
    """A 1-based far corner past the rows, columns or cells a sheet may span."""
    return row > limits.max_rows or column > limits.max_columns or row * column > limits.max_cells


def _column_letters(column: int) -> str:
    """1 → 'A', 16384 → 'XFD': the scan counts columns from 1, as calamine does."""
    return col_letter(column - 1)


class _SheetScanner:
    """Follows calamine's cell placement over a worksheet part fed in chunks: explicit `r` references,
    and for cells and rows without one, the next column and the next row."""

    def __init__(self, sheet: str, limits: Limits) -> None:
        self.sheet = sheet
        self.limits = limits
        self.row = 0  # 0-based, as calamine counts while reading
        self.column = 0
        self.max_row = 0  # 1-based, cells with content
        self.max_column = 0
        self.formulas: set[str] = set()
        self.errors: set[str] = set()
        self.error_values: dict[str, str] = {}
        self.dimension: str | None = None
        self.dimension_corner = (0, 0)

    def check(self, row: int, column: int) -> None:
        """1-based position against the limits."""
        if row > self.limits.max_rows or column > self.limits.max_columns:
            self.refuse(row, column)

    def refuse(self, row: int, column: int) -> NoReturn:
        ref = f"{_column_letters(column)}{row}"
        raise UnsafeFileError(
            f"sheet '{self.sheet}' reaches {ref}, beyond the limit of {self.limits.max_rows:,} rows and "
            f"{self.limits.max_columns:,} columns",
            sheet=self.sheet,
            cell=ref,
        )

    def result(self) -> SheetScan:
        row, column = self.dimension_corner
        return SheetScan(
            self.sheet,
            self.max_row,
            self.max_column,
            frozenset(self.formulas),
            frozenset(self.errors),
            self.error_values,
            self.dimension if _beyond(row, column, self.limits) else None,
        )

    def grow(self, row: int, column: int) -> None:
        """A cell with content at this 1-based position: the sheet's extent grows, within the limits."""
        if row > self.max_row:
            self.max_row = row
        if column > self.max_column:
            self.max_column = column
        if self.max_row * self.max_column > self.limits.max_cells:
            ref = f"{_column_letters(self.max_column)}{self.max_row}"
            raise UnsafeFileError(
                f"sheet '{self.sheet}' spans A1:{ref}, {self.max_row * self.max_column:,} cells; the limit is "
                f"{self.limits.max_cells:,} cells",
                sheet=self.sheet,
                cell=ref,
            )

    def ref(self, raw: bytes) -> tuple[int, int]:
        """A cell reference, 1-based; an unreadable one makes calamine fail, so it is refused here."""
        match = _CELL_REF.fullmatch(raw)
        if match is None:
            text = raw.decode("utf-8", errors="replace")[:40]
            raise UnsafeFileError(
                f"damaged file: sheet '{self.sheet}' has an unreadable cell reference '{text}'", sheet=self.sheet
            )
        letters, digits = match.groups()
        return (int(digits) if len(digits) <= 12 else 10**12), self.column_number(letters)

    def column_number(self, letters: bytes) -> int:
        return _column_number(letters)

    def plain_rows(self, buffer: bytes, start: int, end: int) -> int:
        """Handle the rows of buffer[start:end] before its last `<row` at C speed when they are in the usual
        shape (unprefixed tags, every row and cell with its reference first, no formula, no error type, no
        dimension): return where the rest starts, `start` when they are not (`feed` then reads every tag).
        `start` is where a tag starts, `end` anywhere after.

        The result is the one `feed` reaches: the extent counts cells with content, and a cell past a limit
        leaves the rows to `feed`, which refuses them with its own message.
        """
        last_row = buffer.rfind(b'<row r="', start, end)
        if last_row <= start or not buffer[start:last_row].rstrip().endswith(b"</row>"):
            return start
        if (
            _PREFIXED_TAG.search(buffer, start, last_row)
            or buffer.find(b"<dimension", start, last_row) >= 0
            or buffer.find(b"<f", start, last_row) >= 0
            or buffer.find(b'"e"', start, last_row) >= 0
            or buffer.find(b"'e'", start, last_row) >= 0
        ):
            return start
        head = buffer[start:last_row]
        # Every cell tag starts with `<c` (and in rows no other tag does): as many plain cells as that means
        # every cell is plain, counted at memchr speed rather than matched.
        tags = head.count(b"<c")
        cells = _USUAL_CELL.findall(head)
        if len(cells) != tags:
            cells = _PLAIN_CELL.findall(head)
        if len(cells) != tags or len(_PLAIN_ROW.findall(head)) != head.count(b"<row"):
            return start
        if not cells:
            return start
        max_row = max(map(int, set(map(_DIGITS, cells))))
        max_column = max(map(_column_number, set(map(_LETTERS, cells))))
        if max_row > self.limits.max_rows or max_column > self.limits.max_columns:
            return start
        filled = [cell for cell in cells if not cell[2] and not cell[3]]
        if filled:
            row = max(self.max_row, *map(int, set(map(_DIGITS, filled))))
            column = max(self.max_column, *map(_column_number, set(map(_LETTERS, filled))))
            if row * column > self.limits.max_cells:
                return start
            self.max_row, self.max_column = row, column
        self.column = 0  # the rows end with `</row>`; the last `<row r=` sets the row
        return last_row

    def feed(self, buffer: bytes, end: int, final: bool) -> int:
        """Handle every complete tag of buffer[:end]; return where the unhandled rest starts."""
        max_rows, max_columns = self.limits.max_rows, self.limits.max_columns
        start = 0
        while start < end:  # in windows, so that the lists of matches stay small
            plain_end = self.plain_rows(buffer, start, min(end, start + _PLAIN_ROWS_BYTES))
            if plain_end == start:
                break
            start = plain_end
        for match in _TAG.finditer(buffer, start, end):
            row_end, name, letters, digits, attributes, self_closing, next_end, next_name = match.groups()
            if row_end:
                self.row += 1
                self.column = 0
            elif attributes is None:  # every tag before `end` is complete, unless the part is malformed
                raise UnsafeFileError(f"damaged file: sheet '{self.sheet}' holds a malformed XML tag", sheet=self.sheet)
            elif name == b"c":
                if next_name is None and not self_closing and not final and buffer.find(b"<", match.end(), end) < 0:
                    return match.start()  # what follows the cell's start tag is not here yet
                if letters:
                    row, column = int(digits), self.column_number(letters)
                else:
                    raw = _attribute(attributes, b"r") if digits is None else digits
                    if raw is not None:
                        row, column = self.ref(raw)
                    else:
                        row, column = self.row + 1, self.column + 1
                if row > max_rows or column > max_columns:
                    self.refuse(row, column)
                self.column = column
                if self_closing or (next_end and next_name == b"c"):
                    continue  # <c .../> or <c ...></c>: no content
                if row > self.max_row or column > self.max_column:
                    self.grow(row, column)
                if next_name == b"f" and not next_end:
                    self.formulas.add(f"{_column_letters(column)}{row}")
                # An error type is the value "e" in quotes: `t="inlineStr"` (nearly every text cell) is not one.
                if (b'"e"' in attributes or b"'e'" in attributes) and _attribute(attributes, b"t") == b"e":
                    ref = f"{_column_letters(column)}{row}"
                    self.errors.add(ref)
                    # The value is found when it lies in this buffer: it nearly always does (a few bytes).
                    shown = _ERROR_SHOWN.match(buffer, match.end())
                    if shown is not None:
                        self.error_values[ref] = _error_text(shown.group(1))
            elif name == b"row":
                raw = digits if digits is not None else _attribute(attributes, b"r")
                if raw is not None:
                    if not raw.isdigit():
                        raise UnsafeFileError(
                            f"damaged file: sheet '{self.sheet}' has an unreadable row number", sheet=self.sheet
                        )
                    self.row = int(raw[:12]) - 1
                if self_closing:
                    self.row += 1
                    self.column = 0
            else:  # <dimension ref="A1:R6"/>: a claim, judged against the cells at the end
                declared = _attribute(attributes, b"ref") or b""
                corners = [self.ref(raw) for raw in declared.split(b":") if raw]
                if corners:
                    self.dimension = declared.decode("ascii", errors="replace")[:40]
                    self.dimension_corner = (max(r for r, _ in corners), max(c for _, c in corners))
        return end


# The shape of a worksheet as Excel, LibreOffice, openpyxl and matrixkit write it: every cell tag
# unprefixed, its reference first and explicit. Such a sheet is judged by a few C-speed regex passes.
_CELL_START = re.compile(rb'<c(?:\s+r="([A-Z]{1,3})([0-9]{1,7})")?(?=[\s/>])')
_FORMULA_START = re.compile(rb"<f[\s/>]")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^<]*<f[\s/>]')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^<>]*?\st\s*=\s*["\']e["\']')
# A prefixed element name (`<x:c `), found from its colon: most sheets have few colons.
_PREFIXED_TAG = re.compile(rb":(?:c|row|f|dimension)[\s/>]")
_PLAIN_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"\s*/>')
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
# What an error cell shows: its `<v>`, after the formula if any (`<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v>`).
_ERROR_SHOWN = re.compile(rb"\s*(?:<f[^<>]*/>\s*|<f[^<>]*>[^<]*</f>\s*)?<v>([^<]{1,64})</v>")
_ERROR_CELL_SHOWN = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^<>]*?\st\s*=\s*["\']e["\'][^<>]*>' + _ERROR_SHOWN.pattern
)


def _error_text(raw: bytes) -> str:
    """An error cell's value as text: `#DIV/0!` (entities undone, at most 64 characters)."""
    return html.unescape(raw.decode("utf-8", errors="replace")).strip()[:64]


_QUICK_SCAN_BYTES = 16 * MIB
_QUOTED_E = re.compile(rb'"e"')
_APOSTROPHED_E = re.compile(rb"'e'")


def _quick_sheet_scan(data: bytes, sheet: str, limits: Limits) -> SheetScan | None:
    """The scan of a sheet in the usual shape, or None when it is not (the full scanner decides)."""
    if not data.startswith(b"<") or _PREFIXED_TAG.search(data):
        return None
    cells = _CELL_START.findall(data)  # (letters, digits), empty for a cell without a reference first
    if (b"", b"") in cells:
        return None  # a cell placed by counting, as the full scan does
    dimensions = data.count(b"<dimension")
    dimension = _PLAIN_DIMENSION.search(data) if dimensions else None
    if dimensions > 1 or (dimensions and dimension is None):
        return None
    max_row = max(map(int, map(_DIGITS, cells)), default=0)
    max_column = max(map(_column_number, set(map(_LETTERS, cells))), default=0)
    false_dimension = None
    if dimension is not None:
        first = _CELL_REF.fullmatch(dimension.group(1))
        assert first is not None  # the pattern above matched it
        corner = (int(first.group(2)), _column_number(first.group(1)))
        if dimension.group(2):
            corner = max(corner[0], int(dimension.group(3))), max(corner[1], _column_number(dimension.group(2)))
        if _beyond(*corner, limits):
            false_dimension = dimension.group(0).split(b'"')[1].decode("ascii")
    # Empty cells count here, which only the full scan tells apart: a sheet over a limit is judged there.
    if max_row > limits.max_rows or max_column > limits.max_columns or max_row * max_column > limits.max_cells:
        return None
    # A formula is an `<f` right after its cell's start tag (attribute values cannot hold `<`); every
    # `<f` must be one, and every error type must belong to a cell, or the full scan decides.
    formulas = _FORMULA_CELL.findall(data)
    if len(formulas) != len(_FORMULA_START.findall(data)):
        return None
    errors: list[bytes] = []
    shown: dict[str, str] = {}
    if _QUOTED_E.search(data) or _APOSTROPHED_E.search(data):  # faster than `in` over markup full of quotes
        errors = _ERROR_CELL.findall(data)
        if len(errors) != len(_ERROR_TYPE.findall(data)):
            return None
        shown = {ref.decode("ascii"): _error_text(value) for ref, value in _ERROR_CELL_SHOWN.findall(data)}
    return SheetScan(
        sheet,
        max_row,
        max_column,
        frozenset(ref.decode("ascii") for ref in formulas),
        frozenset(ref.decode("ascii") for ref in errors),
        shown,
        false_dimension,
    )


_LETTERS = operator.itemgetter(0)
_DIGITS = operator.itemgetter(1)


@functools.lru_cache(maxsize=4096)  # bounded: a hostile sheet may spell many columns
def _column_number(letters: bytes) -> int:
    """b"D" → 4, b"xfd" → 16384; beyond eight letters, a column past every limit."""
    if len(letters) > 8:
        return 26**9
    return column_index(letters.decode("ascii")) + 1


def _scan_sheet_xml(chunks: Iterable[bytes], sheet: str, limits: Limits, size: int | None = None) -> SheetScan:
    if size is not None and size <= _QUICK_SCAN_BYTES:
        data = b"".join(chunks)
        quick = _quick_sheet_scan(data, sheet, limits)
        if quick is not None:
            return quick
        chunks = [data]
    scanner = _SheetScanner(sheet, limits)
    carry = b""
    for index, chunk in enumerate(chunks):
        if index == 0 and chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
            # The scan reads tags as ASCII bytes; calamine would decode UTF-16, which no spreadsheet
            # program writes, so such a part is refused rather than misread.
            raise UnsafeFileError(f"damaged file: sheet '{sheet}' is stored as UTF-16 XML", sheet=sheet)
        buffer = carry + chunk if carry else chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            carry = b""
            continue
        carry = buffer[scanner.feed(buffer, cut, final=False) :]
        if len(carry) > 64 * KIB:
            # Only the tags matter: text after the last complete tag shrinks to one character.
            carry = _TEXT_AFTER_TAG.sub(lambda m: b"> " if m.group()[1:].isspace() else b">x", carry)
            if len(carry) > _MAX_TAG:
                raise UnsafeFileError(
                    f"damaged file: sheet '{sheet}' holds an XML tag longer than {_size(_MAX_TAG)}", sheet=sheet
                )
    if carry:
        scanner.feed(carry, len(carry), final=True)
    return scanner.result()


# ---------------------------------------------------------------- .ods

_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
# calamine matches these qualified names literally (whatever namespace the prefix is bound to), so the
# scan does too: it sees exactly the rows and cells calamine will expand.
_ODS_CELLS = frozenset({"table:table-cell", "table:covered-table-cell"})
_ODS_CONTENT_ATTRIBUTES = (
    "office:value-type",
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
    "table:formula",
)


def _scan_ods(zip_file: _Zip, wanted: Callable[[str], bool], limits: Limits) -> FileScan:
    mimetype = zip_file.read_small("mimetype", 4 * KIB).strip()
    if mimetype != _ODS_MIMETYPE:
        kind = mimetype.decode("ascii", errors="replace")[:80]
        what = "an OpenDocument file" if kind.startswith("application/vnd.oasis.opendocument") else "a zip file"
        raise UnsafeFileError(f"not a spreadsheet: {what} of type '{kind}'")
    if zip_file.info("META-INF/manifest.xml") is not None:
        for element in _xml_elements(zip_file, "META-INF/manifest.xml"):
            if element.tag == f"{_MANIFEST}encryption-data":
                raise UnsafeFileError(_ENCRYPTED_MESSAGE)
    if zip_file.info("content.xml") is None:
        raise UnsafeFileError("damaged file: the spreadsheet has no content.xml")
    scanner = _OdsScanner(wanted, limits)
    scanner.parse(zip_file.xml_chunks("content.xml"))
    return FileScan(kind="ods", sheets=scanner.scans)


# expat's error codes for text that is no text: a byte sequence that is not UTF-8 (a lone surrogate
# among them) and a character reference such as &#xD800;.
_INVALID_TOKEN = expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
_BAD_TEXT_CODES = frozenset(
    expat.errors.codes[message]
    for message in (expat.errors.XML_ERROR_BAD_CHAR_REF, expat.errors.XML_ERROR_PARTIAL_CHAR)
)


def _refuse_dtd(*_args: object) -> NoReturn:
    raise UnsafeFileError(f"content.xml {_DTD_MESSAGE}")


class _OdsScanner:
    """Places every cell of content.xml as calamine does, honouring repeated rows and cells.

    Every sheet is held to the limits (calamine parses them all on opening); wanted ones are described.
    LibreOffice writes the unused rest of a sheet as rows and cells repeated a million times: those are
    positions, not content, so only cells with a value, a value type, a formula or a paragraph count.

    Streamed through expat directly, with the guards defusedxml installs (no DTD, no entity
    declaration, no external entity): a third of the time of defusedxml's `iterparse`, which builds an
    element for every tag.
    """

    def __init__(self, wanted: Callable[[str], bool], limits: Limits) -> None:
        self.wanted = wanted
        self.limits = limits
        self.scans: dict[str, SheetScan] = {}
        self.sheet: _SheetScanner | None = None
        self.keep = False
        self.row = self.column = 0  # 0-based position of the next row and cell
        self.row_repeat = 1
        self.cell: dict[str, str] | None = None  # attributes of the open cell
        self.cell_has_text = False
        self.depth_in_cell = 0
        self.shown: list[str] | None = None  # the text of the open error cell, while it is read
        self.parser = expat.ParserCreate()

    def collect(self, text: str) -> None:
        if self.shown is not None and len(self.shown) < 64:
            self.shown.append(text)

    def parse(self, chunks: Iterable[bytes]) -> None:
        parser = self.parser
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.UnparsedEntityDeclHandler = _refuse_dtd
        parser.ExternalEntityRefHandler = _refuse_dtd
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        fed, piece = 0, memoryview(b"")  # bytes given to expat before `piece`, the one being parsed
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                for offset in range(0, len(view), 64 * KIB):  # expat is fastest fed this much at a time
                    fed += len(piece)
                    piece = view[offset : offset + 64 * KIB]
                    parser.Parse(piece, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            at = parser.ErrorByteIndex - fed
            not_utf8 = exc.code == _INVALID_TOKEN and 0 <= at < len(piece) and piece[at] >= 0x80
            where = f"line {exc.lineno}, column {exc.offset}"
            sheet = self.sheet.sheet if self.sheet is not None else None
            cell = None
            if sheet is not None:
                cell = f"{_column_letters(self.column + 1)}{self.row + 1}" if self.cell is not None else None
                where += f", sheet '{sheet}'" + (f", cell {cell}" if cell else "")
            if exc.code in _BAD_TEXT_CODES or not_utf8:
                place = (f"sheet '{sheet}'" + (f", cell {cell}," if cell else "")) if sheet else "the file"
                raise UnsafeFileError(
                    f"damaged text: {place} holds bytes that are not UTF-8 text (or a reference to no "
                    f"character) in content.xml, line {exc.lineno}, column {exc.offset}; retype that text and "
                    "save the file again",
                    sheet=sheet,
                    cell=cell,
                ) from None
            raise UnsafeFileError(
                f"damaged file: content.xml is not well-formed XML ({where})", sheet=sheet, cell=cell
            ) from None

    def repeat(self, attributes: dict[str, str], name: str) -> int:
        raw = attributes.get(name)
        if raw is None:
            return 1
        if not raw.isdigit() or len(raw) > 12:
            sheet = self.sheet.sheet if self.sheet else None
            raise UnsafeFileError(
                f"damaged file: sheet '{sheet}' has an unreadable repeat count '{raw[:20]}'", sheet=sheet
            )
        return max(int(raw), 1)

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if self.depth_in_cell:
            # Inside a cell only its own paragraphs matter (not annotations, not nested tables).
            self.depth_in_cell += 1
            if self.depth_in_cell == 2 and tag == "text:p":
                self.cell_has_text = True
        elif self.sheet is None:
            if tag == "table:table":
                name = attributes.get("table:name", "")
                self.sheet, self.keep = _SheetScanner(name, self.limits), self.wanted(name)
                self.row = self.column = 0
        elif tag == "table:table-row":
            self.row_repeat = self.repeat(attributes, "table:number-rows-repeated")
            self.column = 0
        elif tag in _ODS_CELLS:
            self.cell, self.cell_has_text, self.depth_in_cell = attributes, False, 1
            if self.keep and attributes.get("calcext:value-type") == "error":
                # Text is collected only inside error cells: a handler for every text node costs time.
                self.shown = []
                self.parser.CharacterDataHandler = self.collect

    def end(self, tag: str) -> None:
        if self.depth_in_cell:
            self.depth_in_cell -= 1
            if self.depth_in_cell:
                return
        sheet = self.sheet
        if sheet is None:
            return
        if tag in _ODS_CELLS and self.cell is not None:
            cell, self.cell = self.cell, None
            shown, self.shown = self.shown, None
            if shown is not None:
                self.parser.CharacterDataHandler = None
            repeat = self.repeat(cell, "table:number-columns-repeated")
            if self.cell_has_text or any(a in cell for a in _ODS_CONTENT_ATTRIBUTES):
                row, column = self.row, self.column
                last_row, last_column = row + self.row_repeat, column + repeat  # 1-based far corner
                sheet.check(last_row, last_column)
                sheet.grow(last_row, last_column)
                if self.keep:
                    # LibreOffice marks an error result (a formula's #N/A) with its own value type.
                    for found, present in (
                        (sheet.formulas, "table:formula" in cell),
                        (sheet.errors, shown is not None),
                    ):
                        if present:
                            found.update(
                                f"{_column_letters(c)}{r}"
                                for r in range(row + 1, last_row + 1)
                                for c in range(column + 1, last_column + 1)
                            )
                    text = "".join(shown or ()).strip()[:64]
                    if text:
                        sheet.error_values.update(
                            (f"{_column_letters(c)}{r}", text)
                            for r in range(row + 1, last_row + 1)
                            for c in range(column + 1, last_column + 1)
                        )
            self.column += repeat
        elif tag == "table:table-row":
            self.row += self.row_repeat
        elif tag == "table:table":
            if self.keep:
                self.scans[sheet.sheet] = sheet.result()
            self.sheet = None

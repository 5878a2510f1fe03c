"""Returned workbooks at volume, built by code for tests/test_volume.py and benchmarks/hostile.py.

Each builder starts from a workbook `generate_workbooks` wrote and replaces the rows of its Ratings sheet by
rewriting the sheet's XML in the zip: one employee's row pasted thousands of times, every rating typed
wrong, rows for people nobody has heard of. Nothing is opened with openpyxl, so 100,000 rows take a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path

from badfiles import read_members, sheet_part, write_zip

_HEADER_CELL = re.compile(r'<c r="([A-Z]+)1"[^>]*><is><t>([^<]*)</t></is></c>')
_ROW_TWO = re.compile(r'<row r="2"[^>]*>(.*?)</row>')
_TEXT_CELL = re.compile(r'<c r="([A-Z]+)2"[^>]*><is><t>([^<]*)</t></is></c>')

# A row's cells: header text → what is typed there (None: the cell as generated, blank).
RowValues = Mapping[str, str | int | None]


def header_columns(xlsx: Path, sheet: str = "Ratings") -> dict[str, str]:
    """Header text → column letters of the generated sheet."""
    xml = read_members(xlsx)[sheet_part(xlsx, sheet)].decode("utf-8")
    return {text: column for column, text in _HEADER_CELL.findall(xml)}


def first_row(xlsx: Path, sheet: str = "Ratings") -> dict[str, str]:
    """The first employee's Employee ID, Name and Level as generated (header text → value)."""
    xml = read_members(xlsx)[sheet_part(xlsx, sheet)].decode("utf-8")
    by_column = {column: text for text, column in header_columns(xlsx, sheet).items()}
    found = _ROW_TWO.search(xml)
    assert found is not None, "the generated sheet has no employee row"
    return {by_column[column]: value for column, value in _TEXT_CELL.findall(found.group(1)) if column in by_column}


def with_rows(src: Path, dst: Path, count: int, row: Callable[[int], RowValues], sheet: str = "Ratings") -> Path:
    """`src` with its ratings rows replaced by `count` rows, `row(n)` giving row n's typed cells (n from 0).

    Numbers become number cells and text inline strings, as Excel and LibreOffice store what is typed.
    """
    members = read_members(src)
    part = sheet_part(src, sheet)
    xml = members[part].decode("utf-8")
    columns = header_columns(src, sheet)
    head, rest = xml.split("<sheetData>", 1)
    data, tail = rest.split("</sheetData>", 1)
    header = data[: data.index("</row>") + len("</row>")]
    rows = [header]
    for n in range(count):
        number = n + 2
        cells = []
        for title, value in row(n).items():
            if value is None:
                continue
            ref = f"{columns[title]}{number}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        cells.sort(key=lambda cell: (len(cell.split('"')[1]), cell.split('"')[1]))  # column order, A before AA
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    last_column = max(columns.values(), key=lambda column: (len(column), column))
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_column}{count + 1}"/>', head)
    members[part] = f"{head}<sheetData>{''.join(rows)}</sheetData>{tail}".encode()
    return write_zip(dst, members)


def repeated_rows(src: Path, dst: Path, copies: int, ratings: Mapping[str, int]) -> Path:
    """The first employee's row, rated with `ratings` (competency name → rating), pasted `copies` times."""
    person: dict[str, str | int | None] = {**first_row(src), **ratings}
    return with_rows(src, dst, copies, lambda _n: person)


def invalid_ratings(src: Path, dst: Path, count: int, competencies: list[str]) -> Path:
    """`count` employees (the roster's first, then made-up ids), every rating typed as a word."""
    person = first_row(src)

    def row(n: int) -> RowValues:
        typed: dict[str, str | int | None] = {**person, "Employee ID": f"{person['Employee ID']}-{n}"}
        return typed | dict.fromkeys(competencies, "four")

    return with_rows(src, dst, count, row)


def unknown_employees(src: Path, dst: Path, count: int, ratings: Mapping[str, int]) -> Path:
    """`count` rows for employees the roster does not know (X-000001, …), fully and validly rated."""
    person = first_row(src)
    return with_rows(src, dst, count, lambda n: {**person, "Employee ID": f"X-{n + 1:06d}", **ratings})

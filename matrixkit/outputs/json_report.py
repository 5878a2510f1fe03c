"""The JSON report's text, produced a record at a time.

Indented at the top level, one list item (an employee, a problem) per line: readable, greppable, and
encoded by json's C encoder (indenting every level takes its pure-Python one, ten times slower). The
records come from `Analysis.json_parts` one by one and leave as UTF-8 chunks of about a megabyte, so the
report of 10,000 employees (15 MB) is never held whole, as dicts or as text.

>>> print(b"".join(json_chunks([("cycle", "2026-Q4"), ("employees", iter([{"id": "E1"}, {"id": "E2"}])),
...                               ("missing", [])])).decode())
{
  "cycle": "2026-Q4",
  "employees": [
    {"id": "E1"},
    {"id": "E2"}
  ],
  "missing": []
}
<BLANKLINE>
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

_CHUNK_CHARACTERS = 2**20


def json_chunks(parts: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """The document of `parts` ((key, value) in order; a value that is an iterator is a list, read once)."""
    pending: list[str] = []
    size = 0
    started = False
    for key, value in parts:
        pending.append((",\n  " if started else "{\n  ") + json.dumps(key) + ": ")
        started = True
        items = iter(value) if isinstance(value, Iterator | list) else None
        first = next(items, _NOTHING) if items is not None else _NOTHING
        if first is _NOTHING:
            pending.append(json.dumps([] if items is not None else value, ensure_ascii=False))
            continue
        pending.append("[\n    " + json.dumps(first, ensure_ascii=False))
        assert items is not None
        for item in items:
            text = json.dumps(item, ensure_ascii=False)
            pending.append(",\n    " + text)
            size += len(text)
            if size >= _CHUNK_CHARACTERS:
                yield "".join(pending).encode("utf-8")
                pending, size = [], 0
        pending.append("\n  ]")
    pending.append("\n}\n" if started else "{\n\n}\n")
    yield "".join(pending).encode("utf-8")


_NOTHING = object()

"""The JSON report is written a record at a time, as the text `json.dumps` would give, and atomically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from matrixkit.fileio import atomic_write_bytes
from matrixkit.outputs import json_report
from matrixkit.outputs.json_report import json_chunks


def _document(employees: int) -> list[tuple[str, object]]:
    records = ({"employee_id": f"E{n}", "name": "Zoë “Ng” 🎉", "ratings": {"craft": n % 5}} for n in range(employees))
    return [("matrixkit", "1.0"), ("cycle", None), ("employees", records), ("missing", []), ("problems", ["x"])]


def test_the_text_is_the_documents_one_record_per_line_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_report, "_CHUNK_CHARACTERS", 1_000)
    chunks = list(json_chunks(_document(300)))
    assert len(chunks) > 10  # records leave as they are encoded, not at the end
    text = b"".join(chunks).decode("utf-8")
    expected = {key: list(value) if isinstance(value, Iterator) else value for key, value in _document(300)}
    assert json.loads(text) == expected
    lines = text.splitlines()
    assert lines[:4] == ["{", '  "matrixkit": "1.0",', '  "cycle": null,', '  "employees": [']
    assert lines[4] == '    {"employee_id": "E0", "name": "Zoë “Ng” 🎉", "ratings": {"craft": 0}},'
    assert text.endswith('  "problems": [\n    "x"\n  ]\n}\n')


def test_a_document_that_fails_half_way_leaves_no_file(tmp_path: Path) -> None:
    def failing() -> Iterator[bytes]:
        yield b'{"employees": ['
        raise MemoryError

    target = tmp_path / "report.json"
    target.write_bytes(b"the previous run")
    with pytest.raises(MemoryError):
        atomic_write_bytes(target, failing())
    assert target.read_bytes() == b"the previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]

"""Writing files so that a crash never leaves half a file and an input is never overwritten, and the logs
of what was done, a line per record."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from matrixkit.errors import UsageError

FSYNC_THREADS = 16


def atomic_write_bytes(path: str | Path, data: bytes | Iterable[bytes]) -> Path:
    """Write `data` (bytes, or chunks of them) durably to `path`: to a temporary file beside it, fsynced,
    renamed into place, and the folder fsynced so the rename survives a crash too. Readers see the old file
    or the new one, never half of one; on any failure the temporary file is removed. Returns the path.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "report.json", b"{}").read_bytes()
    b'{}'
    >>> sorted(p.name for p in folder.iterdir())
    ['report.json']
    """
    return atomic_write_files([(Path(path), data)])[0]


def atomic_write_files(files: Iterable[tuple[Path, bytes | Iterable[bytes]]]) -> list[Path]:
    """Many files, each written durably and atomically as `atomic_write_bytes` does: every file fsynced
    before its rename, every folder fsynced once after the renames into it. Only these files are flushed,
    never the whole machine's dirty pages (os.sync), and a failure part-way leaves no temporary file.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in atomic_write_files([(folder / "a.xlsx", b"a"), (folder / "b.xlsx", b"b")])]
    ['a.xlsx', 'b.xlsx']
    """
    staged: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()  # mkstemp makes 0600; a report is for sharing
    try:
        for path, data in files:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((temporary, target))
            os.chmod(temporary, mode)
            with os.fdopen(handle, "wb") as stream:
                # Chunks are written as they come: a document made a record at a time is never whole here.
                for chunk in [data] if isinstance(data, bytes) else data:
                    stream.write(chunk)
        _fsync_files([temporary for temporary, _ in staged])
        for temporary, target in staged:
            os.replace(temporary, target)
        for folder in dict.fromkeys(target.parent for _, target in staged):
            _fsync_folder(folder)
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    return [target for _, target in staged]


def append_line_durably(path: str | Path, line: str) -> None:
    r"""Append one line to the log at `path` and fsync it before returning: a record of something done
    (a message accepted by a server) that a re-run must see even after a crash. A crash can cut only the
    last line, which readers skip; a line a crash left unended is ended first, so this one stands alone.
    Appending costs the same whatever the log's length (rewriting it made sending grow as a square).

    >>> import tempfile
    >>> log = Path(tempfile.mkdtemp()) / "sent.jsonl"
    >>> log.write_bytes(b'{"key": "a"}\n{"key": "cut-by-a-cr')
    33
    >>> append_line_durably(log, '{"key": "b"}')
    >>> log.read_text().splitlines()
    ['{"key": "a"}', '{"key": "cut-by-a-cr', '{"key": "b"}']
    """
    target = Path(path)
    created = not target.exists()
    data = (line if line.endswith("\n") else line + "\n").encode("utf-8")
    with target.open("a+b") as stream:
        if stream.seek(0, os.SEEK_END) > 0:
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) != b"\n":
                data = b"\n" + data
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    if created:
        _fsync_folder(target.parent)


def read_json_lines(path: str | Path) -> list[dict[str, Any]]:
    r"""The records of a log of one JSON object per line (none when it does not exist). A line that does
    not parse (cut by a crash, edited by hand) is skipped: the others still count.

    >>> import tempfile
    >>> log = Path(tempfile.mkdtemp()) / "sent.jsonl"
    >>> _ = log.write_text('{"key": "a"}\n[1]\n{"key": "cut')
    >>> read_json_lines(log)
    [{'key': 'a'}]
    """
    target = Path(path)
    if not target.exists():
        return []
    records: list[dict[str, Any]] = []
    for line in target.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _fsync_files(paths: list[str]) -> None:
    """fsync every file, several at once: fsync waits on the disk, not the CPU, and the file system
    commits concurrent fsyncs together, so a thousand workbooks cost a few commits instead of a thousand."""
    if len(paths) <= 1:
        for path in paths:
            _fsync_path(path, os.O_RDONLY)
        return
    with ThreadPoolExecutor(max_workers=min(FSYNC_THREADS, len(paths))) as pool:
        list(pool.map(lambda path: _fsync_path(path, os.O_RDONLY), paths))


def _fsync_path(path: str | Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """Make the renames into `folder` durable (POSIX); Windows cannot open a folder and needs no such step."""
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
        return
    _fsync_path(folder, os.O_RDONLY | os.O_DIRECTORY)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def refuse_overwriting_inputs(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """An output path that resolves to an input is a usage error, before anything is written."""
    resolved = {Path(p).resolve() for p in inputs}
    for output in outputs:
        if Path(output).resolve() in resolved:
            raise UsageError(f"refusing to write {output}: it is one of the inputs")

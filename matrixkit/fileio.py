"""Writing files so that a crash never leaves half a file and an input is never overwritten."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from matrixkit.errors import UsageError


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a report is for sharing
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_files(files: Iterable[tuple[Path, bytes]]) -> list[Path]:
    """Many files, each atomically: all written beside their targets, flushed to disk together, then
    each renamed into place. One flush for the batch instead of one per file: with a thousand
    workbooks, a flush each cost more than writing them."""
    if not hasattr(os, "sync"):  # pragma: no cover - Windows has no os.sync: flush file by file
        written = []
        for path, data in files:
            atomic_write_bytes(path, data)
            written.append(Path(path))
        return written
    staged: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()
    try:
        for path, data in files:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((temporary, target))
            os.chmod(temporary, mode)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
        os.sync()
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    return [target for _, target in staged]


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

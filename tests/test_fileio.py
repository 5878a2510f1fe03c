"""Durable atomic writes: each file and its folder fsynced, never the whole machine, no temp file left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from matrixkit.fileio import atomic_write_bytes, atomic_write_files


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was fsynced ("file" or "folder", in order); os.sync is refused."""
    kinds: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        kinds.append("folder" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "file")
        real_fsync(descriptor)

    def no_sync() -> None:
        raise AssertionError("os.sync flushes every file of the machine")

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "sync", no_sync, raising=False)
    return kinds


def test_each_file_and_each_folder_is_fsynced_and_never_the_whole_machine(synced: list[str], tmp_path: Path) -> None:
    files = [(tmp_path / "a" / "1.xlsx", b"1"), (tmp_path / "a" / "2.xlsx", b"2"), (tmp_path / "b" / "3.xlsx", b"3")]
    written = atomic_write_files(files)
    assert written == [path for path, _ in files]
    assert [path.read_bytes() for path in written] == [b"1", b"2", b"3"]
    assert synced == ["file", "file", "file", "folder", "folder"]  # one fsync per folder, after the renames
    synced.clear()
    atomic_write_bytes(tmp_path / "report.json", b"{}")
    assert synced == ["file", "folder"]


def test_written_files_are_shareable_and_replace_the_old_content(synced: list[str], tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@pytest.mark.parametrize("failing", ["write", "fsync", "rename"])
def test_a_failure_never_leaves_a_temporary_file(failing: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = tmp_path / "0.xlsx"
    old.write_bytes(b"old")
    calls = {"count": 0}

    def fail_the_second(real: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            calls["count"] += 1
            if calls["count"] == 2:
                raise OSError(28, "No space left on device")
            return real(*args)

        return wrapper

    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", fail_the_second(os.fsync))
    elif failing == "rename":
        monkeypatch.setattr(os, "replace", fail_the_second(os.replace))

    def contents() -> Any:
        yield old, b"new 0"
        yield tmp_path / "1.xlsx", b"new 1"
        if failing == "write":
            raise OSError(28, "No space left on device")  # the generator making the next workbook fails
        yield tmp_path / "2.xlsx", b"new 2"

    with pytest.raises(OSError, match="No space left"):
        atomic_write_files(contents())
    left = sorted(p.name for p in tmp_path.iterdir())
    assert not [name for name in left if name.endswith(".tmp")], left
    if failing == "rename":
        assert left == ["0.xlsx"] and old.read_bytes() == b"new 0"  # renamed before the failure: whole
    else:
        assert left == ["0.xlsx"] and old.read_bytes() == b"old"  # nothing renamed: the old file intact


def test_a_single_write_that_fails_leaves_the_old_file_and_no_temporary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(target, b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"] and target.read_bytes() == b"old"

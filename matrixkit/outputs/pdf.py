"""PDFs of the documents matrixkit writes, made by headless LibreOffice, reproducible: the same inputs give
the same stamps and text, and the same bytes while LibreOffice embeds the same fonts.

One LibreOffice run converts a batch (each start costs seconds), in a profile of its own so a desktop
LibreOffice the user has open is never touched, in a process group of its own so a timeout ends it all.
LibreOffice stamps each PDF with the time and a random id; `normalise_pdf` replaces both.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from matrixkit.errors import PdfConversionError
from matrixkit.fileio import atomic_write_bytes

PDF_TIMEOUT_SECONDS = 120.0  # one LibreOffice start…
PDF_TIMEOUT_PER_FILE = 10.0  # …plus this per document converted


def soffice_path() -> str | None:
    """LibreOffice's command when it is on PATH (PDFs are made with it), else None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(documents: Sequence[tuple[Path, bytes]], soffice: str, created: datetime) -> list[Path]:
    """A PDF beside each .xlsx, made by one headless LibreOffice run with a profile of its own.

    LibreOffice stamps each PDF with the time and a random id; both are replaced by values derived from
    `created` and the document's bytes (same length, so the PDF's offsets stay valid): the same bytes each
    run, unless LibreOffice resolves another font subset in between (seen once, in a full test run).
    """
    timeout = PDF_TIMEOUT_SECONDS + PDF_TIMEOUT_PER_FILE * len(documents)
    with tempfile.TemporaryDirectory(prefix="matrixkit-pdf-") as temporary:
        root = Path(temporary)
        source, target = root / "in", root / "out"
        source.mkdir()
        inputs: list[Path] = []
        for path, data in documents:
            inputs.append(source / path.name)
            inputs[-1].write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(target),
            *(str(p) for p in inputs),
        ]
        reason = _run(command, timeout)
        written: list[Path] = []
        failed: list[Path] = []
        for path, data in documents:
            made = target / (Path(path.name).stem + ".pdf")
            if not made.is_file() or made.stat().st_size == 0:
                failed.append(path)
                continue
            destination = path.with_suffix(".pdf")
            atomic_write_bytes(destination, normalise_pdf(made.read_bytes(), created, data))
            written.append(destination)
    if failed:
        raise PdfConversionError(failed, reason or "LibreOffice wrote no PDF for them", written)
    return written


def _run(command: Sequence[str], timeout: float) -> str | None:
    """Run LibreOffice in a process group of its own, so a timeout ends every process it started."""
    posix = os.name == "posix"
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,
    )
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        return f"LibreOffice did not finish within {timeout:g} seconds"
    if process.returncode != 0:
        return f"LibreOffice exited with code {process.returncode}: {err.decode(errors='replace').strip()[:300]}"
    return None


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{14})([^)]*)\)")
_PDF_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>\s*\])")
_PDF_CHECKSUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)")


def normalise_pdf(data: bytes, created: datetime, seed: bytes) -> bytes:
    """Replace the PDF's time stamps, file id and checksum by fixed ones of the same length (offsets stay valid).

    >>> normalise_pdf(b"/CreationDate(D:20250102030405+01'00')", datetime(2026, 10, 1), b"")
    b"/CreationDate(D:20261001000000Z00'00')"
    """
    stamp = created.strftime("%Y%m%d%H%M%S").encode()
    digest = hashlib.sha256(seed).hexdigest().upper().encode() * 4

    def date(match: re.Match[bytes]) -> bytes:
        zone = match.group(3)
        if zone[:1] in (b"+", b"-"):
            zone = b"Z" + re.sub(rb"\d", b"0", zone[1:])
        return b"/" + match.group(1) + b"(D:" + stamp + zone + b")"

    def file_id(match: re.Match[bytes]) -> bytes:
        first, between, second, end = match.group(2, 3, 4, 5)
        return match.group(1) + digest[: len(first)] + between + digest[: len(second)] + end

    def checksum(match: re.Match[bytes]) -> bytes:
        return match.group(1) + digest[: len(match.group(2))]

    return _PDF_CHECKSUM.sub(checksum, _PDF_ID.sub(file_id, _PDF_DATE.sub(date, data)))

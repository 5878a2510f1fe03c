"""Drive a real headless LibreOffice from the test suite.

python3-uno only imports in Debian's ``/usr/bin/python3``, not in the interpreter that runs
pytest, so this module starts ONE ``soffice`` per test session and talks to it through
``tests/uno_bridge.py``, run as a short-lived ``/usr/bin/python3`` per call (one JSON request on
stdin, one JSON response on stdout; the protocol is documented in that file).

Usage (in tests, through the session fixture ``libreoffice`` from ``conftest_libreoffice``)::

    def test_filled_average(libreoffice, tmp_path):
        book = libreoffice.read(path, recalc=False)         # cached values, as a user first sees them
        assert book.value("Ratings", "D2") == 4
        out = libreoffice.fill(path, tmp_path / "filled.xlsx", [("Ratings", "B2", 5)])
        assert out.value("Ratings", "D2") == 4.5

Outside pytest::

    with LibreOffice() as lo:
        print(lo.read("book.xlsx").sheet_names)

Recalculation on load. LibreOffice ignores ``<calcPr fullCalcOnLoad="1">`` (which xlsxwriter
writes) and decides by its own setting Tools > Options > Calc > Formula > "Recalculation on
file load" (``org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` and ``ODFRecalcMode``:
0 always, 1 never, 2 prompt). With "never" a formula's cached ``<v>`` is shown as is; only cells
without a usable cached value (no ``<v>``, an empty string result, an error result) are computed.
The profile this class creates pins both modes to 1 ("never", LibreOffice's shipped default) by
writing ``user/registrymodifications.xcu`` before soffice first starts: that is the state of a
typical user's installation, it is in force before the first document loads (no race with a
configuration call over UNO), and :meth:`LibreOffice.start` checks through the bridge that the
running office really reports it. ``read(recalc=True)`` then calls ``calculateAll()`` explicitly.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

BRIDGE = Path(__file__).resolve().with_name("uno_bridge.py")
DEFAULT_UNO_PYTHON = "/usr/bin/python3"
DEFAULT_TIMEOUT = 120.0
START_TIMEOUT = 120.0

# Settings written into the fresh profile (registrymodifications.xcu) before soffice starts.
PROFILE_SETTINGS: tuple[tuple[str, str, str, str], ...] = (
    # Recalculation on file load: 1 = never (show the cached values stored in the file).
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "xs:int", "1"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "xs:int", "1"),
    # No lock files next to the test's documents, no autosave / recovery work.
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "xs:boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "UseDocumentOOoLockFile", "xs:boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "UseDocumentSystemFileLocking", "xs:boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "xs:boolean", "false"),
    ("/org.openoffice.Office.Recovery/AutoSave", "Enabled", "xs:boolean", "false"),
    ("/org.openoffice.Office.Recovery/RecoveryInfo", "Enabled", "xs:boolean", "false"),
    # Macros never run (the bridge also loads with MacroExecutionMode=NEVER_EXECUTE).
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "xs:int", "3"),
)

_ENV_DROP = ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV", "PYTHONSAFEPATH")

_EXIT_NO_CONNECTION = 2


class LibreOfficeError(RuntimeError):
    """A bridge call failed; the message carries the bridge's error, stderr and soffice's state."""

    def __init__(self, message: str, response: Mapping[str, Any] | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.response = dict(response or {})
        self.stderr = stderr


# --------------------------------------------------------------------------- availability


def find_soffice() -> str | None:
    """The soffice executable: $MATRIXKIT_SOFFICE, else soffice / libreoffice on PATH."""
    explicit = os.environ.get("MATRIXKIT_SOFFICE")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    fallback = "/usr/lib/libreoffice/program/soffice"
    return fallback if os.access(fallback, os.X_OK) else None


def uno_python() -> str:
    """The interpreter that has python3-uno: $MATRIXKIT_UNO_PYTHON, else /usr/bin/python3."""
    return os.environ.get("MATRIXKIT_UNO_PYTHON") or DEFAULT_UNO_PYTHON


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def unavailable_reason() -> str | None:
    """Why a real LibreOffice cannot be used here, or None when soffice and python3-uno are present."""
    if find_soffice() is None:
        if os.environ.get("MATRIXKIT_SOFFICE"):
            return f"$MATRIXKIT_SOFFICE={os.environ['MATRIXKIT_SOFFICE']} is not an executable soffice"
        return "LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui python3-uno)"
    python = uno_python()
    if not os.access(python, os.X_OK):
        return f"{python} (the interpreter with python3-uno) does not exist"
    try:
        proc = subprocess.run(
            [python, "-c", "import uno"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_clean_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {python}: {exc}"
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or [""]
        return f"python3-uno is not importable in {python} ({tail[0]}); apt-get install python3-uno"
    return None


def profile_xcu(settings: Iterable[tuple[str, str, str, str]] = PROFILE_SETTINGS) -> str:
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse" oor:type="{typ}">'
        f"<value>{value}</value></prop></item>"
        for path, name, typ, value in settings
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}\n</oor:items>\n"
    )


# --------------------------------------------------------------------------- results


def _ref_to_index(ref: str) -> tuple[int, int]:
    """Cell reference "D2" -> (row 1, col 3), 0-based."""
    ref = ref.replace("$", "").upper()
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = ref[len(letters) :]
    if not letters or not digits.isdigit():
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


class LOWorkbook(Mapping[str, Any]):
    """The bridge's read result (a read-only mapping of the raw JSON) with a few lookups."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return f"LOWorkbook(sheets={self.sheet_names!r}, path={self.raw.get('path')!r})"

    @property
    def sheet_names(self) -> list[str]:
        return [s["name"] for s in self.raw["sheets"]]

    @property
    def custom_properties(self) -> dict[str, Any]:
        return dict(self.raw.get("custom_properties", {}))

    def sheet(self, name: str) -> dict[str, Any]:
        for s in self.raw["sheets"]:
            if s["name"] == name:
                return dict(s)
        raise KeyError(f"no sheet {name!r}; sheets: {self.sheet_names}")

    def rows(self, sheet: str) -> list[list[Any]]:
        return [list(r) for r in self.sheet(sheet)["rows"]]

    def value(self, sheet: str, ref: str) -> Any:
        """The value shown in a cell (None when empty or outside the used range)."""
        row, col = _ref_to_index(ref)
        rows = self.sheet(sheet)["rows"]
        if row >= len(rows) or col >= len(rows[row]):
            return None
        return rows[row][col]

    def formula(self, sheet: str, ref: str) -> str | None:
        """Excel-syntax formula ("=AVERAGE(A2:C2)") of a cell, None when it holds no formula."""
        found = self.sheet(sheet)["formulas"].get(ref.replace("$", "").upper())
        return None if found is None else str(found)

    def error(self, sheet: str, ref: str) -> str | None:
        found = self.sheet(sheet)["errors"].get(ref.replace("$", "").upper())
        return None if found is None else str(found)

    def visibility(self, sheet: str) -> str:
        return str(self.sheet(sheet)["visibility"])

    def is_protected(self, sheet: str) -> bool:
        return bool(self.sheet(sheet)["protected"])

    def cell(self, sheet: str, ref: str) -> dict[str, Any]:
        """Protection / background / validation detail of a cell (must have been requested)."""
        detail = self.raw.get("cells", {}).get(sheet)
        if detail is None:
            raise KeyError(f"no cell detail for sheet {sheet!r}; pass cells={{...}} or a matching detail_sheet_prefix")
        key = ref.replace("$", "").upper()
        if key not in detail:
            raise KeyError(f"no cell detail for {sheet}!{key}")
        return dict(detail[key])

    def validation(self, sheet: str, ref: str) -> dict[str, Any] | None:
        v = self.cell(sheet, ref)["validation"]
        return None if v is None else dict(v)


# --------------------------------------------------------------------------- the office


Edit = Mapping[str, Any] | Sequence[Any]


def _normalise_edits(edits: Iterable[Edit]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for edit in edits:
        if isinstance(edit, Mapping):
            out.append(dict(edit))
        else:
            sheet, cell, value = edit
            out.append({"sheet": sheet, "cell": cell, "value": value})
    return out


class LibreOffice:
    """One headless soffice with its own profile, driven through ``uno_bridge.py``.

    ``timeout`` bounds every bridge call (seconds), ``start_timeout`` the wait for soffice to
    accept connections. ``profile_dir`` is used as ``-env:UserInstallation``; when None a
    temporary directory is created and removed again by :meth:`close`.
    """

    def __init__(
        self,
        profile_dir: str | os.PathLike[str] | None = None,
        *,
        soffice: str | None = None,
        python: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.soffice = soffice or find_soffice()
        self.python = python or uno_python()
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._own_profile = profile_dir is None
        self.profile_dir = Path(profile_dir or tempfile.mkdtemp(prefix="matrixkit-lo-")).resolve()
        self.pipe_name = f"matrixkit_lo_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._log_path = self.profile_dir / "soffice.log"
        self._log: Any = None
        self._lock = threading.Lock()

    # ---- lifecycle

    @property
    def connect_arg(self) -> str:
        return f"pipe,name={self.pipe_name}"

    def start(self) -> LibreOffice:
        if self.proc is not None:
            return self
        if self.soffice is None:
            raise LibreOfficeError("soffice not found")
        user = self.profile_dir / "user"
        user.mkdir(parents=True, exist_ok=True)
        xcu = user / "registrymodifications.xcu"
        if not xcu.exists():
            xcu.write_text(profile_xcu(), encoding="utf-8")
        cmd = [
            self.soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"--accept={self.connect_arg};urp;StarOffice.ComponentContext",
            f"-env:UserInstallation={self.profile_dir.as_uri()}",
        ]
        self._log = open(self._log_path, "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=_clean_env(),
            start_new_session=True,  # own process group: close() kills soffice.bin and helpers
        )
        atexit.register(self.close)
        try:
            self.info = self._wait_until_ready()
        except BaseException:
            self.close()
            raise
        config = self.info.get("config", {})
        if config.get("OOXMLRecalcMode") != 1 or config.get("ODFRecalcMode") != 1:
            self.close()
            raise LibreOfficeError(
                f"profile setting not in force: expected OOXMLRecalcMode=ODFRecalcMode=1, got {config}"
            )
        return self

    def _wait_until_ready(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise LibreOfficeError(
                    f"soffice exited with code {self.proc.returncode} before accepting connections\n"
                    f"{self._soffice_log_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LibreOfficeError(
                    f"soffice did not accept connections within {self.start_timeout:g}s: {last}\n"
                    f"{self._soffice_log_tail()}"
                )
            code, response, stderr = self._run_bridge({"op": "ping"}, connect_timeout=min(5.0, remaining))
            if code == 0:
                return response
            last = str(response.get("error") or stderr.strip())
            if code != _EXIT_NO_CONNECTION:
                raise LibreOfficeError(f"bridge ping failed: {last}\n{stderr}", response, stderr)
            time.sleep(0.2)

    def close(self) -> None:
        """Kill soffice's whole process group; safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                pgid = os.getpgid(proc.pid)
            except ProcessLookupError:
                pgid = None
            # start_new_session=True made soffice the leader of its own group: pgid == pid.
            if pgid is not None and pgid == proc.pid:
                for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
                    try:
                        os.killpg(pgid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        proc.wait(timeout=wait)
                        # The leader is gone; make sure helpers in its group are too.
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(pgid, signal.SIGKILL)
                        break
                    except subprocess.TimeoutExpired:
                        continue
            else:
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_profile and self.profile_dir.exists():
            shutil.rmtree(self.profile_dir, ignore_errors=True)
        atexit.unregister(self.close)

    def __enter__(self) -> LibreOffice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # ---- bridge calls

    def _soffice_log_tail(self, lines: int = 20) -> str:
        try:
            text = self._log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no soffice log)"
        tail = "\n".join(text.strip().splitlines()[-lines:])
        return f"soffice log ({self._log_path}):\n{tail}" if tail else "(soffice log is empty)"

    def _run_bridge(
        self, request: Mapping[str, Any], *, connect_timeout: float, timeout: float | None = None
    ) -> tuple[int, dict[str, Any], str]:
        cmd = [self.python, str(BRIDGE), "--connect", self.connect_arg, "--connect-timeout", f"{connect_timeout:g}"]
        timeout = self.timeout if timeout is None else timeout
        try:
            proc = subprocess.run(
                cmd,
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=timeout,
                env=_clean_env(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            raise LibreOfficeError(
                f"bridge call {request.get('op')!r} timed out after {timeout:g}s "
                f"(soffice alive: {self.alive})\nbridge stderr:\n{stderr}\n{self._soffice_log_tail()}",
                stderr=stderr,
            ) from exc
        try:
            response = json.loads(proc.stdout) if proc.stdout.strip() else {}
        except ValueError:
            response = {"error": f"bridge wrote non-JSON output: {proc.stdout[:2000]!r}"}
        if not isinstance(response, dict):
            response = {"error": f"bridge wrote unexpected JSON: {response!r}"}
        if proc.returncode != 0 and "error" not in response:
            response["error"] = f"bridge exited with code {proc.returncode} and no JSON error"
        return proc.returncode, response, proc.stderr

    def request(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Send one raw request (see uno_bridge.py) and return the response; raise on error."""
        if self.proc is None:
            raise LibreOfficeError("LibreOffice is not started (call start())")
        with self._lock:
            code, response, stderr = self._run_bridge(request, connect_timeout=30.0)
        if code != 0 or "error" in response:
            detail = [f"LibreOffice bridge {request.get('op')!r} failed (exit {code}): {response.get('error')}"]
            if response.get("traceback"):
                detail.append(f"bridge traceback:\n{response['traceback'].rstrip()}")
            if stderr.strip():
                detail.append(f"bridge stderr:\n{stderr.rstrip()}")
            if not self.alive:
                detail.append(f"soffice is no longer running.\n{self._soffice_log_tail()}")
            raise LibreOfficeError("\n".join(detail), response, stderr)
        return response

    # ---- operations

    def ping(self) -> dict[str, Any]:
        """Product, version and the effective recalc-on-load settings of the running office."""
        return self.request({"op": "ping"})

    def read(
        self,
        path: str | os.PathLike[str],
        *,
        recalc: bool = False,
        cells: Mapping[str, Sequence[str]] | None = None,
        detail_sheet_prefix: str | None = "Ratings",
    ) -> LOWorkbook:
        """Open ``path`` read-only and return values, formulas and structure.

        ``recalc=False`` shows the cached values as loaded (what a user sees first);
        ``recalc=True`` calls calculateAll() first. ``cells`` = ``{"Sheet": ["E2", "A1:C3"]}``
        selects the cells whose protection/background/validation are reported; by default all
        used cells of sheets whose name starts with ``detail_sheet_prefix``.
        """
        request: dict[str, Any] = {
            "op": "read",
            "path": str(Path(path).resolve()),
            "recalc": recalc,
            "detail_sheet_prefix": detail_sheet_prefix,
        }
        if cells is not None:
            request["cells"] = {k: list(v) for k, v in cells.items()}
        return LOWorkbook(self.request(request))

    def fill(
        self,
        src: str | os.PathLike[str],
        dst: str | os.PathLike[str],
        edits: Iterable[Edit],
        fmt: str | None = None,
        *,
        cells: Mapping[str, Sequence[str]] | None = None,
        detail_sheet_prefix: str | None = "Ratings",
    ) -> LOWorkbook:
        """Open ``src``, apply ``edits``, calculateAll(), save to ``dst`` as "xlsx" or "ods".

        An edit is ``{"sheet": "Ratings", "cell": "D2", "value": 4}`` or the tuple
        ``("Ratings", "D2", 4)``; value None clears the cell; ``{"sheet", "cell", "formula"}``
        sets a formula. ``fmt`` defaults to ``dst``'s suffix. Returns the read result of the
        edited, recalculated document as saved.
        """
        dst_path = Path(dst).resolve()
        fmt = fmt or dst_path.suffix.lstrip(".").lower()
        if fmt not in ("xlsx", "ods"):
            raise ValueError(f"fmt must be 'xlsx' or 'ods', got {fmt!r}")
        request: dict[str, Any] = {
            "op": "fill",
            "path": str(Path(src).resolve()),
            "output": str(dst_path),
            "format": fmt,
            "edits": _normalise_edits(edits),
            "detail_sheet_prefix": detail_sheet_prefix,
        }
        if cells is not None:
            request["cells"] = {k: list(v) for k, v in cells.items()}
        return LOWorkbook(self.request(request))

    def row_heights(self, src: str | os.PathLike[str], sheets: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Per sheet, per row (from the first): (height as shown, height LibreOffice's layout needs), 1/100 mm."""
        response = self.request({"op": "row_heights", "path": str(Path(src).resolve()), "sheets": list(sheets)})
        return {name: [(a, b) for a, b in rows] for name, rows in response["heights"].items()}

    def convert_pdf(self, src: str | os.PathLike[str], dst: str | os.PathLike[str], *, recalc: bool = False) -> Path:
        """Export ``src`` to PDF at ``dst`` (filter calc_pdf_Export) and return ``dst``."""
        dst_path = Path(dst).resolve()
        self.request({"op": "convert", "path": str(Path(src).resolve()), "output": str(dst_path), "recalc": recalc})
        return dst_path

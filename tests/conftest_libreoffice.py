"""pytest plugin: the session-scoped ``libreoffice`` fixture (a real headless LibreOffice).

Enable it from ``tests/conftest.py`` with ``pytest_plugins = ["conftest_libreoffice"]`` (or from a
test module). One soffice is started per test session (per xdist worker), with its own profile
under pytest's temporary directory, and killed at the end of the session.

When soffice or python3-uno (in /usr/bin/python3, see $MATRIXKIT_UNO_PYTHON) is missing, tests
using the fixture are skipped, except when the environment variable ``CI`` is set to a
non-empty value: then they fail, because in CI these tests must run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from libreoffice import LibreOffice, unavailable_reason


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libreoffice: needs a real headless LibreOffice (the libreoffice fixture)")


def require_libreoffice() -> None:
    """Skip (or, with $CI set, fail) the calling test when LibreOffice cannot be used here."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the LibreOffice tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibreOffice]:
    require_libreoffice()
    office = LibreOffice(profile_dir=tmp_path_factory.mktemp("libreoffice-profile"))
    try:
        office.start()
        yield office
    finally:
        office.close()

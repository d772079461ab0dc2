"""What the tests need from outside the repository, in one place: the shared folder and Chromium.

CI (``.ci/run``, which sets ``CI=true``) runs in a fresh clone with a copy of ``shared/`` beside it,
``<clone>/../shared``, and installs Debian's ``chromium`` before the tests start. There a missing
prerequisite is a failure, never a skip: a test that silently skipped in CI would pass vacuously.
Locally (``CI`` unset) the tests that need them skip with a reason that says what is missing and how
to get it.

Tests ask through the fixtures ``shared_dir`` and ``chromium``, which call :func:`require_shared` and
:func:`require_chromium`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]  # this file is tests/conftest.py
SHARED = REPO.parent / "shared"  # CI's layout: <clone>/../shared
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def in_ci() -> bool:
    """True when running in CI (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _missing(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require_shared() -> Path:
    """The shared folder (``<repo>/../shared``) with its ``sources/``; fails in CI when absent."""
    if not (SHARED / "sources").is_dir():
        _missing(
            f"the shared folder {SHARED} (with sources/) is not beside the repository; "
            "CI copies it to <clone>/../shared"
        )
    return SHARED


def require_chromium() -> str:
    """Path of a Chromium executable; fails in CI when none is installed (``.ci/run`` installs it)."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    _missing(
        "Chromium is not installed (/usr/bin/chromium missing); install it with "
        "`apt-get install chromium` (.ci/run does this in CI)"
    )


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder beside the repository (see :func:`require_shared`)."""
    return require_shared()


@pytest.fixture(scope="session")
def chromium() -> str:
    """A Chromium executable (see :func:`require_chromium`)."""
    return require_chromium()

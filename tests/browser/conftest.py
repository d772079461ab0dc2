"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, the what-if server in a
subprocess on a free port, and a folder for the screenshots a human looks at.

Playwright cannot download its own browsers here, so it drives ``/usr/bin/chromium`` by executable
path. Without it the tests skip, except under ``CI=true``, where a missing browser is a failure
(CI installs the Debian package; a silently skipped browser test proves nothing). This is the same
rule as ``require_chromium()`` in the shared ``tests/conftest.py`` that h-tests is adding; it lives
here so that these tests do not depend on that branch.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Bounds of every wait, in seconds: a shared machine may be slow, a hung page must still fail.
START_TIMEOUT = 90.0
RUN_TIMEOUT_MS = 90_000


def require_chromium() -> str:
    """The Chromium executable; skip without it, but fail under ``CI=true``."""
    if os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    msg = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {msg}; the browser tests must run in CI", pytrace=False)
    pytest.skip(msg)
    raise AssertionError  # unreachable


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": require_chromium(),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (``test-artifacts/`` is ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """The what-if server for the tests."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``bordersim serve --no-browser`` on a free port, stopped (and its log checked) at the end."""
    require_chromium()
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bordersim", "serve", "--port", str(port), "--no-browser"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"bordersim serve exited: {log.read_text()}", pytrace=False)
        try:  # a TCP connect, not a GET: a GET of the page would start a session and its runs
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(
                    f"bordersim serve did not answer in {START_TIMEOUT:.0f} s", pytrace=False
                )
            time.sleep(0.5)
    yield Server(url, proc, log)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text


@dataclass
class PageLog:
    """What a page did: every request URL, console errors and warnings, uncaught exceptions."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> list[str]:
        """Requests that would leave this machine."""
        local = ("data:", "blob:", "about:", "file:")
        return [
            u for u in self.requests
            if not u.startswith(local) and urlsplit(u).hostname not in hosts
        ]  # fmt: skip

    def problems(self) -> list[str]:
        """Console errors and warnings, and uncaught exceptions."""
        return [f"{t}: {m}" for t, m in self.console if t in ("error", "warning")] + self.errors


@pytest.fixture
def page_log(page: Any) -> PageLog:
    """Records what ``page`` requests and logs from now on."""
    rec = PageLog()
    page.on("request", lambda r: rec.requests.append(r.url))
    page.on("console", lambda m: rec.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: rec.errors.append(str(e)))
    return rec

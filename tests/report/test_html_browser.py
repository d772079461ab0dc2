"""End to end: the report of a small run opens in headless Chromium offline, cleanly.

Chromium is driven over the DevTools protocol through ``--remote-debugging-pipe`` (NUL-separated JSON
on file descriptors 3 and 4), so no websocket client is needed. The test records every request the
page makes, every failed load, console error and uncaught exception, dumps the DOM and saves a
full-page screenshot to ``test-artifacts/report.png`` for a human to look at.

The test never installs anything: ``.ci/run`` installs Debian's ``chromium`` when /usr/bin/chromium is
missing. Without Chromium the test fails under ``CI=true`` and skips locally, with the reason
(``conftest.require_chromium``, through the ``chromium`` fixture).
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.report.html import render_report
from tests.report.test_text import HOSTILE_ACTOR, hostile_scenario

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SECTIONS = ("headline", "map", "timeseries", "sectors", "actors", "sources", "provenance")
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


class Cdp:
    """A minimal DevTools-protocol client over Chromium's remote-debugging pipe."""

    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc, self.write_fd, self.read_fd = proc, write_fd, read_fd
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:  # fmt: skip
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while True:
            ev = self._read(timeout)
            if ev.get("method") == method:
                return ev

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        msg = json.loads(raw)
        if "method" in msg:
            self.events.append(msg)
        return dict(msg)


def _browse(chromium: str, url: str, profile: Path) -> tuple[str, bytes, list[dict[str, Any]]]:
    """Open ``url``; return the DOM after load, a full-page PNG, and all protocol events."""
    cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads them on fd 3
    res_r, res_w = os.pipe()  # Chromium writes answers on fd 4

    def wire() -> None:
        os.dup2(cmd_r, 3)
        os.dup2(res_w, 4)

    args = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        "about:blank",
    ]
    proc = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire,
        close_fds=False,
    )
    os.close(cmd_r)
    os.close(res_w)
    cdp = Cdp(proc, cmd_w, res_r)
    try:
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            cdp.send(f"{domain}.enable", session=session)
        cdp.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        cdp.events.clear()
        cdp.send("Page.navigate", {"url": url}, session=session)
        cdp.wait_event("Page.loadEventFired")
        dom = cdp.send(
            "Runtime.evaluate",
            {"expression": "document.documentElement.outerHTML", "returnByValue": True},
            session=session,
        )["result"]["value"]
        metrics = cdp.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = cdp.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": 1280,
                    "height": min(float(size["height"]), 30000.0),
                    "scale": 1,
                },
            },
            session=session,
            timeout=60,
        )
        png = base64.b64decode(shot["data"])
        try:
            cdp.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError):
            pass
        return str(dom), png, list(cdp.events)
    finally:
        os.close(cmd_w)
        os.close(res_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow  # ~8 s, a browser (pytest --durations, one core)
def test_report_renders_in_chromium(tmp_path: Path, chromium: str) -> None:
    run_dir = tmp_path / "run"
    runner = CliRunner()
    res = runner.invoke(app, ["run", "-n", "250", "--days", "60", "--out", str(run_dir)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(run_dir)])
    assert res.exit_code == 0, res.output
    report = run_dir / "report.html"

    dom, png, events = _browse(chromium, report.as_uri(), tmp_path / "profile")

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000

    requests = [
        ev["params"]["request"]["url"]
        for ev in events
        if ev.get("method") == "Network.requestWillBeSent"
    ]
    assert any(u.startswith("file:") for u in requests)  # the page itself was seen
    external = [u for u in requests if not u.startswith(LOCAL_SCHEMES)]
    assert not external, f"the report made network requests: {external}"
    failed = [ev["params"] for ev in events if ev.get("method") == "Network.loadingFailed"]
    assert not failed, f"failed loads: {failed}"
    console_errors = [
        ev["params"]
        for ev in events
        if (ev.get("method") == "Runtime.consoleAPICalled" and ev["params"]["type"] in ("error", "assert"))
        or ev.get("method") == "Runtime.exceptionThrown"
        or (ev.get("method") == "Log.entryAdded" and ev["params"]["entry"]["level"] == "error")
    ]  # fmt: skip
    assert not console_errors, f"console errors: {console_errors}"

    for section in SECTIONS:
        assert f'id="{section}"' in dom, f"section {section} missing from the DOM"
    assert 'id="fig-map"' in dom and dom.count("<svg") >= 3
    assert "Aini air base" in dom


@pytest.mark.slow  # ~6 s, a browser like the test above (pytest --durations, one core)
def test_hostile_names_stay_text_in_chromium(tmp_path: Path, chromium: str) -> None:
    """An actor named ``<script>alert(1)</script>$x^2$``: no script element, no dialog, the name
    shown as written (issue 11)."""
    scenario = hostile_scenario(tmp_path)
    run_dir = tmp_path / "run"
    res = CliRunner().invoke(
        app, ["run", str(scenario), "-n", "40", "--days", "20", "--out", str(run_dir)]
    )
    assert res.exit_code == 0, res.output
    report = render_report(run_dir, scenario_path=scenario).html_path

    dom, _png, events = _browse(chromium, report.as_uri(), tmp_path / "profile")

    assert "<script" not in dom.lower()
    assert not [ev for ev in events if ev.get("method") == "Page.javascriptDialogOpening"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;$x^2$" in dom
    assert HOSTILE_ACTOR not in dom

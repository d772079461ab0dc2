"""The report's policy explorer in Chromium from ``file://``: toggling a policy switches the
headline, the map's colours and the table, with no request and no console message."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import PageLog
from typer.testing import CliRunner

from bordersim.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explore-browser") / "run"
    assert runner.invoke(app, ["run", "-n", "40", "--days", "60", "--out", str(out)]).exit_code == 0
    res = runner.invoke(app, ["report", str(out), "--explore", "20"])
    assert res.exit_code == 0, res.output
    return out / "report.html"


def _colours(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#explorer-map polyline", "els => els.map(e => e.getAttribute('stroke'))"
    )


def test_policy_toggles_switch_the_page(
    report: Path, page: Any, page_log: PageLog, artifacts: Path
) -> None:
    html = report.read_text(encoding="utf-8")
    block = re.search(r'id="explorer-data">(.*?)</script>', html, re.S)
    assert block is not None
    combos = json.loads(block.group(1))["combos"]
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.goto(report.as_uri() + "#explorer")
    true_rate = page.locator("[data-testid=explorer-true-rate]")
    assert true_rate.inner_text() == combos[""]["headline"]["true"]
    assert _colours(page) == combos[""]["colours"]
    page.locator("#explorer").screenshot(path=artifacts / "report-explorer-baseline.png")

    page.check("[data-testid=explorer-russian-guards-return]")
    assert page.inner_text("[data-testid=explorer-policy]") == "russian-guards-return"
    assert true_rate.inner_text() == combos["russian-guards-return"]["headline"]["true"]
    assert true_rate.inner_text() != combos[""]["headline"]["true"]
    assert _colours(page) == combos["russian-guards-return"]["colours"]
    page.check("[data-testid=explorer-aid-equipment]")
    key = "russian-guards-return+aid-equipment"
    assert true_rate.inner_text() == combos[key]["headline"]["true"]
    first_row = page.locator("#explorer-table tbody tr").first.inner_text()
    assert combos[key]["rows"][0][3] in first_row
    page.locator("#explorer").screenshot(path=artifacts / "report-explorer-guards-aid.png")

    assert all(u.startswith(("file:", "data:", "about:")) for u in page_log.requests)
    assert page_log.problems() == []

"""The report's policy explorer: every combination of the policy variants, on common random
numbers, embedded within its size budget; each combination's numbers are those of ``bs.run``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bordersim as bs
from bordersim.cli.app import app
from bordersim.report.formatting import fmt_estimate
from bordersim.report.policy_explorer import SIZE_BUDGET

runner = CliRunner()
REPS, DAYS = 20, 60
#: The whole report with the explorer stays a few MB (the explorer alone within SIZE_BUDGET).
REPORT_BUDGET = 3_000_000


@pytest.fixture(scope="module")
def explored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explore") / "run"
    res = runner.invoke(
        app, ["run", "-n", "40", "--days", str(DAYS), "--seed", "9", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(out), "--explore", str(REPS)])
    assert res.exit_code == 0, res.output
    return out / "report.html"


def _data(html: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_every_combination_is_embedded(explored: Path) -> None:
    data = _data(explored.read_text(encoding="utf-8"))
    names = list(bs.policies("tajik-afghan-2021"))
    assert data["policies"] == names and data["replications"] == REPS
    assert len(data["combos"]) == 2 ** len(names) == 32
    assert "" in data["combos"] and "+".join(names) in data["combos"]
    n_sectors = len(data["sectors"])
    for combo in data["combos"].values():
        assert len(combo["colours"]) == n_sectors
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in combo["colours"])


@pytest.mark.parametrize("policy", ["", "russian-guards-return", "201st-to-border+aid-equipment"])
def test_a_combination_is_what_bs_run_gives(explored: Path, policy: str) -> None:
    combo = _data(explored.read_text(encoding="utf-8"))["combos"][policy]
    res = bs.run("tajik-afghan-2021", policy=policy or None, replications=REPS, days=DAYS, seed=9)
    row = next(r for r in res.summary()["covert"] if r["group"] == "all")
    want = fmt_estimate(row["true_rate"], row["true_rate_lo"], row["true_rate_hi"], pct=True)
    assert combo["headline"]["true"] == want
    assert combo["headline"]["actor"] == row["actor"]


def test_size_budget(explored: Path) -> None:
    html = explored.read_text(encoding="utf-8")
    section = re.search(r'<section id="explorer">.*?</section>', html, re.S)
    assert section is not None
    assert len(section.group(0).encode()) < SIZE_BUDGET
    assert len(html.encode()) < REPORT_BUDGET


def test_offline_and_escaped(explored: Path) -> None:
    html = explored.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", html)  # inline only, nothing fetched
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\()", html)
    block = re.search(r'id="explorer-data">(.*?)</script>', html, re.S)
    assert block is not None and "<" not in block.group(1)  # tojson escapes <, > and &


def test_without_explore_there_is_no_script(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", "-n", "20", "--days", "10", "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    assert "<script" not in (out / "report.html").read_text(encoding="utf-8")


def test_bad_explore_is_refused(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", str(tmp_path), "--explore", "-1"])
    assert res.exit_code == 2

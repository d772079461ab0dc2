"""The report's calibration section and ``report --posterior`` (issue 12 §2).

A run drawn from a posterior shows its calibration without being asked; ``--posterior DIR`` adds it
to any run of the same scenario and re-estimates the headline's input interval over it, leaving the
run directory's own files as they were.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.experiments.posterior import shipped_calibration
from bordersim.report.calibration_section import calibration_data
from bordersim.report.formatting import MISSING

runner = CliRunner()
SC = "tajik-afghan-2008"
RUN = ["run", SC, "-n", "20", "--days", "30", "--draws", "12", "--seed", "4"]


def _run(out: Path, *extra: str) -> Path:
    r = runner.invoke(app, [*RUN, *extra, "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _digests(d: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(d.iterdir())
        if p.is_file() and p.name not in ("report.html", "manifest.json")  # report adds itself
    }


@pytest.fixture(scope="module")
def prior_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("cal") / "prior")


def test_report_posterior_adds_the_section_and_reestimates(prior_run: Path) -> None:
    before = _digests(prior_run)
    r = runner.invoke(app, ["report", str(prior_run), "--posterior", str(shipped_calibration(SC))])
    assert r.exit_code == 0, r.output
    page = (prior_run / "report.html").read_text(encoding="utf-8")
    assert 'id="calibration"' in page and "tj-seizures-2008" in page
    assert "re-estimated for this report" in page
    assert "only as a combination" in page  # rate x kg is pinned down only as a product
    assert _digests(prior_run) == before  # the run's own files are untouched
    # the prior run's interval is not the one the page shows
    summary = json.loads((prior_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["input_uncertainty"]["source"] == "prior"
    r = runner.invoke(app, ["report", str(prior_run)])
    plain = (prior_run / "report.html").read_text(encoding="utf-8")
    assert 'id="calibration"' not in plain and "re-estimated" not in plain


def test_a_posterior_run_shows_its_calibration(tmp_path: Path) -> None:
    run = _run(tmp_path / "post", "--uncertainty", "posterior")
    r = runner.invoke(app, ["report", str(run)])
    assert r.exit_code == 0, r.output
    page = (run / "report.html").read_text(encoding="utf-8")
    assert 'id="calibration"' in page and "re-estimated" not in page
    assert "jointly from the posterior" in page


def test_a_posterior_of_another_scenario_writes_no_report(prior_run: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.html"
    bad = tmp_path / "cal"
    bad.mkdir()
    r = runner.invoke(app, ["report", str(prior_run), "--posterior", str(bad), "-o", str(other)])
    assert r.exit_code == 2 and "posterior" in r.output
    assert not other.exists()


def test_section_data_says_what_is_and_is_not_pinned_down() -> None:
    cal = calibration_data(shipped_calibration(SC))  # type: ignore[arg-type]
    summary = json.loads((shipped_calibration(SC) / "summary.json").read_text(encoding="utf-8"))  # type: ignore[operator]
    pinned = {n for n, p in summary["parameters"].items() if p["identified"] is not False}
    assert {r[0] for r in cal["params"]["rows"]} == pinned
    assert set(cal["unpinned"]) == set(summary["parameters"]) - pinned
    assert [r[0] for r in cal["observations"]["rows"]] == sorted(summary["observations"])
    # no posterior interval for a quantity pinned down only in combination
    for row in cal["params"]["rows"]:
        alone = summary["parameters"][row[0]]["identified"] is True
        assert (row[2] == MISSING) != alone

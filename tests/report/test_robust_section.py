"""The report's robustness section: from a robust study's folder given to `report --with`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.report.optional_sections import optional_sections

runner = CliRunner()


def test_report_with_a_robust_study_shows_regret_levers_plot_and_prim(tmp_path: Path) -> None:
    run, study = tmp_path / "run", tmp_path / "study"
    r = runner.invoke(app, ["run", "-n", "10", "--days", "10", "--out", str(run)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["robust", "-p", "tajik-only", "-p", "russian-guards-return", "--draws", "4", "-n", "4",
         "--days", "10", "--threshold", "interdictions>=1000", "--out", str(study)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(run), "--with", str(study)])
    assert r.exit_code == 0, r.output
    html = (run / "report.html").read_text(encoding="utf-8")
    assert 'id="robust"' in html and "Robustness across the uncertainty" in html
    assert "regret mean" in html and 'id="fig-robust"' in html and "<svg" in html
    assert "Russian guards returned" in html  # the lever table
    data = json.loads((study / "robust.json").read_text())
    assert f"{data['boxes']['policy']} fails" in html


def test_a_robust_file_of_the_wrong_shape_is_a_warning() -> None:
    (sec,) = optional_sections({"robust": {"something": 1}})
    assert sec["kind"] == "problem"


def test_the_compare_section_names_a_lever_that_did_not_act() -> None:
    data = {
        "policies": ["a", "b"], "baseline": "a", "metrics": [], "per_policy": {},
        "differences": [],
        "lever_activity": {"notes": ["b: help was never asked in 96% of replications"]},
    }  # fmt: skip
    (sec,) = optional_sections({"compare": data})
    assert sec["data"]["lever_notes"] == ["b: help was never asked in 96% of replications"]

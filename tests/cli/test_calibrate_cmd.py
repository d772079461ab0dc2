"""`bordersim calibrate` on the command line: with no observation the model can reach, one message,
exit code 2 and nothing written (the reachability rule: bordersim.experiments.calibration_reach)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bordersim.cli.app import app

A = "actors.drug_traffickers"
EV = '{kind: synthetic, rationale: "a figure the model cannot produce, for a test"}'


def test_nothing_reachable_is_one_message_exit_2_nothing_written(tmp_path: Path) -> None:
    obs = tmp_path / "obs.yaml"
    obs.write_text(
        "observations:\n"
        "  - {id: syn-kg, metric: seized_kg, scenario: tajik-afghan-2008, actor: drug_traffickers, "
        f"start: 2008-01-01, days: 366, value: 1e8, qualifies: 'a figure for a test', evidence: {EV}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "cal"
    res = CliRunner().invoke(
        app,
        ["calibrate", "tajik-afghan-2008", "--observations", str(obs), "--out", str(out),
         "--free", f"{A}.seizure_kg"],
    )  # fmt: skip
    assert res.exit_code == 2
    assert "no observation the model can reach" in res.output and "Traceback" not in res.output
    assert "syn-kg: the model cannot produce this over the prior: model range" in res.output
    assert not out.exists()

"""`bordersim optimize` as a user calls it, and its policy file in `run`/`compare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app

runner = CliRunner()

GAME = {
    "resources": 1,
    "targets": [
        {"name": "bridge", "defender_uncovered": -5, "defender_covered": 0,
         "attacker_uncovered": 5, "attacker_covered": -1},
        {"name": "ford", "defender_uncovered": -3, "defender_covered": 0,
         "attacker_uncovered": 3, "attacker_covered": -1},
        {"name": "pass", "defender_uncovered": -1, "defender_covered": 0,
         "attacker_uncovered": 1, "attacker_covered": 0},
    ],
}  # fmt: skip


def test_optimize_prints_the_plan_next_to_the_current_allocation() -> None:
    r = runner.invoke(app, ["optimize", "--actor", "drug_traffickers"])
    assert r.exit_code == 0, r.output
    for text in ("recommended", "current", "best target before", "improvement", "s01"):
        assert text in r.output


def test_optimize_json_and_out(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = runner.invoke(app, ["optimize", "--guards", "6000", "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["guards"] == 6000 and data["adversary"] == "best"
    assert len(data["sectors"]) == 24
    assert abs(sum(s["recommended"] for s in data["sectors"]) - 6000) < 1e-6
    assert data["best_after"]["value"] < data["best_before"]["value"]
    assert data["verification"] is None
    saved = json.loads((out / "optimize.json").read_text())
    assert saved["sectors"] == data["sectors"] and saved["date"] == data["date"]


# z bound for a simulated value against its prediction: two-sided P(|Z| > 4) = 6.3e-5
MAX_Z = 4.0
VERIFY = ["--actor", "drug_traffickers", "--verify", "50", "--verify-days", "20"]


def _check_verdicts(v: dict[str, Any]) -> None:
    """Each check's flag is the verdict its own numbers give: flagged exactly when the prediction
    lies outside the simulated 95% CI widened by tolerance x |prediction|, with reasons iff flagged."""
    assert v["checks"], "a verification without checks"
    for c in v["checks"]:
        sim, pred = c["simulated"], c["predicted"]
        margin = v["tolerance"] * abs(pred)
        # the JSON rounds to 10 significant digits: each number is exact to 5e-10 relative
        assert c["accept_lo"] == pytest.approx(sim["lo"] - margin, rel=2e-9)
        assert c["accept_hi"] == pytest.approx(sim["hi"] + margin, rel=2e-9)
        assert c["flagged"] == (not c["accept_lo"] <= pred <= c["accept_hi"]), c
        assert bool(c["reasons"]) == c["flagged"], c
    assert v["flagged"] == any(c["flagged"] for c in v["checks"])


def test_write_policy_then_run_and_compare_with_it(tmp_path: Path) -> None:
    pol = tmp_path / "plan.yaml"
    r = runner.invoke(
        app, ["optimize", *VERIFY, "--verify-start", "2021-09-01", "--json", "--write-policy", str(pol)]
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    v = json.loads(r.stdout)["verification"]
    # a stationary window that reproduces the plan's guards: nothing for the plan to miss
    assert v["phases_in_window"] == 1 and v["guards_error"] < 1e-9
    _check_verdicts(v)
    checks = {c["choice"]: c for c in v["checks"]}
    assert set(checks) == {"best_response", "adaptive"}
    best, adaptive = checks["best_response"], checks["adaptive"]
    # the adversary the plan assumes gets what it predicts (within the noise), and is not flagged
    z = (best["simulated"]["mean"] - best["predicted"]) / best["simulated"]["se"]
    assert abs(z) <= MAX_Z and not best["flagged"], best
    # 10 attempts a day for 20 days, Poisson: the mean over 50 replications within 4 SEs of 200
    assert abs(best["attempts_per_replication"] - 200) <= MAX_Z * np.sqrt(200 / 50)
    # the learning adversary cannot beat the best response (flagged or not, with its reasons)
    assert adaptive["simulated"]["mean"] <= best["predicted"] + MAX_Z * adaptive["simulated"]["se"]
    assert pol.exists()
    run = runner.invoke(
        app, ["run", "-n", "50", "--days", "10", "--start", "2021-09-01", "--json",
              "--policy-file", str(pol), "--policy", "optimized"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["policy"] == "optimized"
    cmp = runner.invoke(
        app, ["compare", "-n", "50", "--days", "10", "--start", "2021-09-01", "--json",
              "--policy-file", str(pol), "-p", "tajik-only", "-p", "optimized"],
    )  # fmt: skip
    assert cmp.exit_code == 0, cmp.output
    assert json.loads(cmp.stdout)["policies"] == ["tajik-only", "optimized"]


def test_verification_flags_a_window_that_misses_the_plan() -> None:
    """Planned for 8 August 2021 (with the 8,000 reservists on the border) but verified from 1 June,
    before they arrive: the compiled guards miss the plan, the simulated value is far above the
    prediction, and every check is flagged, saying why; the table shows the same verdicts."""
    args = ["optimize", *VERIFY, "--verify-start", "2021-06-01"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    v = json.loads(r.stdout)["verification"]
    _check_verdicts(v)
    assert v["guards_error"] > 0.5 and v["flagged"]
    for c in v["checks"]:
        assert c["flagged"], c
        assert (c["simulated"]["mean"] - c["predicted"]) / c["simulated"]["se"] > MAX_Z
        assert any("misses the plan's guards" in reason for reason in c["reasons"]), c
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Verification" in table.output
    assert table.output.count("FLAG") == len(v["checks"])
    assert table.output.count("likely reason") == sum(len(c["reasons"]) for c in v["checks"])


def test_bad_policy_file_exits_2_with_a_located_error(tmp_path: Path) -> None:
    pol = tmp_path / "bad.yaml"
    pol.write_text(
        "opt:\n  description: x\n  actions:\n    - {kind: set_posture, unit: nobody, posture: border}\n"
    )
    r = runner.invoke(app, ["run", "-n", "10", "--policy-file", str(pol), "--policy", "opt"])
    assert r.exit_code == 2
    assert "bad.yaml:4" in r.output and "unknown unit 'nobody'" in r.output


def test_game_file(tmp_path: Path) -> None:
    g = tmp_path / "game.json"
    g.write_text(json.dumps(GAME))
    r = runner.invoke(app, ["optimize", "--game", str(g), "--check"])
    assert r.exit_code == 0, r.output
    assert "agree" in r.output and "attacker's target" in r.output
    j = runner.invoke(app, ["optimize", "--game", str(g), "--check", "--json"])
    data = json.loads(j.stdout)
    assert data["target"] == "ford" and data["attack_set"] == ["bridge", "ford"]
    assert abs(data["coverage"]["bridge"] - 0.6) < 1e-9
    assert abs(data["defender_utility"] + 1.8) < 1e-9 and data["check"]["agree"]


def test_malformed_game_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(GAME))
    del bad["targets"][1]["attacker_covered"]
    g = tmp_path / "bad.json"
    g.write_text(json.dumps(bad, indent=1))
    r = runner.invoke(app, ["optimize", "--game", str(g)])
    assert r.exit_code == 2
    assert "targets[1].attacker_covered" in r.output
    assert "Traceback" not in r.output


def test_sites() -> None:
    r = runner.invoke(app, ["optimize", "--sites", "2"])
    assert r.exit_code == 0, r.output
    assert "chosen" in r.output and "current garrisons" in r.output
    j = runner.invoke(app, ["optimize", "--sites", "2", "--json"])
    data = json.loads(j.stdout)
    assert len(data["chosen"]) == 2
    assert data["mean_hours"] <= data["current_mean_hours"]


def test_user_errors_exit_2() -> None:
    r = runner.invoke(app, ["optimize", "--adversary", "quantal"])
    assert r.exit_code == 2 and "--lambda" in r.output
    r = runner.invoke(app, ["optimize", "--actor", "nobody"])
    assert r.exit_code == 2 and "unknown covert actor" in r.output

"""Verification checks every metric: a covert-only plan that empties the armed sectors is flagged."""

from __future__ import annotations

import math

from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.experiments.compare import PairedDifference
from bordersim.experiments.verify import verify_plan
from bordersim.experiments.verify_metrics import worsened
from bordersim.plan.scenario_plan import plan_scenario
from bordersim.scenario.builtin import load


def _d(lo: float, hi: float) -> PairedDifference:
    return PairedDifference("m", "after", "before", (lo + hi) / 2, lo, hi, 1.0, 0.5, 0.1, 10)


def test_worsened_needs_the_whole_interval_on_the_worse_side() -> None:
    assert worsened(-1, _d(0.1, 0.4))  # less is better, and it rose beyond noise
    assert not worsened(-1, _d(-0.1, 0.4))  # within noise
    assert worsened(+1, _d(-3.0, -1.0))  # more is better, and it fell
    assert not worsened(+1, _d(1.0, 3.0))  # improved
    assert not worsened(-1, _d(math.nan, math.nan))


def test_a_plan_weighing_covert_crossings_only_is_flagged_for_breaches() -> None:
    """The planner weighing covert crossings only (breach weight 0, empty sectors allowed: v0.1's
    planner) moves guards away from the sectors where armed groups attack on 2021: covert figures
    improve, breaches rise beyond the paired CI (40 replications, 30 days, seed 2021: 0 before,
    ~0.28 [0.10, 0.45] after)."""
    sc = load("tajik-afghan-2021")
    plan = plan_scenario(sc, breach_weight=0.0, min_guards=0.0)
    v = verify_plan(plan, sc, replications=40, days=30, seed=2021)
    assert v.metrics is not None
    by = {c.metric: c for c in v.metrics.checks}
    assert {"interdictions", "undetected", "breaches", "defender_losses", "true_rate"} <= set(by)
    assert by["breaches"].flagged and "breaches" in v.metrics.worsened
    assert not by["interdictions"].flagged and by["interdictions"].difference.mean > 0
    assert v.as_dict()["metrics"]["worsened"] == v.metrics.worsened


def test_optimize_verify_prints_every_metric() -> None:
    r = CliRunner().invoke(app, ["optimize", "--verify", "20", "--verify-days", "20"])
    assert r.exit_code == 0, r.output
    assert "Every metric" in r.output and "breaches" in r.output

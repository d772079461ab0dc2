"""A plan re-run through the engine: predicted vs simulated adversary value."""

from __future__ import annotations

import datetime as dt

import pytest

from bordersim.experiments.verify import verify_plan
from bordersim.plan.scenario_plan import plan_scenario
from bordersim.scenario.builtin import load


def test_best_response_matches_the_prediction_on_a_stationary_window() -> None:
    sc = load("tajik-afghan-2021")
    plan = plan_scenario(sc, actor="drug_traffickers")
    v = verify_plan(plan, sc, replications=400, days=60, start=dt.date(2021, 9, 1), seed=7)
    assert v.phases_in_window == 1  # stationary: no timeline event in the window
    assert v.guards_error < 1e-9
    best, adaptive = v.checks
    assert (best.choice, adaptive.choice) == ("best_response", "adaptive")
    assert best.predicted == pytest.approx(plan.predicted)
    # the prediction lies within the simulated 95% CI itself, not only the widened one
    assert best.simulated.lo <= best.predicted <= best.simulated.hi
    assert not best.flagged and best.reasons == ()
    assert best.attempts == pytest.approx(600, rel=0.05)
    # the adaptive adversary cannot beat the best response; a flag comes with its reasons
    assert adaptive.simulated.mean <= best.predicted * 1.02
    if adaptive.flagged:
        assert any("adaptive" in r for r in adaptive.reasons)
    d = v.as_dict()
    assert d["checks"][0]["simulated"]["mean"] == best.simulated.mean


def test_quantal_plan_is_checked_against_a_quantal_adversary() -> None:
    sc = load("tajik-afghan-2021")
    plan = plan_scenario(sc, actor="drug_traffickers", adversary="quantal", rationality=20.0)
    v = verify_plan(
        plan, sc, replications=300, days=60, start=dt.date(2021, 9, 1), choices=("quantal",)
    )
    (check,) = v.checks
    assert check.choice == "quantal"
    assert check.predicted == pytest.approx(plan.predicted, rel=1e-9)
    assert not check.flagged, check


def test_rejects_too_few_replications() -> None:
    sc = load("tajik-afghan-2021")
    plan = plan_scenario(sc, actor="drug_traffickers")
    with pytest.raises(ValueError):
        verify_plan(plan, sc, replications=1)

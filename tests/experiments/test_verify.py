"""A plan re-run through the engine: predicted vs simulated adversary value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bordersim.experiments.verify import verify_plan
from bordersim.plan.scenario_plan import plan_scenario
from bordersim.scenario.builtin import load

# A simulated value per attempt is a ratio estimator with a delta-method SE (Estimate.se); it is
# compared with its prediction within MAX_Z SEs: two-sided P(|Z| > 4) = 6.3e-5 per comparison.
MAX_Z = 4.0


def test_best_response_matches_the_prediction_on_a_stationary_window() -> None:
    sc = load("tajik-afghan-2021")
    plan = plan_scenario(sc, actor="drug_traffickers")
    v = verify_plan(plan, sc, replications=400, days=60, start=dt.date(2021, 9, 1), seed=7)
    assert v.phases_in_window == 1  # stationary: no timeline event in the window
    assert v.guards_error < 1e-9
    best, adaptive = v.checks
    assert (best.choice, adaptive.choice) == ("best_response", "adaptive")
    assert best.predicted == pytest.approx(plan.predicted)
    # the simulated value is the prediction within the noise (not only within the 2% widening)
    assert abs(best.simulated.mean - best.predicted) <= MAX_Z * best.simulated.se
    # and the verdict agrees (a correct plan is flagged at most 5% of seeds: not at this one)
    assert not best.flagged and best.reasons == ()
    # attempts: Poisson(rate x 60 days) per replication, so the mean of 400 has SE sqrt(600 / 400)
    expected = (
        float(plan.inputs.covert_rates[plan.inputs.covert_ids.index("drug_traffickers")]) * 60
    )
    assert expected == pytest.approx(600)
    assert abs(best.attempts - expected) <= MAX_Z * np.sqrt(expected / 400)
    # the adaptive adversary cannot beat the best response (in expectation: one-sided, 4 SEs);
    # a flag comes with its reasons
    assert adaptive.simulated.mean <= best.predicted + MAX_Z * adaptive.simulated.se
    assert adaptive.flagged == bool(adaptive.reasons)
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
    assert abs(check.simulated.mean - check.predicted) <= MAX_Z * check.simulated.se, check
    assert not check.flagged, check


def test_rejects_too_few_replications() -> None:
    sc = load("tajik-afghan-2021")
    plan = plan_scenario(sc, actor="drug_traffickers")
    with pytest.raises(ValueError):
        verify_plan(plan, sc, replications=1)

"""The bridge from a compiled scenario phase to the planner, and the plan as a policy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bordersim.model.compile import compile_scenario
from bordersim.plan.scenario_plan import (
    plan_as_policy,
    plan_inputs,
    plan_scenario,
    plan_sites,
    siting_problem,
)
from bordersim.scenario.builtin import load
from bordersim.scenario.schema import Scenario


@pytest.fixture(scope="module")
def sc() -> Scenario:
    return load("tajik-afghan-2021")


def test_bridge_reproduces_the_compiled_phase(sc: Scenario) -> None:
    inp = plan_inputs(sc)
    assert inp.date == dt.date(2021, 8, 8)  # the last phase of the period
    assert inp.budget == pytest.approx(float(inp.phase.guards.sum()))
    np.testing.assert_allclose(inp.p_detect(inp.phase_guards), inp.phase.p_detect, atol=1e-12)
    np.testing.assert_allclose(inp.p_interdict(inp.phase_guards), inp.phase.p_interdict, atol=1e-12)
    # rate-weighted values
    w = inp.covert_rates / inp.covert_rates.sum()
    np.testing.assert_allclose(inp.values, w @ inp.actor_values)


def test_best_plan_meets_budget_lowers_best_value_and_equalises(sc: Scenario) -> None:
    plan = plan_scenario(sc, actor="drug_traffickers")
    assert plan.recommended.sum() == pytest.approx(plan.budget, rel=1e-12)
    assert np.all(plan.recommended >= 0)
    assert plan.predicted < plan.predicted_before
    assert plan.improvement > 0 and plan.relative_improvement > 0.1
    assert plan.predicted == pytest.approx(plan.value_after.max())
    attacked = plan.value_after >= plan.predicted * (1 - 1e-6)
    assert attacked.sum() >= 2
    # every sector with guards is attacked (the water level); the others are below it
    assert np.all(attacked[plan.recommended > 1e-9])
    assert plan.value_after.max() - plan.value_after[attacked].min() < 1e-6 * plan.predicted


def test_guards_override_and_integer_plan(sc: Scenario) -> None:
    plan = plan_scenario(sc, guards=5000, integer=True, date=dt.date(2021, 6, 1))
    assert plan.recommended.sum() == 5000
    assert np.all(plan.recommended == np.round(plan.recommended))
    assert plan.current.sum() == pytest.approx(5000)
    assert plan.predicted < plan.predicted_before


def test_quantal_plan_is_no_worse_than_its_starts(sc: Scenario) -> None:
    plan = plan_scenario(sc, adversary="quantal", rationality=2.0, actor="militant_infiltrators")
    best = plan_scenario(sc, actor="militant_infiltrators")
    assert plan.recommended.sum() == pytest.approx(plan.budget, rel=1e-9)
    assert plan.predicted <= plan.predicted_before
    # the water-filling plan is one of the starts
    from bordersim.model.choice import quantal_response

    success = 1 - best.p_detect_after * best.p_interdict_after
    v = best.inputs.values
    wf_loss = float(np.sum(quantal_response(v, success, 2.0) * v * success))
    assert plan.predicted <= wf_loss + 1e-12
    assert "local" in plan.method


def test_plan_as_policy_round_trips_through_compile(sc: Scenario) -> None:
    plan = plan_scenario(sc)
    assert len(plan.inputs.border_units) == 2  # regular troops and the reservists
    policy = plan_as_policy(plan, sc)
    sc2 = sc.model_copy(update={"policies": {**sc.policies, "opt": policy}})
    Scenario.model_validate(sc2.model_dump(mode="python", exclude_none=True))
    ph = compile_scenario(sc2, policy="opt", start=plan.inputs.date, days=1).phases[0]
    scale = plan.recommended.max()
    assert np.max(np.abs(ph.guards - plan.recommended)) <= 1e-6 * scale
    np.testing.assert_allclose(ph.p_detect, plan.p_detect_after, atol=1e-12)
    np.testing.assert_allclose(ph.p_interdict, plan.p_interdict_after, atol=1e-12)
    # the reservists still arrive on the timeline's date, not from the start
    early = compile_scenario(sc2, policy="opt", start=dt.date(2021, 6, 1), days=1).phases[0]
    assert early.guards.sum() == pytest.approx(8000 * 0.33)


def test_plan_as_policy_with_another_budget(sc: Scenario) -> None:
    plan = plan_scenario(sc, guards=12000)
    policy = plan_as_policy(plan, sc)
    sc2 = sc.model_copy(update={"policies": {**sc.policies, "opt": policy}})
    ph = compile_scenario(sc2, policy="opt", start=plan.inputs.date, days=1).phases[0]
    np.testing.assert_allclose(ph.guards, plan.recommended, rtol=1e-9, atol=1e-9)
    with pytest.raises(ValueError, match="also on duty"):
        plan_as_policy(plan, sc, unit_id="tj_border_troops")


def test_unknown_actor_is_a_value_error(sc: Scenario) -> None:
    with pytest.raises(ValueError, match="unknown covert actor"):
        plan_scenario(sc, actor="nobody")


def test_siting_beats_or_matches_the_current_garrisons(sc: Scenario) -> None:
    problem = siting_problem(sc)
    assert {"aini", "dushanbe", "khorog"} <= set(problem.candidate_ids)
    assert set(problem.current_ids) == {"aini", "bokhtar", "dushanbe"}
    report = plan_sites(problem, 3)
    assert len(report.plan.sites) == 3
    assert report.mean_hours <= report.current_mean_hours + 1e-9
    center = plan_sites(problem, 3, "center")
    assert center.plan.kind == "center"

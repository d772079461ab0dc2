"""The bridge from a compiled scenario phase to the planner, and the plan as a policy."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from numpy.typing import NDArray

from bordersim.model.compile import compile_scenario
from bordersim.plan.scenario_plan import (
    PlanInputs,
    plan_as_policy,
    plan_inputs,
    plan_scenario,
    plan_sites,
    siting_problem,
)
from bordersim.scenario.builtin import load
from bordersim.scenario.schema import Scenario

#: v0.1's covert-only planner (no breach weight, empty sectors allowed): the tests of the
#: water-filling and quantal solvers' own properties use it
COVERT_ONLY: dict[str, float] = {"breach_weight": 0.0, "min_guards": 0.0}


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
    plan = plan_scenario(sc, actor="drug_traffickers", **COVERT_ONLY)
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
    plan = plan_scenario(sc, guards=5000, integer=True, date=dt.date(2021, 6, 1), **COVERT_ONLY)
    assert plan.recommended.sum() == 5000
    assert np.all(plan.recommended == np.round(plan.recommended))
    assert plan.current.sum() == pytest.approx(5000)
    assert plan.predicted < plan.predicted_before


def _logit_loss(inp: PlanInputs, g: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    """The quantal objective sum_s q_s v_s P(success_s), q = softmax(lam v_s P(success_s)), for
    allocations g of shape (..., S); the logit is written out here, not taken from the package."""
    ev = inp.values * inp.success(g)
    w = np.exp(lam * (ev - ev.max(axis=-1, keepdims=True)))
    return np.asarray((w * ev).sum(axis=-1) / w.sum(axis=-1), dtype=float)


def _simplex_grid(k: int, steps: int) -> NDArray[np.float64]:
    """Every (f_1..f_k) >= 0 with sum 1 on the grid of spacing 1/steps."""
    pts = np.array(
        [c for c in itertools.product(range(steps + 1), repeat=k - 1) if sum(c) <= steps]
    )
    return np.column_stack([pts, steps - pts.sum(axis=1)]) / steps


def test_quantal_plan_is_a_global_optimum(sc: Scenario) -> None:
    """The SLSQP plan against an independent optimum. The solver returns the best of its four
    starts, so "no worse than a start" cannot fail; instead: (1) a brute-force global search over
    the budget's split between the groups of identical sectors (a simplex grid of spacing 1/60,
    then three grids, each ten times finer, around the best point) finds nothing better, and
    (2) no transfer of guards between any two sectors, of any size, lowers the loss (the
    first-order condition, in the full space, so also against allocations that treat identical
    sectors differently).

    Tolerance: SLSQP stops when an iteration changes the objective by less than ftol = 1e-12, so a
    converged plan is within ~1e-12 of its local optimum; the grid's points are feasible plans, so
    its minimum is >= the true optimum, and a global plan can beat it by any amount but lose to it
    by at most that 1e-12. (The grid's own resolution needs no allowance: it only makes the grid
    worse.) A plan stuck in a worse basin, or stopped early, fails both.
    """
    lam = 2.0
    plan = plan_scenario(
        sc, adversary="quantal", rationality=lam, actor="militant_infiltrators", **COVERT_ONLY
    )
    inp, g, G = plan.inputs, plan.recommended, plan.budget
    ftol = 1e-12
    assert "local" in plan.method
    assert np.all(g >= 0) and g.sum() == pytest.approx(G, rel=1e-9)
    assert plan.predicted == pytest.approx(float(_logit_loss(inp, g, lam)), rel=1e-12)

    # (1) sectors alike in every planning input form groups; search the groups' shares of G
    pi = inp.p_interdict
    key = np.column_stack(
        [inp.values, inp.sweep_width_km, inp.equipment, pi.patrol_speed_kmh,
         pi.base_delay_hours, pi.vanish_mean_hours, np.round(inp.length_km, 2)]
    )  # fmt: skip
    group = np.unique(key, axis=0, return_inverse=True)[1].ravel()
    n_k = np.bincount(group)
    k = n_k.size
    assert 2 <= k <= 5, "the 2021 border has a few kinds of sector"

    def loss_of_shares(f: NDArray[np.float64]) -> NDArray[np.float64]:
        return _logit_loss(inp, f[:, group] * G / n_k[group], lam)

    shares = _simplex_grid(k, 60)
    best = shares[np.argmin(loss_of_shares(shares))]
    steps = 10  # each refinement: +-2 cells of the grid before, 10 steps each way
    for half_width in (2 / 60, 2 / 600, 2 / 6000):
        off = np.array(list(itertools.product(range(-steps, steps + 1), repeat=k - 1)))
        f = best[: k - 1] + off * (half_width / steps)
        f = np.column_stack([f, 1 - f.sum(axis=1)])
        f = np.vstack([best, f[(f >= 0).all(axis=1)]])
        best = f[np.argmin(loss_of_shares(f))]
    grid_min = float(loss_of_shares(best[None])[0])
    assert plan.predicted <= grid_min + ftol, (plan.predicted, grid_min, best)

    # (2) move t guards from sector j to sector i, t from 1e-6 g_j to all of g_j
    i, j = (a.ravel() for a in np.meshgrid(np.arange(g.size), np.arange(g.size), indexing="ij"))
    keep = (i != j) & (g[j] > 0)
    i, j = i[keep], j[keep]
    t = np.geomspace(1e-6, 1.0, 60)[None, :] * g[j][:, None]  # (pairs, sizes)
    moved = np.broadcast_to(g, (*t.shape, g.size)).copy()
    rows, cols = np.arange(i.size)[:, None], np.arange(t.shape[1])[None, :]
    moved[rows, cols, i[:, None]] += t
    moved[rows, cols, j[:, None]] -= t
    gain = plan.predicted - _logit_loss(inp, moved, lam).min()
    assert gain <= ftol, f"moving guards lowers the loss by {gain:.3g}"


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

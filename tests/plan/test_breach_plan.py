"""The planner weighs armed incursions: breach probability per sector, the mixed MILP, the minimum
per sector, the robust plan and its price."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.engine.incursions import simulate_incursions
from bordersim.model.compile import compile_scenario
from bordersim.model.engagement import BREACH, resolve_engagements
from bordersim.plan.armed_plan import Terms, choose_levels, default_min_guards, solve_mixed
from bordersim.plan.breach import breach_model
from bordersim.plan.robust_plan import solve_robust
from bordersim.plan.scenario_plan import plan_as_policy, plan_inputs, plan_scenario
from bordersim.plan.water_filling import water_fill
from bordersim.scenario.builtin import load
from bordersim.scenario.schema import Scenario

HERE = Path(__file__).resolve().parents[1]  # tests/


@pytest.fixture(scope="module")
def sc() -> Scenario:
    return load("tajik-afghan-2021")


def test_breach_probability_decreases_in_the_guards_and_is_one_for_an_empty_post(
    sc: Scenario,
) -> None:
    inp = plan_inputs(sc)
    bm = breach_model(inp.compiled, inp.phase)
    levels = np.linspace(0.0, 400.0, 81)
    p = bm.probability(np.repeat(levels[:, None], bm.n_sectors, axis=1))[0]  # (K, S)
    assert np.all(np.diff(p, axis=0) <= 1e-12)
    assert np.all(p[0] == 1.0) and np.all(p[-1] == 0.0)
    assert np.any((p > 0.05) & (p < 0.95))  # a real transition, not a step at 0


def test_breach_probability_is_the_engines_engagement_for_one_sector(sc: Scenario) -> None:
    """The engine's construction (garrison guards/posts, the neighbour's share after local_hours,
    the reserve slots) resolved on 20,000 quantiles of the triangular attacker strength: the mean
    breach equals the planner's 1 - F(N*) to within the quantile grid's resolution."""
    inp = plan_inputs(sc)
    c, ph = inp.compiled, inp.phase
    bm = breach_model(c, ph)
    inc = c.incursion
    lo, mode, hi, _ = c.armed_attackers[0]
    n = 20_000
    u = (np.arange(n) + 0.5) / n
    fc = (mode - lo) / (hi - lo)
    att = np.where(
        u < fc,
        lo + np.sqrt(u * (hi - lo) * (mode - lo)),
        hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode)),
    )
    for s, guards in [(0, 60.0), (12, 150.0), (20, 250.0)]:
        garrison = guards / c.posts[s]
        times = np.concatenate([[c.local_hours[s]], ph.reinf_hours[:, s]])
        sizes = np.concatenate(
            [[inc.local_fraction * garrison], ph.reinf_size[:, s] * ph.unit_active[c.reinf_unit]]
        )
        times = np.where(sizes > 0, times, np.inf)
        res = resolve_engagements(
            np.full(n, garrison), att, inc.alpha, inc.beta, times[None, :], sizes[None, :],
            fortification=inc.fortification, break_defender=inc.break_defender,
            break_attacker=inc.break_attacker, time_limit_hours=inc.time_limit_hours,
        )  # fmt: skip
        g = np.zeros(bm.n_sectors)
        g[s] = guards
        planner = bm.probability(g)[0, s]
        assert planner == pytest.approx(float(np.mean(res.outcome == BREACH)), abs=2.0 / n)


def test_breaches_per_day_match_the_engine(sc: Scenario) -> None:
    """A thin plan (30 guards a sector where the plan allows it) run through the engine's incursion
    process: simulated breaches per replication agree with sum over days of the planner's
    rate x P within 4 Poisson standard errors."""
    plan = plan_scenario(sc, breach_weight=0.0, min_guards=30.0)
    days, reps = 60, 3000
    c = compile_scenario(
        sc.model_copy(update={"policies": {**sc.policies, "thin": plan_as_policy(plan, sc)}}),
        policy="thin", start=plan.inputs.date, days=days,
    )  # fmt: skip
    expected = 0.0
    for t, p in enumerate(c.phase_index()):
        ph = c.phases[p]
        expected += float(breach_model(c, ph).breaches_per_day(ph.guards).sum())
        del t
    out = simulate_incursions(c, reps, 7, days)
    mean = out.breaches.sum() / reps
    se = np.sqrt(max(expected, 1e-12) / reps)
    assert expected > 0.05  # the check has teeth
    assert abs(mean - expected) < 4 * se, (mean, expected, se)


def test_default_plan_never_empties_a_sector_and_weighs_breaches(sc: Scenario) -> None:
    plan = plan_scenario(sc)
    lo = default_min_guards(plan.inputs)
    assert np.all(plan.recommended >= lo - 1e-6) and np.all(plan.recommended > 0)
    assert plan.recommended.sum() == pytest.approx(plan.budget, rel=1e-9)
    covert = plan_scenario(sc, breach_weight=0.0, min_guards=0.0)
    assert np.any(covert.recommended == 0.0)  # what the default prevents
    assert plan.breaches_after < 0.05 * covert.breaches_after
    quantal = plan_scenario(sc, adversary="quantal", rationality=1.0, integer=True)
    assert np.all(quantal.recommended >= np.floor(lo) - 1)


def test_weight_zero_and_no_minimum_is_todays_water_filling(sc: Scenario) -> None:
    plan = plan_scenario(sc, breach_weight=0.0, min_guards=0.0)
    i = plan.inputs
    wf = water_fill(i.values, i.budget, i.length_km, i.sweep_width_km, i.equipment, i.p_interdict)
    assert np.array_equal(plan.recommended, wf.allocation)
    assert "armed" not in plan.to_dict()


def test_covert_only_options_reproduce_the_v01_json() -> None:
    """``--breach-weight 0 --allow-empty`` prints byte for byte what optimize printed before the
    planner weighed armed incursions (the golden fixture of that time, kept here)."""
    r = CliRunner().invoke(
        app,
        ["optimize", "--adversary", "quantal", "--lambda", "1", "--integer", "--json",
         "--breach-weight", "0", "--allow-empty"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout == (HERE / "data" / "optimize-2021-quantal-covert-only.out").read_text("utf-8")


def test_the_minimum_must_fit_the_budget(sc: Scenario) -> None:
    with pytest.raises(ValueError, match="minimum per sector"):
        plan_scenario(sc, min_guards=1000.0)
    r = CliRunner().invoke(app, ["optimize", "--robust-quantile", "1.5", "--robust"])
    assert r.exit_code == 2 and "--robust-quantile" in r.output


def _tiny(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    D, S, K = 5, 3, 4
    levels = np.sort(rng.uniform(0, 10, size=(S, K)), axis=1)
    levels[:, 0] = 0.0
    cov = np.sort(rng.uniform(0, 1, size=(D, S, K)), axis=2)[:, :, ::-1].copy()
    br = np.sort(rng.uniform(0, 0.3, size=(D, S, K)), axis=2)[:, :, ::-1].copy()
    return levels, cov, br, float(rng.uniform(8, 20))


def _brute(levels, cov, br, budget, keep: int) -> float:  # type: ignore[no-untyped-def]
    S, K = levels.shape
    best = np.inf
    for pick in itertools.product(range(K), repeat=S):
        if levels[np.arange(S), pick].sum() > budget + 1e-9:
            continue
        j = cov[:, np.arange(S), pick].max(axis=1) + br[:, np.arange(S), pick].sum(axis=1)
        best = min(best, float(np.sort(j)[keep - 1]))
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("quantile", [None, 0.6])
def test_robust_milp_equals_brute_force_minimax(seed: int, quantile: float | None) -> None:
    levels, cov, br, budget = _tiny(seed)
    D, S, _ = cov.shape
    keep = D if quantile is None else int(np.ceil(quantile * D))
    pick, stopped = choose_levels(levels, cov, br, budget, quantile)
    assert stopped == ""
    assert levels[np.arange(S), pick].sum() <= budget + 1e-9
    j = cov[:, np.arange(S), pick].max(axis=1) + br[:, np.arange(S), pick].sum(axis=1)
    assert float(np.sort(j)[keep - 1]) == pytest.approx(_brute(levels, cov, br, budget, keep))


@pytest.mark.slow  # a robust MILP over scenario draws: tens of seconds
def test_robust_plan_beats_the_nominal_plan_over_the_draws(sc: Scenario) -> None:
    """Draws made by hand (scaled covert values and attack rates): the robust plan's worst case
    is no worse than the nominal plan's over the same draws; its price is >= 0 (the nominal plan
    is the better of the two at nominal values)."""
    inp = plan_inputs(sc)
    bm = breach_model(inp.compiled, inp.phase)
    nominal = Terms(inp, bm, 100.0)
    rng = np.random.default_rng(3)
    draws = []
    for _ in range(4):
        d_inp = plan_inputs(sc, overrides=None)
        scale = rng.uniform(0.5, 2.0, size=inp.values.size)
        d_inp = d_inp.__class__(**{**d_inp.__dict__, "values": inp.values * scale})
        d_bm = bm.__class__(**{**bm.__dict__, "armed_rate": bm.armed_rate * rng.uniform(0.5, 4)})
        draws.append(Terms(d_inp, d_bm, 100.0))
    lo = default_min_guards(inp)
    rp = solve_robust(nominal, draws, inp.budget, lo)
    assert rp.robust_over_draws <= rp.nominal_over_draws + 1e-9
    assert rp.gain >= -1e-9
    assert rp.price >= 0.0
    assert np.all(rp.robust.allocation >= lo - 1e-6)
    assert rp.robust.allocation.sum() == pytest.approx(inp.budget, rel=1e-9)
    one = solve_mixed([nominal], inp.budget, lo)
    assert rp.nominal_at_nominal <= float(nominal.value(one.allocation)) + 1e-12


@pytest.mark.slow  # a robust MILP over scenario draws: tens of seconds
def test_optimize_robust_json_has_the_robust_plan_and_its_price() -> None:
    r = CliRunner().invoke(app, ["optimize", "--robust", "--robust-draws", "2", "--json"])
    assert r.exit_code == 0, r.output
    rob = json.loads(r.stdout)["robust"]
    assert rob["draws"] == 2 and rob["criterion"] == "worst"
    assert rob["price"] >= 0.0 and rob["gain"] >= -1e-9
    assert sum(rob["recommended"].values()) == pytest.approx(9240.0, rel=1e-9)
    assert min(rob["recommended"].values()) > 0

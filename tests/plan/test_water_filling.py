"""Tests for bordersim.plan.water_filling: optimality, budget, equalisation, integer repair."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bordersim.model.detection import detection_probability
from bordersim.model.outcomes import success_probability
from bordersim.plan.water_filling import PatrolInterdiction, water_fill

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def _instance(seed: int, s: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "values": rng.uniform(1, 10, s),
        "length_km": rng.uniform(5, 50, s),
        "sweep_width_km": rng.uniform(0.5, 2, s),
        "p_interdict": rng.uniform(0.3, 1.0, s),
    }


def _value(inst: dict[str, np.ndarray], g: np.ndarray) -> np.ndarray:
    p_d = detection_probability(g, inst["length_km"], inst["sweep_width_km"])
    return inst["values"] * success_probability(p_d, inst["p_interdict"])


def test_two_sectors_by_hand() -> None:
    # Identical sectors: the optimum splits evenly; level = v (1 - p_i (1 - e^{-w g / l})).
    plan = water_fill([4.0, 4.0], 10.0, [10.0, 10.0], [1.0, 1.0], 1.0, [0.5, 0.5])
    assert plan.allocation == pytest.approx([5.0, 5.0], abs=1e-6)
    assert plan.level == pytest.approx(4.0 * (1 - 0.5 * (1 - np.exp(-0.5))), abs=1e-8)
    assert list(plan.attacked) == [0, 1]


def test_zero_value_sector_gets_nothing() -> None:
    plan = water_fill([5.0, 0.0], 3.0, [10.0, 10.0], [1.0, 1.0])
    assert plan.allocation == pytest.approx([3.0, 0.0])
    assert plan.level == pytest.approx(5.0 * np.exp(-0.3))


def test_matches_scipy_minimax_on_random_instances() -> None:
    from scipy.optimize import minimize

    for seed in range(5):
        inst = _instance(seed, 5)
        plan = water_fill(guards=12.0, **inst)

        def obj(x: np.ndarray) -> float:
            return float(x[-1])

        cons = [
            {"type": "eq", "fun": lambda x: np.sum(x[:-1]) - 12.0},
            {"type": "ineq", "fun": lambda x, inst=inst: x[-1] - _value(inst, x[:-1])},
        ]
        x0 = np.append(np.full(5, 12 / 5), 10.0)
        res = minimize(
            obj,
            x0,
            constraints=cons,
            bounds=[(0, 12)] * 5 + [(0, 20)],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": 500},
        )
        assert plan.level <= res.x[-1] + 1e-6
        assert plan.level >= res.x[-1] - 1e-4


@SETTINGS
@given(seed=st.integers(0, 10_000), s=st.integers(1, 40), per=st.floats(0.1, 5.0))
def test_budget_met_and_level_equalised(seed: int, s: int, per: float) -> None:
    inst = _instance(seed, s)
    budget = per * s
    plan = water_fill(guards=budget, **inst)
    assert plan.allocation.sum() == pytest.approx(budget, rel=1e-12, abs=1e-9)
    assert np.all(plan.allocation >= 0)
    assert plan.values == pytest.approx(_value(inst, plan.allocation))
    # Every sector with guards is at the level (else moving guards out of it would help).
    funded = plan.allocation > 1e-9
    assert np.all(plan.values[funded] >= plan.level - 2 * plan.tolerance)
    assert plan.lower_bound <= plan.level <= plan.lower_bound + plan.tolerance + 1e-12


@SETTINGS
@given(seed=st.integers(0, 10_000), s=st.integers(2, 12))
def test_more_guards_never_worse(seed: int, s: int) -> None:
    inst = _instance(seed, s)
    a = water_fill(guards=2.0 * s, **inst)
    b = water_fill(guards=2.0 * s + 1.0, **inst)
    assert b.level <= a.level + a.tolerance


def test_caps_set_a_floor_and_floors_are_respected() -> None:
    inst = _instance(1, 4)
    upper = np.array([1.0, 50.0, 50.0, 50.0])
    lower = np.array([0.0, 0.0, 3.0, 0.0])
    plan = water_fill(guards=40.0, upper=upper, lower=lower, **inst)
    assert np.all(plan.allocation <= upper + 1e-12)
    assert np.all(plan.allocation >= lower - 1e-12)
    assert plan.allocation.sum() == pytest.approx(40.0)
    # Sector 0 capped at 1 guard: its value there bounds the level from below.
    floor = float(_value(inst, np.array([1.0, 50, 50, 50]))[0])
    assert plan.level >= floor - 1e-12
    # A sector that no allocation can help (p_i = 0) sets the level at its value.
    inst2 = dict(inst, p_interdict=np.array([0.0, 0.5, 0.5, 0.5]))
    plan2 = water_fill(guards=200.0, **inst2)
    assert plan2.level == pytest.approx(inst["values"][0])
    assert 0 in plan2.attacked
    assert plan2.allocation.sum() == pytest.approx(200.0)


def test_all_capped_reports_unallocated() -> None:
    inst = _instance(2, 3)
    plan = water_fill(guards=10.0, upper=2.0, **inst)
    assert plan.allocation == pytest.approx([2.0, 2.0, 2.0])
    assert plan.unallocated == pytest.approx(4.0)


def test_bad_inputs() -> None:
    inst = _instance(0, 3)
    with pytest.raises(ValueError, match="floors"):
        water_fill(guards=1.0, lower=1.0, **inst)
    with pytest.raises(ValueError):
        water_fill(guards=1.0, **dict(inst, values=np.array([-1.0, 1, 1])))
    with pytest.raises(ValueError, match="increase"):
        water_fill(guards=3.0, **dict(inst, p_interdict=lambda g: np.exp(-g)))


def _brute_integer(inst: dict[str, np.ndarray], budget: int) -> float:
    s = inst["values"].size
    best = np.inf
    for n in itertools.product(range(budget + 1), repeat=s):
        if sum(n) == budget:
            best = min(best, float(_value(inst, np.array(n, dtype=float)).max()))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_integer_plan_is_the_integer_optimum(seed: int) -> None:
    inst = _instance(seed, 3)
    budget = 7 + seed
    plan = water_fill(guards=budget, integer=True, **inst)
    assert plan.allocation.sum() == budget
    assert np.all(plan.allocation == np.round(plan.allocation))
    assert plan.level == pytest.approx(_brute_integer(inst, budget), abs=1e-12)
    assert plan.rounding_loss >= -plan.tolerance
    assert plan.rounding_loss == pytest.approx(plan.level - plan.continuous_level)


def test_callable_interdiction_matches_brute_force_and_is_monotone() -> None:
    inst = _instance(3, 3)
    p_fn = PatrolInterdiction(4.0, inst["length_km"], 5.0, 0.5, 6.0, 3.0)
    plan = water_fill(inst["values"], 12.0, inst["length_km"], inst["sweep_width_km"], 1.0, p_fn)
    assert plan.allocation.sum() == pytest.approx(12.0)

    def val(g: np.ndarray) -> np.ndarray:
        p_d = detection_probability(g, inst["length_km"], inst["sweep_width_km"])
        return inst["values"] * success_probability(p_d, p_fn(g))

    assert plan.values == pytest.approx(val(plan.allocation))
    grid = np.linspace(0, 12, 241)
    a, b = np.meshgrid(grid, grid)
    ok = a + b <= 12 + 1e-12
    pts = np.stack([a[ok], b[ok], 12 - a[ok] - b[ok]], axis=1)
    brute = min(float(val(p).max()) for p in pts)
    assert plan.level <= brute + 1e-9
    assert plan.level >= brute - 0.02  # the grid step bounds how far the grid can be from optimal

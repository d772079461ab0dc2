"""Tests for bordersim.plan.integer: MILP against brute-force enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bordersim.model.detection import detection_probability
from bordersim.model.outcomes import success_probability
from bordersim.plan.integer import integer_teams, solve_value_table
from bordersim.plan.water_filling import water_fill


def _inst(seed: int, s: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "values": rng.uniform(1, 10, s),
        "cost": rng.integers(1, 4, s).astype(float),
        "length_km": rng.uniform(5, 30, s),
        "sweep_width_km": rng.uniform(0.5, 2, s),
        "p_interdict": rng.uniform(0.3, 1, s),
        "caps": rng.integers(1, 5, s),
    }


def _brute(inst: dict[str, np.ndarray], budget: float, team_size: float) -> tuple[float, float]:
    best, best_cost = np.inf, np.inf
    for n in itertools.product(*(range(int(c) + 1) for c in inst["caps"])):
        arr = np.array(n, dtype=float)
        cost = float(np.dot(arr, inst["cost"]))
        if cost > budget:
            continue
        p_d = detection_probability(arr * team_size, inst["length_km"], inst["sweep_width_km"])
        level = float((inst["values"] * success_probability(p_d, inst["p_interdict"])).max())
        if level < best - 1e-12 or (abs(level - best) <= 1e-12 and cost < best_cost):
            best, best_cost = level, cost
    return best, best_cost


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force(seed: int) -> None:
    inst = _inst(seed, 4)
    budget = float(3 + seed % 6)
    plan = integer_teams(budget=budget, team_size=3.0, **inst)
    level, cost = _brute(inst, budget, 3.0)
    assert plan.level == pytest.approx(level, abs=1e-9)
    assert plan.cost == pytest.approx(cost)
    assert plan.cost <= budget
    assert np.all(plan.teams <= inst["caps"])
    assert plan.level == pytest.approx(plan.values.max())


def test_non_monotone_table_and_lower_bounds() -> None:
    table = np.array([[5.0, 1.0, 3.0], [4.0, 4.0, 0.5], [2.0, np.inf, np.inf]])
    plan = solve_value_table(table, [1.0, 1.0, 1.0], 3.0)
    assert list(plan.teams) == [1, 2, 0]
    assert plan.level == pytest.approx(2.0)
    plan2 = solve_value_table(table, [1.0, 1.0, 1.0], 3.0, lower=[2, 0, 0])
    assert plan2.teams[0] == 2
    with pytest.raises(ValueError, match="budget"):
        solve_value_table(table, [1.0, 1.0, 1.0], 1.0, lower=[2, 0, 0])


def test_agrees_with_integer_water_filling_when_unit_costs_and_no_caps() -> None:
    inst = _inst(42, 5)
    budget = 9
    plan = integer_teams(
        inst["values"],
        1.0,
        budget,
        budget,
        inst["length_km"],
        inst["sweep_width_km"],
        1.0,
        inst["p_interdict"],
    )
    wf = water_fill(
        inst["values"],
        budget,
        inst["length_km"],
        inst["sweep_width_km"],
        1.0,
        inst["p_interdict"],
        integer=True,
    )
    assert plan.level == pytest.approx(wf.level, abs=1e-12)

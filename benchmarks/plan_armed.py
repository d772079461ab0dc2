"""Benchmark for the armed-incursion planner: breach curves, the mixed MILP, the robust MILP.

Run: .venv/bin/python benchmarks/plan_armed.py [DRAWS ...]   (prints a table; no assertions)
On the 2021 built-in (24 sectors, 64 guard levels each): the time to evaluate every sector's breach
probability on the grid, to solve the nominal mixed plan, and the robust plan over hand-made draws
(scaled covert values and attack rates, so that the figure is the solver's, not the compiler's).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bordersim.plan.armed_plan import (
    GRID_LEVELS,
    Terms,
    default_min_guards,
    draw_values,
    solve_mixed,
)
from bordersim.plan.breach import breach_model
from bordersim.plan.robust_plan import solve_robust
from bordersim.plan.scenario_inputs import plan_inputs
from bordersim.scenario.builtin import load


def main(draw_counts: list[int]) -> None:
    inp = plan_inputs(load("tajik-afghan-2021"))
    bm = breach_model(inp.compiled, inp.phase)
    nominal = Terms(inp, bm, 100.0)
    lo = default_min_guards(inp)
    levels = lo[:, None] + (inp.budget - lo.sum()) * np.linspace(0, 1, GRID_LEVELS)[None, :] ** 2
    t0 = time.perf_counter()
    draw_values([nominal], levels)
    print(
        f"breach + covert values on {levels.size:,} (sector, level) cells: "
        f"{time.perf_counter() - t0:.2f} s"
    )
    t0 = time.perf_counter()
    mp = solve_mixed([nominal], inp.budget, lo)
    print(
        f"nominal mixed plan (MILP + water-filling): {time.perf_counter() - t0:.2f} s, "
        f"J = {mp.objective:.4f}"
    )
    rng = np.random.default_rng(1)
    print(f"{'draws':>6} {'seconds':>8} {'price':>8} {'gain':>8}")
    for n in draw_counts:
        draws = []
        for _ in range(n):
            d_inp = inp.__class__(
                **{**inp.__dict__, "values": inp.values * rng.uniform(0.5, 2, 24)}
            )
            d_bm = bm.__class__(
                **{**bm.__dict__, "armed_rate": bm.armed_rate * rng.uniform(0.5, 4)}
            )
            draws.append(Terms(d_inp, d_bm, 100.0))
        t0 = time.perf_counter()
        rp = solve_robust(nominal, draws, inp.budget, lo)
        print(f"{n:>6} {time.perf_counter() - t0:>8.2f} {rp.price:>8.4f} {rp.gain:>8.4f}")


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [4, 16, 32])

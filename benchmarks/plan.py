"""Benchmarks for bordersim.plan: water-filling scaling, ORIGAMI vs multiple LPs.

Run: .venv/bin/python benchmarks/plan.py   (prints tables; no assertions)
Targets: water-filling at 1,000,000 sectors <= 1 s; ORIGAMI >= 100x faster than the multiple LPs at
100 targets with identical answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from bordersim.plan.stackelberg import SecurityGame, solve_multiple_lps, solve_origami
from bordersim.plan.water_filling import water_fill


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` runs (seconds)."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def game(n: int, seed: int) -> SecurityGame:
    rng = np.random.default_rng(seed)
    return SecurityGame.from_arrays(
        rng.uniform(0, 10, n),
        rng.uniform(-10, 0, n),
        rng.uniform(-10, 0, n),
        rng.uniform(0, 10, n),
        float(max(1, n // 5)),
    )


def main() -> None:
    print("water-filling (continuous, rtol 1e-9), budget 3 guards/sector")
    print(f"{'sectors':>10} {'seconds':>10} {'iters':>6} {'level':>10} {'attacked':>9}")
    for s in (10, 1_000, 100_000, 1_000_000):
        rng = np.random.default_rng(s)
        args = (
            rng.uniform(1, 10, s),
            3.0 * s,
            rng.uniform(5, 50, s),
            rng.uniform(0.5, 2, s),
            1.0,
            rng.uniform(0.3, 1, s),
        )
        plan = water_fill(*args)
        t = best_time(lambda args=args: water_fill(*args), 3 if s >= 100_000 else 20)
        print(
            f"{s:>10,} {t:>10.4f} {plan.iterations:>6} {plan.level:>10.5f} {plan.attacked.size:>9,}"
        )

    print("\nSSE: ORIGAMI vs multiple LPs (HiGHS), m = n/5")
    print(
        f"{'targets':>8} {'origami s':>11} {'LPs s':>9} {'ratio':>9} {'|dUd|':>9} {'same target':>11}"
    )
    for n in (10, 30, 100, 300, 1000):
        g = game(n, n)
        a = solve_origami(g)
        t_o = best_time(lambda g=g: solve_origami(g), 20)
        t0 = time.perf_counter()
        b = solve_multiple_lps(g)
        t_l = time.perf_counter() - t0
        print(
            f"{n:>8} {t_o:>11.6f} {t_l:>9.3f} {t_l / t_o:>9.0f} "
            f"{abs(a.defender_utility - b.defender_utility):>9.1e} {a.target == b.target!s:>11}"
        )
    print("\nORIGAMI alone")
    for n in (10_000, 100_000):
        g = game(n, n)
        print(f"{n:>8} {best_time(lambda g=g: solve_origami(g), 5):>11.5f} s")


if __name__ == "__main__":
    main()

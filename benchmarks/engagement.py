"""How many square-law engagements per second the closed form resolves, against solve_ivp.

Run: ``.venv/bin/python benchmarks/engagement.py``. Prints engagements resolved per second for
n = 1e3, 1e5 and 1e6 engagements with three reinforcement waves each, and the same figure for a
plain Python loop over scipy's solve_ivp (DOP853, rtol 1e-10, terminal events at the break points,
restarted at each arrival) on a small sample, and their ratio. No assertions: a measurement, not a
test.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from bordersim.model.engagement import resolve_engagements

WAVES = 3
SEED = 20150928  # the Kunduz crisis


def sample(rng: np.random.Generator, n: int) -> dict[str, NDArray[np.float64]]:
    """Outpost fights of tens of men; three waves arriving over the first half day."""
    times = np.sort(rng.uniform(0.25, 12.0, (n, WAVES)), axis=1)
    return {
        "defenders": rng.uniform(10.0, 60.0, n),
        "attackers": rng.triangular(20.0, 50.0, 150.0, n),
        "alpha": rng.uniform(0.01, 0.1, n),
        "beta": rng.uniform(0.01, 0.1, n),
        "times": times,
        "sizes": rng.uniform(5.0, 40.0, (n, WAVES)),
    }


def closed_form(c: dict[str, NDArray[np.float64]]) -> None:
    resolve_engagements(
        c["defenders"],
        c["attackers"],
        c["alpha"],
        c["beta"],
        c["times"],
        c["sizes"],
        fortification=1.5,
        break_defender=0.3,
        break_attacker=0.5,
        time_limit_hours=24.0,
    )


def ode_loop(c: dict[str, NDArray[np.float64]]) -> None:
    """The straightforward alternative: integrate each engagement numerically."""
    for i in range(c["defenders"].size):
        alpha, beta = float(c["alpha"][i]), 1.5 * float(c["beta"][i])
        d, n = float(c["defenders"][i]), float(c["attackers"][i])
        committed, n_thr, t = d, 0.5 * n, 0.0

        def rhs(
            _t: float, y: NDArray[np.float64], a: float = alpha, b: float = beta
        ) -> list[float]:
            return [-a * y[1], -b * y[0]]

        def hit_n(_t: float, y: NDArray[np.float64], thr: float = n_thr) -> float:
            return float(y[1] - thr)

        hit_n.terminal, hit_n.direction = True, -1  # type: ignore[attr-defined]
        arrivals = [(float(a), float(s)) for a, s in zip(c["times"][i], c["sizes"][i], strict=True)]
        for end, size in [*arrivals, (24.0, 0.0)]:

            def hit_d(_t: float, y: NDArray[np.float64], thr: float = 0.3 * committed) -> float:
                return float(y[0] - thr)

            hit_d.terminal, hit_d.direction = True, -1  # type: ignore[attr-defined]
            sol = solve_ivp(
                rhs, (t, end), [d, n], method="DOP853", rtol=1e-10, atol=1e-12,
                events=[hit_d, hit_n],
            )  # fmt: skip
            if sol.status == 1:
                break
            d, n, t = float(sol.y[0, -1]) + size, float(sol.y[1, -1]), end
            committed += size


def rate(fn: Callable[[dict[str, NDArray[np.float64]]], None], c: dict[str, NDArray[np.float64]],
         min_seconds: float = 0.5) -> float:  # fmt: skip
    """Engagements per second: best of repeated runs lasting at least ``min_seconds`` in all."""
    n = c["defenders"].size
    best = np.inf
    spent = 0.0
    runs = 0
    while spent < min_seconds or runs < 2:
        start = time.perf_counter()
        fn(c)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return n / best


def main() -> None:
    rng = np.random.default_rng(SEED)
    print(f"square-law engagements, {WAVES} reinforcement waves each")
    print(f"{'method':<22}{'n':>10}{'engagements/s':>18}")
    closed_rates = {}
    for n in (1_000, 100_000, 1_000_000):
        c = sample(rng, n)
        closed_rates[n] = rate(closed_form, c, min_seconds=1.0 if n < 1_000_000 else 0.0)
        print(f"{'closed form (NumPy)':<22}{n:>10,}{closed_rates[n]:>18,.0f}")
    small = sample(rng, 200)
    ode = rate(ode_loop, small, min_seconds=0.0)
    print(f"{'solve_ivp loop':<22}{200:>10,}{ode:>18,.0f}")
    for n, r in closed_rates.items():
        print(f"speed-up at n = {n:>9,}: {r / ode:,.0f}x")


if __name__ == "__main__":
    main()

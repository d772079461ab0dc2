"""Incursion benchmark: engagements resolved per second inside the engine, and the cost of incursions
in a full run of the 2021 scenario (365 days x 1,000 replications) against the same run with the
armed actors' rate set to 0.

    .venv/bin/python benchmarks/incursions.py [--reps 1000] [--days 365] [--policy csto-on-call]

Single-threaded NumPy; compare ratios across machines, not absolute times.
"""

from __future__ import annotations

import argparse
import time

from bordersim.engine import simulate
from bordersim.engine.incursions import simulate_incursions
from bordersim.model.compile import compile_scenario
from bordersim.scenario.builtin import load

RATE = "actors.armed_incursions.rate_per_day"


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policy", default=None)
    args = ap.parse_args()
    sc = load("tajik-afghan-2021")
    R, T = args.reps, args.days
    rows = []
    for label, rate in (("nominal rate", None), ("rate 1/day", 1.0), ("rate 10/day", 10.0)):
        over = {RATE: rate} if rate is not None else {}
        c = compile_scenario(sc, policy=args.policy, days=T, overrides=over)
        inc = simulate_incursions(c, R, args.seed, T)
        t_inc = timed(lambda c=c: simulate_incursions(c, R, args.seed, T))
        rows.append((label, inc.n_engagements, t_inc, inc.n_engagements / t_inc))
    print(
        f"incursion pass alone, {R:,} replications x {T} days (policy {args.policy or 'baseline'})"
    )
    print(f"{'armed rate':>14} {'engagements':>12} {'s':>8} {'engagements/s':>14}")
    for label, n, t, eps in rows:
        print(f"{label:>14} {n:>12,} {t:>8.3f} {eps:>14,.0f}")

    full = compile_scenario(sc, policy=args.policy, days=T)
    none = compile_scenario(sc, policy=args.policy, days=T, overrides={RATE: 0.0})
    simulate(full, 250, args.seed, days=5)  # warm-up
    t_full = timed(lambda: simulate(full, R, args.seed), repeat=2)
    t_none = timed(lambda: simulate(none, R, args.seed), repeat=2)
    print()
    print(f"full 2021 run, {R:,} x {T} days: with incursions {t_full:.2f} s, "
          f"without (armed rate 0) {t_none:.2f} s, ratio {t_full / t_none:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

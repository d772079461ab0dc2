"""Engine benchmark: the default scenario, 365 days, 1,000 and 10,000 replications, totals mode.

Prints replications/s and sector-actor-days/s, the time NumPy alone takes to draw the random variates
the engine draws for covert crossings -- a Poisson total of attempts per (replication, actor) and day,
and two uniforms per attempt (sector and outcome), in the same blocks (the floor) -- and their ratio; then peak memory (VmHWM) of a fresh
process running each size, so that flat memory in totals mode can be checked.

    .venv/bin/python benchmarks/engine.py [--reps 1000 10000] [--days 365]

Runs on one core (the engine is single-threaded NumPy). Ratios, not absolute times, are the figures to
compare across machines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bordersim.engine import simulate
from bordersim.engine.rng import RNG_BLOCK, block_generator, blocks_for
from bordersim.model.compile import compile_scenario
from bordersim.scenario.builtin import load


def rng_floor(compiled, reps: int, days: int, seed: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Seconds NumPy needs to draw the covert variates the engine draws: per block, day and actor,
    a Poisson total of attempts per replication and two uniforms per attempt (its sector and its
    outcome). Returns the time and the number of variates."""
    ph = compiled.phases[0]
    lam = ph.covert_rate * ph.choice_q.sum(axis=1)  # (Ac,) attempts per replication-day
    n_var = 0
    t0 = time.perf_counter()
    for block, _r0, n in blocks_for(0, reps):
        rng = block_generator(seed, block)
        for _ in range(days):
            for rate in lam:
                m = int(rng.poisson(rate, size=n).sum())
                rng.random(m)
                rng.random(m)
                n_var += n + 2 * m
    return time.perf_counter() - t0, n_var


def peak_rss_mb(reps: int, days: int) -> float:
    """Peak resident memory of a fresh process that runs one totals-mode simulation."""
    code = (
        "from bordersim.scenario.builtin import load;"
        "from bordersim.model.compile import compile_scenario;"
        "from bordersim.engine import simulate;"
        f"simulate(compile_scenario(load(), days={days}), {reps}, 1);"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    compiled = compile_scenario(load(), days=args.days)
    S, Ac = compiled.n_sectors, len(compiled.covert_ids)
    simulate(compiled, RNG_BLOCK, args.seed, days=5)  # warm-up
    rows = []
    for reps in args.reps:
        t0 = time.perf_counter()
        simulate(compiled, reps, args.seed)
        t = time.perf_counter() - t0
        floor, n_var = rng_floor(compiled, reps, args.days, args.seed)
        rows.append(
            {
                "replications": reps,
                "days": args.days,
                "seconds": t,
                "replications_per_s": reps / t,
                "sector_actor_days_per_s": reps * args.days * S * Ac / t,
                "rng_floor_s": floor,
                "rng_variates": n_var,
                "engine_over_floor": t / floor,
                "peak_rss_mb": peak_rss_mb(reps, args.days),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"default scenario: {S} sectors x {Ac} covert actors, {args.days} days, totals mode")
    print(
        f"{'reps':>7} {'s':>7} {'reps/s':>9} {'sector-actor-days/s':>20} "
        f"{'floor s':>8} {'engine/floor':>12} {'peak RSS MB':>12}"
    )
    for r in rows:
        print(
            f"{r['replications']:>7,} {r['seconds']:>7.2f} {r['replications_per_s']:>9,.0f} "
            f"{r['sector_actor_days_per_s']:>20,.0f} {r['rng_floor_s']:>8.2f} "
            f"{r['engine_over_floor']:>12.2f} {r['peak_rss_mb']:>12.1f}"
        )
    if len(rows) > 1:
        print(
            f"peak memory ratio {rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f} "
            f"for {rows[-1]['replications'] / rows[0]['replications']:.0f}x the replications"
        )


if __name__ == "__main__":
    main()

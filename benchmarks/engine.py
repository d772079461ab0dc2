"""Engine benchmark: the default scenario, 365 days, totals mode; the draw floor; linearity in sectors.

Prints, for each size, the engine's time, replications/s and sector-actor-days/s; the *draw floor* --
the time NumPy takes, in the same process, to make exactly the draws the engine's random streams
make (same generators, same order, same sizes: per block, day and covert actor a Poisson attempt
count per replication and a sector uniform per attempt; one outcome uniform per attempt; the
fleeing arrivals; the incursion events and their attacker strengths) -- and the ratio engine / floor
(target <= 3); then peak memory (VmHWM) of a fresh process running each size.

Then linearity in sectors: the default scenario with every sector cut into k equal sub-sectors
(k = 1, 10, 100: 24 to 2,400 sectors; the compiled arrays are subdivided, so each sub-sector keeps its
parent's probabilities and takes 1/k of its length, guards, choice share and attack rate), timed at
``--sector-reps`` replications: the time per sector-day of each against the 24-sector one (target:
no more than 1.5x) and the exponent of time ~ sectors**e (linear: 1; the target allows ~1.09).

    .venv/bin/python benchmarks/engine.py [--reps 1000 10000] [--days 365] [--sector-reps 250]

Runs on one core (the engine is single-threaded NumPy). Times are this process's CPU time
(``time.process_time``, robust to other load on a shared machine), each the best of ``--repeat``
runs; ratios, not absolute times, are the figures to compare across machines.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from typing import Any

import numpy as np

from bordersim.engine import simulate
from bordersim.engine.rng import (
    ATTEMPT_STREAM,
    FLEEING_STREAM,
    INCURSION_STREAM,
    RNG_BLOCK,
    SPLIT_STREAM,
    blocks_for,
    stream_generator,
)
from bordersim.model.compile import Compiled, compile_scenario
from bordersim.scenario.builtin import load


def _attempt_rates(compiled: Compiled) -> list[list[float]]:
    """Per phase, per covert actor: mean attempts per replication-day, by the engine's own
    arithmetic (rate x choice x outcome probabilities, summed), so the floor draws the same numbers."""
    out = []
    for ph in compiled.phases:
        means = ph.covert_rate[None, None, :, None] * ph.choice_q.T[None, :, :, None] * ph.outcome_p
        attempts = means.sum(axis=-1)
        out.append([float(attempts[..., a].sum(axis=-1)[0]) for a in range(attempts.shape[-1])])
    return out


def draw_floor(compiled: Compiled, reps: int, days: int, seed: int) -> tuple[float, int]:
    """Seconds NumPy needs to make the draws the engine's streams make, and the number of variates.

    Draws that the stream order allows to be made at once are made at once (the outcome uniforms of
    a block, its fleeing arrivals), as the engine makes them."""
    phase_of_day = compiled.phase_index()[:days]
    lam = _attempt_rates(compiled)
    Ac, P = len(compiled.covert_ids), len(compiled.crossing_ids)
    flee = np.array([ph.fleeing_rate.sum(axis=0) for ph in compiled.phases]).reshape(-1, P)
    flee = flee[phase_of_day] if compiled.fleeing_ids else np.zeros((days, P))
    flow = flee[flee.any(axis=1)][:, None, :]
    armed = np.array([ph.armed_rate.sum() for ph in compiled.phases])[phase_of_day].sum()
    n_var = 0
    t0 = time.process_time()
    for block, _r0, n in blocks_for(0, reps):
        att = [stream_generator(seed, block, ATTEMPT_STREAM, a) for a in range(Ac)]
        split = [stream_generator(seed, block, SPLIT_STREAM, a) for a in range(Ac)]
        m_total = [0] * Ac
        for t in range(days):
            for a, rate in enumerate(lam[phase_of_day[t]]):
                if rate > 0:
                    m = int(att[a].poisson(rate, size=n).sum())
                    if m:
                        att[a].random(m)
                    m_total[a] += m
        for a in range(Ac):
            split[a].random(m_total[a])
        stream_generator(seed, block, FLEEING_STREAM).poisson(flow, size=(flow.shape[0], n, P))
        if armed > 0:
            inc = stream_generator(seed, block, INCURSION_STREAM)
            e = int(inc.poisson(armed, size=n).sum())
            inc.random(e)
            inc.random(e)
            n_var += n + 2 * e
        n_var += days * n * Ac + 2 * sum(m_total) + flow.size * n
    return time.process_time() - t0, n_var


def subdivide(compiled: Compiled, k: int) -> Compiled:
    """The compiled scenario with every sector cut into ``k`` equal sub-sectors: arrays along the
    sector axis are repeated; lengths, guards, patrol teams, outposts, choice shares and attack
    rates are split k ways (so detection, interdiction and outcome probabilities are unchanged)."""
    S = compiled.n_sectors
    split_fields = {"length_km", "posts", "guards", "unit_guards", "unit_teams", "choice_q"}
    split_fields.add("armed_rate")

    def expand(obj: Any) -> Any:
        changes = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, np.ndarray) and S in v.shape and v.ndim:
                axis = v.shape.index(S) if v.shape[-1] != S else v.ndim - 1
                w = np.repeat(v, k, axis=axis)
                if f.name in split_fields:
                    w = w / k
                changes[f.name] = w
            elif isinstance(v, tuple) and len(v) == S and f.name.startswith("sector_"):
                changes[f.name] = tuple(f"{x}.{i}" for x in v for i in range(k))
        return dataclasses.replace(obj, **changes)

    phases = tuple(expand(ph) for ph in compiled.phases)
    return dataclasses.replace(expand(compiled), phases=phases)


def best_time(fn: Any, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return float(best)


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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sector-reps", type=int, default=250)
    ap.add_argument("--sector-k", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-memory subprocesses")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    compiled = compile_scenario(load(), days=args.days)
    S, Ac = compiled.n_sectors, len(compiled.covert_ids)
    simulate(compiled, RNG_BLOCK, args.seed, days=5)  # warm-up
    rows = []
    for reps in args.reps:
        t = best_time(lambda reps=reps: simulate(compiled, reps, args.seed), args.repeat)
        floor = min(draw_floor(compiled, reps, args.days, args.seed)[0] for _ in range(args.repeat))
        n_var = draw_floor(compiled, reps, args.days, args.seed)[1]
        rows.append(
            {
                "replications": reps,
                "days": args.days,
                "seconds": t,
                "replications_per_s": reps / t,
                "sector_actor_days_per_s": reps * args.days * S * Ac / t,
                "draw_floor_s": floor,
                "draw_variates": n_var,
                "engine_over_floor": t / floor,
                "peak_rss_mb": None if args.no_rss else peak_rss_mb(reps, args.days),
            }
        )
    sectors = []
    for k in args.sector_k:
        sub = subdivide(compiled, k)
        t = best_time(lambda sub=sub: simulate(sub, args.sector_reps, args.seed), args.repeat)
        sectors.append({"sectors": sub.n_sectors, "seconds": t})
    first = sectors[0]
    base = first["seconds"] / first["sectors"]
    for row in sectors:
        row["us_per_sector_day"] = row["seconds"] / row["sectors"] / args.days * 1e6
        row["vs_first"] = row["seconds"] / row["sectors"] / base
        # time ~ sectors**exponent between the first size and this one (linear: 1)
        ratio = row["sectors"] / first["sectors"]
        row["exponent"] = (
            np.log(row["seconds"] / first["seconds"]) / np.log(ratio) if ratio > 1 else 1.0
        )
    if args.json:
        print(json.dumps({"default": rows, "sectors": sectors}, indent=2))
        return
    print(f"default scenario: {S} sectors x {Ac} covert actors, {args.days} days, totals mode")
    print(
        f"{'reps':>7} {'s':>7} {'reps/s':>9} {'sector-actor-days/s':>20} "
        f"{'floor s':>8} {'engine/floor':>12} {'peak RSS MB':>12}"
    )
    for r in rows:
        rss = "-" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.1f}"
        print(
            f"{r['replications']:>7,} {r['seconds']:>7.3f} {r['replications_per_s']:>9,.0f} "
            f"{r['sector_actor_days_per_s']:>20,.0f} {r['draw_floor_s']:>8.3f} "
            f"{r['engine_over_floor']:>12.2f} {rss:>12}"
        )
    if len(rows) > 1 and rows[0]["peak_rss_mb"] is not None:
        print(
            f"peak memory ratio {rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f} "
            f"for {rows[-1]['replications'] / rows[0]['replications']:.0f}x the replications"
        )
    print(f"linearity in sectors: {args.sector_reps} replications x {args.days} days")
    print(f"{'sectors':>8} {'s':>8} {'us/sector-day':>14} {'vs first':>9} {'exponent':>9}")
    for row in sectors:
        print(
            f"{row['sectors']:>8,} {row['seconds']:>8.3f} {row['us_per_sector_day']:>14.2f} "
            f"{row['vs_first']:>9.2f} {row['exponent']:>9.2f}"
        )


if __name__ == "__main__":
    main()

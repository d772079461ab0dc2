"""The engine against its peers: the SimPy reference model and the raw NumPy Poisson bound.

Run from the repository root (benchmarks is a package, so the reference model imports plainly):
``.venv/bin/python -m benchmarks.peers [--scenario tajik-afghan-2021] [--days 365] [--engine-reps 1000]
[--reference-seconds 30]``.

Same scenario, same days. The engine runs ``--engine-reps`` replications (best of three runs); the
event-driven reference (benchmarks/reference/simpy_model.py) runs as many replications as fit in
``--reference-seconds`` and its time is scaled per replication (best chunk of ten, so load from other
processes counts as little as it does for the engine). The headline compares the two with armed
incursions (the scenario as it is); both are also timed with armed actors off.

The NumPy bounds time bare ``Generator`` draws with the engine's means and stream blocks: four Poisson
variates per (day, replication, sector, covert actor), one per outcome class (days x reps x S x Ac x 4),
and the draws the engine really makes: per day, replication and actor a Poisson total of attempts, then
two uniforms per attempt (its sector, its outcome). No engine can draw them faster, so bound / engine is
the share of the engine's time that is irreducible random-number generation.
Prints a table; no assertions.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import numpy as np

from benchmarks.reference.simpy_model import ReferenceModel, Replication
from bordersim.engine.kernel import simulate
from bordersim.engine.rng import ATTEMPT_STREAM, RNG_BLOCK, blocks_for, stream_generator
from bordersim.model.compile import Compiled, compile_scenario, with_overrides
from bordersim.scenario.builtin import load

SEED = 20210705
REPEATS = 3  # engine and bound: best of three, so other load on the machine does not count
REFERENCE_CHUNK = 10  # reference: best per-replication time over chunks of this many


def time_engine(compiled: Compiled, reps: int) -> float:
    """Wall seconds for ``reps`` engine replications (totals mode), best of REPEATS."""
    simulate(compiled, min(reps, RNG_BLOCK), SEED, days=5)  # warm up imports and caches
    best = np.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        simulate(compiled, reps, SEED)
        best = min(best, time.perf_counter() - t0)
    return float(best)


def time_reference(model: ReferenceModel, budget_s: float) -> tuple[int, float, float]:
    """(replications run, wall seconds in all, best seconds per replication over chunks of
    REFERENCE_CHUNK): replications until the budget is spent."""
    t_start = time.perf_counter()
    n, best = 0, np.inf
    while n == 0 or time.perf_counter() - t_start < budget_s:
        t0 = time.perf_counter()
        for _ in range(REFERENCE_CHUNK):
            Replication(model, random.Random(f"peers:{SEED}:{n}")).run()
            n += 1
        best = min(best, (time.perf_counter() - t0) / REFERENCE_CHUNK)
    return n, time.perf_counter() - t_start, float(best)


def _best_of(draw: Callable[[], None]) -> float:
    best = np.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        draw()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def time_poisson_bounds(compiled: Compiled, reps: int) -> tuple[float, float]:
    """Wall seconds to draw, bare and with the engine's means and block streams, what each covert
    sampling scheme needs at the least:

    - four Poisson counts per (day, replication, sector, actor), one per outcome class:
      days x reps x S x Ac x 4 variates;
    - the engine's own scheme (bordersim.engine.crossings): a Poisson total of attempts per (day,
      replication, actor), then two uniforms per attempt, one for its sector and one for its outcome.
    """
    S, Ac = compiled.n_sectors, len(compiled.covert_ids)
    outcome_means = [
        (ph.covert_rate[None, :, None] * ph.choice_q.T[:, :, None] * ph.outcome_p)[None]
        for ph in compiled.phases
    ]
    phase_of_day = compiled.phase_index()

    def four_poissons() -> None:
        for block, _r0, n in blocks_for(0, reps):
            rng = stream_generator(SEED, block, ATTEMPT_STREAM)
            for t in range(compiled.days):
                rng.poisson(outcome_means[phase_of_day[t]], size=(n, S, Ac, 4))

    totals = [m.sum(axis=(0, 1, 3)) for m in outcome_means]  # (Ac,) attempts per day

    def attempts_and_uniforms() -> None:
        for block, _r0, n in blocks_for(0, reps):
            rng = stream_generator(SEED, block, ATTEMPT_STREAM)
            for t in range(compiled.days):
                for lam in totals[phase_of_day[t]]:
                    m = int(rng.poisson(lam, size=n).sum())
                    rng.random(m)
                    rng.random(m)

    return _best_of(four_poissons), _best_of(attempts_and_uniforms)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="tajik-afghan-2021")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--engine-reps", type=int, default=1000)
    ap.add_argument("--reference-seconds", type=float, default=30.0, help="per reference run")
    args = ap.parse_args()
    reps = args.engine_reps

    scenario = load(args.scenario)
    compiled = compile_scenario(scenario, days=args.days)
    # Both models are also timed with armed actors off (covert and fleeing work only).
    armed = [a.id for a in scenario.actors if a.kind == "armed"]
    quiet = with_overrides(scenario, {f"actors.{a}.rate_per_day": 0.0 for a in armed})
    compiled_quiet = compile_scenario(quiet, days=args.days)
    S, Ac = compiled.n_sectors, len(compiled.covert_ids)
    print(
        f"{args.scenario}: {compiled.start} + {compiled.days} days, {S} sectors, {Ac} covert actors, "
        f"{len(compiled.phases)} phases"
    )

    engine_s = time_engine(compiled, reps)
    quiet_s = time_engine(compiled_quiet, reps)
    ref_n, ref_s, ref_per_rep = time_reference(
        ReferenceModel(scenario, compiled), args.reference_seconds
    )
    qref_n, qref_s, qref_per_rep = time_reference(
        ReferenceModel(quiet, compiled_quiet), args.reference_seconds
    )
    four_s, split_s = time_poisson_bounds(compiled, reps)

    rows = [
        ("engine", reps, engine_s, engine_s / reps),
        ("engine, no incursions", reps, quiet_s, quiet_s / reps),
        ("reference (SimPy)", ref_n, ref_s, ref_per_rep),
        ("reference (SimPy), no incursions", qref_n, qref_s, qref_per_rep),
        ("bound: 4 Poissons per cell", reps, four_s, four_s / reps),
        ("bound: the engine's draws", reps, split_s, split_s / reps),
    ]
    print(f"\n{'':34s}{'replications':>13s}{'wall s':>9s}{'reps/s':>10s}{'ms/rep':>9s}")
    for name, n, secs, per_rep in rows:
        print(f"{name:34s}{n:>13d}{secs:>9.2f}{1 / per_rep:>10.1f}{1000 * per_rep:>9.3f}")
    print(
        "(engine and bounds: best of 3 runs; reference: best 10-replication chunk, per replication)"
    )
    cells = compiled.days * reps * S * Ac
    print(
        f"\nengine / reference speed-up: {ref_per_rep / (engine_s / reps):,.0f}x (target >= 100x;"
        f" no incursions {qref_per_rep / (quiet_s / reps):,.0f}x)"
    )
    print(
        f"bound / engine time: {four_s / engine_s:.2f} for {4 * cells:,} Poisson variates "
        f"(days x reps x S x Ac x 4); {split_s / engine_s:.2f} for the engine's own draws "
        f"(a Poisson total per day, replication and actor + two uniforms per attempt)"
    )


if __name__ == "__main__":
    main()

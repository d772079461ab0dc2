"""The vectorised Monte Carlo kernel: simulate(compiled, replications, seed) -> Results.

A run is three passes that share nothing but the compiled scenario and the seed, each block of
replications drawing from its own streams (see :mod:`bordersim.engine.rng`), so that results do not
depend on how replications are split between calls or workers:

* armed incursions (:mod:`bordersim.engine.incursions`), drawn, escalated and resolved for the whole
  run first, in one batch: nothing the covert loop does feeds back into them;
* covert crossings (:mod:`bordersim.engine.covert`), a day loop per block: Poisson attempts, each
  attempt's sector and outcome decided by its own uniforms (:mod:`bordersim.engine.crossings`), so
  attempts equal the sum of the outcome counts by construction and policies run with the same seed
  share their random numbers (common random numbers). What incursions feed forward is applied there
  per (replication, sector): a breach lowers detection for some days, and under threshold escalation
  the border-duty units a replication's own request activates add to its guards;
* people fleeing (:mod:`bordersim.engine.fleeing`): a reception queue per crossing that neither feeds
  nor is fed by anything else.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bordersim import __version__
from bordersim.engine.covert import CovertOut, covert_block
from bordersim.engine.fleeing import FleeingBlock, daily_inflow, simulate_fleeing
from bordersim.engine.incursions import IncursionOutcome, simulate_incursions
from bordersim.engine.results import Results
from bordersim.engine.rng import FLEEING_STREAM, blocks_for, stream_generator
from bordersim.model.compile import Compiled
from bordersim.model.outcomes import UNDETECTED_GOT_AWAY

#: blocks whose reception queues are simulated together (memory ~ days x replications x crossings)
FLEE_GROUP = 4


def simulate(
    compiled: Compiled,
    replications: int,
    seed: int,
    *,
    days: int | None = None,
    mode: str = "totals",
    rep_start: int = 0,
    progress: Callable[[int], None] | None = None,
    scenario_hash: str = "",
) -> Results:
    """Run ``replications`` replications of ``compiled`` from seed ``seed``.

    mode ``totals`` keeps per-replication totals and across-replication daily sums (memory independent of
    days); ``daily`` also keeps every replication x day x sector x actor x outcome count.
    ``rep_start`` (a multiple of RNG_BLOCK) selects which replications these are, for splitting a run.
    ``progress`` is called with the number of replications finished after each block.
    """
    if replications <= 0:
        raise ValueError("replications must be > 0")
    if mode not in ("totals", "daily"):
        raise ValueError("mode must be 'totals' or 'daily'")
    T = compiled.days if days is None else min(days, compiled.days)
    phase_of_day = compiled.phase_index()[:T]
    incursions = simulate_incursions(
        compiled, replications, seed, T, rep_start=rep_start, daily=mode == "daily"
    )
    covert = CovertOut.zeros(compiled, replications, T, mode == "daily")
    flee_rate, flee_batch = daily_inflow(compiled, phase_of_day)
    blocks = blocks_for(rep_start, replications)
    for block, r0, n in blocks:
        sl = slice(r0 - rep_start, r0 - rep_start + n)
        covert_block(compiled, seed, block, sl, phase_of_day, incursions, covert)
        if progress is not None:
            progress(n)
    fleeing = [
        simulate_fleeing(
            [(stream_generator(seed, b, FLEEING_STREAM), n) for b, _r0, n in group],
            flee_rate,
            flee_batch,
            compiled.crossing_capacity,
        )
        for group in (blocks[i : i + FLEE_GROUP] for i in range(0, len(blocks), FLEE_GROUP))
    ]
    return _results(
        compiled, seed, replications, rep_start, T, covert, fleeing, incursions, scenario_hash
    )


def _results(
    compiled: Compiled,
    seed: int,
    replications: int,
    rep_start: int,
    T: int,
    covert: CovertOut,
    fleeing: list[FleeingBlock],
    incursions: IncursionOutcome,
    scenario_hash: str,
) -> Results:
    """Assemble the run's Results from the three passes (fleeing blocks in replication order)."""
    return Results(
        compiled=compiled,
        seed=seed,
        replications=replications,
        rep_start=rep_start,
        days=T,
        covert_totals=covert.totals,
        covert_daily=covert.daily,
        daily_sum=covert.daily_sum,
        daily_sq=covert.daily_sq,
        flee_arrived=np.concatenate([f.arrived for f in fleeing]),
        flee_received=np.concatenate([f.received for f in fleeing]),
        flee_waiting=np.concatenate([f.waiting for f in fleeing]),
        flee_longest=np.concatenate([f.longest for f in fleeing]),
        flee_daily=np.sum([f.daily for f in fleeing], axis=0),
        incursions=incursions,
        degraded_days=covert.degraded_days,
        covert_clashes=covert.clashes,
        scenario_hash=scenario_hash,
        version=__version__,
    )


__all__ = ["UNDETECTED_GOT_AWAY", "simulate"]

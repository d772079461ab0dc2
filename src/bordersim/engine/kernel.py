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

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from bordersim import __version__
from bordersim.engine.covert import CovertOut, covert_block
from bordersim.engine.fleeing import FleeingBlock, daily_inflow, simulate_fleeing
from bordersim.engine.incursions import IncursionOutcome, simulate_incursions
from bordersim.engine.results import Results
from bordersim.engine.rng import FLEEING_STREAM, RNG_BLOCK, blocks_for, stream_generator
from bordersim.model.compile import Compiled
from bordersim.model.outcomes import UNDETECTED_GOT_AWAY

#: blocks whose reception queues are simulated together (memory ~ days x replications x crossings)
FLEE_GROUP = 4
#: replications per chunk of a streamed daily run (a multiple of RNG_BLOCK): its memory bound
STREAM_CHUNK = RNG_BLOCK


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


def simulate_streamed(
    compiled: Compiled,
    replications: int,
    seed: int,
    *,
    days: int | None = None,
    chunk: int = STREAM_CHUNK,
    progress: Callable[[int], None] | None = None,
    scenario_hash: str = "",
) -> Results:
    """A daily-mode run whose daily arrays are never whole in memory: the totals come from a
    totals-mode run now, and ``covert_daily`` / the incursions' ``daily`` are lazy (Dask) arrays
    whose chunks of ``chunk`` replications are simulated again, in daily mode, when the store
    writes them (one chunk at a time, into its own Zarr chunks).

    Every replication draws from its own block's streams (:mod:`bordersim.engine.rng`), so the
    numbers are those of ``simulate(..., mode="daily")`` bit for bit; the price is simulating each
    replication twice. Memory stays flat in ``replications``.
    """
    if chunk % RNG_BLOCK or chunk <= 0:
        raise ValueError(f"chunk must be a positive multiple of {RNG_BLOCK}")
    res = simulate(
        compiled,
        replications,
        seed,
        days=days,
        mode="totals",
        progress=progress,
        scenario_hash=scenario_hash,
    )
    incursions = res.incursions
    covert, armed = _lazy_daily(
        compiled, replications, seed, res.days, chunk, armed=incursions is not None
    )
    if incursions is not None:
        incursions = dataclasses.replace(incursions, daily=armed)
    return dataclasses.replace(res, covert_daily=covert, incursions=incursions)


def _lazy_daily(
    compiled: Compiled, replications: int, seed: int, days: int, chunk: int, armed: bool
) -> tuple[Any, Any]:
    """Dask arrays (replication, day, sector, actor, outcome) and (replication, day, sector, 2),
    each chunk one daily-mode simulation of ``chunk`` replications (shared by both arrays)."""
    import dask  # heavy: only a streamed daily run needs it
    import dask.array as da

    def part(r0: int, n: int) -> tuple[Any, Any]:
        out = simulate(compiled, n, seed, days=days, mode="daily", rep_start=r0)
        inc = out.incursions.daily if out.incursions is not None else None
        return out.covert_daily, inc

    S, A = len(compiled.sector_ids), len(compiled.covert_ids)
    covert_parts, armed_parts = [], []
    for r0 in range(0, replications, chunk):
        n = min(chunk, replications - r0)
        both = dask.delayed(part, nout=2, pure=True)(r0, n)
        covert_parts.append(da.from_delayed(both[0], (n, days, S, A, 4), dtype=np.int32))
        if armed:
            armed_parts.append(da.from_delayed(both[1], (n, days, S, 2), dtype=np.int16))
    return (
        da.concatenate(covert_parts, axis=0),
        da.concatenate(armed_parts, axis=0) if armed_parts else None,
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


__all__ = ["STREAM_CHUNK", "UNDETECTED_GOT_AWAY", "simulate", "simulate_streamed"]

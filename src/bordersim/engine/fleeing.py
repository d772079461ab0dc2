"""People fleeing: arrivals at reception crossings, received up to a daily capacity, oldest first.

DESIGN "People fleeing": batches (dated events) and a background flow (Poisson per day, replication and
crossing) arrive at reception crossings; each crossing receives at most its capacity per day, the
longest-waiting first (FIFO); the rest wait. Reported per replication and crossing: arrived, received,
still waiting at the end, and the longest wait (days, counted on the day the wait ends or on the last
day); and per day, summed over replications: arrived, received, waiting.

Nothing else in a run feeds into this queue and it feeds into nothing, so a block of replications is
simulated here on its own, from its own stream (:data:`bordersim.engine.rng.FLEEING_STREAM`). All the
block's background arrivals are drawn in one call: NumPy draws an array's Poisson variates one after
the other in C order, and a zero rate consumes no random numbers, so one (days with a flow, n, P) draw
gives exactly the numbers a draw per day would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.model.compile import Compiled

#: days of queue age tracked exactly; older waiting people are held in the last bin
MAX_WAIT_BINS = 120

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class FleeingBlock:
    """Results of some blocks: per replication (n, P) and per day summed over replications."""

    arrived: IntArray  # (n, P) people
    received: IntArray  # (n, P) people
    waiting: IntArray  # (n, P) people still waiting after the last day
    longest: IntArray  # (n, P) days, longest wait (capped at MAX_WAIT_BINS - 1)
    daily: NDArray[np.float64]  # (T, P, 3) arrived, received, waiting, summed over replications


def daily_inflow(
    compiled: Compiled, phase_of_day: IntArray
) -> tuple[NDArray[np.float64], IntArray]:
    """(T, P) background rate (people/day, summed over fleeing actors) and (T, P) batch arrivals."""
    T, P = phase_of_day.size, len(compiled.crossing_ids)
    if compiled.fleeing_ids:
        per_phase = np.array([ph.fleeing_rate.sum(axis=0) for ph in compiled.phases])
    else:
        per_phase = np.zeros((len(compiled.phases), P))
    rate = per_phase.reshape(len(compiled.phases), P)[phase_of_day]
    batch = np.zeros((T, P), dtype=np.int64)
    for d, _actor, arr in compiled.batches:
        if d < T:
            batch[d] += arr
    return rate, batch


def simulate_fleeing(
    blocks: Sequence[tuple[np.random.Generator, int]],
    rate: NDArray[np.float64],
    batch: IntArray,
    capacity: NDArray[np.float64],
) -> FleeingBlock:
    """Simulate the reception queues of consecutive blocks of replications over ``rate.shape[0]``
    days; ``blocks`` gives each block's fleeing stream and size. The blocks are queued together
    (fewer, larger array operations) but draw from their own streams.

    ``rate`` and ``batch`` are :func:`daily_inflow`'s (T, P) arrays; ``capacity`` (P,) people/day
    (inf: unlimited)."""
    T, P = rate.shape
    n = sum(size for _rng, size in blocks)
    arrived = np.zeros((n, P), dtype=np.int64)
    received = np.zeros((n, P), dtype=np.int64)
    longest = np.zeros((n, P), dtype=np.int64)
    daily = np.zeros((T, P, 3))
    queue = np.zeros((n, P, MAX_WAIT_BINS), dtype=np.int64)  # waiting people by age in days
    if P == 0:
        return FleeingBlock(arrived, received, arrived.copy(), longest, daily)
    flow_days = np.flatnonzero(rate.any(axis=1))
    lam = rate[flow_days][:, None, :]
    drawn = np.concatenate(
        [rng.poisson(lam, size=(flow_days.size, size, P)) for rng, size in blocks], axis=1
    )
    row_of_day = np.full(T, -1)
    row_of_day[flow_days] = np.arange(flow_days.size)
    has_batch: NDArray[np.bool_] = np.asarray(batch.any(axis=1), dtype=bool)
    cap = _int_capacity(capacity)
    used = 0  # ages 0..used-1 may hold people; 0: nobody waits
    for t in range(T):
        if row_of_day[t] < 0 and not has_batch[t] and used == 0:
            continue  # nothing arrives and nobody waits: nothing happens today
        arrivals = drawn[row_of_day[t]] if row_of_day[t] >= 0 else np.zeros((n, P), np.int64)
        if has_batch[t]:
            arrivals = arrivals + batch[t][None, :]
        used = _age_one_day(queue, used, arrivals)
        window = queue[:, :, :used]
        oldest = oldest_age(window)  # before serving: includes waits that end today
        served = _serve(window, cap)
        waiting = window.sum(axis=2)
        used = int(oldest.max()) + 1 if waiting.any() else 0
        arrived += arrivals
        received += served
        np.maximum(longest, oldest, out=longest)
        daily[t, :, 0] = arrivals.sum(axis=0)
        daily[t, :, 1] = served.sum(axis=0)
        daily[t, :, 2] = waiting.sum(axis=0)
    return FleeingBlock(arrived, received, queue.sum(axis=2), longest, daily)


def _age_one_day(queue: IntArray, used: int, arrivals: IntArray) -> int:
    """Age everyone waiting by a day (only the bins in use) and put today's arrivals at age 0.
    Returns the number of bins now in use."""
    if used == MAX_WAIT_BINS:
        queue[:, :, -1] += queue[:, :, -2]  # the oldest bin absorbs the next
        queue[:, :, 1:-1] = queue[:, :, :-2].copy()
    elif used:
        queue[:, :, 1 : used + 1] = queue[:, :, :used].copy()
        used += 1
    else:
        used = 1
    queue[:, :, 0] = arrivals
    return used


def serve_fifo(queue: IntArray, capacity: NDArray[np.float64]) -> IntArray:
    """Receive up to ``capacity`` (P,) people per crossing today (inf: unlimited; a fraction is
    rounded down), oldest first; updates ``queue`` (n, P, ages) in place and returns the people
    received (n, P)."""
    return _serve(queue, _int_capacity(capacity))


def _int_capacity(capacity: NDArray[np.float64]) -> IntArray:
    """Whole people per day (a fraction rounded down; inf as a number larger than any queue)."""
    return np.where(np.isfinite(capacity), capacity, np.iinfo(np.int64).max // 4).astype(np.int64)


def _serve(queue: IntArray, cap: IntArray) -> IntArray:
    oldest_first = queue[:, :, ::-1]
    before = np.cumsum(oldest_first, axis=2) - oldest_first
    take = np.clip(cap[None, :, None] - before, 0, oldest_first)
    queue -= take[:, :, ::-1]
    return np.asarray(take.sum(axis=2), dtype=np.int64)


def oldest_age(queue: IntArray) -> IntArray:
    """Age in days of the oldest person still waiting (0 if nobody waits), per (n, P)."""
    nonzero = queue > 0
    last = queue.shape[2] - 1 - np.argmax(nonzero[:, :, ::-1], axis=2)
    return np.where(nonzero.any(axis=2), last, 0).astype(np.int64)


__all__ = [
    "MAX_WAIT_BINS",
    "FleeingBlock",
    "daily_inflow",
    "oldest_age",
    "serve_fifo",
    "simulate_fleeing",
]

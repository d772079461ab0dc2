"""The vectorised Monte Carlo kernel: simulate(compiled, replications, seed) -> Results.

Days advance in a Python loop (state carries over: queues, adaptive choice); everything inside a day is
vectorised over replications, sectors and actors. Each stream block of replications draws from its own
generator (see :mod:`bordersim.engine.rng`): per day, Poisson attempts per (replication, sector, actor),
each attempt's outcome decided by its own uniform against the cumulative outcome probabilities
(:mod:`bordersim.engine.crossings`) -- so attempts equal the sum of the outcome counts by construction,
and policies run with the same seed share their random numbers (common random numbers).

Armed incursions (:mod:`bordersim.engine.incursions`) are drawn, escalated and resolved for the whole
run before the day loop, in one batch: nothing the covert loop does feeds back into them. What they
feed forward is applied here per (replication, sector): a breach lowers detection there for some days,
and under threshold escalation the border-duty units a replication's own request activates add to its
guards (both need per-replication outcome probabilities, computed only on the days they differ from
the phase's).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from bordersim import __version__
from bordersim.engine.crossings import draw_covert
from bordersim.engine.incursions import (
    block_breaches,
    per_rep_outcome_p,
    simulate_incursions,
    unit_fractions,
)
from bordersim.engine.results import Results
from bordersim.engine.rng import (
    ATTEMPT_STREAM,
    FLEEING_STREAM,
    SPLIT_STREAM,
    blocks_for,
    stream_generator,
)
from bordersim.model import choice as choice_model
from bordersim.model.codes import ActivationMode, ChoiceMode
from bordersim.model.compile import Compiled
from bordersim.model.outcomes import INTERDICTED, UNDETECTED_GOT_AWAY, outcome_probabilities

MAX_WAIT_BINS = (
    120  # days of queue age tracked exactly; older waiting people are held in the last bin
)


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
    S, Ac = compiled.n_sectors, len(compiled.covert_ids)
    P, Af = len(compiled.crossing_ids), len(compiled.fleeing_ids)

    covert_totals = np.zeros((replications, S, Ac, 4), dtype=np.int64)
    covert_daily = (
        np.zeros((replications, T, S, Ac, 4), dtype=np.int32) if mode == "daily" else None
    )
    daily_sum = np.zeros((T, Ac, 4))
    daily_sq = np.zeros((T, Ac, 4))
    flee_arrived = np.zeros((replications, P), dtype=np.int64)
    flee_received = np.zeros((replications, P), dtype=np.int64)
    flee_waiting = np.zeros((replications, P), dtype=np.int64)
    flee_longest = np.zeros((replications, P), dtype=np.int64)
    flee_daily = np.zeros((T, P, 3))  # across-replication sums: arrived, received, waiting

    phase_of_day = compiled.phase_index()[:T]
    incursions = simulate_incursions(
        compiled, replications, seed, T, rep_start=rep_start, daily=mode == "daily"
    )
    degraded_days = np.zeros((replications, S), dtype=np.int32)
    inc = compiled.incursion
    breach_factor, breach_days = inc.breach_detection_factor, inc.breach_detection_days
    # Border-duty units whose activation is per replication (threshold escalation): their guards.
    per_rep_units = np.zeros(len(compiled.unit_ids), dtype=bool)
    if compiled.escalation.get("mode") == "threshold" and compiled.unit_ids:
        per_rep_units = compiled.unit_activation != ActivationMode.ALWAYS
    batches_by_day: dict[int, NDArray[np.int64]] = {}
    for d, _actor, arr in compiled.batches:
        batches_by_day[d] = batches_by_day.get(d, np.zeros(P, dtype=np.int64)) + arr

    for block, r0, n in blocks_for(rep_start, replications):
        i0 = r0 - rep_start
        rng_attempts = [stream_generator(seed, block, ATTEMPT_STREAM, a) for a in range(Ac)]
        rng_split = [stream_generator(seed, block, SPLIT_STREAM, a) for a in range(Ac)]
        rng_flee = stream_generator(seed, block, FLEEING_STREAM)
        sl = slice(i0, i0 + n)
        q = np.broadcast_to(compiled.phases[0].choice_q, (n, Ac, S)).copy()
        recent_att = np.zeros((n, Ac, S))
        recent_succ = np.zeros((n, Ac, S))
        queue = np.zeros((n, P, MAX_WAIT_BINS), dtype=np.int64)  # waiting people by age in days
        queue_busy = False
        cached_for: NDArray[np.float64] | None = None
        attempt_mean = split_p = np.zeros(0)
        used = 1  # ages 0..used-1 may hold people
        last_phase = -1
        mean = np.zeros((1, S, Ac, 4))
        adaptive = np.zeros(Ac, dtype=bool)
        flee_total = np.zeros(P)
        b_rep, b_sector, b_starts = block_breaches(incursions, i0, n, T)
        last_breach = np.full((n, S), -np.inf)
        req = incursions.request_day[sl]
        outcome_p_low = np.zeros((S, Ac, 4))
        mean_low = mean
        unit_border = np.zeros((len(compiled.unit_ids), S))
        for t in range(T):
            ph = compiled.phases[phase_of_day[t]]
            if phase_of_day[t] != last_phase:
                last_phase = int(phase_of_day[t])
                adaptive = ph.choice_code == ChoiceMode.ADAPTIVE
                static = ~adaptive
                q[:, static, :] = ph.choice_q[static]
                # mean of each outcome count = rate * q * outcome probability; shared by all
                # replications unless the adversary adapts per replication
                mean = _outcome_means(ph.covert_rate, q if adaptive.any() else q[:1], ph.outcome_p)
                flee_total = ph.fleeing_rate.sum(axis=0) if Af else np.zeros(P)
                outcome_p_low = outcome_probabilities(
                    (ph.p_detect * breach_factor)[:, None],
                    ph.p_interdict[:, None],
                    compiled.turn_back[None, :],
                )
                mean_low = _outcome_means(
                    ph.covert_rate, q if adaptive.any() else q[:1], outcome_p_low
                )
                unit_border = ph.unit_guards * per_rep_units[:, None]
            elif adaptive.any():
                mean = _outcome_means(ph.covert_rate, q, ph.outcome_p)
                mean_low = _outcome_means(ph.covert_rate, q, outcome_p_low)
            # breaches today (incursions come first in a day) lower detection from today on
            b0, b1 = b_starts[t], b_starts[t + 1]
            if b1 > b0:
                last_breach[b_rep[b0:b1], b_sector[b0:b1]] = t
            degraded = (t - last_breach) < breach_days
            degraded_days[sl] += degraded
            today_mean = mean
            extra_g: NDArray[np.float64] | None = None
            extra_t = np.zeros((n, S))
            if unit_border.any():
                frac = unit_fractions(
                    compiled, np.full(n, phase_of_day[t]), np.full(n, float(t)), req
                )
                if (frac * per_rep_units).any():
                    fr = frac * per_rep_units
                    extra_g = fr @ ph.unit_guards
                    extra_t = fr @ ph.unit_teams
            if extra_g is not None:
                op = per_rep_outcome_p(
                    compiled,
                    int(phase_of_day[t]),
                    extra_g,
                    extra_t,
                    np.where(degraded, breach_factor, 1.0),
                )
                today_mean = _outcome_means(ph.covert_rate, q, op)
            elif degraded.any():
                today_mean = np.where(degraded[:, :, None, None], mean_low, mean)
            # attempts ~ Poisson(rate * q) (= the sum of the outcome means), then the split;
            # cached while today's means are the phase's own (no breach, no per-rep activation)
            if today_mean is not cached_for:
                attempt_mean, split_p = _attempts_and_split(today_mean)
                if today_mean is mean:
                    cached_for = mean
            counts = draw_covert(rng_attempts, rng_split, attempt_mean, split_p, n)
            covert_totals[sl] += counts
            if covert_daily is not None:
                covert_daily[sl, t] = counts
            by_actor = counts.sum(axis=1)  # (n, Ac, 4)
            daily_sum[t] += by_actor.sum(axis=0)
            daily_sq[t] += (by_actor.astype(np.float64) ** 2).sum(axis=0)

            if adaptive.any():
                # exponential memory of attempts and successes (successes: not interdicted)
                keep = np.exp(-1.0 / compiled.memory_days)[None, :, None]
                att = np.moveaxis(counts.sum(axis=-1), 1, 2)
                got = att - np.moveaxis(counts[..., INTERDICTED], 1, 2)
                recent_att = recent_att * keep + att
                recent_succ = recent_succ * keep + got
                q[:, adaptive] = choice_model.displace(
                    q[:, adaptive],
                    recent_succ[:, adaptive],
                    recent_att[:, adaptive],
                    ph.learning_rate[adaptive][None, :, None],
                )

            batch = batches_by_day.get(t)
            if P and (flee_total.any() or batch is not None or queue_busy):
                arrivals = rng_flee.poisson(np.broadcast_to(flee_total, (n, P)))
                if batch is not None:
                    arrivals = arrivals + batch[None, :]
                # age everyone by a day; only the bins in use (ages 0..used-1) are touched
                if used == MAX_WAIT_BINS:
                    queue[:, :, -1] += queue[:, :, -2]  # the oldest bin absorbs the next
                    queue[:, :, 1:-1] = queue[:, :, :-2].copy()
                else:
                    queue[:, :, 1 : used + 1] = queue[:, :, :used].copy()
                    used += 1
                queue[:, :, 0] = arrivals
                window = queue[:, :, :used]
                oldest = _oldest_age(window)  # before serving: includes waits that end today
                served = _serve_fifo(window, compiled.crossing_capacity)
                waiting = window.sum(axis=2)
                queue_busy = bool(waiting.any())
                if queue_busy:
                    used = int(oldest.max()) + 1
                else:
                    used = 1
                flee_arrived[sl] += arrivals
                flee_received[sl] += served
                flee_longest[sl] = np.maximum(flee_longest[sl], oldest)
                flee_daily[t, :, 0] += arrivals.sum(axis=0)
                flee_daily[t, :, 1] += served.sum(axis=0)
                flee_daily[t, :, 2] += waiting.sum(axis=0)
        flee_waiting[sl] = queue.sum(axis=2)
        if progress is not None:
            progress(n)

    return Results(
        compiled=compiled,
        seed=seed,
        replications=replications,
        rep_start=rep_start,
        days=T,
        covert_totals=covert_totals,
        covert_daily=covert_daily,
        daily_sum=daily_sum,
        daily_sq=daily_sq,
        flee_arrived=flee_arrived,
        flee_received=flee_received,
        flee_waiting=flee_waiting,
        flee_longest=flee_longest,
        flee_daily=flee_daily,
        incursions=incursions,
        degraded_days=degraded_days,
        scenario_hash=scenario_hash,
        version=__version__,
    )


def _attempts_and_split(
    means: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Expected attempts (sum of the outcome means) and the outcome probabilities of an attempt."""
    attempts = means.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        split = np.where(attempts[..., None] > 0, means / attempts[..., None], 0.25)
    return attempts, split


def _outcome_means(
    rate: NDArray[np.float64], q: NDArray[np.float64], outcome_p: NDArray[np.float64]
) -> NDArray[np.float64]:
    """(n, S, Ac, 4) Poisson means from rates (Ac,), choice q (n, Ac, S) and outcome_p (S, Ac, 4)
    or per replication (n, S, Ac, 4)."""
    op = outcome_p if outcome_p.ndim == 4 else outcome_p[None]
    return np.asarray(rate[None, None, :, None] * np.moveaxis(q, 1, 2)[..., None] * op)


def _serve_fifo(queue: NDArray[np.int64], capacity: NDArray[np.float64]) -> NDArray[np.int64]:
    """Receive up to ``capacity`` people per crossing today, oldest first; updates ``queue``."""
    cap = np.where(np.isfinite(capacity), capacity, np.iinfo(np.int64).max // 4).astype(np.int64)
    oldest_first = queue[:, :, ::-1]
    before = np.cumsum(oldest_first, axis=2) - oldest_first
    take = np.clip(cap[None, :, None] - before, 0, oldest_first)
    queue -= take[:, :, ::-1]
    return np.asarray(take.sum(axis=2), dtype=np.int64)


def _oldest_age(queue: NDArray[np.int64]) -> NDArray[np.int64]:
    """Age in days of the oldest person still waiting (0 if nobody waits)."""
    nonzero = queue > 0
    last = queue.shape[2] - 1 - np.argmax(nonzero[:, :, ::-1], axis=2)
    return np.where(nonzero.any(axis=2), last, 0).astype(np.int64)


__all__ = ["UNDETECTED_GOT_AWAY", "simulate"]

"""The covert day loop of one block of replications: smugglers' and infiltrators' attempts and outcomes.

Per day and covert actor a block draws Poisson attempts per replication and, per attempt, a sector
uniform (both from the actor's attempt stream) and an outcome uniform (its split stream); see
:mod:`bordersim.engine.crossings` for why. Most days every replication shares the phase's tables:
then a day only draws -- the Poisson totals and the sector uniforms, which must come in that order
from one stream -- and the attempts of a span of days are resolved together (the outcome uniforms of
a span are one draw: NumPy's uniforms are one 64-bit word each, so one draw of the span's total is
the days' draws end to end). Resolving counts outcomes per attempt: a sector by a guide table, an
outcome by three comparisons with the sector's cumulative probabilities, then one bincount per span
for the daily sums and one per block for the per-replication totals -- nothing the size of
replications x sectors x actors x outcomes per day.

A breach lowers detection in its cell (replication, sector) for ``breach_detection_days`` days from
the day of the breach: an attempt that lands in a degraded cell takes that cell's lowered
probabilities (the second half of the thresholds). Only the degraded cells are touched; attempts and
their sectors do not depend on detection, so they stay on the shared tables.

Days whose outcome probabilities differ per replication -- an adaptive adversary's own choice, units
that a replication's own escalation request activated, an actor busy enough for per-cell draws --
take the general path: per-replication tables and :func:`bordersim.engine.crossings.draw_covert`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.covert_tables import (
    attempts_and_split,
    low_outcome_p,
    outcome_means,
    per_rep_outcome_p,
)
from bordersim.engine.crossings import ActorTable, actor_tables, draw_covert
from bordersim.engine.incursions import IncursionOutcome, block_breaches, unit_fractions
from bordersim.engine.rng import ATTEMPT_STREAM, CLASH_STREAM, SPLIT_STREAM, stream_generator
from bordersim.model import choice as choice_model
from bordersim.model.codes import ActivationMode, ChoiceMode
from bordersim.model.compile import Compiled, Phase
from bordersim.model.outcomes import INTERDICTED

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: attempts buffered before a span is resolved (keeps its arrays in cache); the numbers do not depend on it
SPAN_ATTEMPTS = 1 << 16
#: cells of a span's degraded-cell mask (days x replications x sectors); bounds its memory
SPAN_CELLS = 1 << 22


@dataclass(frozen=True)
class CovertOut:
    """What the covert loop keeps for a run: per-replication totals, across-replication daily sums."""

    totals: NDArray[np.int64]  # (R, S, Ac, 4)
    daily: NDArray[np.int32] | None  # (R, T, S, Ac, 4) in daily mode
    daily_sum: FloatArray  # (T, Ac, 4)
    daily_sq: FloatArray  # (T, Ac, 4)
    degraded_days: NDArray[np.int32]  # (R, S)
    clashes: NDArray[np.int64]  # (R, S, Ac) interdicted groups that resisted (armed clashes)
    #: per phase: means, means under a breach and shared tables, the same for every block when no
    #: actor adapts (filled by the first block that enters the phase)
    phase_cache: dict[int, tuple[FloatArray, FloatArray, list[ActorTable] | None]] = field(
        default_factory=dict
    )

    @classmethod
    def zeros(cls, compiled: Compiled, R: int, T: int, daily: bool) -> CovertOut:
        S, Ac = compiled.n_sectors, len(compiled.covert_ids)
        return cls(
            totals=np.zeros((R, S, Ac, 4), dtype=np.int64),
            daily=np.zeros((R, T, S, Ac, 4), dtype=np.int32) if daily else None,
            daily_sum=np.zeros((T, Ac, 4)),
            daily_sq=np.zeros((T, Ac, 4)),
            degraded_days=np.zeros((R, S), dtype=np.int32),
            clashes=np.zeros((R, S, Ac), dtype=np.int64),
        )


@dataclass
class _Block:
    """One block's covert state that carries over from day to day."""

    compiled: Compiled
    sl: slice  # the block's replications in the run
    n: int
    S: int
    Ac: int
    rng_attempts: list[np.random.Generator]
    rng_split: list[np.random.Generator]
    request_day: FloatArray  # (n,)
    b_rep: IntArray  # the block's breaches, sorted by day: local replication, sector, day
    b_sector: IntArray
    b_day: IntArray
    b_starts: IntArray  # (T + 1,) b_starts[t]:b_starts[t + 1] are day t's breaches
    span_days: int  # breach_detection_days as a whole number of days
    q: FloatArray  # (n, Ac, S) sector choice
    recent_att: FloatArray  # (n, Ac, S) exponential memory of attempts (adaptive choice)
    recent_succ: FloatArray  # (n, Ac, S) ... and of successes
    phase: int = -1
    adaptive: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    mean: FloatArray = field(default_factory=lambda: np.zeros(0))  # (1 or n, S, Ac, 4)
    mean_low: FloatArray = field(default_factory=lambda: np.zeros(0))  # ... under a breach
    tables: list[ActorTable] | None = None  # shared tables of the phase (None: general path)
    per_rep_units: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    border_units: bool = False  # a per-replication unit guards the border in this phase
    codes: list[list[IntArray]] = field(default_factory=list)  # per actor: (rep, sector, outcome)


@dataclass
class _Span:
    """Buffered days of draws on the shared tables, resolved together."""

    t0: int = 0
    totals: list[list[IntArray]] = field(default_factory=list)  # per actor, per day: (n,)
    u_sector: list[list[FloatArray]] = field(default_factory=list)  # per actor, per day
    days: int = 0
    attempts: int = 0


def covert_block(
    compiled: Compiled,
    seed: int,
    block: int,
    sl: slice,
    phase_of_day: IntArray,
    incursions: IncursionOutcome,
    out: CovertOut,
) -> None:
    """Run one block's covert crossings (replications ``sl`` of the run, stream block ``block``)
    over ``phase_of_day.size`` days, adding into ``out``."""
    S, Ac, T = compiled.n_sectors, len(compiled.covert_ids), phase_of_day.size
    n = sl.stop - sl.start
    b_rep, b_sector, b_day, b_starts = block_breaches(incursions, sl.start, n, T)
    bd = float(compiled.incursion.breach_detection_days)
    st = _Block(
        compiled=compiled,
        sl=sl,
        n=n,
        S=S,
        Ac=Ac,
        rng_attempts=[stream_generator(seed, block, ATTEMPT_STREAM, a) for a in range(Ac)],
        rng_split=[stream_generator(seed, block, SPLIT_STREAM, a) for a in range(Ac)],
        request_day=incursions.request_day[sl],
        b_rep=b_rep,
        b_sector=b_sector,
        b_day=b_day,
        b_starts=b_starts,
        span_days=T if not np.isfinite(bd) else max(0, int(np.ceil(bd))),
        q=np.broadcast_to(compiled.phases[0].choice_q, (n, Ac, S)).copy(),
        recent_att=np.zeros((n, Ac, S)),
        recent_succ=np.zeros((n, Ac, S)),
        codes=[[] for _ in range(Ac)],
    )
    span = _new_span(Ac, 0)
    max_days = max(1, SPAN_CELLS // max(1, n * S))
    for t in range(T):
        if phase_of_day[t] != st.phase:
            if span.days:
                span = _resolve_span(st, span, out)
            _enter_phase(st, int(phase_of_day[t]), out.phase_cache)
        elif st.adaptive.any():
            _enter_phase(st, st.phase, out.phase_cache)
        if st.tables is None or _per_rep_activation(st, t) is not None:
            if span.days:
                span = _resolve_span(st, span, out)
            _general_day(st, t, out)
            span.t0 = t + 1
            continue
        _draw_day(st, st.tables, span)
        if span.attempts >= SPAN_ATTEMPTS or span.days >= max_days:
            span = _resolve_span(st, span, out)
    if span.days:
        _resolve_span(st, span, out)
    for a in range(Ac):
        if st.codes[a]:
            counts = np.bincount(np.concatenate(st.codes[a]), minlength=n * S * 4)
            out.totals[sl, :, a, :] += counts.reshape(n, S, 4)
    out.degraded_days[sl] = _degraded_days(st, T)
    _draw_clashes(compiled, seed, block, sl, out)


def _draw_clashes(compiled: Compiled, seed: int, block: int, sl: slice, out: CovertOut) -> None:
    """Which of the block's interdicted groups resisted: Binomial(interdicted, r) per replication
    and sector, from each actor's own clash stream (so no other draw moves)."""
    cy = compiled.covert_yield
    for a in range(len(compiled.covert_ids)):
        if cy.has_clash[a] and cy.resist[a] > 0:
            rng = stream_generator(seed, block, CLASH_STREAM, a)
            out.clashes[sl, :, a] = rng.binomial(out.totals[sl, :, a, INTERDICTED], cy.resist[a])


def _new_span(Ac: int, t0: int) -> _Span:
    return _Span(t0=t0, totals=[[] for _ in range(Ac)], u_sector=[[] for _ in range(Ac)])


def _draw_day(st: _Block, tables: list[ActorTable], span: _Span) -> None:
    """One day's draws on the shared tables: Poisson attempts per replication, a sector uniform
    per attempt (resolved later, with the span)."""
    for a, tab in enumerate(tables):
        if tab.lam > 0:
            totals = st.rng_attempts[a].poisson(tab.lam, size=st.n)
            m = int(totals.sum())
        else:
            totals, m = np.zeros(st.n, dtype=np.int64), 0
        span.totals[a].append(totals)
        if m:
            span.u_sector[a].append(st.rng_attempts[a].random(m))
            span.attempts += m
    span.days += 1


def _resolve_span(st: _Block, span: _Span, out: CovertOut) -> _Span:
    """Resolve a span's attempts: sectors, outcome uniforms (one draw per actor), outcomes, the
    daily sums and the codes for the block's totals. Returns a fresh span from the next day."""
    n, S, D, t0 = st.n, st.S, span.days, span.t0
    assert st.tables is not None
    degraded = _degraded_cells(st, t0, D)  # (day in span * n + rep) * S + sector, or None
    mask = None
    if degraded is not None:
        mask = np.zeros(D * n * S, dtype=bool)
        mask[degraded] = True
    tile = np.tile(np.arange(n), D)
    for a, tab in enumerate(st.tables):
        per_day = np.concatenate(span.totals[a]).reshape(D, n)
        flat = per_day.ravel()
        m = int(flat.sum())
        if m == 0:
            continue
        rep = np.repeat(tile, flat)  # replication of each attempt (attempts come day by day)
        day4n = np.repeat(np.arange(0, 4 * n * D, 4 * n), per_day.sum(axis=1))  # its day * 4n
        sector = tab.sectors(np.concatenate(span.u_sector[a]))
        cell = sector
        if mask is not None:
            cell = sector + S * mask.take(((day4n >> 2) + rep) * S + sector)
        k = tab.outcomes(cell, st.rng_split[a].random(m))
        idx = k * n
        idx += day4n
        idx += rep
        by_rep = np.bincount(idx, minlength=D * 4 * n).reshape(D, 4, n)
        out.daily_sum[t0 : t0 + D, a] += by_rep.sum(axis=-1)
        out.daily_sq[t0 : t0 + D, a] += np.einsum("dkn,dkn->dk", by_rep, by_rep)
        code = rep * S
        code += sector
        code *= 4
        code += k
        st.codes[a].append(code)
        if out.daily is not None:
            day = day4n // (4 * n)
            cells = ((rep * D + day) * S + sector) * 4 + k
            dense = np.bincount(cells, minlength=n * D * S * 4).reshape(n, D, S, 4)
            out.daily[st.sl, t0 : t0 + D, :, a, :] = dense
    return _new_span(st.Ac, t0 + D)


def _degraded_cells(st: _Block, t0: int, D: int) -> IntArray | None:
    """Degraded cells of days t0..t0+D-1 as (day - t0) * n + rep) * S + sector, or None if none.
    A breach on day b degrades its cell on days b .. b + span_days - 1."""
    lo = int(st.b_starts[max(0, t0 - st.span_days + 1)])
    hi = int(st.b_starts[t0 + D])
    if hi <= lo or st.span_days == 0:
        return None
    b_day, rep, sector = st.b_day[lo:hi], st.b_rep[lo:hi], st.b_sector[lo:hi]
    first = np.maximum(b_day, t0)
    last = np.minimum(b_day + st.span_days, t0 + D)  # exclusive
    k = np.maximum(last - first, 0)
    idx = np.repeat(np.arange(k.size), k)
    day = first[idx] + (np.arange(idx.size) - np.repeat(np.cumsum(k) - k, k)) - t0
    return np.asarray((day * st.n + rep[idx]) * st.S + sector[idx], dtype=np.int64)


def _degraded_days(st: _Block, T: int) -> NDArray[np.int32]:
    """(n, S) days each cell spent with detection lowered: the union over its breaches b of
    days b .. b + span_days - 1, within the run."""
    cell = st.b_rep * st.S + st.b_sector
    order = np.lexsort((st.b_day, cell))
    cell, day = cell[order], st.b_day[order]
    end = np.minimum(day + st.span_days, T)
    same = np.zeros(cell.size, dtype=bool)
    same[:-1] = cell[1:] == cell[:-1]
    nxt = np.append(day[1:], T)
    cover = np.where(same, np.minimum(end, nxt), end) - day
    days = np.bincount(cell, weights=cover, minlength=st.n * st.S)
    return days.reshape(st.n, st.S).astype(np.int32)


def _enter_phase(st: _Block, p: int, cache: dict[int, Any]) -> None:
    """Per-phase tables on the first day of a phase; per-day means of an adaptive adversary."""
    c = st.compiled
    ph = c.phases[p]
    if p == st.phase:
        if st.adaptive.any():
            st.mean = outcome_means(ph.covert_rate, st.q, ph.outcome_p)
            st.mean_low = outcome_means(ph.covert_rate, st.q, low_outcome_p(c, ph))
        return
    st.phase = p
    st.adaptive = ph.choice_code == ChoiceMode.ADAPTIVE
    static = ~st.adaptive
    st.q[:, static, :] = ph.choice_q[static]
    # mean of each outcome count = rate * q * outcome probability; shared by all
    # replications unless the adversary adapts per replication
    if st.adaptive.any():
        st.mean = outcome_means(ph.covert_rate, st.q, ph.outcome_p)
        st.mean_low = outcome_means(ph.covert_rate, st.q, low_outcome_p(c, ph))
        st.tables = None
    else:
        if p not in cache:
            mean = outcome_means(ph.covert_rate, st.q[:1], ph.outcome_p)
            mean_low = outcome_means(ph.covert_rate, st.q[:1], low_outcome_p(c, ph))
            attempts, split = attempts_and_split(mean)
            tables = actor_tables(attempts, split, attempts_and_split(mean_low)[1])
            cache[p] = (mean, mean_low, tables)
        st.mean, st.mean_low, st.tables = cache[p]
    st.per_rep_units = np.zeros(len(c.unit_ids), dtype=bool)
    if c.escalation.get("mode") == "threshold" and c.unit_ids:
        # border-duty units whose activation is per replication (threshold escalation)
        st.per_rep_units = c.unit_activation != ActivationMode.ALWAYS
    st.border_units = bool((ph.unit_guards * st.per_rep_units[:, None]).any())


def _per_rep_activation(st: _Block, t: int) -> FloatArray | None:
    """(n, U) active fractions of the per-replication border units today, or None if none acts."""
    if not st.border_units:
        return None
    c = st.compiled
    frac = unit_fractions(c, np.full(st.n, st.phase), np.full(st.n, float(t)), st.request_day)
    fr = frac * st.per_rep_units
    return fr if fr.any() else None


def _general_day(st: _Block, t: int, out: CovertOut) -> None:
    """One day with per-replication outcome probabilities (dense tables, one draw per day)."""
    c = st.compiled
    ph = c.phases[st.phase]
    degraded = np.zeros((st.n, st.S), dtype=bool)
    lo = int(st.b_starts[max(0, t - st.span_days + 1)])
    hi = int(st.b_starts[t + 1])
    if st.span_days and hi > lo:
        degraded[st.b_rep[lo:hi], st.b_sector[lo:hi]] = True
    fr = _per_rep_activation(st, t)
    if fr is not None:
        factor = c.incursion.breach_detection_factor
        op = per_rep_outcome_p(
            c, st.phase, fr @ ph.unit_guards, fr @ ph.unit_teams, np.where(degraded, factor, 1.0)
        )
        today = outcome_means(ph.covert_rate, st.q, op)
    elif degraded.any():
        today = np.where(degraded[:, :, None, None], st.mean_low, st.mean)
    else:
        today = st.mean
    attempt_mean, split_p = attempts_and_split(today)
    counts = draw_covert(st.rng_attempts, st.rng_split, attempt_mean, split_p, st.n)
    out.totals[st.sl] += counts
    if out.daily is not None:
        out.daily[st.sl, t] = counts
    by_actor = counts.sum(axis=1)  # (n, Ac, 4)
    out.daily_sum[t] += by_actor.sum(axis=0)
    out.daily_sq[t] += (by_actor.astype(np.float64) ** 2).sum(axis=0)
    if st.adaptive.any():
        _adapt(st, ph, counts)


def _adapt(st: _Block, ph: Phase, counts: NDArray[np.int64]) -> None:
    """Adaptive displacement: exponential memory of attempts and successes (not interdicted),
    and the adaptive actors' sector choice moved toward recent successes."""
    keep = np.exp(-1.0 / st.compiled.memory_days)[None, :, None]
    att = np.moveaxis(counts.sum(axis=-1), 1, 2)
    got = att - np.moveaxis(counts[..., INTERDICTED], 1, 2)
    st.recent_att = st.recent_att * keep + att
    st.recent_succ = st.recent_succ * keep + got
    a = st.adaptive
    st.q[:, a] = choice_model.displace(
        st.q[:, a],
        st.recent_succ[:, a],
        st.recent_att[:, a],
        ph.learning_rate[a][None, :, None],  # type: ignore[arg-type]  # broadcasts per actor
    )


__all__ = ["SPAN_ATTEMPTS", "SPAN_CELLS", "CovertOut", "covert_block"]

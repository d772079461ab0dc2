"""Armed incursions inside the engine: events, escalation, reinforcements, one batched resolution.

What is simulated (DESIGN "Armed incursions", "Escalation"):

* events: on each day, attacks by armed actor a on sector s are Poisson(armed_rate[a, s]) per
  replication (drawn as the run's Poisson total split over (day, actor, sector) cells in proportion
  to their rates, which is the same law), with no cap: every event of the run becomes one row of one flat array, and all rows
  are resolved by a single call (in chunks) of
  :func:`bordersim.model.engagement.resolve_engagements` -- no per-engagement Python loop;
* attacker strength: drawn per event from the actor's ``attackers`` quantity's own distribution
  (triangular with its mode at the nominal value over [low, high]; uniform when the value sits on an
  end of the range; fixed for a point): the range says how big raids are, event to event;
* the garrison in contact: the outpost's share of the sector's on-duty guards, guards_s / posts_s
  with posts_s = max(1, length_s / post_spacing_km), fighting behind a fortification multiplier on
  the defenders' kill rate. A sector without guards is breached at once;
* reinforcements: the neighbouring post (``local_fraction`` of a garrison, after r0 + spacing x
  tortuosity / patrol speed), every reserve-posture unit by road (``reserve_fraction`` of its
  on-duty strength, :func:`reserve_response_hours`), air-mobile units in waves by helicopter
  (:func:`air_lift_arrivals`); each scaled by the unit's active fraction that day in that
  replication (on_request units only from request + delay, CSTO ramping to full strength over its
  ramp, :func:`csto_strength_fraction`);
* escalation (mode ``threshold``): Tajikistan asks for help on the first day the engagements
  ("breaches or clashes": every breach is a clash, so the count is the number of engagements) in
  a trailing window reach the threshold, per replication, by
  :func:`bordersim.model.activation.escalation_request_day`. Because that count does not depend on
  how the fights end, and nothing else an engagement changes feeds back into later events (rates
  are fixed by the phase; detection does not enter an armed attack), the whole incursion process of
  a run is computed before the covert day loop, exactly, in one batch. Mode ``date`` is compiled to a
  fixed request day; ``never`` leaves on_request units idle;
* a breach lowers detection in its sector (p_detect x ``breach_detection_factor``) on the day of the
  breach and the following days, ``breach_detection_days`` days in all; the covert loop in
  :mod:`bordersim.engine.kernel` applies it per (replication, sector).

Kill rates, fortification, break points and the time limit take their nominal values within a run:
they describe weapons, training and morale, epistemic uncertainties that experiments vary as factors
(the `engage` command draws them over their ranges instead).

Randomness: block k of replications draws its incursion numbers from its own stream,
:data:`bordersim.engine.rng.INCURSION_STREAM`, separate from the covert stream of the same block, so the
covert numbers of a run without breaches are those of an engine without incursions, and nothing
depends on how replications are split between calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.rng import INCURSION_STREAM, blocks_for, stream_generator
from bordersim.model.activation import (
    csto_strength_fraction,
    escalation_request_day,
    on_request_active,
)
from bordersim.model.codes import ActivationMode, AttackerDist
from bordersim.model.compile import Compiled
from bordersim.model.engagement import BREACH, REPELLED, UNDECIDED, resolve_engagements

CHUNK = 8_192  #: engagements per resolve call: bounds memory (events x reinforcement waves); the result does not depend on it

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class IncursionOutcome:
    """Per-replication incursion results of one run (replications in the order simulated)."""

    request_day: FloatArray  # (R,) day Tajikistan asks for help (inf: never)
    engagements: IntArray  # (R, Aa)
    breaches: IntArray  # (R, Aa)
    repelled: IntArray  # (R, Aa)
    undecided: IntArray  # (R, Aa)
    defender_losses: FloatArray  # (R, Aa)
    attacker_losses: FloatArray  # (R, Aa)
    first_reinf_hours_sum: FloatArray  # (R, Aa) sum over engagements that had any reinforcement
    first_reinf_count: IntArray  # (R, Aa) engagements that had any reinforcement
    daily_sum: FloatArray  # (T, 2) engagements, breaches per day summed over replications
    daily: NDArray[np.int16] | None  # (R, T, S, 2) in daily mode
    breach_rep: IntArray  # (B,) replication (0-based in this run) of each breach, sorted by day
    breach_day: IntArray  # (B,)
    breach_sector: IntArray  # (B,)
    sector_engagements: IntArray  # (R, S) engagements per replication and sector

    @property
    def n_engagements(self) -> int:
        return int(self.engagements.sum())


@dataclass(frozen=True)
class _Events:
    """Every armed event of a run as flat arrays (one row per event)."""

    rep: IntArray  # replication, 0-based in this run
    day: IntArray
    actor: IntArray  # index into compiled.armed_ids
    sector: IntArray
    attackers: FloatArray  # attacker strength

    @property
    def size(self) -> int:
        return int(self.rep.size)


@dataclass
class _Tally:
    """Per (replication, armed actor) sums of the engagements' results."""

    engagements: IntArray
    breaches: IntArray
    repelled: IntArray
    undecided: IntArray
    defender_losses: FloatArray
    attacker_losses: FloatArray
    reinf_sum: FloatArray
    reinf_count: IntArray

    @classmethod
    def zeros(cls, R: int, Aa: int) -> _Tally:
        i, f = np.zeros((R, Aa), dtype=np.int64), np.zeros((R, Aa))
        return cls(i, i.copy(), i.copy(), i.copy(), f, f.copy(), f.copy(), i.copy())


def unit_fractions(
    compiled: Compiled,
    phase_idx: IntArray,
    day: FloatArray,
    request_day: FloatArray,
) -> FloatArray:
    """(E, U) active fraction of every unit for rows (phase, day, replication's request day).

    Units that always act, and every unit unless escalation is by threshold, take the compiled
    phase's fraction. Under threshold escalation the on_request and CSTO units are computed here
    from each replication's own request day (the compiled phases, which cannot know it, hold 0)."""
    active = np.array([p.unit_active for p in compiled.phases])[phase_idx]  # (E, U)
    if compiled.escalation.get("mode") != "threshold" or not compiled.unit_ids:
        return active
    window = np.array([p.unit_window for p in compiled.phases])[phase_idx]
    t, req = day[:, None], request_day[:, None]
    delay, ramp = compiled.unit_delay_days[None, :], compiled.unit_ramp_days[None, :]
    on_req = on_request_active(t, req, delay).astype(float)
    csto = csto_strength_fraction(t, req, ramp, delay)
    code = compiled.unit_activation[None, :]
    return np.asarray(
        np.where(
            code == ActivationMode.ON_REQUEST,
            on_req,
            np.where(code == ActivationMode.CSTO, csto, active),
        )
        * np.where(code == ActivationMode.ALWAYS, 1.0, window),
        dtype=float,
    )


def _draw_attackers(rng: np.random.Generator, spec: FloatArray, actor: IntArray) -> FloatArray:
    """Attacker strength per event from the actor's (low, mode, high, dist) row."""
    lo, mode, hi, dist = (spec[actor, i] for i in range(4))
    u = rng.random(actor.size)
    # inverse CDFs, so one uniform per event whatever the distribution (a stable stream)
    width = np.where(hi > lo, hi - lo, 1.0)
    fc = np.clip((mode - lo) / width, 0.0, 1.0)
    tri = np.where(
        u < fc,
        lo + np.sqrt(u * (hi - lo) * (mode - lo)),
        hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mode)),
    )
    uni = lo + u * (hi - lo)
    out = np.where(
        dist == AttackerDist.TRIANGULAR, tri, np.where(dist == AttackerDist.UNIFORM, uni, mode)
    )
    return np.asarray(np.where(hi > lo, out, mode), dtype=float)


def simulate_incursions(
    compiled: Compiled,
    replications: int,
    seed: int,
    days: int,
    *,
    rep_start: int = 0,
    daily: bool = False,
) -> IncursionOutcome:
    """Draw, escalate and resolve every armed incursion of a run (see the module docstring)."""
    R, T, S = replications, days, compiled.n_sectors
    Aa = len(compiled.armed_ids)
    phase_of_day = compiled.phase_index()[:T]
    ev = _draw_events(compiled, phase_of_day, seed, R, rep_start)
    request_day = _request_days(compiled, ev, R, T)
    tally = _Tally.zeros(R, Aa)
    outcome = _resolve(compiled, ev, phase_of_day, request_day, tally)

    is_breach = outcome == BREACH
    daily_sum = np.zeros((T, 2))
    daily_arr = np.zeros((R, T, S, 2), dtype=np.int16) if daily else None
    if ev.size:
        daily_sum[:, 0] = np.bincount(ev.day, minlength=T)
        daily_sum[:, 1] = np.bincount(ev.day[is_breach], minlength=T)
        if daily_arr is not None:
            flat = daily_arr.reshape(-1)  # a view: (R, T, S, 2) in C order
            cell = ((ev.rep * T + ev.day) * S + ev.sector) * 2
            np.add.at(flat, cell, 1)
            np.add.at(flat, cell[is_breach] + 1, 1)
    b_rep, b_day, b_sector = ev.rep[is_breach], ev.day[is_breach], ev.sector[is_breach]
    order = np.lexsort((b_rep, b_day))
    return IncursionOutcome(
        request_day=request_day,
        engagements=tally.engagements,
        breaches=tally.breaches,
        repelled=tally.repelled,
        undecided=tally.undecided,
        defender_losses=tally.defender_losses,
        attacker_losses=tally.attacker_losses,
        first_reinf_hours_sum=tally.reinf_sum,
        first_reinf_count=tally.reinf_count,
        daily_sum=daily_sum,
        daily=daily_arr,
        breach_rep=b_rep[order],
        breach_day=b_day[order],
        breach_sector=b_sector[order],
        sector_engagements=np.bincount(ev.rep * S + ev.sector, minlength=R * S).reshape(R, S),
    )


def _draw_events(
    compiled: Compiled, phase_of_day: IntArray, seed: int, R: int, rep_start: int
) -> _Events:
    """Every event of the run, block by block from each block's incursion stream.

    A Poisson process split over cells: the run's total per replication is Poisson(sum of rates)
    and each event falls in a (day, actor, sector) cell with probability rate / sum -- the same law
    as independent Poisson counts per cell, at a cost proportional to the events rather than to
    replications x days x sectors."""
    T, S, Aa = phase_of_day.size, compiled.n_sectors, len(compiled.armed_ids)
    rates = (
        np.array([compiled.phases[p].armed_rate for p in phase_of_day]).reshape(T, Aa, S)
        if Aa
        else np.zeros((T, 0, S))
    )
    cells = np.flatnonzero(rates.reshape(-1) > 0)  # (day, actor, sector) cells that can see attacks
    parts: list[tuple[IntArray, IntArray, FloatArray]] = []  # (replication, cell, attackers)
    if cells.size:
        cell_rates = rates.reshape(-1)[cells]
        total = float(cell_rates.sum())
        cdf = np.cumsum(cell_rates) / total
        for block, r0, n in blocks_for(rep_start, R):
            rng = stream_generator(seed, block, INCURSION_STREAM)
            k = rng.poisson(total, size=n)
            r_ev = np.repeat(np.arange(n), k) + (r0 - rep_start)
            pick = np.minimum(
                np.searchsorted(cdf, rng.random(r_ev.size), side="right"), cells.size - 1
            )
            cell = cells[pick]
            a_ev = (cell // S) % max(Aa, 1)
            parts.append((r_ev, cell, _draw_attackers(rng, compiled.armed_attackers, a_ev)))
    if not parts:
        z = np.zeros(0, dtype=np.int64)
        return _Events(z, z, z, z, np.zeros(0))
    rep = np.concatenate([p[0] for p in parts]).astype(np.int64)
    cell = np.concatenate([p[1] for p in parts]).astype(np.int64)
    day, rest = np.divmod(cell, Aa * S)
    actor, sector = np.divmod(rest, S)
    attackers = np.concatenate([p[2] for p in parts]).astype(np.float64)
    return _Events(rep, day, actor, sector, attackers)


def _request_days(compiled: Compiled, ev: _Events, R: int, T: int) -> FloatArray:
    """(R,) the day each replication asks for help: from its own daily engagement counts under
    threshold escalation, else the compiled day (a date, or inf for never)."""
    if compiled.escalation.get("mode", "never") != "threshold":
        return np.full(R, float(compiled.request_day))
    per_day = np.bincount(ev.rep * T + ev.day, minlength=R * T).reshape(R, T)
    return escalation_request_day(
        per_day,
        int(compiled.escalation["window_days"]),
        float(compiled.escalation["threshold"]),
    )


def _resolve(
    compiled: Compiled,
    ev: _Events,
    phase_of_day: IntArray,
    request_day: FloatArray,
    tally: _Tally,
) -> NDArray[np.int8]:
    """Resolve every engagement (in chunks of CHUNK), adding its results to ``tally``; returns the
    outcome code of each event."""
    inc = compiled.incursion
    Aa = len(compiled.armed_ids)
    n_ra = tally.engagements.size
    outcome = np.zeros(ev.size, dtype=np.int8)
    for c0 in range(0, ev.size, CHUNK):
        sl = slice(c0, min(ev.size, c0 + CHUNK))
        garrison, times, sizes = _garrison_and_reinforcements(
            compiled, phase_of_day[ev.day[sl]], ev.day[sl], ev.sector[sl], request_day[ev.rep[sl]]
        )
        res = resolve_engagements(
            garrison,
            ev.attackers[sl],
            inc.alpha,
            inc.beta,
            times,
            sizes,
            fortification=inc.fortification,
            break_defender=inc.break_defender,
            break_attacker=inc.break_attacker,
            time_limit_hours=inc.time_limit_hours,
        )
        outcome[sl] = res.outcome
        first = times.min(axis=1, initial=np.inf)
        has = np.isfinite(first)
        ra = ev.rep[sl] * Aa + ev.actor[sl]

        def add(x: NDArray, into: NDArray, ra: IntArray = ra) -> None:
            into += (
                np.bincount(ra, weights=x, minlength=n_ra).reshape(into.shape).astype(into.dtype)
            )

        add(np.ones(ra.size), tally.engagements)
        add((res.outcome == BREACH).astype(float), tally.breaches)
        add((res.outcome == REPELLED).astype(float), tally.repelled)
        add((res.outcome == UNDECIDED).astype(float), tally.undecided)
        add(res.defender_losses, tally.defender_losses)
        add(res.attacker_losses, tally.attacker_losses)
        add(np.where(has, first, 0.0), tally.reinf_sum)
        add(has.astype(float), tally.reinf_count)
    return outcome


def _garrison_and_reinforcements(
    compiled: Compiled, p: IntArray, t: IntArray, s: IntArray, request_day: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For events in phases ``p`` on days ``t`` in sectors ``s``: the outpost's garrison (e,) and
    the reinforcement waves' arrival hours and sizes (e, waves), unused waves dropped."""
    inc = compiled.incursion
    frac = unit_fractions(compiled, p, t.astype(float), request_day)  # (e, U)
    guards = np.array([ph.guards for ph in compiled.phases])[p, s]
    ug_p = np.array([ph.unit_guards for ph in compiled.phases])  # (P, U, S)
    if ug_p.size:
        # units whose per-replication activation differs from the compiled phase (threshold
        # escalation) add or remove their border guards in this replication
        active_p = np.array([ph.unit_active for ph in compiled.phases])  # (P, U)
        guards = guards + ((frac - active_p[p]) * ug_p[p, :, s]).sum(axis=1)
    garrison = np.maximum(guards, 0.0) / compiled.posts[s]
    local_t = compiled.local_hours[s][:, None]
    local_n = (inc.local_fraction * garrison)[:, None]
    slot_unit = compiled.reinf_unit
    if slot_unit.size:
        unit_t = np.array([ph.reinf_hours for ph in compiled.phases])[p, :, s]  # (e, J)
        unit_n = np.array([ph.reinf_size for ph in compiled.phases])[p, :, s] * frac[:, slot_unit]
        times = np.concatenate([local_t, unit_t], axis=1)
        sizes = np.concatenate([local_n, unit_n], axis=1)
    else:
        times, sizes = local_t, local_n
    times = np.where(sizes > 0, times, np.inf)
    used = np.isfinite(times).any(axis=0)
    return garrison, times[:, used], sizes[:, used]


def block_breaches(
    out: IncursionOutcome, first: int, n: int, days: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Breaches of replications [first, first + n) as (local rep, sector, day, day starts) where
    ``starts[t]:starts[t + 1]`` indexes the breaches of day t (breaches are sorted by day)."""
    m = (out.breach_rep >= first) & (out.breach_rep < first + n)
    d = out.breach_day[m]
    starts = np.searchsorted(d, np.arange(days + 1), side="left")
    return out.breach_rep[m] - first, out.breach_sector[m], d, starts.astype(np.int64)

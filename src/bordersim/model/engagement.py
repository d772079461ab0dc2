"""Armed incursions: an outpost's garrison against an attacking group, Lanchester's square law.

    dD/dt = -alpha * N        D: defenders, N: attackers
    dN/dt = -beta_f * D       beta_f = beta * fortification

alpha is the attackers' kill rate on defenders (defenders per attacker per hour), beta the
defenders' kill rate on attackers; a fortified post multiplies beta by ``fortification`` (>= 1 for a
post that helps its garrison). Aimed fire at a concentrated enemy is the square law's case, which is
why it and not the linear law models a raid on an outpost.

Closed form. With omega = sqrt(alpha * beta_f), between two reinforcement arrivals and tau hours
after the start of that interval (D0, N0 the strengths at its start):

    D(tau) = D0 cosh(omega tau) - alpha  N0 sinh(omega tau) / omega
    N(tau) = N0 cosh(omega tau) - beta_f D0 sinh(omega tau) / omega

(for omega = 0, sinh(omega tau)/omega -> tau: the straight lines D0 - alpha N0 tau and
N0 - beta_f D0 tau).
Along the way beta_f D^2 - alpha N^2 stays constant (:func:`square_law_invariant`); a reinforcement
adds to D at its arrival time and so changes the constant. The time at which a side falls to a
threshold c is found analytically: writing x = exp(omega tau), D = a x + b / x with
a = (D0 - kappa N0)/2, b = (D0 + kappa N0)/2, kappa = sqrt(alpha / beta_f), so D = c is the
quadratic
a x^2 - c x + b = 0, whose relevant root (the first crossing, x >= 1) is
x* = 2b / (c + sqrt(c^2 - 4ab)); no real root means that side never falls to c. The code
evaluates it in a rearranged form that keeps full precision when omega tau is small (see
:func:`time_to_threshold`).

End conditions (``outcome``):
  REPELLED  (0) the attackers fall to their break point: N <= break_attacker * N0 (their strength at
            the start; attackers are not reinforced);
  BREACH    (1) the defenders fall to theirs first: D <= break_defender * C, where C is the defender
            strength *committed so far* -- the garrison plus every reinforcement that has joined
            (reinforcements arriving at or before t = 0 count as part of the garrison);
  UNDECIDED (2) neither by ``time_limit_hours``.
Why the committed strength and not the initial garrison: a force breaks when it has lost a share
of what was put into the fight. Measured against the initial garrison only, a fresh company joining
a platoon would be made to fight down to the platoon's break point, i.e. accept far heavier losses
than either would alone. With the committed basis an arrival can never itself trigger a breach (it
raises D by its full size and the threshold by only break_defender times it).

Ties (both sides reaching their break points at the same instant, including a fight with zero
attackers and zero defenders) count as REPELLED: the attack has not carried the post. A
reinforcement arriving at the very instant a fight ends, at or after the time limit, or after the
fight has ended is ignored (it does not count as committed and does not appear in the losses).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordersim.model.lanchester import square_law_invariant, strength_after, time_to_threshold

__all__ = [
    "BREACH",
    "DEFAULT_BREAK_ATTACKER",
    "DEFAULT_BREAK_DEFENDER",
    "DEFAULT_TIME_LIMIT_HOURS",
    "OUTCOMES",
    "REPELLED",
    "UNDECIDED",
    "EngagementOutcome",
    "EngagementResult",
    "OutcomeProbabilities",
    "resolve_engagements",
    "square_law_invariant",
]


class EngagementOutcome(IntEnum):
    """How an engagement ends (``EngagementResult.outcome``), in the order of :data:`OUTCOMES`."""

    REPELLED = 0
    BREACH = 1
    UNDECIDED = 2


REPELLED: Final = EngagementOutcome.REPELLED
BREACH: Final = EngagementOutcome.BREACH
UNDECIDED: Final = EngagementOutcome.UNDECIDED
OUTCOMES: tuple[str, ...] = ("repelled", "breach", "undecided")

#: Placeholders for when a caller gives none; scenarios should state (and source) their own.
#: Raiders break early (they came to raid and withdraw, not to hold ground); a garrison at its own
#: post fights longer; a day is the engine's time step.
DEFAULT_BREAK_ATTACKER: Final[float] = 0.5
DEFAULT_BREAK_DEFENDER: Final[float] = 0.3
DEFAULT_TIME_LIMIT_HOURS: Final[float] = 24.0

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class EngagementResult:
    """The resolution of many engagements; every field has the broadcast batch shape of the inputs.

    Arrays are read-only so that a result shared between the engine and a report cannot be changed
    behind either's back.
    """

    outcome: NDArray[np.int8]
    """REPELLED (0), BREACH (1) or UNDECIDED (2)."""
    duration_hours: FloatArray
    """Hours from the first shot to the end (the time limit when undecided)."""
    defender_losses: FloatArray
    """Committed defender strength minus the defenders left at the end."""
    attacker_losses: FloatArray
    """Initial attacker strength minus the attackers left at the end."""
    defenders_final: FloatArray
    attackers_final: FloatArray
    defenders_committed: FloatArray
    """Garrison plus every reinforcement that joined before the fight ended."""

    def __post_init__(self) -> None:
        for f in fields(self):
            getattr(self, f.name).flags.writeable = False

    @property
    def n(self) -> int:
        """Number of engagements."""
        return int(self.outcome.size)


@dataclass(frozen=True)
class OutcomeProbabilities:
    """Monte Carlo estimates of the outcome probabilities with their standard errors,
    sqrt(p (1 - p) / n) (binomial)."""

    repelled: float
    breach: float
    undecided: float
    repelled_se: float
    breach_se: float
    undecided_se: float
    n: int
    mean_duration_hours: float

    @classmethod
    def from_result(cls, result: EngagementResult) -> OutcomeProbabilities:
        """Summarise resolved engagements (each one equally likely: a sample of the inputs)."""
        n = result.n
        if n == 0:
            raise ValueError("no engagements to summarise")
        counts = np.bincount(result.outcome.ravel().astype(np.intp), minlength=3)
        p = counts / n
        se = np.sqrt(p * (1.0 - p) / n)
        return cls(
            repelled=float(p[REPELLED]),
            breach=float(p[BREACH]),
            undecided=float(p[UNDECIDED]),
            repelled_se=float(se[REPELLED]),
            breach_se=float(se[BREACH]),
            undecided_se=float(se[UNDECIDED]),
            n=n,
            mean_duration_hours=float(np.mean(result.duration_hours)),
        )


def _as_float(name: str, value: ArrayLike) -> FloatArray:
    a = np.asarray(value, dtype=float)
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN")
    return a


def _check_range(
    name: str, a: FloatArray, lo: float, hi: float, *, allow_inf: bool = False
) -> None:
    if not allow_inf and not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite")
    if (a < lo).any() or (a > hi).any():
        raise ValueError(f"{name} must lie in [{lo}, {hi}]")


def _reinforcements(
    reinf_times: ArrayLike | None, reinf_sizes: ArrayLike | None, batch: tuple[int, ...]
) -> tuple[FloatArray, FloatArray]:
    """Reinforcement arrays broadcast to batch + (k,), sorted by arrival time (last axis)."""
    if reinf_times is None and reinf_sizes is None:
        empty = np.zeros((*batch, 0))
        return empty, empty.copy()
    if reinf_times is None or reinf_sizes is None:
        raise ValueError("give both reinf_times and reinf_sizes, or neither")
    times = _as_float("reinf_times", reinf_times)
    sizes = _as_float("reinf_sizes", reinf_sizes)
    if times.ndim == 0 or sizes.ndim == 0:
        raise ValueError("reinf_times and reinf_sizes need a last axis (one slot per arrival)")
    if times.shape[-1] != sizes.shape[-1]:
        raise ValueError(
            f"reinf_times has {times.shape[-1]} slots but reinf_sizes has {sizes.shape[-1]}"
        )
    k = times.shape[-1]
    try:
        times = np.broadcast_to(times, (*batch, k))
        sizes = np.broadcast_to(sizes, (*batch, k))
    except ValueError as exc:
        raise ValueError(
            f"reinforcement arrays of shapes {np.shape(reinf_times)} and {np.shape(reinf_sizes)} "
            f"do not match the engagements' shape {batch} (expected {(*batch, k)})"
        ) from exc
    if np.isneginf(times).any():
        raise ValueError("reinf_times must not be -inf")
    _check_range("reinf_sizes", sizes, 0.0, np.inf)
    order = np.argsort(times, axis=-1, kind="stable")
    return (
        np.take_along_axis(times, order, axis=-1),
        np.take_along_axis(sizes, order, axis=-1),
    )


def _segment(
    live: dict[str, NDArray[Any]], arrival: FloatArray | float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Advance every live fight to ``arrival`` (or the time limit), or to the break point that
    comes first; return (ended, ended with the attackers repelled). Updates ``live`` in place."""
    d, n, w = live["d"], live["n"], live["omega"]
    segment_end = np.minimum(np.maximum(arrival, 0.0), live["limit"])
    dt = np.maximum(segment_end - live["t"], 0.0)
    d_threshold = live["f_d"] * live["committed"]
    n_threshold = live["n_threshold"]
    tau_d = time_to_threshold(d, n, live["alpha"], w, d_threshold)
    tau_n = time_to_threshold(n, d, live["beta"], w, n_threshold)
    tau_hit = np.minimum(tau_d, tau_n)
    ends = (tau_hit <= dt) & np.isfinite(tau_hit)
    tau = np.where(ends, tau_hit, dt)
    repelled = ends & (tau_n <= tau_d)
    breach = ends & ~repelled

    d_next = strength_after(d, n, live["alpha"], w, tau)
    n_next = strength_after(n, d, live["beta"], w, tau)
    # The side that broke stands exactly at its break point (not a rounding error off it).
    d_next = np.where(breach, np.minimum(d, d_threshold), d_next)
    n_next = np.where(repelled, np.minimum(n, n_threshold), n_next)
    # Between arrivals neither side can grow or go negative; clip round-off (an ulp) that
    # would say otherwise.
    live["d"] = np.clip(d_next, 0.0, d)
    live["n"] = np.clip(n_next, 0.0, n)
    live["t"] = live["t"] + tau
    return ends, repelled


def _fight(
    d0: FloatArray,
    n0: FloatArray,
    a: FloatArray,
    b_eff: FloatArray,
    f_d: FloatArray,
    f_n: FloatArray,
    limit: FloatArray,
    times: FloatArray,
    sizes: FloatArray,
) -> tuple[NDArray[np.int8], FloatArray, FloatArray, FloatArray, FloatArray]:
    """(outcome, duration, defenders, attackers, committed) of m flat engagements (k slots)."""
    m, k = times.shape
    outcome = np.full(m, UNDECIDED, dtype=np.int8)
    duration = limit.copy()
    d_out = np.empty(m)
    n_out = np.empty(m)
    committed_out = np.empty(m)
    d_start = d0 + np.where(times <= 0.0, sizes, 0.0).sum(axis=1)
    # The engagements still being fought, one row each; finished ones are written to the
    # outputs and dropped, so later passes only work on fights that are still going.
    live: dict[str, NDArray[Any]] = {
        "idx": np.arange(m),
        "d": d_start,
        "n": n0.copy(),
        "committed": d_start.copy(),
        "t": np.zeros(m),
        "alpha": a,
        "beta": b_eff,
        "omega": np.sqrt(a * b_eff),
        "f_d": f_d,
        "n_threshold": f_n * n0,
        "limit": limit,
        "times": times,
        "sizes": sizes,
    }
    for j in range(k + 1):
        if live["idx"].size == 0:
            break
        ends, repelled = _segment(live, live["times"][:, j] if j < k else np.inf)
        if ends.any():
            done = live["idx"][ends]
            outcome[done] = np.where(repelled[ends], REPELLED, BREACH)
            duration[done] = live["t"][ends]
            d_out[done] = live["d"][ends]
            n_out[done] = live["n"][ends]
            committed_out[done] = live["committed"][ends]
            going = ~ends
            live = {key: v[going] for key, v in live.items()}
        if j < k:
            arrival = live["times"][:, j]
            joins = (arrival > 0.0) & (arrival < live["limit"])
            added = np.where(joins, live["sizes"][:, j], 0.0)
            live["d"] = live["d"] + added
            live["committed"] = live["committed"] + added
    undecided = live["idx"]
    d_out[undecided] = live["d"]
    n_out[undecided] = live["n"]
    committed_out[undecided] = live["committed"]
    return outcome, duration, d_out, n_out, committed_out


def resolve_engagements(
    defenders: ArrayLike,
    attackers: ArrayLike,
    alpha: ArrayLike,
    beta: ArrayLike,
    reinf_times: ArrayLike | None = None,
    reinf_sizes: ArrayLike | None = None,
    *,
    fortification: ArrayLike = 1.0,
    break_defender: ArrayLike = DEFAULT_BREAK_DEFENDER,
    break_attacker: ArrayLike = DEFAULT_BREAK_ATTACKER,
    time_limit_hours: ArrayLike = DEFAULT_TIME_LIMIT_HOURS,
) -> EngagementResult:
    """Resolve many square-law engagements at once, exactly (closed form, no time stepping).

    Parameters
    ----------
    defenders, attackers
        Strengths at the first shot (>= 0). These and every other per-engagement argument
        (``alpha``, ``beta``, ``fortification``, the break points and the time limit) broadcast to
        one batch shape, usually (n,).
    alpha, beta
        Per-capita kill rates per hour (>= 0): attackers on defenders, defenders on attackers.
    reinf_times, reinf_sizes
        Arrival times (hours after the first shot) and sizes of defender reinforcements, shape
        batch + (k,): one slot per arrival, in any order; pad unused slots with time inf (or
        size 0). Arrivals at or before t = 0 are part of the garrison from the start.
    fortification
        Multiplier on beta for a fortified post (>= 0).
    break_defender, break_attacker
        Break points as fractions in [0, 1]: of the committed defender strength and of the initial
        attackers (see the module docstring for why); 0 means a fight to the last man.
    time_limit_hours
        The fight is UNDECIDED if nobody has broken by then (>= 0; may be inf).

    The only Python loop is over the k reinforcement slots: each pass advances every engagement
    still being fought to its next arrival (or its end) in closed form; finished fights drop out.
    """
    # Over 80 lines only through its parameter documentation; the work is in _fight/_segment.
    d0 = _as_float("defenders", defenders)
    n0 = _as_float("attackers", attackers)
    a = _as_float("alpha", alpha)
    b = _as_float("beta", beta)
    fort = _as_float("fortification", fortification)
    f_d = _as_float("break_defender", break_defender)
    f_n = _as_float("break_attacker", break_attacker)
    limit = _as_float("time_limit_hours", time_limit_hours)
    _check_range("defenders", d0, 0.0, np.inf)
    _check_range("attackers", n0, 0.0, np.inf)
    _check_range("alpha", a, 0.0, np.inf)
    _check_range("beta", b, 0.0, np.inf)
    _check_range("fortification", fort, 0.0, np.inf)
    _check_range("break_defender", f_d, 0.0, 1.0)
    _check_range("break_attacker", f_n, 0.0, 1.0)
    _check_range("time_limit_hours", limit, 0.0, np.inf, allow_inf=True)

    batch_shapes = [x.shape for x in (d0, n0, a, b, fort, f_d, f_n, limit)]
    for r in (reinf_times, reinf_sizes):
        if r is not None and np.ndim(r) >= 1:
            batch_shapes.append(np.shape(r)[:-1])
    batch = np.broadcast_shapes(*batch_shapes)
    times, sizes = _reinforcements(reinf_times, reinf_sizes, batch)
    m = int(np.prod(batch, dtype=np.int64))
    k = times.shape[-1]

    def flat(x: FloatArray) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(x, batch), dtype=float).reshape(m)

    d0, n0, a, f_d, f_n, limit = (flat(x) for x in (d0, n0, a, f_d, f_n, limit))
    b_eff = flat(b * fort)
    times = times.reshape(m, k)
    sizes = sizes.reshape(m, k)
    with np.errstate(all="ignore"):
        outcome, duration, d_out, n_out, committed_out = _fight(
            d0, n0, a, b_eff, f_d, f_n, limit, times, sizes
        )

    def shaped(x: NDArray[Any]) -> NDArray[Any]:
        return x.reshape(batch)

    return EngagementResult(
        outcome=np.asarray(shaped(outcome), dtype=np.int8),
        duration_hours=np.asarray(shaped(duration), dtype=float),
        defender_losses=np.asarray(shaped(np.maximum(committed_out - d_out, 0.0)), dtype=float),
        attacker_losses=np.asarray(shaped(np.maximum(n0 - n_out, 0.0)), dtype=float),
        defenders_final=np.asarray(shaped(d_out), dtype=float),
        attackers_final=np.asarray(shaped(n_out), dtype=float),
        defenders_committed=np.asarray(shaped(committed_out), dtype=float),
    )

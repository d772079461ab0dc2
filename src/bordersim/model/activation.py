"""When forces that do not stand on the border come into play, and how fast they arrive.

Three kinds of timing, all pure and vectorised:

* activation on request: Russian units of the 201st base and the CSTO's Collective Rapid Response
  Forces act only if Tajikistan asks (source 003: "if requested by the Tajik authorities"), after a
  delay; the CSTO force then ramps to full strength over at most three days ("not more than three
  days for full-scale deployment", source 003);
* escalation: the day on which Tajikistan asks -- when breaches or clashes in a trailing window
  reach a policy threshold, on a fixed date, or never;
* response: how many hours a reserve needs to reach a sector by road, and the successive waves an
  air-mobile unit lands when the lift cannot carry it in one sortie (fed to
  :func:`bordersim.model.engagement.resolve_engagements` as reinforcement arrivals).

Days are counted from the start of the run (day 0 is the first day); hours are hours.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
HOURS_PER_DAY = 24.0

EscalationMode = Literal["threshold", "date", "never"]


def on_request_active(
    t_days: ArrayLike, request_day: ArrayLike, delay_days: ArrayLike = 0.0
) -> NDArray[np.bool_]:
    """True where an on-request unit acts at time ``t_days``: at or after request + delay.

    ``request_day`` = inf means help was never requested, and then the unit never acts (even at
    t = inf). Arguments broadcast, so one call covers replications x days x units.
    """
    t = np.asarray(t_days, dtype=float)
    req = np.asarray(request_day, dtype=float)
    delay = np.asarray(delay_days, dtype=float)
    return np.asarray(np.isfinite(req) & (t >= req + delay), dtype=bool)


def csto_strength_fraction(
    t_days: ArrayLike,
    request_day: ArrayLike,
    ramp_days: ArrayLike = 3.0,
    delay_days: ArrayLike = 0.0,
) -> FloatArray:
    """Fraction of a CSTO force's full strength in theatre at ``t_days``.

    0 before request + delay, rising linearly to exactly 1.0 at request + delay + ramp and 1.0
    afterwards (a ramp of 0 is a step). The default three-day ramp is the CSTO Secretary General's
    "not more than three days for full-scale deployment" (source 003); a linear ramp is the simplest
    shape consistent with that bound. Never requested (inf) gives 0.
    """
    t = np.asarray(t_days, dtype=float)
    req = np.asarray(request_day, dtype=float)
    ramp = np.asarray(ramp_days, dtype=float)
    if (ramp < 0).any():
        raise ValueError("ramp_days must be >= 0")
    start = req + np.asarray(delay_days, dtype=float)
    full = start + ramp
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = np.clip((t - start) / ramp, 0.0, 1.0)
    frac = np.where(t >= full, 1.0, np.where(t < start, 0.0, partial))
    return np.asarray(np.where(np.isfinite(req), frac, 0.0), dtype=float)


def escalation_request_day(
    daily_events: ArrayLike,
    window_days: int,
    threshold: float,
    fixed_day: float | None = None,
    mode: EscalationMode = "threshold",
) -> FloatArray:
    """The day Tajikistan requests help, for each replication (inf: never).

    ``daily_events`` has shape (reps, days) (or (days,) for one replication): breaches or clashes
    counted per day. In mode ``"threshold"`` the request falls on the first day d whose trailing
    window sum, events on days d - window_days + 1 .. d inclusive, reaches ``threshold``. Mode
    ``"date"`` returns ``fixed_day`` for every replication (a scripted request, e.g. a historical
    one), and ``"never"`` returns inf. The result has the shape of ``daily_events`` without its last
    axis.

    Integer counts are summed exactly. Real-valued (e.g. weighted) events go through a cumulative
    sum, so a window sum is compared with a round-off allowance of a few ulps of the running total:
    a window that reaches the threshold in exact arithmetic is not missed by a rounding error.
    """
    events = np.asarray(daily_events)
    if events.ndim == 0:
        raise ValueError("daily_events needs a day axis (shape (reps, days) or (days,))")
    batch = events.shape[:-1]
    if mode == "never":
        return np.full(batch, np.inf)
    if mode == "date":
        if fixed_day is None:
            raise ValueError("mode 'date' needs fixed_day")
        return np.full(batch, float(fixed_day))
    if mode != "threshold":
        raise ValueError(f"unknown escalation mode {mode!r}: use 'threshold', 'date' or 'never'")
    if int(window_days) != window_days or window_days < 1:
        raise ValueError("window_days must be a whole number >= 1")
    if not threshold > 0:
        raise ValueError("threshold must be > 0 (use mode='date' for an unconditional request)")
    w = int(window_days)
    exact = events.dtype.kind in "biu"
    values = events.astype(np.int64 if exact else float)
    if not exact and np.isnan(values).any():
        raise ValueError("daily_events contains NaN")
    if (values < 0).any():
        raise ValueError("daily_events must be >= 0")
    zeros = np.zeros((*batch, 1), dtype=values.dtype)
    csum = np.concatenate([zeros, np.cumsum(values, axis=-1)], axis=-1)
    days = values.shape[-1]
    lagged = np.concatenate(
        [np.zeros((*batch, min(w, days)), dtype=values.dtype), csum[..., 1 : max(days + 1 - w, 1)]],
        axis=-1,
    )
    window = csum[..., 1:] - lagged
    if exact:
        reached = window >= threshold
    else:
        slack = 8.0 * np.finfo(float).eps * np.abs(csum[..., 1:])
        reached = window >= threshold - slack
    first = np.argmax(reached, axis=-1).astype(float)
    return np.asarray(np.where(reached.any(axis=-1), first, np.inf), dtype=float)


def road_distance_km(
    base_chainage_km: ArrayLike, base_offset_km: ArrayLike, sector_mid_km: ArrayLike
) -> FloatArray:
    """Straight-line road km from a base to a sector's midpoint, before tortuosity: from the base to
    its nearest point of the border (``base_offset_km``), then along the border to the sector
    (``|base chainage - sector midpoint chainage|``) -- the roads of the Panj valley and the Pamir
    highway follow the river. Broadcasts bases against sectors."""
    return np.asarray(
        np.asarray(base_offset_km, dtype=float)
        + np.abs(
            np.asarray(base_chainage_km, dtype=float) - np.asarray(sector_mid_km, dtype=float)
        ),
        dtype=float,
    )


def reserve_response_hours(
    readiness_h: ArrayLike,
    distance_km: ArrayLike,
    speed_kmh: ArrayLike,
    tortuosity: ArrayLike = 1.0,
) -> FloatArray:
    """Hours for a reserve to reach a sector: readiness + distance * tortuosity / speed.

    ``readiness_h`` and ``speed_kmh`` are per unit (scalar or shape (U,)); ``distance_km`` is
    (U, S) units x sectors (straight-line or road km) or (U,); ``tortuosity`` (road km per
    straight-line km, >= 1 in mountains) broadcasts against the distances: scalar, (S,) per sector
    or (U, S). Per-unit arrays are aligned with the *leading* axis of ``distance_km`` -- not NumPy's
    trailing-axis rule, which would silently pair units with sectors when U == S. A unit with
    speed 0 never arrives (inf) unless it is already there (distance 0).
    """
    dist = np.asarray(distance_km, dtype=float)

    def per_unit(x: ArrayLike) -> FloatArray:
        a = np.asarray(x, dtype=float)
        if a.ndim > dist.ndim:
            raise ValueError("per-unit arrays have more axes than distance_km")
        return a.reshape(a.shape + (1,) * (dist.ndim - a.ndim)) if a.ndim else a

    ready = per_unit(readiness_h)
    speed = per_unit(speed_kmh)
    road = dist * np.asarray(tortuosity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        travel = np.where(road == 0.0, 0.0, np.where(speed > 0, road / speed, np.inf))
    return np.asarray(ready + travel, dtype=float)


def air_lift_arrivals(
    strength: ArrayLike,
    lift_per_sortie: ArrayLike,
    sorties_per_day: ArrayLike,
    flight_time_h: ArrayLike,
    readiness_h: ArrayLike = 0.0,
    *,
    max_waves: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Arrival times (hours) and sizes of the successive waves an air-mobile unit lands.

    Wave i (i = 0, 1, ...) takes off at readiness + i * cycle and lands ``flight_time_h`` later,
    carrying min(lift_per_sortie, what is still waiting). The cycle between waves is
    24 / sorties_per_day hours, but never shorter than the round trip 2 * flight_time (the same
    helicopters fly every wave). Inputs broadcast to a batch shape B; the result is two arrays of
    shape B + (K,), padded with time inf and size 0 -- exactly the reinforcement format of
    :func:`bordersim.model.engagement.resolve_engagements` (concatenate with other arrivals along
    the last axis; the order does not matter). K is the most waves any unit needs, capped by
    ``max_waves`` (troops beyond the cap are not delivered). No lift (0 per sortie or 0 sorties per
    day) gives no waves.
    """
    s, lift, spd, fly, ready = np.broadcast_arrays(
        *(
            np.asarray(x, dtype=float)
            for x in (strength, lift_per_sortie, sorties_per_day, flight_time_h, readiness_h)
        )
    )
    for name, x in (
        ("strength", s),
        ("lift_per_sortie", lift),
        ("sorties_per_day", spd),
        ("flight_time_h", fly),
        ("readiness_h", ready),
    ):
        if np.isnan(x).any() or (x < 0).any():
            raise ValueError(f"{name} must be >= 0")
    if max_waves is not None and max_waves < 0:
        raise ValueError("max_waves must be >= 0")
    can_fly = (lift > 0) & (spd > 0) & (s > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(can_fly, np.ceil(s / np.where(can_fly, lift, 1.0)), 0.0)
    if max_waves is None:
        if not np.isfinite(needed).all():
            raise ValueError("infinite strength needs max_waves")
        k = int(needed.max(initial=0.0))
    else:
        k = int(min(max_waves, needed.max(initial=0.0)))
    with np.errstate(divide="ignore"):
        cycle = np.maximum(HOURS_PER_DAY / np.where(spd > 0, spd, 1.0), 2.0 * fly)
    i = np.arange(k, dtype=float)
    times = (ready + fly)[..., None] + i * cycle[..., None]
    carried_before = np.minimum(i * lift[..., None], s[..., None])
    sizes = np.minimum(lift[..., None], s[..., None] - carried_before)
    flies = can_fly[..., None] & (i < needed[..., None])
    return (
        np.asarray(np.where(flies, times, np.inf), dtype=float),
        np.asarray(np.where(flies, sizes, 0.0), dtype=float),
    )

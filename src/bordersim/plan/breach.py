"""Armed incursions in the planner: each sector's outpost breach probability as a function of its guards.

The engine (:mod:`bordersim.engine.incursions`) resolves every armed event with
:func:`bordersim.model.engagement.resolve_engagements`: the outpost's garrison ``g_s / posts_s``
(``posts_s = max(1, length_s / post_spacing_km)``, ``Compiled.posts``) fights an attacking group whose
strength is drawn per event from the armed actor's distribution (``Compiled.armed_attackers``:
low, mode, high, fixed / uniform / triangular), behind the fortification multiplier, with the
neighbouring post's ``local_fraction`` of a garrison after ``Compiled.local_hours`` and every reserve
slot of :func:`bordersim.model.reinforcement.reinforcements` (``Phase.reinf_hours`` /
``Phase.reinf_size`` times the unit's active fraction in the phase) as reinforcements.

The planner uses the same function on the same inputs. A larger attacking group never does the
garrison better (it kills faster and breaks later), so for a garrison ``D`` there is a threshold
strength ``N*(D)``: the post is breached exactly when the attackers number at least ``N*``. The
breach probability of one event is then ``1 - F(N*)`` with ``F`` the attacker distribution's CDF;
``N*`` is found by bisection on ``N`` (each step one batched closed-form resolution), so the result
is deterministic and exact to the bisection tolerance -- no Monte Carlo noise to confuse a solver.
``N*`` grows with ``D``, so the breach probability is non-increasing in the guards.

Expected breaches per day in sector ``s``: ``sum_a armed_rate[a, s] * P_a,s(g_s)`` (the armed
actors' rates come from their control weights in the compiled phase).

Nominal activation: the phase's compiled ``unit_active``; under threshold escalation the engine
activates on-request units per replication, which the planner does not model (its reinforcements
are then the ones in force before any request).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordersim.model.codes import AttackerDist
from bordersim.model.compiled import Compiled, Phase
from bordersim.model.engagement import BREACH, resolve_engagements

FloatArray = NDArray[np.float64]

__all__ = ["BreachModel", "attacker_cdf", "breach_model"]

_BISECT_STEPS = 48  #: halvings of [low, high]: 2^-48 of the range, far below a person


def attacker_cdf(x: FloatArray, lo: float, mode: float, hi: float, dist: int) -> FloatArray:
    """P(attackers <= x) for the engine's attacker distribution (the inverse of its draws)."""
    x = np.asarray(x, dtype=float)
    if hi <= lo or dist == AttackerDist.FIXED:
        return np.asarray((x >= mode).astype(float))
    if dist == AttackerDist.UNIFORM:
        return np.asarray(np.clip((x - lo) / (hi - lo), 0.0, 1.0))
    xc = np.clip(x, lo, hi)
    left = (xc - lo) ** 2 / ((hi - lo) * max(mode - lo, 1e-300))
    right = 1.0 - (hi - xc) ** 2 / ((hi - lo) * max(hi - mode, 1e-300))
    return np.asarray(np.clip(np.where(xc <= mode, left, right), 0.0, 1.0))


@dataclass(frozen=True)
class BreachModel:
    """One phase's engagement inputs, per sector, for the planner.

    Attributes:
        posts: (S,) outposts per sector; ``garrison = guards / posts``.
        local_hours: (S,) arrival of the neighbouring post's help.
        reinf_hours, reinf_size: (J, S) reserve slots (sizes at the phase's activation).
        armed_rate: (Aa, S) armed events per day.
        attackers: (Aa, 4) low, mode, high, distribution code.
    """

    compiled: Compiled
    posts: FloatArray
    local_hours: FloatArray
    reinf_hours: FloatArray
    reinf_size: FloatArray
    armed_rate: FloatArray
    attackers: FloatArray

    @property
    def n_sectors(self) -> int:
        return int(self.posts.size)

    def _breached(self, guards: FloatArray, sector: NDArray[np.int64], n: FloatArray) -> FloatArray:
        """1.0 where ``n`` attackers breach the post of ``sector`` holding ``guards`` (flat arrays)."""
        inc = self.compiled.incursion
        garrison = np.maximum(guards, 0.0) / self.posts[sector]
        times = np.concatenate(
            [self.local_hours[sector][:, None], self.reinf_hours[:, sector].T], 1
        )
        sizes = np.concatenate(
            [(inc.local_fraction * garrison)[:, None], self.reinf_size[:, sector].T], axis=1
        )
        times = np.where(sizes > 0, times, np.inf)
        res = resolve_engagements(
            garrison, n, inc.alpha, inc.beta, times, sizes,
            fortification=inc.fortification, break_defender=inc.break_defender,
            break_attacker=inc.break_attacker, time_limit_hours=inc.time_limit_hours,
        )  # fmt: skip
        return np.asarray(res.outcome == BREACH, dtype=float)

    def probability(self, guards: ArrayLike) -> FloatArray:
        """(Aa, *shape) breach probability of one event of each armed actor, for ``guards`` of
        shape (..., S) (the last axis the sectors)."""
        g = np.asarray(guards, dtype=float)
        shape = g.shape
        S = self.n_sectors
        flat = g.reshape(-1, S)
        m = flat.shape[0]
        sector = np.tile(np.arange(S, dtype=np.int64), m)
        gv = flat.reshape(-1)
        out = []
        for lo, mode, hi, code in self.attackers:
            if hi <= lo or int(code) == AttackerDist.FIXED:
                out.append(self._breached(gv, sector, np.full(gv.size, mode)).reshape(shape))
                continue
            at_lo = self._breached(gv, sector, np.full(gv.size, lo)) > 0
            at_hi = self._breached(gv, sector, np.full(gv.size, hi)) > 0
            a = np.full(gv.size, lo)  # not breached at a (where at_lo is False)
            b = np.full(gv.size, hi)  # breached at b (where at_hi is True)
            for _ in range(_BISECT_STEPS):
                mid = 0.5 * (a + b)
                br = self._breached(gv, sector, mid) > 0
                b = np.where(br, mid, b)
                a = np.where(br, a, mid)
            p = 1.0 - attacker_cdf(b, float(lo), float(mode), float(hi), int(code))
            p = np.where(at_lo, 1.0, np.where(at_hi, p, 0.0))
            out.append(np.asarray(p, dtype=float).reshape(shape))
        if not out:
            return np.zeros((0, *shape))
        return np.asarray(np.stack(out), dtype=float)

    def breaches_per_day(self, guards: ArrayLike) -> FloatArray:
        """(..., S) expected breaches per day in each sector, ``sum_a rate_a,s P_a,s(g_s)``."""
        p = self.probability(guards)
        if p.shape[0] == 0:
            return np.zeros(np.shape(guards))
        return np.asarray((self.armed_rate[..., :] * np.moveaxis(p, 0, -2)).sum(axis=-2))


def breach_model(compiled: Compiled, phase: Phase) -> BreachModel:
    """The engagement inputs of ``phase`` (see the module docstring)."""
    active = np.asarray(phase.unit_active, dtype=float)
    slot = np.asarray(compiled.reinf_unit, dtype=np.int64)
    size = np.asarray(phase.reinf_size, dtype=float)
    if slot.size:
        size = size * active[slot][:, None]
    hours = np.asarray(phase.reinf_hours, dtype=float).reshape(size.shape)
    return BreachModel(
        compiled=compiled,
        posts=np.asarray(compiled.posts, dtype=float),
        local_hours=np.asarray(compiled.local_hours, dtype=float),
        reinf_hours=np.where(size > 0, hours, np.inf),
        reinf_size=size,
        armed_rate=np.asarray(phase.armed_rate, dtype=float).reshape(-1, compiled.n_sectors),
        attackers=np.asarray(compiled.armed_attackers, dtype=float).reshape(-1, 4),
    )

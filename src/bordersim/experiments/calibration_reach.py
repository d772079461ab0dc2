"""Can the model reach an observation at all? History matching's implausibility, done once before
calibrating, on the compiles the emulator is fitted to.

Why: a likelihood whose sd is the model's own variance, given an observation no parameter value can
reach, is maximised where the variance is largest, not where the model fits; the posterior it gives
is an artefact (the 2015 conflict share, while the 2015 traffickers had no interdiction clashes: the
model's share saturated near 0.12 over the whole prior, the observation is 0.6-1, and the likelihood
"identified" the incursion rate that maximises the variance). So an observation the model cannot produce anywhere in the prior is not used.

The rule (history matching: Craig, Goldstein, Seheult and Smith 1997, "Pressure matching for
hydrocarbon reservoirs"; Vernon, Goldstein and Bower 2010, "Galaxy formation: a Bayesian uncertainty
analysis", Bayesian Analysis 5(4)): at a parameter value x the implausibility of an observation is

    I(x) = distance(observed interval, model mean at x) / sd(x),

sd(x) the same sd the likelihood uses (the model's own variance plus the reporting error of
:data:`~bordersim.experiments.calibration_targets.REPORTING_ERROR` of the mean; distance 0 inside a
``low``/``high`` range). An observation is **unreachable** when I(x) > :data:`IMPLAUSIBLE` (= 3, the
three-sigma rule of Pukelsheim 1994 that history matching uses) everywhere in the prior:

- for an observation of a scenario period, at every point of the emulator's Latin-hypercube design
  *and* on the emulator over the prior's whole support (the box of the ledger's ranges). The design
  alone is too sparse to be the "everywhere": its 120-170 points in some 30 dimensions miss the
  corners where several quantities are low together, which is where the 2008 seizures (916 kg) lie.
  The emulator (a quadratic without cross terms in the standardised log coordinates) has exact
  extremes over the box, so the least and greatest mean and the greatest variance there are known,
  and I >= distance to that range of means / greatest sd bounds the implausibility from below;
- for a single fight, at every one of :data:`ENGAGEMENT_SAMPLE` prior draws of the engagement
  quantities (the closed form itself, no emulator).

The model range reported is the least and greatest mean over both. Such an observation is then left
out of the likelihood, and its posterior predictive is still reported, so the disagreement shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.experiments.calibration_space import Prior
from bordersim.experiments.calibration_targets import (
    ENGAGEMENT_PARAMS,
    REPORTING_ERROR,
    Target,
    engagement_moments,
)

__all__ = ["ENGAGEMENT_SAMPLE", "IMPLAUSIBLE", "Reach", "engagement_reach", "reach_of"]

FloatArray = NDArray[np.float64]

#: Implausibility above which a parameter value cannot have produced the observation (3 sd).
IMPLAUSIBLE = 3.0
#: Prior draws of the engagement quantities a single fight's reachability is judged on.
ENGAGEMENT_SAMPLE = 2000


@dataclass(frozen=True)
class Reach:
    """What the model can produce for one observation over the prior."""

    target_id: str
    model_range: tuple[float, float]  # min and max of the model's mean over the points
    implausibility_min: float
    points: int

    @property
    def reachable(self) -> bool:
        return self.implausibility_min <= IMPLAUSIBLE

    def reason(self, observed: tuple[float, float]) -> str:
        lo, hi = observed
        seen = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        a, b = self.model_range
        return (
            f"the model cannot produce this over the prior: model range {a:.4g}-{b:.4g} "
            f"(observed {seen}; implausibility at least {self.implausibility_min:.3g} > "
            f"{IMPLAUSIBLE:g} everywhere in the prior: {self.points} points and, for a period, "
            "the emulator over the ledger's ranges); not used"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_range": [float(self.model_range[0]), float(self.model_range[1])],
            "implausibility_min": float(self.implausibility_min),
            "points": self.points,
        }


def implausibility(t: Target, mean: FloatArray, var: FloatArray) -> FloatArray:
    """I(x) at each point (module docstring)."""
    sd = np.sqrt(np.maximum(var, 0.0) + (REPORTING_ERROR * mean) ** 2 + 1e-12)
    lo, hi = t.obs.interval
    d = np.maximum(lo - mean, 0.0) + np.maximum(mean - hi, 0.0)
    return np.asarray(d / sd)


def reach_of(
    t: Target,
    mean: FloatArray,
    var: FloatArray,
    emulated: tuple[float, float, float] | None = None,
) -> Reach:
    """``t``'s reach from its closed-form mean and variance at each point of the prior and, when
    given, the emulator's (least mean, greatest mean, greatest variance) over the prior's whole
    support: the implausibility there is bounded below by the distance to that range over the
    greatest sd (module docstring)."""
    i_min = float(implausibility(t, mean, var).min())
    lo, hi = float(mean.min()), float(mean.max())
    if emulated is not None:
        m_lo, m_hi, v_hi = emulated
        o_lo, o_hi = t.obs.interval
        distance = max(o_lo - m_hi, 0.0) + max(m_lo - o_hi, 0.0)
        sd_max = np.sqrt(v_hi + (REPORTING_ERROR * max(abs(m_lo), abs(m_hi))) ** 2 + 1e-12)
        i_min, lo, hi = min(i_min, float(distance / sd_max)), min(lo, m_lo), max(hi, m_hi)
    return Reach(t.id, (lo, hi), i_min, int(mean.size))


def engagement_reach(
    t: Target,
    priors: tuple[Prior, ...],
    nominal_inc: dict[str, float],
    rng: np.random.Generator,
    n: int = ENGAGEMENT_SAMPLE,
) -> Reach:
    """A single fight's reach over ``n`` prior draws of the free engagement quantities (the others
    at their scenario values)."""
    by = {p.name: p for p in priors}
    params: dict[str, FloatArray] = {}
    for k in ENGAGEMENT_PARAMS:
        p = by.get(f"incursions.{k}")
        params[k] = p.ppf(rng.random(n)) if p is not None else np.full(n, nominal_inc[k])
    mean, var = engagement_moments(t.obs, params)
    return reach_of(t, mean, var)

"""Checks of a calibration: each observation against its posterior predictive, simulated through the
engine (the closed form's own predictive beside it), and a leave-one-out check.

- engine: ``draws`` posterior rows, each compiled over the observation's period and simulated for
  ``replications`` replications; the observation's metric per replication, pooled, gives the 5/50/95%
  (a single fight has no scenario period: its predictive is the engagement closed form at the
  posterior rows, over the observed attackers, which is the function the engine resolves fights with);
- closed form: the emulated mean and variance at every posterior row, a normal draw each;
- leave-one-out: the posterior reweighted by 1 / likelihood of the observation (importance-sampling
  LOO), its effective sample size reported; the closed-form predictive under those weights (an
  observation left out of the likelihood as unreachable keeps the posterior's own weights).

An observation is flagged ``outside`` when its value (or its whole range) lies outside the 5-95%.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.kernel import simulate
from bordersim.engine.observables import per_replication, sector_mask
from bordersim.experiments.calibration_space import Emulator, Prior, Standardiser, quantiles
from bordersim.experiments.calibration_targets import (
    ENGAGEMENT_PARAMS,
    Target,
    compiled_for,
    engagement_moments,
    loglik_terms,
)
from bordersim.scenario.schema import Scenario

__all__ = ["predictive"]

FloatArray = NDArray[np.float64]
Progress = Callable[[str, int, int], None]


def _outside(t: Target, q: dict[str, Any]) -> bool:
    lo, hi = t.obs.interval
    return bool(hi < q["p5"] or lo > q["p95"])


def _observed(t: Target) -> dict[str, float]:
    o = t.obs
    return (
        {"value": float(o.value)}
        if o.value is not None
        else dict(zip(("low", "high"), o.interval, strict=True))
    )


def _moments(
    t: Target,
    x: FloatArray,
    priors: tuple[Prior, ...],
    std: Standardiser,
    emus: dict[str, Emulator],
    nominal_inc: dict[str, float],
) -> tuple[FloatArray, FloatArray]:
    if not t.is_engagement:
        return emus[t.id].moments(std.z(x))
    idx = {p.name: i for i, p in enumerate(priors)}
    params = {
        k: x[:, idx[f"incursions.{k}"]]
        if f"incursions.{k}" in idx
        else np.full(len(x), nominal_inc[k])
        for k in ENGAGEMENT_PARAMS
    }
    return engagement_moments(t.obs, params)


def _engine(
    scenario: Scenario,
    targets: Sequence[Target],
    priors: tuple[Prior, ...],
    rows: FloatArray,
    replications: int,
    seed: int,
    progress: Progress | None,
) -> dict[str, FloatArray]:
    """Per period target, its metric per replication pooled over the posterior rows."""
    period = [t for t in targets if not t.is_engagement]
    out: dict[str, list[FloatArray]] = {t.id: [] for t in period}
    for d, row in enumerate(rows):
        ov = {p.name: float(row[i]) for i, p in enumerate(priors)}
        runs: dict[tuple[object, int | None], Any] = {}
        for t in period:
            key = (t.start, t.days)
            if key not in runs:
                runs[key] = simulate(compiled_for(scenario, t, ov), replications, seed + 1 + d)
            res = runs[key]
            mask = sector_mask(res, t.obs.group, t.obs.sectors)
            out[t.id].append(per_replication(res, t.obs.metric, t.obs.actor, mask))
        if progress is not None:
            progress("posterior predictive (engine)", d + 1, len(rows))
    return {k: np.concatenate(v) for k, v in out.items()}


def predictive(
    scenario: Scenario,
    targets: Sequence[Target],
    priors: tuple[Prior, ...],
    post: FloatArray,
    std: Standardiser,
    emus: dict[str, Emulator],
    nominal_inc: dict[str, float],
    draws: int,
    replications: int,
    seed: int,
    progress: Progress | None = None,
    used: Collection[str] | None = None,
) -> dict[str, Any]:
    """Per observation id: observed, predicted (engine), closed_form, outside, loo (module doc).
    A target not in ``used`` (default: all are) was left out of the likelihood: its leave-one-out
    predictive is the posterior predictive itself (uniform weights)."""
    rng = np.random.default_rng([seed, 2])
    rows = post[rng.choice(len(post), size=min(draws, len(post)), replace=False)]
    sim = _engine(scenario, targets, priors, rows, replications, seed, progress)
    sub = post[rng.choice(len(post), size=min(2000, len(post)), replace=False)]
    ll = loglik_terms(sub, priors, std, targets, emus, nominal_inc)
    out: dict[str, Any] = {}
    for j, t in enumerate(targets):
        mu, var = _moments(t, sub, priors, std, emus, nominal_inc)
        y = rng.normal(mu, np.sqrt(np.maximum(var, 0.0)))
        closed = quantiles(y)
        if t.is_engagement:
            predicted = {**closed, "by": "closed form (a single fight)"}
        else:
            predicted = {**quantiles(sim[t.id]), "by": "engine"}
        if used is None or t.id in used:
            w = np.exp(-(ll[:, j] - ll[:, j].min()))
            w /= w.sum()
        else:
            w = np.full(len(y), 1.0 / len(y))
        pick = rng.choice(len(y), size=4000, p=w)
        loo = quantiles(y[pick])
        out[t.id] = {
            "observed": _observed(t),
            "metric": t.obs.metric,
            "predicted": predicted,
            "closed_form": closed,
            "outside": _outside(t, predicted),
            "loo": {
                "predicted": loo,
                "outside": _outside(t, loo),
                "effective_samples": float(1.0 / (w**2).sum()),
            },
        }
    return out

"""``bordersim calibrate``: infer the assumed quantities the observations inform, from the ledger's
ranges as priors, and say which the observations pin down -- alone, only as a product, or not at all.

Method (why emcee): every observation of a scenario period has a closed-form mean and variance
given the compiled phases (:mod:`bordersim.experiments.calibration_targets`), so the likelihood can
be written down and sampled. Compiling takes some 20 ms, too slow for the ~10^5 evaluations of a
Markov chain, so the closed form is emulated (a quadratic fit in standardised log coordinates on a
Latin-hypercube design of compiles, its hold-out R^2 reported), and the posterior is sampled with
emcee's affine-invariant ensemble (differential-evolution moves): no tuning, and invariant to the
long, thin, correlated ridges that products such as rate x detection x kg per group make. Each
observation's likelihood is normal with the model's own variance (Poisson counts; kg/group^2 x
interdictions for kg) plus a reporting error of :data:`REPORTING_ERROR` of the mean; a ``low``/``high``
observation is a soft box (flat inside, the same normal tails outside).

Then: identification from the posterior's eigen-structure (:func:`calibration_space.identification`),
per block of quantities no observation links (the engagement quantities, the rest);
the posterior predictive of each observation *simulated through the engine* at posterior draws (so
the closed form is checked against the simulator), flagged where the observation falls outside the
5-95%; a leave-one-out check (the posterior reweighted by 1/likelihood of each observation in turn,
i.e. importance-sampling LOO), flagged likewise.

Before sampling, each observation's reach (:mod:`bordersim.experiments.calibration_reach`,
history matching's implausibility): one the model cannot produce anywhere in the prior -- more than
3 sd away at every point of the emulator's design (a prior sample for a single fight) -- is left out
of the likelihood (``used: false``, ``unreachable`` with the model's range and why), since a
likelihood with the model's own variance would otherwise seek the largest variance and report that
as an identified posterior; its posterior predictive is still reported, so the disagreement shows.

Free quantities by default: the assumed quantities (no claims, a range) whose low and high values,
one at a time, move some *used* observation's closed-form mean by more than :data:`DEPENDS`
(relative), or any incursion kill-rate/break-point quantity when a single fight is observed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from bordersim import __version__
from bordersim.experiments.calibration_checks import predictive
from bordersim.experiments.calibration_reach import (
    IMPLAUSIBLE,
    Reach,
    engagement_reach,
    reach_of,
)
from bordersim.experiments.calibration_space import (
    Emulator,
    Prior,
    Standardiser,
    identification,
    quantiles,
)
from bordersim.experiments.calibration_targets import (
    ENGAGEMENT_PARAMS,
    REPORTING_ERROR,
    Target,
    compiled_for,
    loglik_terms,
    period_moments,
    targets_of,
)
from bordersim.model.compile import IncursionParams
from bordersim.scenario.observations import Observation
from bordersim.scenario.schema import Scenario

__all__ = ["DEPENDS", "REPORTING_ERROR", "Calibration", "calibrate", "default_free"]

FloatArray = NDArray[np.float64]
Progress = Callable[[str, int, int], None]

#: Relative change of a closed-form mean, low vs high, that makes a quantity one an observation
#: depends on.
DEPENDS = 0.01


@dataclass(frozen=True)
class Calibration:
    """A finished calibration: the posterior sample and the summary (see the module docstring)."""

    names: tuple[str, ...]
    posterior: FloatArray  # (n, k)
    summary: dict[str, Any]


def _priors(scenario: Scenario, names: Sequence[str]) -> tuple[Prior, ...]:
    qs = dict(scenario.quantities())
    out = []
    for n in names:
        if n not in qs:
            raise ValueError(f"--free {n}: no such quantity in scenario {scenario.id}")
        q = qs[n]
        lo, hi = q.bounds(scenario.evidence)
        if not lo < hi:
            raise ValueError(f"--free {n}: its range is a point ({lo:g}); nothing to infer")
        dist = q.distribution(scenario.evidence)
        out.append(Prior(n, "triangular" if dist == "triangular" else "uniform", lo, q.value, hi))
    return tuple(out)


def _candidates(scenario: Scenario) -> list[str]:
    return [
        n
        for n, q in scenario.quantities()
        if not q.is_sourced(scenario.evidence)
        and (lambda b: b[0] < b[1])(q.bounds(scenario.evidence))
    ]


def default_free(scenario: Scenario, targets: Sequence[Target]) -> list[str]:
    """The assumed quantities the targets depend on (see the module docstring)."""
    cand = _candidates(scenario)
    qs = dict(scenario.quantities())
    free: set[str] = set()
    if any(t.is_engagement for t in targets):
        free |= {n for n in cand if n.split(".")[-1] in ENGAGEMENT_PARAMS and n.startswith("inc")}
    period = [t for t in targets if not t.is_engagement]
    for t in period:
        base = period_moments(compiled_for(scenario, t, {}), t.obs)[0]
        for n in cand:
            if n in free or n.startswith("incursions."):
                continue
            lo, hi = qs[n].bounds(scenario.evidence)
            m_lo = period_moments(compiled_for(scenario, t, {n: lo}), t.obs)[0]
            m_hi = period_moments(compiled_for(scenario, t, {n: hi}), t.obs)[0]
            scale = max(abs(base), 1e-9) if not t.is_share else 1.0
            if abs(m_hi - m_lo) / scale > DEPENDS:
                free.add(n)
    return [n for n in cand if n in free]


def _design(
    scenario: Scenario,
    priors: tuple[Prior, ...],
    std: Standardiser,
    period: Sequence[Target],
    n: int,
    seed: int,
    progress: Progress | None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Compile at a Latin-hypercube design over the priors: (z (n, k), mean and variance
    (n_targets, n)) of each period target's closed form."""
    u = stats.qmc.LatinHypercube(d=len(priors), seed=np.random.default_rng(seed)).random(n)
    x = np.column_stack([p.ppf(u[:, i]) for i, p in enumerate(priors)])
    mean = np.zeros((len(period), n))
    var = np.zeros((len(period), n))
    for r in range(n):
        ov = {p.name: float(x[r, i]) for i, p in enumerate(priors)}
        for j, t in enumerate(period):
            mean[j, r], var[j, r] = period_moments(compiled_for(scenario, t, ov), t.obs)
        if progress is not None:
            progress("emulator design", r + 1, n)
    return std.z(x), mean, var


@dataclass(frozen=True)
class _Space:
    """The free quantities' priors, their standardiser, and each period target's emulator and reach
    over the design."""

    priors: tuple[Prior, ...]
    std: Standardiser
    n_design: int
    emus: dict[str, Emulator]
    reach: dict[str, Reach]


def _space(
    scenario: Scenario,
    names: Sequence[str],
    targets: Sequence[Target],
    design: int | None,
    seed: int,
    progress: Progress | None,
) -> _Space:
    priors = _priors(scenario, names)
    std = (
        Standardiser.of(priors, np.random.default_rng(seed))
        if priors
        else Standardiser((), np.zeros(0), np.zeros(0))
    )
    n_design = design or max(120, 6 * len(priors))
    period = [t for t in targets if not t.is_engagement]
    emus: dict[str, Emulator] = {}
    reach: dict[str, Reach] = {}
    if period and priors:
        z, mean, var = _design(scenario, priors, std, period, n_design, seed, progress)
        box = std.z(np.array([[p.low for p in priors], [p.high for p in priors]]))
        for j, t in enumerate(period):
            emus[t.id] = Emulator.fit(z, mean[j], var[j], t.is_share)
            reach[t.id] = reach_of(t, mean[j], var[j], emus[t.id].bounds(box[0], box[1]))
    return _Space(priors, std, n_design, emus, reach)


def _reach_all(
    scenario: Scenario, sp: _Space, targets: Sequence[Target], seed: int
) -> dict[str, Reach]:
    """Each target's reach: the design's for a period target, a prior sample for a single fight."""
    inc = _nominal_inc(scenario)
    rng = np.random.default_rng([seed, 3])
    out = dict(sp.reach)
    for t in targets:
        if t.is_engagement:
            out[t.id] = engagement_reach(t, sp.priors, inc, rng)
        elif t.id not in out:  # no free quantity: the closed form at the scenario's values
            m, v = period_moments(compiled_for(scenario, t, {}), t.obs)
            out[t.id] = reach_of(t, np.array([m]), np.array([v]))
    return out


def _blocks(priors: tuple[Prior, ...]) -> list[list[int]]:
    """The engagement quantities and the rest: no observation depends on both (a single fight only
    on the first, the closed forms of a period never on them), so the posterior factorises."""
    eng = {f"incursions.{k}" for k in ENGAGEMENT_PARAMS}
    a = [i for i, p in enumerate(priors) if p.name not in eng]
    b = [i for i, p in enumerate(priors) if p.name in eng]
    return [x for x in (a, b) if x]


def _constrained(verdict: dict[str, bool | str]) -> dict[str, list[str]]:
    """The free quantities by what the used observations say of them."""
    return {
        "identified": [n for n, v in verdict.items() if v is True],
        "as_a_combination": [n for n, v in verdict.items() if v == "as a combination"],
        "not_constrained": [n for n, v in verdict.items() if v is False],
    }


def _nominal_inc(scenario: Scenario) -> dict[str, float]:
    return {
        k: float(getattr(IncursionParams.of(scenario.incursions), k)) for k in ENGAGEMENT_PARAMS
    }


def _log_prob_fn(
    priors: tuple[Prior, ...],
    std: Standardiser,
    targets: Sequence[Target],
    emus: dict[str, Emulator],
    nominal_inc: dict[str, float],
) -> Callable[[FloatArray], FloatArray]:
    def log_prob(x: FloatArray) -> FloatArray:
        lp = np.zeros(len(x))
        for i, p in enumerate(priors):
            lp += p.logpdf(x[:, i])
        ok = np.isfinite(lp)
        if ok.any():
            lp[ok] += loglik_terms(x[ok], priors, std, targets, emus, nominal_inc).sum(axis=1)
        return np.where(np.isfinite(lp), lp, -np.inf)

    return log_prob


def _sample(
    log_prob: Callable[[FloatArray], FloatArray],
    priors: tuple[Prior, ...],
    steps: int,
    seed: int,
    progress: Progress | None,
) -> tuple[FloatArray, float]:
    """emcee's ensemble over ``steps``; returns the second half, thinned, and the acceptance."""
    import emcee  # heavy optional dependency, needed only by calibrate

    k = len(priors)
    walkers = max(32, 4 * k + (4 * k) % 2)
    rng = np.random.default_rng(seed)
    x0 = np.column_stack([p.ppf(rng.random(walkers)) for p in priors])
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(walkers, k, log_prob, vectorize=True, moves=moves)
    sampler.random_state = np.random.RandomState(seed % 2**32).get_state()
    for i, _ in enumerate(sampler.sample(x0, iterations=steps)):
        if progress is not None and (i + 1) % 50 == 0:
            progress("sampling", i + 1, steps)
    chain = sampler.get_chain(discard=steps // 2, flat=True)
    thin = max(1, len(chain) // 4000)
    return np.asarray(chain[::thin]), float(np.mean(sampler.acceptance_fraction))


def _usable(
    scenario: Scenario,
    targets: Sequence[Target],
    free: Sequence[str] | None,
    design: int | None,
    seed: int,
    progress: Progress | None,
) -> tuple[_Space, list[Target], dict[str, Reach]]:
    """The space to sample, the targets the model can reach (used in the likelihood), and every
    target's reach. Free quantities by default: those the *used* targets depend on (a design over
    those the unreachable ones depend on too is compiled first, to judge them).

    Raises:
        ValueError: no target is reachable, or the used ones depend on no free quantity."""
    names = list(free) if free else default_free(scenario, targets)
    sp = _space(scenario, names, targets, design, seed, progress)
    reach = _reach_all(scenario, sp, targets, seed)
    used = [t for t in targets if reach[t.id].reachable]
    if not used:
        why = "; ".join(f"{t.id}: {reach[t.id].reason(t.obs.interval)}" for t in targets)
        raise ValueError(f"no observation the model can reach, nothing to calibrate on: {why}")
    if not names:
        raise ValueError("the observations depend on no assumed quantity with a range")
    if not free and len(used) < len(targets):
        names_used = default_free(scenario, used)
        if not names_used:
            raise ValueError("the observations the model can reach depend on no assumed quantity")
        if names_used != names:
            sp = _space(scenario, names_used, targets, design, seed, progress)
    return sp, used, reach


def calibrate(
    scenario: Scenario,
    observations: Sequence[Observation],
    *,
    free: Sequence[str] | None = None,
    steps: int = 2000,
    design: int | None = None,
    check_draws: int = 12,
    check_replications: int = 20,
    seed: int = 1,
    progress: Progress | None = None,
) -> Calibration:
    """Calibrate ``scenario`` on ``observations`` (module docstring); ``check_draws`` posterior
    draws x ``check_replications`` replications go through the engine for the predictive check.
    An observation the model cannot reach over the prior (:mod:`calibration_reach`) is not used in
    the likelihood; its predictive is still reported, marked ``used: false`` with ``unreachable``.

    Raises:
        ValueError: no usable observation, an unknown or point-valued free quantity."""
    targets, skipped = targets_of(tuple(observations))
    if not targets:
        raise ValueError("no observation calibrate can use (see `skipped`)")
    sp, used, reach = _usable(scenario, targets, free, design, seed, progress)
    priors, std, emus = sp.priors, sp.std, sp.emus
    nominal_inc = _nominal_inc(scenario)
    log_prob = _log_prob_fn(priors, std, used, emus, nominal_inc)
    post, acceptance = _sample(log_prob, priors, steps, seed, progress)
    rng = np.random.default_rng([seed, 1])
    prior_x = np.column_stack([p.ppf(rng.random(len(post))) for p in priors])
    verdict, combos = identification(priors, std.z(post), post, prior_x, _blocks(priors))
    obs_summary = predictive(
        scenario, targets, priors, post, std, emus, nominal_inc,
        check_draws, check_replications, seed, progress, used={t.id for t in used},
    )  # fmt: skip
    for t in targets:
        r = reach[t.id]
        obs_summary[t.id]["used"] = r.reachable
        obs_summary[t.id]["reachability"] = r.as_dict()
        if not r.reachable:
            obs_summary[t.id]["unreachable"] = {**r.as_dict(), "reason": r.reason(t.obs.interval)}
    summary = {
        "scenario": scenario.id,
        "method": "emcee ensemble MCMC (DE moves) on the closed-form likelihood, emulated",
        "seed": seed,
        "bordersim_version": __version__,
        "steps": steps,
        "samples": len(post),
        "acceptance": acceptance,
        "reporting_error": REPORTING_ERROR,
        "free_found_by": "given (--free)" if free else "one-at-a-time low/high on the closed form",
        "emulator": {
            k: {"r2_holdout": e.r2_holdout, "design": sp.n_design} for k, e in emus.items()
        },
        "parameters": {
            p.name: {
                "prior": p.as_dict(),
                "posterior": quantiles(post[:, i]) if verdict[p.name] is True else None,
                "marginal": quantiles(post[:, i]),
                "identified": verdict[p.name],
            }
            for i, p in enumerate(priors)
        },
        "combinations": combos,
        "constrained": _constrained(verdict),
        "observations": obs_summary,
        "skipped": [{"id": i, "reason": r} for i, r in skipped],
        "implausibility_cutoff": IMPLAUSIBLE,
        "set_aside": [
            {"id": t.id, "reason": reach[t.id].reason(t.obs.interval)}
            for t in targets
            if not reach[t.id].reachable
        ],
    }
    return Calibration(tuple(p.name for p in priors), post, summary)

"""Comparing policies on common random numbers: paired differences with confidence intervals.

Every policy runs the same replications from the same seed, so replication r of policy B faces the same
crossing attempts (and, where the engine draws them, the same engagement draws) as replication r of the
baseline. The comparison is then per replication: d_r = metric_r(B) - metric_r(A), whose mean has a
normal 95% CI from the paired standard error, and P(B beats A) is estimated as the share of replications
in which B does better (ties count half), with its binomial standard error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.results import Estimate, Results, gap_ci, mean_ci, ratio_ci
from bordersim.experiments.levers import lever_activity, lever_notes
from bordersim.model.metrics import COMPARE_METRICS
from bordersim.model.outcomes import INTERDICTED, UNDETECTED_GOT_AWAY

# metric name -> (direction: +1 if more is better for the defender, -1 if less is better, label),
# from the one vocabulary (bordersim.model.metrics)
METRIC_INFO: dict[str, tuple[int, str]] = {m.name: (m.better, m.long_name) for m in COMPARE_METRICS}


#: Metrics that are ratios of means (sum of numerators / sum of denominators over replications),
#: never means of per-replication ratios: a replication with no interdiction has no cost per
#: interdiction, and dropping it (the old definition) biased the figure up (+22% at 2 days).
RATIO_METRICS = ("cost_per_interdiction_rub",)


def ratio_parts(
    results: Results,
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Per-replication numerator and denominator of each ratio metric: cost per interdiction is
    the period's cost (RUB, the same in every replication) over the interdictions, so its ratio
    of means is exactly ``run``'s ``cost_rub / mean interdictions``."""
    interdicted = results.covert_totals[..., INTERDICTED].sum(axis=(1, 2)).astype(float)
    cost = np.full(results.replications, results.cost_summary()["cost_rub"])
    return {"cost_per_interdiction_rub": (cost, interdicted)}


def ratio_estimate(results: Results, metric: str) -> Estimate:
    """A ratio metric's value (ratio of means) with its delta-method 95% CI."""
    num, den = ratio_parts(results)[metric]
    return ratio_ci(num, den)


def replication_metrics(results: Results) -> dict[str, NDArray[np.float64]]:
    """Per-replication values of every comparison metric the results can provide, except the
    ratio metrics (:data:`RATIO_METRICS`, see :func:`ratio_parts`)."""
    c = results.covert_totals.astype(float)  # (R, S, Ac, 4)
    interdicted = c[..., INTERDICTED].sum(axis=(1, 2))
    attempts = c.sum(axis=(1, 2, 3))
    costs = results.cost_summary()
    personnel = (
        costs["personnel_days_TJ"] + costs["personnel_days_RU"] + costs["personnel_days_CSTO"]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        true_rate = np.where(attempts > 0, interdicted / attempts, np.nan)
    out: dict[str, NDArray[np.float64]] = {
        "interdictions": interdicted,
        "undetected": c[..., UNDETECTED_GOT_AWAY].sum(axis=(1, 2)),
        "got_away": c[..., 2:].sum(axis=(1, 2, 3)),
        "true_rate": true_rate,
        "personnel_days": np.full(results.replications, personnel),
    }
    inc = results.incursions
    if inc is not None and inc.engagements.shape[1]:  # the scenario has armed actors
        with np.errstate(divide="ignore", invalid="ignore"):
            first = inc.first_reinf_hours_sum.sum(axis=1) / inc.first_reinf_count.sum(axis=1)
        out["breaches"] = inc.breaches.sum(axis=1).astype(float)
        out["defender_losses"] = inc.defender_losses.sum(axis=1)
        out["first_reinforcement_hours"] = np.where(np.isfinite(first), first, np.nan)
    return out


@dataclass(frozen=True)
class PairedDifference:
    metric: str
    policy: str
    baseline: str
    mean: float
    lo: float
    hi: float
    se: float
    p_better: float
    p_better_se: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def paired_difference(
    metric: str, policy: str, baseline: str, b: NDArray[np.float64], a: NDArray[np.float64]
) -> PairedDifference:
    """Mean of b - a over replications where both are defined, and P(b better than a)."""
    ok = np.isfinite(a) & np.isfinite(b)
    d = b[ok] - a[ok]
    est = mean_ci(d)
    direction = METRIC_INFO[metric][0]
    better = np.sign(d) * direction
    p = float(np.mean((better > 0) + 0.5 * (better == 0))) if d.size else float("nan")
    p_se = float(np.sqrt(p * (1 - p) / d.size)) if d.size else float("nan")
    if d.size and np.all(d == 0):  # identical by construction: no uncertainty
        est = type(est)(0.0, 0.0, 0.0, 0.0)
    return PairedDifference(
        metric, policy, baseline, est.mean, est.lo, est.hi, est.se, p, p_se, int(d.size)
    )


def ratio_difference(
    metric: str, policy: str, baseline: str, b: Results, a: Results
) -> PairedDifference:
    """Difference of a ratio metric's ratios of means (b - a) with the joint delta-method CI of
    the paired replications; P(better) is undefined for a ratio of means (NaN)."""
    (nb, db), (na, da) = ratio_parts(b)[metric], ratio_parts(a)[metric]
    est = gap_ci(nb, db, na, da)
    nan = float("nan")
    return PairedDifference(
        metric, policy, baseline, est.mean, est.lo, est.hi, est.se, nan, nan, int(nb.size)
    )


def differences(
    policy: str, baseline: str, b: Results, a: Results, metrics: Sequence[str] | None = None
) -> list[PairedDifference]:
    """Paired differences ``b - a`` of every metric both runs have (or of ``metrics``)."""
    mb, ma = replication_metrics(b), replication_metrics(a)
    chosen = metrics or [m for m in METRIC_INFO if m in RATIO_METRICS or (m in ma and m in mb)]
    return [
        ratio_difference(m, policy, baseline, b, a)
        if m in RATIO_METRICS
        else paired_difference(m, policy, baseline, mb[m], ma[m])
        for m in chosen
    ]


def compare(
    results: dict[str, Results], unit_kinds: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Per-policy metric estimates and paired differences against the first policy.

    With ``unit_kinds`` (unit id -> kind, from the scenario) the report also says how often each
    conditional lever acted per policy (``lever_activity``: per policy, and the notes naming the
    policies whose lever did not always act, whose differences are ties by construction there).
    """
    names = list(results)
    base = names[0]
    metrics = {name: replication_metrics(r) for name, r in results.items()}
    common = [m for m in METRIC_INFO if m in RATIO_METRICS or all(m in metrics[n] for n in names)]
    per_policy = {
        name: {
            m: (
                ratio_estimate(results[name], m)
                if m in RATIO_METRICS
                else mean_ci(metrics[name][m][np.isfinite(metrics[name][m])])
            ).as_dict()
            for m in common
        }
        for name in names
    }
    diffs = [
        d.as_dict()
        for name in names[1:]
        for d in differences(name, base, results[name], results[base], common)
    ]
    first = results[base]
    return {
        **{k: v for k, v in first.provenance().items() if k != "policy"},
        "baseline": base,
        "policies": names,
        "metrics": common,
        "metric_labels": {m: METRIC_INFO[m][1] for m in common},
        "per_policy": per_policy,
        "differences": diffs,
        **({} if unit_kinds is None else {"lever_activity": _levers(results, unit_kinds)}),
    }


def _levers(results: dict[str, Results], unit_kinds: Mapping[str, str]) -> dict[str, Any]:
    per = {name: lever_activity(r, unit_kinds) for name, r in results.items()}
    return {"per_policy": per, "notes": lever_notes(per)}

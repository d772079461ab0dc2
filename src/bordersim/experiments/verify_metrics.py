"""Verification of every metric, not only the optimised one: before and after a plan on CRN.

The planner weighs covert crossings; a plan that is better there can be worse elsewhere (a plan
that leaves the Wakhan and Murgab sectors without guards raised armed breaches about 34 times).
:func:`metric_checks` runs the scenario over the verification window twice from one seed -- under
the base policy in force and under the base policy plus the plan, the adversary choosing as the
scenario says -- and reports each comparison metric
(:data:`bordersim.experiments.compare.METRIC_INFO`: interdictions, undetected, breaches, defender
losses, true rate, cost per interdiction, ...) before and after, with the paired difference and its
95% CI (:func:`bordersim.experiments.compare.differences`). A metric is *flagged* when it worsens
beyond its simulation-noise interval: the whole CI of (after - before) lies on the worse side of 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bordersim.engine.kernel import simulate
from bordersim.engine.results import Estimate, Results, mean_ci
from bordersim.experiments.compare import (
    METRIC_INFO,
    RATIO_METRICS,
    PairedDifference,
    differences,
    ratio_estimate,
    replication_metrics,
)
from bordersim.model.compile import compile_scenario
from bordersim.scenario.schema import Scenario

__all__ = ["MetricCheck", "MetricChecks", "metric_checks", "worsened"]


@dataclass(frozen=True)
class MetricCheck:
    """One metric before and after the plan, and the paired difference (after - before)."""

    metric: str
    label: str
    direction: int  # +1 more is better for the defender, -1 less is better
    before: Estimate
    after: Estimate
    difference: PairedDifference
    flagged: bool  # worsened beyond the 95% CI of the paired difference

    def as_dict(self) -> dict[str, Any]:
        d = self.difference
        return {
            "metric": self.metric,
            "label": self.label,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "difference": {"mean": d.mean, "lo": d.lo, "hi": d.hi, "se": d.se},
            "worsened": self.flagged,
        }


@dataclass(frozen=True)
class MetricChecks:
    """Every metric before and after the plan (common random numbers, one seed)."""

    before_policy: str
    after_policy: str
    checks: tuple[MetricCheck, ...]

    @property
    def worsened(self) -> list[str]:
        return [c.metric for c in self.checks if c.flagged]

    def as_dict(self) -> dict[str, Any]:
        return {
            "before_policy": self.before_policy,
            "after_policy": self.after_policy,
            "worsened": self.worsened,
            "checks": [c.as_dict() for c in self.checks],
        }


def worsened(direction: int, d: PairedDifference) -> bool:
    """Whether (after - before) is worse for the defender beyond its 95% CI."""
    if not (np.isfinite(d.lo) and np.isfinite(d.hi)):
        return False
    return bool(d.hi < 0) if direction > 0 else bool(d.lo > 0)


def _estimate(res: Results, metric: str) -> Estimate:
    if metric in RATIO_METRICS:
        return ratio_estimate(res, metric)
    v = replication_metrics(res)[metric]
    return mean_ci(v[np.isfinite(v)])


def metric_checks(
    scenario: Scenario,
    base: Sequence[str],
    *,
    plan_policy: str = "optimized",
    start: dt.date,
    days: int,
    replications: int,
    seed: int,
) -> MetricChecks:
    """Each metric under ``base`` and under ``base + plan_policy`` (a policy of ``scenario``)."""
    before_name = "+".join(base) if base else None
    after_name = "+".join([*base, plan_policy])
    runs = []
    for name in (before_name, after_name):
        compiled = compile_scenario(scenario, policy=name, start=start, days=days)
        runs.append(simulate(compiled, replications, seed, mode="totals"))
    before, after = runs
    checks = []
    for d in differences("after", "before", after, before):
        direction, label = METRIC_INFO[d.metric]
        b, a = _estimate(before, d.metric), _estimate(after, d.metric)
        checks.append(MetricCheck(d.metric, label, direction, b, a, d, worsened(direction, d)))
    return MetricChecks(before_name or "baseline", after_name, tuple(checks))

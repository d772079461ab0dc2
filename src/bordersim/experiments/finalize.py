"""The end of a sweep: its point files consolidated into results.zarr, and summary.json.

The client does this once per sweep; it is written so that its cost per point stays small (the
replication sums behind every metric are computed once, not once per metric).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bordersim import __version__
from bordersim.engine import rundir
from bordersim.engine.rng import RNG_BLOCK
from bordersim.experiments import store
from bordersim.experiments.points import point_seed
from bordersim.experiments.sweep_metrics import METRICS, replication_sums, sums_metric

if TYPE_CHECKING:  # sweep imports this module
    from bordersim.experiments.sweep import SweepPlan, SweepSummary


def finalize(plan: SweepPlan, out: Path, summary: SweepSummary) -> None:
    """Consolidate the point files into results.zarr and write summary.json."""
    for i in store.failed_points(out):
        summary.failed[i] = store.read_error(out, i)
    attrs = {
        "scenario": plan.scenario.id,
        "scenario_hash": plan.scenario_hash,
        "bordersim_version": __version__,
        "seed": plan.seed,
        "design": plan.design,
        "design_points": plan.points_param,
        "replications": plan.replications,
        "days": plan.days if plan.days is not None else plan.scenario.period.days,
        "grouping": plan.space.grouping,
        "fixed": json.dumps(dict(sorted(plan.space.fixed.items()))),
        "space": json.dumps(plan.space.describe(), sort_keys=True),
        "command": json.dumps(list(plan.command)),
        "seeds": (
            "point p simulates from seed point_seed[p] = SeedSequence(seed, spawn_key=(p,))"
            ".generate_state(1)[0], the same for every policy (common random numbers); "
            f"replication r draws from SeedSequence(point_seed[p], spawn_key=(r // {RNG_BLOCK},))"
        ),
        "metrics": "per point: counts are means over replications; rates are ratio estimators",
    }
    cache: dict[int, NDArray[np.float64]] = {}

    def sums(covert: NDArray[np.float64]) -> NDArray[np.float64]:
        if id(covert) not in cache:  # one array per store: its sums serve every metric
            cache.clear()
            cache[id(covert)] = replication_sums(covert)
        return cache[id(covert)]

    stored = store.read_plan(out / store.PLAN_FILE)
    attrs["command"] = json.dumps(stored.get("command", []))  # the first invocation's
    ds = store.consolidate(
        out,
        n_points=plan.n_points,
        policies=plan.policies,
        replications=plan.replications,
        actors=plan.actors,
        factor_names=plan.space.names,
        unit_samples=plan.unit_samples,
        factor_values=plan.space.values(plan.unit_samples),
        factor_sourced=[f.sourced for f in plan.space.factors],
        factor_kind=[f.kind for f in plan.space.factors],
        point_seeds=np.array([point_seed(plan.seed, i) for i in range(plan.n_points)], np.uint64),
        metrics={m: (lambda c, m=m: sums_metric(sums(c), plan.replications, m)) for m in METRICS},
        attrs=attrs,
        key=plan.key(),
    )
    means: dict[str, Any] = {}
    for pol in plan.policies:
        row = {}
        for m in METRICS:
            vals = ds[m].sel(policy=pol).values  # (point, metric_actor)
            row[m] = {
                a: (None if np.all(np.isnan(vals[:, j])) else float(np.nanmean(vals[:, j])))
                for j, a in enumerate(ds["metric_actor"].values.tolist())
            }
        means[pol] = row
    store.write_json(
        out / store.SUMMARY,
        {
            "n_points": summary.n_points,
            "finished": summary.n_points - len(summary.failed),
            "failed": len(summary.failed),
            "failure_reasons": summary.failure_reasons(),
            "failed_points": sorted(summary.failed),
            "policies": list(plan.policies),
            "replications_per_point": plan.replications,
            "mean_over_points": rundir.clean_json(means, digits=None),
        },
    )


__all__ = ["finalize"]

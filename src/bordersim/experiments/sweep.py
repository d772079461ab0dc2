"""Sweeps: run a design over the uncertainty space and the policy levers, point by point, resumably.

Epistemic and aleatory uncertainty are kept apart. A design point is one draw of the uncertain
quantities (the factors); within it, ``replications`` stochastic replications give the aleatory noise.
Point ``p`` simulates from seed ``SeedSequence(seed, spawn_key=(p,)).generate_state(1)[0]`` -- the
same seed for every policy at that point, so policies are compared under common random numbers -- and
replication ``r`` of it draws from that seed's stream block ``r // RNG_BLOCK`` (see
:mod:`bordersim.engine.rng`). Nothing depends on which worker ran a point or when.

Only per-replication outcome counts summed over sectors (replication x actor x outcome) are kept per
point, and a point is simulated in chunks of replications, so a point's memory is bounded whatever
``replications`` is.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim import __version__
from bordersim.engine import rundir
from bordersim.engine.rng import RNG_BLOCK
from bordersim.experiments import store
from bordersim.experiments.designs import make_design
from bordersim.experiments.executors import Backend, InlineBackend, run_tasks
from bordersim.experiments.factors import Space
from bordersim.experiments.store import SweepError
from bordersim.model.metrics import COVERT_METRICS, covert_metric
from bordersim.model.outcomes import (
    DETECTED_GOT_AWAY,
    INTERDICTED,
    TURNED_BACK,
    UNDETECTED_GOT_AWAY,
)
from bordersim.scenario.schema import Scenario
from bordersim.scenario.validation import PolicyNameError, policy_names

BASELINE = "baseline"
CHUNK_REPS = 4 * RNG_BLOCK  # replications simulated at once inside a point (bounds its memory)


# --------------------------------------------------------------------------------------------------
# metrics


#: Metric names in the sweep store (the vocabulary's short keys: ``undetected`` for
#: ``undetected_got_away``), in store order.
METRICS: tuple[str, ...] = tuple(m.key for m in COVERT_METRICS)


def _metric_key(name: str) -> str:
    """The store key of a metric given by its key or its full name; SweepError if unknown."""
    try:
        return covert_metric(name).key
    except KeyError:
        raise SweepError(f"unknown metric {name!r} (known: {', '.join(METRICS)})") from None


def point_metrics(covert: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    """A metric per point: counts are means over replications; rates are ratio estimators
    (sum of numerators / sum of denominators over replications, as ``bordersim run`` reports them).

    ``covert`` is (..., replication, actor, outcome); the result is (..., actor + 1), the last entry
    summing all covert actors.
    """
    c = np.asarray(covert, dtype=float)
    c = np.concatenate([c, c.sum(axis=-2, keepdims=True)], axis=-2)
    tot = c.sum(axis=-3)  # (..., actor+1, 4): sums over replications
    n = c.shape[-3]
    attempts = tot.sum(axis=-1)
    seen = tot[..., INTERDICTED] + tot[..., TURNED_BACK]
    detected = seen + tot[..., DETECTED_GOT_AWAY]
    with np.errstate(divide="ignore", invalid="ignore"):
        true_rate = np.where(attempts > 0, tot[..., INTERDICTED] / attempts, np.nan)
        observed = np.where(detected > 0, seen / detected, np.nan)
    values = {
        "attempts": attempts / n,
        "interdicted": tot[..., INTERDICTED] / n,
        "turned_back": tot[..., TURNED_BACK] / n,
        "detected_got_away": tot[..., DETECTED_GOT_AWAY] / n,
        "undetected": tot[..., UNDETECTED_GOT_AWAY] / n,
        "true_rate": true_rate,
        "observed_rate": observed,
        "rate_gap": observed - true_rate,
    }
    return np.asarray(values[_metric_key(name)], dtype=float)


def parse_metric(text: str, actors: Sequence[str]) -> tuple[str, str]:
    """``name`` or ``actor:name`` to (actor, metric); a bare name means the first covert actor
    (the scenario's main flow); ``all:name`` sums every covert actor."""
    actor, _, name = text.rpartition(":")
    actor = actor or actors[0]
    if actor not in (*actors, "all"):
        raise SweepError(
            f"unknown actor {actor!r} in metric {text!r} (known: {', '.join(actors)}, all)"
        )
    return actor, _metric_key(name)


# --------------------------------------------------------------------------------------------------
# the plan and the point task


def point_seed(seed: int, point: int) -> int:
    """The simulation seed of design point ``point`` (shared by all policies there)."""
    return int(np.random.SeedSequence(seed, spawn_key=(point,)).generate_state(1)[0])


def parse_policies(scenario: Scenario, policies: Sequence[str]) -> tuple[str, ...]:
    """Validate policy names (``baseline``, a scenario policy, or ``a+b``); default: baseline."""
    out: list[str] = []
    for p in policies or (BASELINE,):
        if p != BASELINE:
            for part in p.split("+"):
                if part.strip() not in scenario.policies:
                    known = ", ".join([BASELINE, *sorted(scenario.policies)])
                    raise SweepError(f"unknown policy {part.strip()!r} (known: {known})")
            try:  # a policy twice in one combination would apply and charge twice
                policy_names(p, scenario.policies, scenario.id)
            except PolicyNameError as exc:
                raise SweepError(str(exc)) from None
        if p in out:
            raise SweepError(f"policy {p!r} given twice")
        out.append(p)
    return tuple(out)


@dataclass(frozen=True)
class SweepPlan:
    """Everything that determines a sweep's numbers (plus the command, for provenance)."""

    scenario: Scenario
    scenario_hash: str
    space: Space
    design: str
    points_param: int
    unit_samples: NDArray[np.float64]
    policies: tuple[str, ...]
    replications: int
    days: int | None
    seed: int
    command: tuple[str, ...] = ()

    @property
    def n_points(self) -> int:
        return int(self.unit_samples.shape[0])

    @property
    def actors(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.scenario.actors if a.kind == "covert")

    def identity(self) -> dict[str, Any]:
        """The JSON-able content that fixes the numbers (the command is left out)."""
        return {
            "scenario": self.scenario.id,
            "scenario_hash": self.scenario_hash,
            "space": self.space.describe(),
            "design": self.design,
            "design_points": self.points_param,
            "n_points": self.n_points,
            "unit_samples_sha256": hashlib.sha256(
                np.ascontiguousarray(self.unit_samples, dtype=np.float64).tobytes()
            ).hexdigest(),
            "policies": list(self.policies),
            "replications": self.replications,
            "days": self.days,
            "seed": self.seed,
            "bordersim_version": __version__,
        }

    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()


def make_plan(
    scenario: Scenario,
    space: Space,
    *,
    design: str,
    points: int,
    policies: Sequence[str] = (),
    replications: int,
    days: int | None = None,
    seed: int = 0,
    command: Sequence[str] = (),
    scenario_hash: str | None = None,
) -> SweepPlan:
    """Sample the design and fix the plan."""
    from bordersim.scenario.loading import content_hash

    if replications < 1:
        raise SweepError("replications must be >= 1")
    unit = make_design(design, space.names, points, seed)
    return SweepPlan(
        scenario=scenario,
        scenario_hash=scenario_hash or content_hash(scenario),
        space=space,
        design=design,
        points_param=points,
        unit_samples=unit,
        policies=parse_policies(scenario, policies),
        replications=replications,
        days=days,
        seed=seed,
        command=tuple(command),
    )


@dataclass(frozen=True)
class PointTask:
    """One design point: its overrides, the policies to run, and its seed."""

    index: int
    scenario: Scenario
    overrides: Mapping[str, float]
    policies: tuple[str, ...]
    replications: int
    days: int | None
    seed: int
    n_actors: int


@dataclass(frozen=True)
class PointOutcome:
    index: int
    covert: NDArray[np.int64] | None  # (policy, replication, actor, outcome)
    cost: NDArray[np.float64] | None  # (policy,)
    error: str | None = None
    seconds: float = 0.0


def run_point(task: PointTask) -> PointOutcome:
    """Compile and simulate one design point for every policy; an exception is returned as the
    point's error so the sweep carries on."""
    from bordersim.engine import simulate
    from bordersim.model.compile import compile_scenario

    t0 = time.perf_counter()
    K, R = len(task.policies), task.replications
    covert = np.zeros((K, R, task.n_actors, 4), dtype=np.int64)
    cost = np.zeros(K)
    policy = BASELINE
    try:
        for k, policy in enumerate(task.policies):
            compiled = compile_scenario(
                task.scenario,
                policy=None if policy == BASELINE else policy,
                days=task.days,
                overrides=dict(task.overrides),
            )
            for r0 in range(0, R, CHUNK_REPS):
                n = min(CHUNK_REPS, R - r0)
                res = simulate(compiled, n, task.seed, rep_start=r0, mode="totals")
                covert[k, r0 : r0 + n] = res.covert_totals.sum(axis=1)
                if r0 == 0:
                    cost[k] = res.cost_summary()["cost_rub"]
                del res
    except Exception as exc:
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())
        msg = re.sub(r"\s*For further information visit \S+", "", msg)
        msg = re.sub(r"\s*\[type=.*?input_type=\w+\]", "", msg)  # pydantic's echo of the input
        return PointOutcome(
            task.index, None, None, f"policy {policy}: {msg}", time.perf_counter() - t0
        )
    return PointOutcome(task.index, covert, cost, None, time.perf_counter() - t0)


# --------------------------------------------------------------------------------------------------
# running


@dataclass
class SweepSummary:
    """What a sweep did: how many points ran, failed, were reused from a previous run."""

    out: Path
    n_points: int
    computed: int = 0
    reused: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    backend: str = ""

    def failure_reasons(self) -> dict[str, int]:
        """Distinct error messages and how many points each stopped."""
        reasons: dict[str, int] = {}
        for msg in self.failed.values():
            key = re.sub(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])", "#", msg)
            reasons[key] = reasons.get(key, 0) + 1
        return dict(sorted(reasons.items(), key=lambda kv: -kv[1]))


def _tasks(plan: SweepPlan, indices: Sequence[int]) -> Iterator[PointTask]:
    n_act = len(plan.actors)
    for i in indices:
        yield PointTask(
            index=i,
            scenario=plan.scenario,
            overrides=plan.space.overrides(plan.unit_samples[i]),
            policies=plan.policies,
            replications=plan.replications,
            days=plan.days,
            seed=point_seed(plan.seed, i),
            n_actors=n_act,
        )


def prepare_dir(plan: SweepPlan, out: Path, *, resume: bool) -> set[int]:
    """Check or write ``plan.json`` (holding the directory's lock); return the indices still to
    compute. SweepError for a directory holding something else; rundir's OutputError subclasses for
    another writer, a damaged plan or point, a full disk."""
    out = Path(out)
    store.check_target(out, resume=resume)
    with rundir.locked(out):
        return _prepare_locked(plan, out, resume=resume)


def _prepare_locked(plan: SweepPlan, out: Path, *, resume: bool) -> set[int]:
    plan_file = out / store.PLAN_FILE
    if plan_file.exists():
        stored = store.read_plan(plan_file)
        if not resume:
            raise SweepError(
                f"{out} already holds a sweep; pass --resume to finish it or choose another --out"
            )
        if stored.get("key") != plan.key():
            diff = [
                k
                for k, v in plan.identity().items()
                if json.dumps(stored.get("identity", {}).get(k), sort_keys=True)
                != json.dumps(v, sort_keys=True)
            ]
            raise SweepError(
                f"{out} holds a sweep with different settings ({', '.join(diff) or 'plan'}); "
                "resume with the same arguments or choose another --out"
            )
        store.clean_temporaries(out)
    else:
        if rundir.foreign_entries(out) and not resume:
            raise SweepError(f"{out} exists and is not empty; choose another --out")
        store.clean_temporaries(out)
        store.ensure_manifest(out)
        store.write_json(
            plan_file,
            {"key": plan.key(), "identity": plan.identity(), "command": list(plan.command)},
        )
    done = store.finished_points(out)
    return set(range(plan.n_points)) - done


def run_sweep(
    plan: SweepPlan,
    out: Path,
    *,
    backend: Backend | None = None,
    resume: bool = False,
    on_point: Callable[[PointOutcome], None] | None = None,
    window: int | None = None,
) -> SweepSummary:
    """Run the plan's missing points on ``backend``, writing each as it finishes, then consolidate.

    On resume, points with a result file are reused; failed points are tried again (a failure may
    have been transient; a deterministic one fails the same way again).
    """
    out = Path(out)
    store.check_target(out, resume=resume)
    with rundir.locked(out):  # one sweep at a time in a directory
        return _run_locked(plan, out, backend or InlineBackend(), resume, on_point, window)


def _run_locked(
    plan: SweepPlan,
    out: Path,
    backend: Backend,
    resume: bool,
    on_point: Callable[[PointOutcome], None] | None,
    window: int | None,
) -> SweepSummary:
    t0 = time.perf_counter()
    key = plan.key()
    todo = sorted(_prepare_locked(plan, out, resume=resume))
    summary = SweepSummary(
        out=out,
        n_points=plan.n_points,
        reused=plan.n_points - len(todo),
        backend=backend.description,
    )

    def done(task: PointTask, outcome: PointOutcome | None, exc: BaseException | None) -> None:
        if outcome is None:
            outcome = PointOutcome(task.index, None, None, f"worker failed: {exc!r}")
        if outcome.error is None and outcome.covert is not None and outcome.cost is not None:
            store.write_point(out, outcome.index, outcome.covert, outcome.cost, key=key)
            summary.computed += 1
        else:
            store.write_point_error(out, outcome.index, outcome.error or "unknown error")
        if on_point is not None:
            on_point(outcome)

    run_tasks(backend, run_point, _tasks(plan, todo), done, window=window)
    summary.seconds = time.perf_counter() - t0
    finalize(plan, out, summary)
    return summary


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
        metrics={m: (lambda c, m=m: point_metrics(c, m)) for m in METRICS},
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

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim import __version__
from bordersim.engine import rundir
from bordersim.experiments import store
from bordersim.experiments.designs import make_design
from bordersim.experiments.executors import Backend, InlineBackend, run_tasks
from bordersim.experiments.factors import Space
from bordersim.experiments.finalize import finalize
from bordersim.experiments.points import (
    BASELINE,
    BatchOutcome,
    BatchTask,
    PointOutcome,
    SweepContext,
    point_seed,
    run_batch,
)
from bordersim.experiments.store import SweepError
from bordersim.experiments.sweep_metrics import METRICS, parse_metric, point_metrics
from bordersim.scenario.schema import Scenario
from bordersim.scenario.validation import PolicyNameError, policy_names

MAX_BATCH = 64  # design points per task at most


# --------------------------------------------------------------------------------------------------
# the plan and the point task


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


def _batches(plan: SweepPlan, indices: Sequence[int], size: int) -> Iterator[BatchTask]:
    for j in range(0, len(indices), size):
        chunk = tuple(indices[j : j + size])
        yield BatchTask(chunk, plan.unit_samples[list(chunk)])


def batch_size(n_points: int, workers: int) -> int:
    """Points per task: about eight tasks per worker (so the load stays balanced at the end), at
    most :data:`MAX_BATCH` (a task's result stays small and progress stays fresh)."""
    return max(1, min(MAX_BATCH, -(-n_points // (8 * max(1, workers)))))


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
    batch: int | None = None,
) -> SweepSummary:
    """Run the plan's missing points on ``backend``, ``batch`` points per task (default
    :func:`batch_size`), writing each batch's points at once as it finishes, then consolidate.

    The scenario goes to each worker once (:meth:`Backend.share`). On resume, points with a result file are reused; failed points are tried again (a failure may
    have been transient; a deterministic one fails the same way again).
    """
    out = Path(out)
    store.check_target(out, resume=resume)
    with rundir.locked(out):  # one sweep at a time in a directory
        return _run_locked(plan, out, backend or InlineBackend(), resume, on_point, window, batch)


def _run_locked(
    plan: SweepPlan,
    out: Path,
    backend: Backend,
    resume: bool,
    on_point: Callable[[PointOutcome], None] | None,
    window: int | None,
    batch: int | None,
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

    def done(task: BatchTask, outcome: BatchOutcome | None, exc: BaseException | None) -> None:
        if outcome is None:
            outcome = BatchOutcome((), np.zeros(0, np.int64), np.zeros(0), {})
            outcome.errors.update({i: f"worker failed: {exc!r}" for i in task.indices})
        if outcome.indices:
            store.write_batch(out, outcome.indices, outcome.covert, outcome.cost, key=key)
            summary.computed += len(outcome.indices)
        for i, msg in outcome.errors.items():
            store.write_point_error(out, i, msg or "unknown error")
        if on_point is not None:
            for point in outcome.outcomes():
                on_point(point)

    ctx = SweepContext(
        key=key,
        scenario=plan.scenario,
        space=plan.space,
        policies=plan.policies,
        replications=plan.replications,
        days=plan.days,
        seed=plan.seed,
        n_actors=len(plan.actors),
    )
    size = batch or batch_size(len(todo), backend.workers)
    tasks = _batches(plan, todo, size)
    run_tasks(backend, run_batch, tasks, done, window=window, shared=(key, ctx))
    summary.seconds = time.perf_counter() - t0
    finalize(plan, out, summary)
    return summary


__all__ = [
    "BASELINE",
    "MAX_BATCH",
    "METRICS",
    "PointOutcome",
    "SweepError",
    "SweepPlan",
    "SweepSummary",
    "batch_size",
    "finalize",
    "make_plan",
    "parse_metric",
    "parse_policies",
    "point_metrics",
    "point_seed",
    "prepare_dir",
    "run_sweep",
]

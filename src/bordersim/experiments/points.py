"""The worker side of a sweep: what a worker needs once (the context) and what it does per batch.

A sweep at cluster scale must not ship the scenario with every point (53 KiB x 33,792 points) nor pay
a task's round trip per point. So the work is split in two:

* :class:`SweepContext` -- the scenario, the factor space, the policies, replications, days and the
  sweep seed -- goes to each worker once (see :meth:`bordersim.experiments.executors.Backend.share`);
* :class:`BatchTask` -- a few point indices and their rows of the unit design -- is all a task
  carries; the worker turns rows into overrides and indices into seeds itself, so the client does no
  per-point work beyond writing the results.

A point's numbers depend only on the context, its row and its index (its seed is
``point_seed(seed, index)``), never on which batch or worker ran it, so every batch size and worker
count gives bitwise-identical results.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.rng import RNG_BLOCK
from bordersim.experiments.factors import Space
from bordersim.scenario.schema import Scenario

BASELINE = "baseline"
CHUNK_REPS = 4 * RNG_BLOCK  # replications simulated at once inside a point (bounds its memory)


def point_seed(seed: int, point: int) -> int:
    """The simulation seed of design point ``point`` (shared by all policies there)."""
    return int(np.random.SeedSequence(seed, spawn_key=(point,)).generate_state(1)[0])


@dataclass(frozen=True)
class SweepContext:
    """What every point of a sweep shares; sent to each worker once."""

    key: str  # the plan key: names the context in a worker's cache
    scenario: Scenario
    space: Space
    policies: tuple[str, ...]
    replications: int
    days: int | None
    seed: int
    n_actors: int


@dataclass(frozen=True)
class BatchTask:
    """Some design points: their indices and their rows of the unit design (point x factor)."""

    indices: tuple[int, ...]
    unit_rows: NDArray[np.float64]


@dataclass(frozen=True)
class PointOutcome:
    """One point's result (``covert``/``cost``) or its error message."""

    index: int
    covert: NDArray[np.int64] | None  # (policy, replication, actor, outcome)
    cost: NDArray[np.float64] | None  # (policy,)
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BatchOutcome:
    """A batch's finished points stacked (point, policy, replication, actor, outcome), in the
    batch's order, and the points that failed with their messages."""

    indices: tuple[int, ...]
    covert: NDArray[np.int64]
    cost: NDArray[np.float64]  # (point, policy)
    errors: dict[int, str]
    seconds: float = 0.0

    def outcomes(self) -> list[PointOutcome]:
        """One :class:`PointOutcome` per point of the batch (finished and failed)."""
        ok = [PointOutcome(i, self.covert[j], self.cost[j]) for j, i in enumerate(self.indices)]
        return ok + [PointOutcome(i, None, None, msg) for i, msg in self.errors.items()]


def _message(exc: Exception) -> str:
    msg = " ".join(f"{type(exc).__name__}: {exc}".split())
    msg = re.sub(r"\s*For further information visit \S+", "", msg)
    return re.sub(r"\s*\[type=.*?input_type=\w+\]", "", msg)  # pydantic's echo of the input


def simulate_point(
    ctx: SweepContext, index: int, unit_row: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Compile and simulate one design point for every policy: covert counts (policy, replication,
    actor, outcome) and the cost of each policy (RUB). Raises what compile or simulate raise."""
    from bordersim.engine.kernel import simulate  # the engine imports xarray: lazy for start-up
    from bordersim.model.compile import compile_scenario

    K, R = len(ctx.policies), ctx.replications
    covert = np.zeros((K, R, ctx.n_actors, 4), dtype=np.int64)
    cost = np.zeros(K)
    seed = point_seed(ctx.seed, index)
    overrides = ctx.space.overrides(unit_row)
    for k, policy in enumerate(ctx.policies):
        try:
            compiled = compile_scenario(
                ctx.scenario,
                policy=None if policy == BASELINE else policy,
                days=ctx.days,
                overrides=dict(overrides),
            )
            for r0 in range(0, R, CHUNK_REPS):
                n = min(CHUNK_REPS, R - r0)
                res = simulate(compiled, n, seed, rep_start=r0, mode="totals")
                covert[k, r0 : r0 + n] = res.covert_totals.sum(axis=1)
                if r0 == 0:
                    cost[k] = res.cost_summary()["cost_rub"]
                del res
        except Exception as exc:
            raise PointError(f"policy {policy}: {_message(exc)}") from exc
    return covert, cost


class PointError(Exception):
    """A design point whose compile or simulation raised (the message names the policy)."""


def run_batch(ctx: SweepContext, task: BatchTask) -> BatchOutcome:
    """Simulate every point of ``task``; a point that raises is returned as an error, so the batch
    and the sweep carry on."""
    t0 = time.perf_counter()
    K, R = len(ctx.policies), ctx.replications
    done: list[int] = []
    covert = np.zeros((len(task.indices), K, R, ctx.n_actors, 4), dtype=np.int64)
    cost = np.zeros((len(task.indices), K))
    errors: dict[int, str] = {}
    for index, row in zip(task.indices, task.unit_rows, strict=True):
        try:
            c, k = simulate_point(ctx, index, row)
        except PointError as exc:
            errors[index] = str(exc)
            continue
        covert[len(done)], cost[len(done)] = c, k
        done.append(index)
    n = len(done)
    return BatchOutcome(tuple(done), covert[:n], cost[:n], errors, time.perf_counter() - t0)


__all__ = [
    "BASELINE",
    "CHUNK_REPS",
    "BatchOutcome",
    "BatchTask",
    "PointError",
    "PointOutcome",
    "SweepContext",
    "point_seed",
    "run_batch",
    "simulate_point",
]

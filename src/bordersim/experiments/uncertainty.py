"""Draws of the uncertain inputs, and policies evaluated on the same draws.

What the sources leave open is a box: every quantity with a range in the evidence ledger (or, once
calibrated, a posterior) is an uncertain input. :func:`draw_inputs` samples ``N`` points of it by
Latin hypercube over the ledger's marginals (one factor per ledger entry by default, as in
``bordersim sweep``), and :func:`evaluate_draws` runs every policy on every draw. Inside a draw all
policies share one seed (common random numbers): the same attempts, the same per-attempt random
numbers, the same incursions, so a difference between policies within a draw is the policies', not
the dice's. The draw's seed is ``SeedSequence(seed, spawn_key=(d,))``, as a sweep's point seed, so a
draw's numbers do not depend on how many draws are run or in what order.

The result is a labelled :class:`xarray.Dataset` with dimensions ``policy`` × ``draw``: per metric,
the mean over the draw's replications (and its Monte Carlo standard error), plus the factor values of
each draw, so the matrix can be analysed for regret, satisficing and scenario discovery
(:mod:`bordersim.experiments.robust`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.kernel import simulate
from bordersim.experiments.compare import (
    METRIC_INFO,
    RATIO_METRICS,
    ratio_estimate,
    replication_metrics,
)
from bordersim.experiments.designs import latin_hypercube
from bordersim.experiments.executors import Backend, InlineBackend, run_tasks
from bordersim.experiments.factors import Space, build_space
from bordersim.experiments.levers import LEVERS, lever_activity
from bordersim.experiments.sweep import BASELINE, point_seed
from bordersim.model.compile import compile_scenario
from bordersim.scenario.schema import Scenario

if TYPE_CHECKING:  # xarray is imported where the Dataset is built (slow to import)
    import xarray as xr

__all__ = ["DrawTask", "InputDraws", "draw_inputs", "evaluate_draws", "run_draw"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class InputDraws:
    """``N`` draws of the uncertain inputs.

    Attributes:
        space: the factors (their names, members and ranges).
        unit: (N, k) design coordinates in [0, 1].
        values: (N, k) factor values (a quantity's value, or a ledger group's shared quantile).
        overrides: per draw, the quantity overrides that realise it.
        source: ``"prior"`` (the ledger's ranges) or ``"posterior"``.
        seed: the seed the draws came from.
        provenance: for posterior draws, where the posterior came from
            (:meth:`bordersim.experiments.posterior.Posterior.provenance`).
    """

    space: Space
    unit: FloatArray
    values: FloatArray
    overrides: tuple[dict[str, float], ...]
    source: Literal["prior", "posterior"]
    seed: int
    provenance: dict[str, Any] | None = None

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.unit.shape[0])


def draw_inputs(
    scenario: Scenario,
    draws: int,
    *,
    seed: int,
    grouping: Literal["evidence", "quantity"] = "evidence",
    space: Space | None = None,
) -> InputDraws:
    """``draws`` Latin-hypercube draws of the scenario's uncertain inputs from the ledger's ranges.

    Example:
        >>> import bordersim as bs  # doctest: +SKIP
        >>> d = draw_inputs(bs.load("tajik-afghan-2021").scenario, 16, seed=1)  # doctest: +SKIP
    """
    if draws < 2:
        raise ValueError("at least 2 draws are needed to speak of a spread")
    sp = space if space is not None else build_space(scenario, grouping=grouping)
    unit = latin_hypercube(len(sp), draws, seed)
    values = sp.values(unit)
    overrides = tuple(sp.overrides(row) for row in unit)
    return InputDraws(sp, unit, values, overrides, "prior", seed)


@dataclass(frozen=True)
class DrawTask:
    """One draw's work: every policy on the draw's overrides, all from the draw's seed (CRN)."""

    draw: int
    scenario: Scenario
    policies: tuple[str, ...]
    overrides: dict[str, float]
    replications: int
    seed: int
    days: int | None
    start: object


def run_draw(task: DrawTask) -> list[dict[str, tuple[float, float]]]:
    """Per policy of the task (in its order): each metric's mean and Monte Carlo standard error over
    the draw's replications, and each conditional lever's activity share (with NaN error).

    A module-level function so that worker processes can run it; its numbers depend only on the
    task (the draw's seed), never on which worker ran it."""
    kinds = {u.id: u.kind for u in task.scenario.units}
    out: list[dict[str, tuple[float, float]]] = []
    for policy in task.policies:
        compiled = compile_scenario(
            task.scenario,
            policy=None if policy == BASELINE else policy,
            days=task.days,
            start=task.start,  # type: ignore[arg-type]
            overrides=task.overrides,
        )
        res = simulate(compiled, task.replications, task.seed, mode="totals")
        got: dict[str, tuple[float, float]] = {}
        for name, v in replication_metrics(res).items():
            ok = v[np.isfinite(v)]
            if ok.size == 0:
                got[name] = (float("nan"), float("nan"))
                continue
            se = float(ok.std(ddof=1) / np.sqrt(ok.size)) if ok.size > 1 else float("nan")
            got[name] = (float(ok.mean()), se)
        for name in RATIO_METRICS:  # ratio of means, as compare and run define it
            est = ratio_estimate(res, name)
            got[name] = (est.mean, est.se)
        for key, lever in lever_activity(res, kinds)["levers"].items():
            got[f"lever_{key}"] = (float(lever["share"]), float("nan"))
        out.append(got)
    return out


def evaluate_draws(
    scenario: Scenario,
    policies: Sequence[str],
    inputs: InputDraws,
    *,
    replications: int,
    seed: int,
    days: int | None = None,
    start: object = None,
    progress: Callable[[int], None] | None = None,
    backend: Backend | None = None,
) -> xr.Dataset:
    """Run every policy on every draw (common random numbers within a draw).

    Returns a Dataset with dims ``(policy, draw)``: one variable per metric (the mean over
    replications), ``<metric>_se`` (its Monte Carlo standard error), ``lever_<key>`` (the share of
    the draw's replications in which each conditional lever acted,
    :func:`bordersim.experiments.levers.lever_activity`), and ``factor_value`` (draw × factor).
    ``progress`` is called with the number of policies after each draw. ``backend`` runs the draws
    (default: in this process); every draw carries its own seed, so the numbers are the same
    whatever the backend and its number of workers.
    """
    names = list(policies)
    if len(set(names)) != len(names):
        raise ValueError("each policy may appear only once")
    per: dict[str, FloatArray] = {}
    se: dict[str, FloatArray] = {}
    shape = (len(names), inputs.n)
    tasks = [
        DrawTask(d, scenario, tuple(names), inputs.overrides[d], replications,
                 point_seed(seed, d), days, start)
        for d in range(inputs.n)
    ]  # fmt: skip
    failures: list[BaseException] = []

    def store(task: DrawTask, got: list[dict[str, tuple[float, float]]] | None,
              error: BaseException | None) -> None:  # fmt: skip
        if error is not None or got is None:
            failures.append(error or RuntimeError(f"draw {task.draw} gave no result"))
            return
        for k, metrics in enumerate(got):
            for metric, (mean, err) in metrics.items():
                per.setdefault(metric, np.full(shape, np.nan))[k, task.draw] = mean
                se.setdefault(metric, np.full(shape, np.nan))[k, task.draw] = err
        if progress is not None:
            progress(len(names))

    owned = backend is None
    be = InlineBackend() if backend is None else backend
    try:
        run_tasks(be, run_draw, tasks, store)
    finally:
        if owned:
            be.close()
    if failures:
        raise failures[0]
    return _dataset(scenario, names, inputs, per, se, seed=seed, replications=replications)


#: Units (CF ``units``) of the comparison metrics, as the robustness store labels them.
METRIC_UNITS: dict[str, str] = {
    "interdictions": "crossings",
    "undetected": "crossings",
    "got_away": "crossings",
    "true_rate": "1",
    "breaches": "engagements",
    "defender_losses": "people",
    "first_reinforcement_hours": "h",
    "personnel_days": "person-days",
    "cost_per_interdiction_rub": "RUB",
}


def _dataset(
    scenario: Scenario,
    names: list[str],
    inputs: InputDraws,
    per: dict[str, FloatArray],
    se: dict[str, FloatArray],
    *,
    seed: int,
    replications: int,
) -> xr.Dataset:
    """The policy × draw matrix as a Dataset, every variable with CF ``units`` and ``long_name``."""
    import xarray as xr  # slow to import; only a study needs it

    data_vars: dict[str, tuple[tuple[str, ...], FloatArray, dict[str, str]]] = {}
    for metric, values in per.items():
        if metric.startswith("lever_"):
            key = metric.removeprefix("lever_")
            label = f"share of replications in which {LEVERS[key][0]}"
            data_vars[metric] = (("policy", "draw"), values, {"units": "1", "long_name": label})
            continue
        label = METRIC_INFO[metric][1] if metric in METRIC_INFO else metric.replace("_", " ")
        units = METRIC_UNITS.get(metric, "1")
        attrs = {"units": units, "long_name": f"{label}, mean over the draw's replications"}
        data_vars[metric] = (("policy", "draw"), values, attrs)
        data_vars[f"{metric}_se"] = (
            ("policy", "draw"),
            se[metric],
            {"units": units, "long_name": f"Monte Carlo standard error of the {label}"},
        )
    data_vars["factor_value"] = (
        ("draw", "factor"),
        inputs.values,
        {
            "units": "1",
            "long_name": "factor value of each draw (a quantity's value or a group's quantile)",
        },
    )
    return xr.Dataset(
        {k: xr.Variable(dims, v, attrs) for k, (dims, v, attrs) in data_vars.items()},
        coords={
            "policy": names,
            "draw": np.arange(inputs.n),
            "factor": inputs.space.names,
            "factor_kind": ("factor", [f.kind for f in inputs.space.factors]),
            "draw_seed": ("draw", np.array([point_seed(seed, d) for d in range(inputs.n)])),
        },
        attrs={
            "scenario": scenario.id,
            "seed": seed,
            "replications": replications,
            "input_source": inputs.source,
            "crn": "all policies of a draw share its seed (common random numbers)",
        },
    )

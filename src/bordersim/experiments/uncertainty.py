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
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from bordersim.engine.kernel import simulate
from bordersim.engine.results import Results
from bordersim.experiments.compare import METRIC_INFO, replication_metrics
from bordersim.experiments.designs import latin_hypercube
from bordersim.experiments.factors import Space, build_space
from bordersim.experiments.sweep import BASELINE, point_seed
from bordersim.model.compile import compile_scenario
from bordersim.scenario.schema import Scenario

if TYPE_CHECKING:  # xarray is imported where the Dataset is built (slow to import)
    import xarray as xr

__all__ = ["InputDraws", "draw_inputs", "evaluate_draws", "lever_activity"]

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
    """

    space: Space
    unit: FloatArray
    values: FloatArray
    overrides: tuple[dict[str, float], ...]
    source: Literal["prior", "posterior"]
    seed: int

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


def lever_activity(results: Results) -> dict[str, float]:
    """How often the run's conditional levers acted: the share of replications in which Tajikistan
    requested help (within the simulated period); NaN where the run has no escalation at all."""
    esc = results.escalation_summary()
    share = esc.get("requested_share")
    return {"requested_share": float("nan") if share is None else float(share)}


def _draw_metrics(
    scenario: Scenario,
    policy: str,
    overrides: dict[str, float],
    *,
    replications: int,
    seed: int,
    days: int | None,
    start: object,
) -> dict[str, tuple[float, float]]:
    """Mean and Monte Carlo standard error of every comparison metric for one policy and draw."""
    compiled = compile_scenario(
        scenario,
        policy=None if policy == BASELINE else policy,
        days=days,
        start=start,  # type: ignore[arg-type]
        overrides=overrides,
    )
    res = simulate(compiled, replications, seed, mode="totals")
    out: dict[str, tuple[float, float]] = {}
    for name, v in replication_metrics(res).items():
        ok = v[np.isfinite(v)]
        if ok.size == 0:
            out[name] = (float("nan"), float("nan"))
            continue
        se = float(ok.std(ddof=1) / np.sqrt(ok.size)) if ok.size > 1 else float("nan")
        out[name] = (float(ok.mean()), se)
    for name, share in lever_activity(res).items():
        out[name] = (share, float("nan"))
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
) -> xr.Dataset:
    """Run every policy on every draw (common random numbers within a draw).

    Returns a Dataset with dims ``(policy, draw)``: one variable per metric (the mean over
    replications), ``<metric>_se`` (its Monte Carlo standard error), ``requested_share`` (how often
    help was requested), and ``factor_value`` (draw × factor). ``progress`` is called with 1 after
    each policy × draw evaluation.
    """
    import xarray as xr  # slow to import; only a study needs it

    names = list(policies)
    if len(set(names)) != len(names):
        raise ValueError("each policy may appear only once")
    per: dict[str, FloatArray] = {}
    se: dict[str, FloatArray] = {}
    shape = (len(names), inputs.n)
    for d in range(inputs.n):
        draw_seed = point_seed(seed, d)
        for k, policy in enumerate(names):
            got = _draw_metrics(
                scenario, policy, inputs.overrides[d], replications=replications,
                seed=draw_seed, days=days, start=start,
            )  # fmt: skip
            for metric, (mean, err) in got.items():
                per.setdefault(metric, np.full(shape, np.nan))[k, d] = mean
                se.setdefault(metric, np.full(shape, np.nan))[k, d] = err
            if progress is not None:
                progress(1)
    data_vars: dict[str, tuple[tuple[str, ...], FloatArray, dict[str, str]]] = {}
    for metric, values in per.items():
        label = METRIC_INFO[metric][1] if metric in METRIC_INFO else metric.replace("_", " ")
        data_vars[metric] = (("policy", "draw"), values, {"long_name": label})
        if metric in METRIC_INFO:
            data_vars[f"{metric}_se"] = (
                ("policy", "draw"),
                se[metric],
                {"long_name": f"Monte Carlo standard error of the {label}"},
            )
    data_vars["factor_value"] = (
        ("draw", "factor"),
        inputs.values,
        {"long_name": "factor value of each draw (a quantity's value or a group's quantile)"},
    )
    ds = xr.Dataset(
        {k: xr.Variable(dims, v, attrs) for k, (dims, v, attrs) in data_vars.items()},
        coords={
            "policy": names,
            "draw": np.arange(inputs.n),
            "factor": inputs.space.names,
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
    return ds

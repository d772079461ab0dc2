"""Two intervals for every headline figure: simulation noise and input uncertainty.

A run's 95% confidence interval says how well ``R`` replications pin down the figure *at the
scenario's nominal inputs*: it shrinks to nothing as ``R`` grows. It says nothing of the inputs
themselves, most of which the sources leave open (the evidence ledger's ranges). This module adds
the second interval: the figure is re-estimated on ``N`` draws of the uncertain inputs (an
:class:`~bordersim.experiments.uncertainty.InputDraws`, from the ledger's ranges or, once
calibrated, from a posterior), each draw with a few replications of its own, and the **input
interval** is the 5–95% spread of the per-draw means. Each draw keeps a few replications' noise, so
the spread slightly overstates the input-only spread (by about the per-draw standard error).

Sources of draws are plain callables (:data:`InputSource`): the prior is :func:`prior_source`; a
posterior is any function returning ``InputDraws`` with ``source="posterior"``.

Draw ``d`` is simulated from ``point_seed(seed, d)`` whatever batch it is evaluated in, so the
numbers do not depend on how the draws are batched.

Which inputs matter: per figure, the factors are ranked by the squared Spearman rank correlation
between the factor's value and the figure over the same draws (cheap, needs no special design; with
``N`` draws a factor with no effect still scores about ``1/(N-1)`` on average).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from bordersim.engine.kernel import simulate
from bordersim.experiments.headline import COVERT_HEADLINE, INCURSION_HEADLINE, headline_values
from bordersim.experiments.sweep import BASELINE, point_seed
from bordersim.experiments.uncertainty import InputDraws, draw_inputs
from bordersim.model.compile import compile_scenario
from bordersim.scenario.schema import Scenario

if TYPE_CHECKING:  # xarray is slow to import; the Dataset comes from evaluate_draws
    import xarray as xr

__all__ = [
    "COVERT_HEADLINE",
    "INCURSION_HEADLINE",
    "INPUT_QUANTILES",
    "MIN_RANK_DRAWS",
    "InputSource",
    "InputUncertainty",
    "add_compare_intervals",
    "describe_draws",
    "headline_values",
    "hold_fixed",
    "input_interval",
    "input_uncertainty",
    "prior_source",
    "rank_factors",
    "run_draws",
]

FloatArray = NDArray[np.float64]

#: The input interval's quantiles: the 5-95% spread over draws.
INPUT_QUANTILES = (0.05, 0.95)

#: Fewest draws for a ranking of the factors (with fewer, chance correlations dominate).
MIN_RANK_DRAWS = 10
#: Draws of the uncertain inputs: ``source(scenario, draws, seed) -> InputDraws``.
InputSource = Callable[[Scenario, int, int], InputDraws]


def prior_source(scenario: Scenario, draws: int, seed: int) -> InputDraws:
    """Latin-hypercube draws over the ledger's ranges (one factor per ledger entry)."""
    return draw_inputs(scenario, draws, seed=seed)


def hold_fixed(inputs: InputDraws, fixed: Mapping[str, float]) -> InputDraws:
    """``inputs`` with the quantities in ``fixed`` (a user's ``--set``) held at their values in
    every draw: what the user set is not uncertain."""
    if not fixed:
        return inputs
    overrides = tuple({**o, **fixed} for o in inputs.overrides)
    return replace(inputs, overrides=overrides)


def input_interval(values: FloatArray) -> tuple[float, float] | None:
    """5-95% quantiles of the finite per-draw values (``None`` with fewer than two)."""
    ok = np.asarray(values, dtype=float)
    ok = ok[np.isfinite(ok)]
    if ok.size < 2:
        return None
    lo, hi = np.quantile(ok, INPUT_QUANTILES)
    return float(lo), float(hi)


def rank_factors(
    factors: FloatArray, y: FloatArray, names: Sequence[str], top: int = 3
) -> list[tuple[str, float]]:
    """The ``top`` factors by squared Spearman rank correlation with ``y`` over the draws
    (``factors``: draws x factors), as ``(name, rho^2)``; draws where ``y`` is undefined are left
    out, a constant factor or figure scores 0. Under :data:`MIN_RANK_DRAWS` defined draws there is
    no ranking (``[]``): a factor with no effect scores about ``1/(N-1)`` by chance."""
    ok = np.isfinite(y)
    if ok.sum() < MIN_RANK_DRAWS:
        return []
    ry = rankdata(y[ok])
    scores = []
    for j, name in enumerate(names):
        rx = rankdata(factors[ok, j])
        sx, sy = rx.std(), ry.std()
        rho = (
            0.0
            if sx == 0 or sy == 0
            else float(np.mean((rx - rx.mean()) * (ry - ry.mean())) / (sx * sy))
        )
        scores.append((name, rho * rho))
    scores.sort(key=lambda t: -t[1])
    return scores[:top]


def run_draws(
    scenario: Scenario,
    policy: str | None,
    inputs: InputDraws,
    indices: Sequence[int],
    *,
    replications: int,
    seed: int,
    days: int | None = None,
    start: object = None,
    progress: Callable[[int], None] | None = None,
) -> dict[int, dict[str, float]]:
    """Simulate the draws ``indices`` of ``inputs`` (each ``replications`` replications from
    ``point_seed(seed, d)``) and return each draw's headline means, ``d -> {key: mean}``."""
    out: dict[int, dict[str, float]] = {}
    for d in indices:
        compiled = compile_scenario(
            scenario,
            policy=None if policy in (None, BASELINE) else policy,
            days=days,
            start=start,  # type: ignore[arg-type]
            overrides=inputs.overrides[d],
        )
        res = simulate(compiled, replications, point_seed(seed, d), mode="totals")
        out[d] = {k: v[0] for k, v in headline_values(res).items()}
        if progress is not None:
            progress(1)
    return out


@dataclass(frozen=True)
class InputUncertainty:
    """A figure set re-estimated over ``N`` draws of the uncertain inputs.

    Attributes:
        inputs: the draws (factor names, values, source).
        replications: replications per draw.
        seed: the seed of draw ``d``'s simulation is ``point_seed(seed, d)``.
        keys: the figures, ``"section:actor:metric"``.
        values: (N, len(keys)) per-draw means (NaN where undefined).
    """

    inputs: InputDraws
    replications: int
    seed: int
    keys: tuple[str, ...]
    values: FloatArray

    def interval(self, key: str) -> tuple[float, float] | None:
        """The 5-95% input interval of figure ``key``."""
        return input_interval(self.values[:, self.keys.index(key)])

    def top_factors(self, key: str, top: int = 3) -> list[tuple[str, float]]:
        """The ``top`` factors of ``key`` by squared rank correlation (see :func:`rank_factors`)."""
        y = self.values[:, self.keys.index(key)]
        return rank_factors(self.inputs.values, y, self.inputs.space.names, top)

    def describe(self) -> dict[str, Any]:
        """How the interval was made, for a summary's ``input_uncertainty`` key."""
        out: dict[str, Any] = {
            "source": self.inputs.source,
            "draws": self.inputs.n,
            "replications_per_draw": self.replications,
            "seed": self.seed,
            "factors": len(self.inputs.space.names),
            "interval": "5-95% quantiles of the per-draw means over draws of the uncertain inputs",
            "ranking": "squared Spearman rank correlation of factor and figure over the draws",
        }
        if self.inputs.provenance is not None:  # absent for the prior: its summaries keep keys
            out["posterior"] = self.inputs.provenance
        return out

    def table(self) -> tuple[list[str], list[list[float]]]:
        """The per-draw table (``draw``, ``draw_seed``, each factor, each figure) as header and rows,
        the ``input_draws.csv`` artefact of a run directory."""
        names = list(self.inputs.space.names)
        head = ["draw", "draw_seed", *(f"factor:{n}" for n in names), *self.keys]
        rows = [
            [d, point_seed(self.seed, d), *self.inputs.values[d].tolist(), *self.values[d].tolist()]
            for d in range(self.inputs.n)
        ]
        return head, rows


def input_uncertainty(
    scenario: Scenario,
    policy: str | None,
    inputs: InputDraws,
    *,
    replications: int,
    seed: int,
    days: int | None = None,
    start: object = None,
    batch: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> InputUncertainty:
    """Evaluate ``policy`` on every draw of ``inputs``, ``batch`` draws at a time (default: all at
    once; the numbers are the same for any batch size)."""
    if replications < 1:
        raise ValueError(f"replications per draw must be at least 1, got {replications}")
    size = inputs.n if batch is None else max(1, batch)
    got: dict[int, dict[str, float]] = {}
    for lo in range(0, inputs.n, size):
        got.update(
            run_draws(
                scenario, policy, inputs, range(lo, min(lo + size, inputs.n)),
                replications=replications, seed=seed, days=days, start=start, progress=progress,
            )
        )  # fmt: skip
    keys = tuple(dict.fromkeys(k for d in sorted(got) for k in got[d]))
    values = np.array(
        [[got[d].get(k, np.nan) for k in keys] for d in range(inputs.n)], dtype=float
    ).reshape(inputs.n, len(keys))
    return InputUncertainty(inputs, replications, seed, keys, values)


def add_compare_intervals(
    report: dict[str, Any],
    draws: xr.Dataset | None,
    description: dict[str, Any] | None,
    better: Mapping[str, int],
) -> None:
    """Add to ``compare``'s summary (in place): ``ci`` to every per-policy figure and difference,
    ``input_interval`` (5-95% over draws, ``None`` without draws) and, for differences,
    ``p_better_across_draws`` (share of draws in which the policy beats the baseline, ties half)
    and ``p_better_within_draw`` (today's ``p_better``: replications of one draw, common random
    numbers). ``better``: +1 where more is better for the defender, -1 where less."""
    base = report["baseline"]
    have = draws is not None
    for policy, figures in report["per_policy"].items():
        for metric, fig in figures.items():
            fig["ci"] = [fig["lo"], fig["hi"]]
            ok = have and metric in draws  # type: ignore[operator]
            vals = draws[metric].sel(policy=policy).values if ok else None  # type: ignore[index]
            fig["input_interval"] = None if vals is None else _opt(input_interval(vals))
    for diff in report["differences"]:
        diff["ci"] = [diff["lo"], diff["hi"]]
        diff["p_better_within_draw"] = diff["p_better"]
        metric = diff["metric"]
        if not (have and metric in draws):  # type: ignore[operator]
            diff["input_interval"] = None
            diff["p_better_across_draws"] = None
            continue
        var = draws[metric]  # type: ignore[index]
        d = np.asarray(var.sel(policy=diff["policy"]).values - var.sel(policy=base).values)
        diff["input_interval"] = _opt(input_interval(d))
        ok = d[np.isfinite(d)]
        wins = np.sign(ok) * better.get(metric, 1)
        diff["p_better_across_draws"] = (
            float(np.mean((wins > 0) + 0.5 * (wins == 0))) if ok.size else None
        )
    report["input_uncertainty"] = description


def _opt(iv: tuple[float, float] | None) -> list[float] | None:
    return None if iv is None else [iv[0], iv[1]]


def describe_draws(inputs: InputDraws, replications: int, seed: int) -> dict[str, Any]:
    """:meth:`InputUncertainty.describe` for draws evaluated elsewhere (``evaluate_draws``)."""
    return InputUncertainty(inputs, replications, seed, (), np.zeros((inputs.n, 0))).describe()

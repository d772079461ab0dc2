"""Global sensitivity analysis: which uncertain assumptions move a result, ranked.

The analysis sees only a design (unit-cube samples) and one output per design point, so the same code
ranks the scenario's ledger entries (outputs from a sweep) and checks itself on a function with known
indices (Ishigami). Sobol indices use Saltelli's design and SALib's estimators with bootstrap
confidence intervals; Morris gives mu* (mean absolute elementary effect over a factor's whole range,
in the metric's units) with its bootstrap interval. Factors are marked sourced or assumed: a large index
on an assumption is "what to go and find out".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.experiments.designs import MORRIS_LEVELS, design_seed, make_design, salib_problem
from bordersim.experiments.factors import Space

METHODS = ("sobol", "morris")
NUM_RESAMPLES = 1000
CONF_LEVEL = 0.95


class SensitivityError(ValueError):
    """The outputs cannot be analysed (failed points, constant output, wrong method)."""


def analyze(
    method: str,
    names: Sequence[str],
    unit_samples: NDArray[np.float64],
    outputs: NDArray[np.float64],
    *,
    sourced: Sequence[bool] | None = None,
    seed: int = 0,
    num_resamples: int = NUM_RESAMPLES,
    conf_level: float = CONF_LEVEL,
) -> list[dict[str, Any]]:
    """Indices of each factor from the design's unit samples and one output per point, ranked
    (Sobol: by total index ST; Morris: by mu*). Each row: factor, sourced, rank, and S1, S1_conf,
    ST, ST_conf (sobol) or mu, mu_star, mu_star_conf, sigma (morris); conf is the half-width of the
    bootstrap ``conf_level`` interval."""
    y = np.asarray(outputs, dtype=float).ravel()
    x = np.asarray(unit_samples, dtype=float)
    if x.shape[0] != y.size:
        raise SensitivityError(f"{x.shape[0]} design points but {y.size} outputs")
    if not np.all(np.isfinite(y)):
        bad = int((~np.isfinite(y)).sum())
        raise SensitivityError(
            f"{bad} of {y.size} design points have no value (failed, or the metric is undefined "
            "there, e.g. a rate with no attempts); the indices need every point"
        )
    if np.ptp(y) == 0:
        raise SensitivityError("the output is the same at every design point: nothing to rank")
    problem = salib_problem(list(names))
    src = list(sourced) if sourced is not None else [False] * len(names)
    aseed = design_seed(seed) + 1
    rows: list[dict[str, Any]] = []
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=aseed,
        )
        for j, name in enumerate(names):
            rows.append(
                {
                    "factor": name,
                    "S1": float(res["S1"][j]),
                    "S1_conf": float(res["S1_conf"][j]),
                    "ST": float(res["ST"][j]),
                    "ST_conf": float(res["ST_conf"][j]),
                    "sourced": bool(src[j]),
                }
            )
        rows.sort(key=lambda r: -r["ST"])
    elif method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(
            problem,
            x,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=MORRIS_LEVELS,
            seed=aseed,
        )
        for j, name in enumerate(names):
            rows.append(
                {
                    "factor": name,
                    "mu": float(res["mu"][j]),
                    "mu_star": float(res["mu_star"][j]),
                    "mu_star_conf": float(res["mu_star_conf"][j]),
                    "sigma": float(res["sigma"][j]),
                    "sourced": bool(src[j]),
                }
            )
        rows.sort(key=lambda r: -r["mu_star"])
    else:
        raise SensitivityError(f"unknown method {method!r} (known: {', '.join(METHODS)})")
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def analyze_model(
    space: Space,
    model: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    *,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    num_resamples: int = NUM_RESAMPLES,
) -> list[dict[str, Any]]:
    """Sample the space's design, evaluate ``model`` on the (points, k) factor values, and
    :func:`analyze` the outputs: the path a deterministic model (or a test function) takes."""
    unit = make_design(method, space.names, n, seed)
    y = np.asarray(model(space.values(unit)), dtype=float)
    return analyze(
        method,
        space.names,
        unit,
        y,
        sourced=[f.sourced for f in space.factors],
        seed=seed,
        num_resamples=num_resamples,
    )


def noise_share(
    per_half: tuple[NDArray[np.float64], NDArray[np.float64]], y: NDArray[np.float64]
) -> float:
    """Share of the output's variance that is replication noise, not the factors.

    ``per_half`` is the metric computed on each half of every point's replications: the mean of two
    halves has noise variance Var(Y1 - Y2) / 4, to compare with the total variance of Y.
    """
    y1, y2 = (np.asarray(a, dtype=float) for a in per_half)
    total = float(np.var(y, ddof=1))
    if not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(np.var(y1 - y2, ddof=1) / 4.0 / total)

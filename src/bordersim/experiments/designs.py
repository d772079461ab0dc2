"""Experimental designs over the unit cube: full grid, Latin hypercube, Sobol (Saltelli), Morris.

Every design returns an array of shape (points, k) in [0, 1]; :class:`~bordersim.experiments.factors.
Space` maps it to factor values through each factor's inverse CDF. All designs are reproducible from
the seed: the sampler's seed is derived from the root ``SeedSequence(seed)`` (a spawn key the design
points' streams never use), so the design and the replications draw from independent streams.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")
DESIGN_STREAM = 2**31 - 1  # spawn key of the design sampler's stream (points use 0, 1, 2, ...)
MORRIS_LEVELS = 4


def design_seed(seed: int) -> int:
    """The integer seed handed to the design sampler, derived from the root seed."""
    ss = np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,))
    return int(ss.generate_state(1)[0])


def salib_problem(names: list[str]) -> dict[str, Any]:
    """A SALib problem over the unit cube (the factors' own scales come from their inverse CDFs)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def grid(k: int, levels: int) -> NDArray[np.float64]:
    """Full factorial: ``levels`` equally spaced quantiles per factor, ends included."""
    if levels < 2:
        raise ValueError("a grid needs at least 2 levels per factor")
    if levels**k > 10_000_000:
        raise ValueError(f"a full grid of {levels}^{k} points is too large; use lhs or sobol")
    axis = np.linspace(0.0, 1.0, levels)
    return np.array(list(itertools.product(axis, repeat=k)), dtype=float).reshape(-1, k)


def latin_hypercube(k: int, points: int, seed: int) -> NDArray[np.float64]:
    """A Latin hypercube of ``points`` points (scipy's LatinHypercube, seeded)."""
    sampler = qmc.LatinHypercube(d=k, seed=np.random.default_rng(design_seed(seed)))
    return np.asarray(sampler.random(points), dtype=float)


def sobol_saltelli(names: list[str], n: int, seed: int) -> NDArray[np.float64]:
    """Saltelli's scheme for first-order and total Sobol indices: n * (k + 2) points."""
    from SALib.sample import sobol

    x = sobol.sample(salib_problem(names), n, calc_second_order=False, seed=design_seed(seed))
    return np.asarray(x, dtype=float)


def morris(names: list[str], trajectories: int, seed: int) -> NDArray[np.float64]:
    """Morris elementary-effects trajectories: trajectories * (k + 1) points."""
    from SALib.sample import morris as morris_sample

    x = morris_sample.sample(
        salib_problem(names), trajectories, num_levels=MORRIS_LEVELS, seed=design_seed(seed)
    )
    return np.asarray(x, dtype=float)


def make_design(design: str, names: list[str], points: int, seed: int) -> NDArray[np.float64]:
    """The unit-cube samples of a named design.

    ``points`` means: grid -- levels per factor; lhs -- points; sobol -- the base sample size N
    (Saltelli gives N * (k + 2) points; use a power of two); morris -- trajectories.
    """
    k = len(names)
    if design == "grid":
        return grid(k, points)
    if design == "lhs":
        return latin_hypercube(k, points, seed)
    if design == "sobol":
        return sobol_saltelli(names, points, seed)
    if design == "morris":
        return morris(names, points, seed)
    raise ValueError(f"unknown design {design!r} (known: {', '.join(DESIGNS)})")

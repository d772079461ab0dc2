"""engine.memory: the estimates scale as the arrays do, and a request beyond free memory is refused
with the figure and the way out."""

from __future__ import annotations

import pytest

from bordersim.engine.memory import (
    MemoryBudgetError,
    available_bytes,
    check_run,
    check_sweep,
    design_points,
    fmt_bytes,
    require,
    run_bytes,
)
from bordersim.scenario.builtin import load

DIMS = {"days": 365, "sectors": 24, "covert": 2, "crossings": 3}


def test_daily_array_dominates_and_matches_its_size() -> None:
    """The issue's `run -n 200000 --daily` keeps a 52 GiB int32 array (R x T x S x A x 4)."""
    daily = run_bytes(replications=200_000, daily=True, **DIMS)
    array = 200_000 * 365 * 24 * 2 * 4 * 4
    assert array / 2**30 == pytest.approx(52.2, abs=0.1)
    assert array <= daily <= 1.5 * array
    assert run_bytes(replications=200_000, daily=False, **DIMS) < daily / 50


def test_estimates_grow_linearly_in_replications() -> None:
    a = run_bytes(replications=10_000, daily=False, **DIMS)
    b = run_bytes(replications=20_000, daily=False, **DIMS)
    c = run_bytes(replications=40_000, daily=False, **DIMS)
    assert c - b == pytest.approx(2 * (b - a), rel=1e-6)


def test_design_points() -> None:
    assert design_points("lhs", 20, 5) == 20
    assert design_points("grid", 10, 30) == 10**30  # exact: no overflow
    assert design_points("sobol", 64, 5) == 64 * 7
    assert design_points("morris", 10, 5) == 60


def test_refusal_names_the_figure_and_the_way_out() -> None:
    sc = load("tajik-afghan-2021")
    with pytest.raises(MemoryBudgetError) as info:
        check_run(sc, replications=200_000, days=None, daily=True, available=8 * 2**30)
    msg = str(info.value)
    assert "GiB" in msg and "drop --daily" in msg and "8.0 GiB is free" in msg
    assert check_run(sc, replications=1000, days=None, daily=False, available=8 * 2**30) > 0
    with pytest.raises(MemoryBudgetError, match="compare fewer policies"):
        check_run(sc, replications=10**8, days=None, daily=False, policies=5, available=2**30)
    with pytest.raises(MemoryBudgetError, match="--dask"):
        check_sweep(
            sc, design="lhs", points=10**9, factors=10, policies=1, replications=100,
            days=None, available=8 * 2**30,
        )  # fmt: skip


def test_require_leaves_a_margin() -> None:
    require(79, "x", "y", available=100)
    with pytest.raises(MemoryBudgetError):
        require(81, "x", "y", available=100)


def test_available_memory_is_read() -> None:
    free = available_bytes()
    assert free is None or free > 0
    assert fmt_bytes(1536) == "1.5 KiB"

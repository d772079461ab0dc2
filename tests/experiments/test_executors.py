"""Backends: 1 worker, 2 worker processes and a Dask LocalCluster give bitwise-identical sweeps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from bordersim.experiments.executors import InlineBackend, ProcessBackend, make_backend, run_tasks
from bordersim.experiments.factors import build_space
from bordersim.experiments.store import open_results
from bordersim.experiments.sweep import make_plan, point_seed, run_sweep
from bordersim.scenario.builtin import load


def _plan():
    sc = load()
    space = build_space(sc, grouping="evidence")
    return make_plan(
        sc, space, design="lhs", points=6, policies=["baseline", "aid-equipment"],
        replications=20, days=30, seed=11,
    )  # fmt: skip


def assert_same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        x, y = a[name].values, b[name].values
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert np.array_equal(x, y), name
    for name in a.coords:
        assert np.array_equal(a[name].values, b[name].values), name


@pytest.mark.slow  # ~8 s (pytest --durations, one core)
def test_same_numbers_on_every_backend(tmp_path: Path):
    plan = _plan()
    results = {}
    for label, kwargs in (
        ("inline", {"workers": 1}),
        ("processes", {"workers": 2}),
        ("dask", {"workers": 2, "dask": "local"}),
    ):
        backend = make_backend(**kwargs)
        try:
            summary = run_sweep(plan, tmp_path / label, backend=backend)
        finally:
            backend.close()
        assert summary.computed == plan.n_points and not summary.failed
        results[label] = open_results(tmp_path / label).load()
    assert_same(results["inline"], results["processes"])
    assert_same(results["inline"], results["dask"])
    ds = results["inline"]
    # common random numbers: the same seed at a point for every policy, recorded per point
    assert ds["point_seed"].values.tolist() == [point_seed(11, i) for i in range(6)]
    assert ds.attrs["seed"] == 11 and ds.attrs["design"] == "lhs"
    assert len(ds.attrs["scenario_hash"]) == 64
    # more equipment never lowers the true rate under common random numbers here
    tr = ds["true_rate"].sel(metric_actor="drug_traffickers")
    assert (tr.sel(policy="aid-equipment") > tr.sel(policy="baseline")).all()


def test_run_tasks_reports_backend_failures():
    seen: list[tuple[int, object, object]] = []

    def fn(x: int) -> int:
        if x == 2:
            raise RuntimeError("boom")
        return x * x

    run_tasks(InlineBackend(), fn, range(4), lambda t, r, e: seen.append((t, r, e)))
    assert [(t, r) for t, r, _ in seen] == [(0, 0), (1, 1), (2, None), (3, 9)]
    assert isinstance(seen[2][2], RuntimeError)


def test_workers_must_be_positive():
    with pytest.raises(ValueError):
        ProcessBackend(0)


@pytest.mark.slow  # waits out the 10 s connection timeout
def test_an_unreachable_scheduler_is_one_message_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bordersim.cli.app import app

    out = tmp_path / "sweep"
    res = CliRunner().invoke(
        app,
        ["sweep", "--points", "2", "-n", "5", "--days", "5", "--dask", "tcp://127.0.0.1:1",
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 2
    assert "cannot reach a Dask scheduler" in res.output
    assert not out.exists()

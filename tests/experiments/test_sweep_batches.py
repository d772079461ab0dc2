"""Batched sweeps (issue 14): the scenario goes to each worker once and points travel and are stored
in batches, yet every batch size and worker count gives the same store, bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bordersim.engine.rundir import StoreError
from bordersim.experiments import store
from bordersim.experiments.executors import make_backend
from bordersim.experiments.factors import build_space
from bordersim.experiments.sweep import batch_size, make_plan, run_sweep
from bordersim.scenario.builtin import load

POINTS = 9


def _plan():
    sc = load()
    space = build_space(sc, grouping="evidence")
    return make_plan(
        sc, space, design="lhs", points=POINTS, policies=["baseline", "aid-equipment"],
        replications=6, days=5, seed=3,
    )  # fmt: skip


def _fingerprint(out: Path) -> tuple[dict[str, str], str, dict[str, np.ndarray]]:
    """The checksums of results.zarr's files, summary.json, and the arrays themselves."""
    manifest = json.loads((out / "manifest.json").read_text())
    sums = {k: v for k, v in manifest["checksums"].items() if k.startswith(store.RESULTS)}
    ds = store.open_results(out).load()
    return sums, (out / store.SUMMARY).read_text(), {k: ds[k].values for k in ds.data_vars}


@pytest.mark.slow  # ~10 s: two pools of worker processes
def test_batch_sizes_and_worker_counts_give_identical_stores(tmp_path: Path) -> None:
    plan = _plan()
    prints = {}
    for workers in (1, 2):
        backend = make_backend(workers=workers)
        try:
            for batch in (1, 7, POINTS):
                out = tmp_path / f"w{workers}-b{batch}"
                summary = run_sweep(plan, out, backend=backend, batch=batch)
                assert summary.computed == POINTS and not summary.failed
                files = sorted(p.name for p in (out / store.POINTS_DIR).iterdir())
                assert len(files) == {1: POINTS, 7: 2, POINTS: 1}[batch], files
                prints[(workers, batch)] = _fingerprint(out)
        finally:
            backend.close()
    ref_sums, ref_summary, ref_arrays = prints[(1, 1)]
    assert any("covert" in k for k in ref_sums)
    for key, (sums, summary, arrays) in prints.items():
        assert sums == ref_sums, key
        assert summary == ref_summary, key
        for name, x in ref_arrays.items():
            assert np.array_equal(arrays[name], x, equal_nan=x.dtype.kind == "f"), (key, name)


def test_a_batch_file_is_checked_when_read(tmp_path: Path) -> None:
    plan = _plan()
    out = tmp_path / "s"
    run_sweep(plan, out, batch=5)
    path = store.batch_path(out, 0)
    assert store.batch_points(path) == [0, 1, 2, 3, 4]
    assert store.finished_points(out) == set(range(POINTS))
    shape = (2, 6, len(plan.actors), 4)
    _idx, covert, cost = store.read_batch(path, shape=shape, key=plan.key())
    assert covert.shape == (5, *shape) and cost.shape == (5, 2)
    with pytest.raises(StoreError, match="another sweep plan"):
        store.read_batch(path, shape=shape, key="another-plan")
    with pytest.raises(StoreError, match="wrong shape"):
        store.read_batch(path, shape=(2, 5, len(plan.actors), 4), key=plan.key())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match=r"batch-000000\.npz: damaged batch file"):
        store.finished_points(out)


def test_batch_size_keeps_every_worker_busy() -> None:
    assert batch_size(3, 1) == 1
    assert batch_size(33_792, 100) == 43  # ~8 tasks per worker
    assert batch_size(10**6, 100) == 64  # capped
    assert batch_size(0, 4) == 1

"""Sweeps survive being killed: resume computes only missing points and gives identical results;
a failing design point is recorded and the sweep carries on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.experiments import store
from bordersim.experiments.factors import Experiment, build_space
from bordersim.experiments.store import open_results
from bordersim.experiments.sweep import SweepError, make_plan, run_sweep
from bordersim.scenario.builtin import load

BIN = Path(sys.executable).with_name("bordersim")
ARGS = ["sweep", "--design", "lhs", "--points", "10", "--replications", "150", "--days", "30",
        "--seed", "5", "--group-by", "evidence"]  # fmt: skip


def _datasets_equal(a, b) -> None:
    for name in a.data_vars:
        x, y = a[name].values, b[name].values
        kw = {"equal_nan": True} if x.dtype.kind == "f" else {}
        assert np.array_equal(x, y, **kw), name
    # provenance is identical except the command, which names a different --out
    assert {k: v for k, v in a.attrs.items() if k != "command"} == {
        k: v for k, v in b.attrs.items() if k != "command"
    }


@pytest.mark.slow  # ~8 s (pytest --durations, one core)
def test_kill_and_resume_is_identical(tmp_path: Path):
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    proc = subprocess.Popen(
        [str(BIN), *ARGS, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    try:
        while len(store.finished_points(killed)) < 2:
            assert proc.poll() is None, "sweep finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done = store.finished_points(killed)
    assert 2 <= len(done) < 10
    assert not (killed / store.RESULTS).exists()

    res = subprocess.run(
        [str(BIN), *ARGS, "--out", str(killed), "--resume"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert f"{10 - len(done)} computed, {len(done)} reused" in " ".join(res.stdout.split())
    res = subprocess.run([str(BIN), *ARGS, "--out", str(whole)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    _datasets_equal(open_results(killed).load(), open_results(whole).load())
    # the point files are batched differently (the resumed run batches only the missing points);
    # the consolidated arrays above are what must be identical
    assert store.finished_points(killed) == store.finished_points(whole) == set(range(10))


def test_resume_with_other_settings_is_refused(tmp_path: Path):
    sc = load()
    space = build_space(sc, grouping="evidence")
    plan = make_plan(sc, space, design="lhs", points=2, replications=5, days=5, seed=1)
    run_sweep(plan, tmp_path)
    with pytest.raises(SweepError, match="already holds"):
        run_sweep(plan, tmp_path)
    other = make_plan(sc, space, design="lhs", points=2, replications=6, days=5, seed=1)
    with pytest.raises(SweepError, match="replications"):
        run_sweep(other, tmp_path, resume=True)
    assert run_sweep(plan, tmp_path, resume=True).reused == 2


def test_a_failing_point_is_recorded_and_the_sweep_carries_on(tmp_path: Path):
    sc = load()
    exp = Experiment(factors={"units.tj_border_troops.availability": {"low": 0.5, "high": 1.5}})
    space = build_space(sc, grouping="quantity", experiment=exp)
    plan = make_plan(sc, space, design="lhs", points=8, replications=5, days=10, seed=4)
    summary = run_sweep(plan, tmp_path)
    j = space.names.index("units.tj_border_troops.availability")
    bad = {i for i in range(8) if space.values(plan.unit_samples)[i, j] > 1}
    assert bad and len(bad) < 8
    assert set(summary.failed) == bad
    assert summary.computed == 8 - len(bad)
    (reason,) = summary.failure_reasons()
    assert "availability must lie in" in reason
    ds = open_results(tmp_path).load()
    for i in range(8):
        failed = i in bad
        assert bool(ds["error"].values[i]) == failed
        assert np.isnan(ds["true_rate"].values[i]).all() == failed
        assert np.isnan(ds["covert"].values[i]).all() == failed
    info = json.loads((tmp_path / store.SUMMARY).read_text())
    assert info["failed"] == len(bad) and info["failed_points"] == sorted(bad)


def test_cli_user_errors_exit_2(tmp_path: Path):
    runner = CliRunner()
    res = runner.invoke(app, ["sweep", "--fix", "no.such=1", "--out", str(tmp_path / "a")])
    assert res.exit_code == 2 and "unknown factor" in res.output
    res = runner.invoke(app, ["sweep", "--policy", "nope", "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "unknown policy" in res.output
    res = runner.invoke(app, ["sensitivity", "--metric", "speed", "--out", str(tmp_path / "c")])
    assert res.exit_code == 2 and "unknown metric" in res.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()

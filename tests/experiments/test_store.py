"""Stores are checked when read (issue 11): a deleted or truncated Zarr chunk, a point file that is
damaged, of the wrong shape or from another plan, an empty or garbled plan or manifest are named,
never read as zeros."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.engine import rundir
from bordersim.engine.rundir import OutputBusyError, StoreError
from bordersim.experiments import store
from bordersim.experiments.factors import build_space
from bordersim.experiments.sweep import SweepError, make_plan, run_sweep
from bordersim.scenario.builtin import load

runner = CliRunner()
SWEEP = ["sweep", "--design", "lhs", "--points", "3", "-n", "4", "--days", "5", "--seed", "1"]


def _one_message(text: str) -> str:
    assert "Traceback" not in text
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert lines and lines[0].startswith("error:"), text
    return " ".join(lines)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", "-n", "20", "--days", "10", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _chunk(run_dir: Path) -> Path:
    return run_dir / "results.zarr" / "covert" / "0.0.0.0"


def test_report_on_a_deleted_chunk_fails_with_one_message(run_dir: Path) -> None:
    # what the store alone would do: the missing chunk comes back as the fill value
    _chunk(run_dir).unlink()
    filled = xr.open_zarr(run_dir / "results.zarr")["covert"].values
    assert not filled.any() or np.isnan(filled).all()
    res = runner.invoke(app, ["report", str(run_dir)])
    assert res.exit_code == 2
    msg = _one_message(res.output)
    assert "covert/0.0.0.0" in msg and "missing" in msg
    assert not (run_dir / "report.html").exists()


def test_a_truncated_chunk_is_named(run_dir: Path) -> None:
    data = _chunk(run_dir).read_bytes()
    _chunk(run_dir).write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match=r"covert/0\.0\.0\.0: changed or truncated"):
        rundir.verify(run_dir)
    res = runner.invoke(app, ["report", str(run_dir)])
    assert res.exit_code == 2 and "truncated" in _one_message(res.output)


def test_an_intact_run_verifies(run_dir: Path) -> None:
    manifest = rundir.verify(run_dir)
    assert manifest["kind"] == "run"
    assert any(k.startswith("results.zarr/covert/") for k in manifest["checksums"])


@pytest.mark.parametrize(
    ("text", "what"), [("", "empty"), ("{garbled", "not valid JSON"), ("[1, 2]", "not a bordersim")]
)
def test_empty_or_garbled_manifest_is_named(run_dir: Path, text: str, what: str) -> None:
    (run_dir / "manifest.json").write_text(text)
    with pytest.raises(StoreError, match=what):
        rundir.read_manifest(run_dir)
    res = runner.invoke(app, ["report", str(run_dir)])
    assert res.exit_code == 2
    assert "manifest.json" in _one_message(res.output)


# ---- sweeps ---------------------------------------------------------------------------------------
@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    out = tmp_path / "sweep"
    res = runner.invoke(app, [*SWEEP, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _resume(out: Path) -> str:
    res = runner.invoke(app, [*SWEEP, "--out", str(out), "--resume"])
    assert res.exit_code == 2, res.output
    return _one_message(res.output)


def test_a_point_of_the_wrong_shape_is_not_broadcast_in(sweep_dir: Path) -> None:
    path = store.point_path(sweep_dir, 1)
    with np.load(path) as d:
        covert, cost = d["covert"], d["cost"]
    np.savez(path, covert=covert[:, :1], cost=cost)  # one replication instead of four
    msg = _resume(sweep_dir)
    assert "000001.npz" in msg and "wrong shape" in msg


def test_a_truncated_point_is_named(sweep_dir: Path) -> None:
    path = store.point_path(sweep_dir, 2)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    msg = _resume(sweep_dir)
    assert "000002.npz" in msg and "damaged point file" in msg


def test_a_bit_flip_in_a_point_is_caught_by_the_zip_crc(sweep_dir: Path) -> None:
    path = store.point_path(sweep_dir, 0)
    with np.load(path) as d:
        covert = d["covert"]
    raw = bytearray(path.read_bytes())
    needle = covert.tobytes()[:16]
    at = bytes(raw).find(needle)
    assert at > 0
    raw[at] ^= 0x01  # stored uncompressed: flip one bit of the counts
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match=r"000000\.npz: damaged"):
        store.read_point(sweep_dir, 0, shape=covert.shape)


def test_a_point_from_another_plan_is_refused(sweep_dir: Path) -> None:
    path = store.point_path(sweep_dir, 0)
    with np.load(path) as d:
        covert, cost = d["covert"], d["cost"]
    store.write_point(sweep_dir, 0, covert, cost, key="another-plan")
    msg = _resume(sweep_dir)
    assert "000000.npz" in msg and "another sweep plan" in msg


@pytest.mark.parametrize("text", ["", "{garbled", '{"identity": {}}'])
def test_an_empty_or_garbled_plan_is_named(sweep_dir: Path, text: str) -> None:
    (sweep_dir / "plan.json").write_text(text)
    msg = _resume(sweep_dir)
    assert "plan.json" in msg


def test_a_deleted_sweep_chunk_is_named(sweep_dir: Path) -> None:
    store.open_results(sweep_dir)  # intact: fine
    chunk = next((sweep_dir / "results.zarr" / "true_rate").glob("0*"))
    chunk.unlink()
    with pytest.raises(StoreError, match="true_rate/0"):
        store.open_results(sweep_dir)


def test_every_sweep_variable_has_cf_attributes(sweep_dir: Path) -> None:
    ds = store.open_results(sweep_dir)
    for name, var in ds.variables.items():
        assert var.attrs.get("long_name"), name
        if var.dtype.kind in "iuf":
            assert "units" in var.attrs, name
    assert ds["cost_rub"].attrs["units"] == "RUB"
    manifest = json.loads((sweep_dir / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and "results.zarr" in manifest["artefacts"]["sweep"]


def test_sweep_into_a_file_or_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("mine")
    res = runner.invoke(app, [*SWEEP, "--out", str(tmp_path / "f")])
    assert res.exit_code == 2 and "is a file" in _one_message(res.output)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "thesis.tex").write_text("x")
    res = runner.invoke(app, [*SWEEP, "--out", str(tmp_path / "d")])
    assert res.exit_code == 2 and "not empty" in _one_message(res.output)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["d", "f", "thesis.tex"]


def test_a_run_into_a_sweep_dir_is_refused(sweep_dir: Path) -> None:
    res = runner.invoke(app, ["run", "-n", "5", "--days", "5", "--out", str(sweep_dir)])
    assert res.exit_code == 2 and "holds a bordersim sweep" in _one_message(res.output)


def test_one_sweep_at_a_time_in_a_directory(tmp_path: Path) -> None:
    sc = load("tajik-afghan-2021")
    space = build_space(sc, grouping="evidence")
    plan = make_plan(sc, space, design="lhs", points=2, replications=2, days=3, seed=0)
    out = tmp_path / "sweep"
    with rundir.locked(out):
        with pytest.raises(OutputBusyError, match="another bordersim process"):
            run_sweep(plan, out)
    run_sweep(plan, out)
    assert store.finished_points(out) == {0, 1}
    with pytest.raises(SweepError, match="already holds a sweep"):
        run_sweep(plan, out)
    shutil.rmtree(out)


def test_sweep_on_a_full_disk_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    res = runner.invoke(app, [*SWEEP, "--out", str(tmp_path / "sweep")])
    assert res.exit_code == 2 and "the disk is full" in _one_message(res.output)
    assert os.listdir(tmp_path) == []

"""Output safety (issue 11) and results files (issue 10): bordersim never destroys what it did not
write, one writer at a time, nothing partial on a full disk, ordinary permissions, CF attributes."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.engine import rundir
from bordersim.engine.rundir import (
    NotARunDirError,
    OutputBusyError,
    OutputWriteError,
    write_dir,
)

runner = CliRunner()
RUN = ["run", "-n", "20", "--days", "10"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def _tree(d: Path) -> dict[str, bytes]:
    """Every file under ``d`` with its bytes (the state a refused write must leave alone)."""
    return {
        p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()
    }


def _bordersim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bordersim", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_message(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert "Traceback" not in text
    assert lines and lines[0].startswith("error:"), text
    return " ".join(lines)


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rundir") / "run"
    res = runner.invoke(app, [*RUN, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_data_loss_reproduction_keeps_thesis(tmp_path: Path) -> None:
    (tmp_path / "mydata").mkdir()
    (tmp_path / "mydata" / "thesis.tex").write_text("x\n")
    res = _bordersim(*RUN, "--out", "mydata", cwd=tmp_path)
    assert res.returncode == 2
    msg = _one_message(res.stderr)
    assert "mydata" in msg and "not written by bordersim" in msg
    assert _tree(tmp_path / "mydata") == {"thesis.tex": b"x\n"}
    assert sorted(os.listdir(tmp_path)) == ["mydata"]  # no sibling either


def test_a_file_as_out_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    res = runner.invoke(app, [*RUN, "--out", str(tmp_path / "notes.txt")])
    assert res.exit_code == 2 and "is a file" in res.output
    assert _tree(tmp_path) == {"notes.txt": b"mine"}


def test_garbled_manifest_dir_is_not_ours(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    (tmp_path / "data.csv").write_text("a,b\n")
    before = _tree(tmp_path)
    with pytest.raises(NotARunDirError, match="not valid JSON"):
        write_dir(tmp_path, {"x.json": "{}"}, writer="run")
    assert _tree(tmp_path) == before


def test_rerun_keeps_foreign_files_and_force_clears_them(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, [*RUN, "--out", str(out)]).exit_code == 0
    (out / "report.html").write_text("<html>mine</html>")
    (out / "notes.txt").write_text("n")
    res = runner.invoke(
        app, ["compare", "-p", "tajik-only", "-p", "russian-guards-return", "-n", "5",
              "--days", "5", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    compare = (out / "compare.json").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["artefacts"]["compare"] == ["compare.json"]
    assert manifest["scenario"] == "tajik-afghan-2021"  # compare kept the run's provenance
    res = runner.invoke(app, [*RUN, "--seed", "9", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "compare.json").read_bytes() == compare
    assert (out / "report.html").read_text() == "<html>mine</html>"
    assert (out / "notes.txt").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 9 and manifest["artefacts"]["compare"] == ["compare.json"]
    rundir.verify(out, "run")
    res = runner.invoke(app, [*RUN, "--force", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert rundir.foreign_entries(out) == [
        "input_draws.csv", "manifest.json", "results.zarr", "summary.csv",
        "summary.csv-metadata.json", "summary.json",
    ]  # fmt: skip


def test_staging_left_by_a_killed_write_is_cleaned(run_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_dir(out, {"a.txt": "1"}, writer="run")
    stale = out / ".bordersim-tmp-dead"
    (stale / "results.zarr").mkdir(parents=True)
    (stale / "results.zarr" / "junk").write_bytes(b"\0" * 10)
    (out / ".bordersim-old-dead").mkdir()
    write_dir(out, {"a.txt": "2"}, writer="run")
    assert sorted(os.listdir(out)) == [".bordersim.lock", "a.txt", "manifest.json"]
    assert (out / "a.txt").read_text() == "2"


def test_a_process_killed_mid_write_leaves_the_old_run_then_is_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_dir(out, {"a.txt": "old"}, writer="run")
    before = _tree(out)
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from bordersim.engine.rundir import write_dir
        def slow(path: Path) -> None:
            path.write_text("half")
            print("writing", flush=True)
            time.sleep(60)
        write_dir(Path({str(out)!r}), {{"a.txt": slow}}, writer="run")
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=ENV, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    visible = {k: v for k, v in _tree(out).items() if not k.startswith(".bordersim-tmp-")}
    assert visible == before  # the killed write changed nothing outside its staging
    assert any(n.startswith(".bordersim-tmp-") for n in os.listdir(out))
    write_dir(out, {"a.txt": "new"}, writer="run")
    assert not any(n.startswith(".bordersim-tmp-") for n in os.listdir(out))
    assert (out / "a.txt").read_text() == "new"


def test_concurrent_writers_one_wins_the_other_is_told(tmp_path: Path) -> None:
    out = tmp_path / "run"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from bordersim.engine.rundir import write_dir
        def slow(path: Path) -> None:
            print("writing", flush=True)
            go = Path({str(tmp_path / "go")!r})
            deadline = time.monotonic() + 120
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            path.write_text("first")
        write_dir(Path({str(out)!r}), {{"a.txt": slow}}, writer="run")
        print("written", flush=True)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=ENV, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        res = _bordersim(*RUN, "--out", str(out), cwd=tmp_path)
        assert proc.poll() is None, "the first writer finished too early to test the lock"
        assert res.returncode == 2
        assert "another bordersim process is writing" in _one_message(res.stderr)
        with pytest.raises(OutputBusyError):
            write_dir(out, {"a.txt": "second"}, writer="run")
        (tmp_path / "go").touch()
        assert proc.stdout.readline().strip() == "written"
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == 0
    assert (out / "a.txt").read_text() == "first"
    assert json.loads((out / "manifest.json").read_text())["artefacts"] == {"run": ["a.txt"]}


def _no_space(*_a: object, **_k: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_leaves_nothing_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", _no_space)
    res = runner.invoke(app, [*RUN, "--out", str(tmp_path / "new")])
    assert res.exit_code == 2, res.output
    assert "the disk is full" in _one_message(res.output)
    assert os.listdir(tmp_path) == []


def test_disk_full_leaves_the_old_run_whole(run_out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _tree(run_out)
    monkeypatch.setattr(os, "fsync", _no_space)
    res = runner.invoke(app, [*RUN, "--seed", "3", "--out", str(run_out)])
    assert res.exit_code == 2 and "the disk is full" in res.output
    assert _tree(run_out) == before
    assert not [n for n in os.listdir(run_out) if n.startswith(".bordersim-tmp-")]


def test_read_only_folder_is_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*_a: object, **_k: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "open", read_only)  # the lock file is the first thing written
    res = runner.invoke(app, [*RUN, "--out", str(tmp_path / "new")])
    assert res.exit_code == 2 and "Read-only file system" in _one_message(res.output)
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0555 folder anyway")
def test_read_only_folder_for_real(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        res = runner.invoke(app, [*RUN, "--out", str(ro / "run")])
        assert res.exit_code == 2 and "cannot write" in _one_message(res.output)
        assert os.listdir(ro) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize(
    ("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)]
)
def test_permissions_are_ordinary_and_respect_umask(
    tmp_path: Path, mask: int, file_mode: int, dir_mode: int
) -> None:
    old = os.umask(mask)
    try:
        res = runner.invoke(app, [*RUN, "--out", str(tmp_path / "run")])
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    out = tmp_path / "run"
    for p in [out, *out.rglob("*")]:
        mode = p.stat().st_mode & 0o777
        assert mode == (dir_mode if p.is_dir() else file_mode), (p, oct(mode))


def test_every_store_variable_and_csv_column_has_units_and_long_name(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = runner.invoke(app, [*RUN, "--daily", "--out", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.open_zarr(out / "results.zarr")
    assert "incursion_engagements" in ds and "covert_daily" in ds  # the 2021 case has both
    for name, var in ds.variables.items():
        assert var.attrs.get("long_name"), name
        if var.dtype.kind in "iuf":
            assert "units" in var.attrs, name
    assert ds["length_km"].attrs["units"] == "km"
    assert ds["request_day"].attrs["units"] == "d"
    req = ds["request_day"].values
    assert not np.isinf(req).any()  # "never requested" is NaN in the store, not inf
    meta = json.loads((out / "summary.csv-metadata.json").read_text())
    header = (out / "summary.csv").read_text().splitlines()[0].split(",")
    cols = meta["tableSchema"]["columns"]
    assert [c["name"] for c in cols] == header
    for c in cols:
        assert c["titles"], c
        if c["datatype"] == "double":
            assert c["units"] == ("kg" if c["name"].startswith("seized_kg") else "1"), c
            assert c["long_name"], c
    assert next(c for c in cols if c["name"] == "true_rate_lo")["long_name"].startswith("lower 95%")


def test_never_requested_is_nan_in_the_store(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = runner.invoke(app, [*RUN, "--policy", "tajik-only", "--out", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    req = xr.open_zarr(out / "results.zarr")["request_day"].values
    never = np.isnan(req)
    assert never.mean() == pytest.approx(1 - summary["escalation"]["requested_share"])


def test_clean_json_is_the_one_cleaner() -> None:
    data = {"a": float("nan"), "b": (1.123456789012345, np.float32(2.5)), "c": np.int64(3)}
    assert rundir.clean_json(data) == {"a": None, "b": [1.1234567890, 2.5], "c": 3}
    assert rundir.clean_json(data, digits=None)["b"][0] == 1.123456789012345
    assert rundir.dumps_json({"x": float("inf")}) == '{\n  "x": null\n}'


def test_atomic_write_refuses_a_directory_and_reports_enospc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NotARunDirError):
        rundir.atomic_write(tmp_path, "x")
    monkeypatch.setattr(os, "fsync", _no_space)
    with pytest.raises(OutputWriteError, match="disk is full"):
        rundir.atomic_write(tmp_path / "f.txt", "x")
    assert os.listdir(tmp_path) == []


def test_the_lock_is_released_when_its_holder_is_done(tmp_path: Path) -> None:
    with rundir.locked(tmp_path):
        with pytest.raises(OutputBusyError):
            write_dir(tmp_path, {"a": "1"}, writer="run")
    write_dir(tmp_path, {"a": "1"}, writer="run")
    assert (tmp_path / "a").read_text() == "1"


def test_report_is_registered_kept_by_a_rerun_and_never_overwrites_a_foreign_file(
    run_out: Path, tmp_path: Path
) -> None:
    res = runner.invoke(app, ["report", str(run_out)])
    assert res.exit_code == 0, res.output
    assert json.loads((run_out / "manifest.json").read_text())["artefacts"]["report"] == [
        "report.html"
    ]
    html = (run_out / "report.html").read_bytes()
    res = runner.invoke(app, [*RUN, "--seed", "4", "--out", str(run_out)])
    assert res.exit_code == 0, res.output
    assert (run_out / "report.html").read_bytes() == html
    mine = tmp_path / "mine.html"
    mine.write_text("<p>my own page</p>")
    figures = sorted(os.listdir(run_out / "figures"))
    stamps = {n: (run_out / "figures" / n).stat().st_mtime_ns for n in figures}
    res = runner.invoke(app, ["report", str(run_out), "--output", str(mine)])
    assert res.exit_code == 2 and "not written by bordersim" in _one_message(res.output)
    assert mine.read_text() == "<p>my own page</p>"
    assert {n: (run_out / "figures" / n).stat().st_mtime_ns for n in figures} == stamps
    (tmp_path / "old.html").write_bytes(html)  # a bordersim report elsewhere may be replaced
    res = runner.invoke(app, ["report", str(run_out), "--output", str(tmp_path / "old.html")])
    assert res.exit_code == 0, res.output


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, where the test may mount one (root with CAP_SYS_ADMIN)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    cmd = ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)]
    if shutil.which("mount") is None or subprocess.run(cmd, capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here; test_disk_full_* simulate ENOSPC instead")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_really_full_disk(small_disk: Path) -> None:
    out = small_disk / "run"
    res = runner.invoke(app, [*RUN, "--out", str(out)])
    assert res.exit_code == 0, res.output
    before = _tree(out)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * max(free - 8192, 0))
    res = runner.invoke(app, [*RUN, "--seed", "8", "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "the disk is full" in _one_message(res.output)
    assert _tree(out) == before
    res = runner.invoke(app, [*RUN, "--out", str(small_disk / "new")])
    assert res.exit_code == 2 and "the disk is full" in res.output
    assert sorted(os.listdir(small_disk)) == ["filler", "run"]

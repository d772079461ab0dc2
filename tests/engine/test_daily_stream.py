"""Streamed daily runs (issue 14): the daily arrays are written to the store chunk by chunk, with
the numbers of a daily run held in memory, bit for bit, and a run directory that verifies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from bordersim.engine import rundir
from bordersim.engine.kernel import simulate, simulate_streamed
from bordersim.engine.rng import RNG_BLOCK
from bordersim.engine.store import write_run
from bordersim.model.compile import compile_scenario
from bordersim.scenario.builtin import load


@pytest.mark.parametrize("name", ["tajik-afghan-2021", "tajik-afghan-2015"])
def test_streamed_daily_store_equals_the_in_memory_one(tmp_path: Path, name: str) -> None:
    compiled = compile_scenario(load(name), days=12)
    reps = 2 * RNG_BLOCK + 17  # three chunks, the last one short
    whole = simulate(compiled, reps, 5, mode="daily")
    streamed = simulate_streamed(compiled, reps, 5)
    assert not isinstance(streamed.covert_daily, np.ndarray)  # lazy: never whole in memory
    write_run(whole, tmp_path / "whole", ["test"])
    write_run(streamed, tmp_path / "streamed", ["test"])
    rundir.verify(tmp_path / "streamed")  # the manifest's checksums hold
    a = xr.open_zarr(tmp_path / "whole" / "results.zarr").load()
    b = xr.open_zarr(tmp_path / "streamed" / "results.zarr").load()
    assert set(a.data_vars) == set(b.data_vars) and "covert_daily" in b
    for var in a.data_vars:
        x, y = a[var].values, b[var].values
        assert x.dtype == y.dtype, var
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), var
    assert a.attrs == b.attrs
    for f in ("summary.csv", "summary.json"):
        assert (tmp_path / "whole" / f).read_bytes() == (tmp_path / "streamed" / f).read_bytes()


def test_chunk_must_be_a_multiple_of_the_stream_block() -> None:
    compiled = compile_scenario(load(), days=3)
    with pytest.raises(ValueError, match="multiple"):
        simulate_streamed(compiled, 10, 1, chunk=RNG_BLOCK + 1)

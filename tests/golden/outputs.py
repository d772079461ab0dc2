"""Produce the golden outputs: each case's ``--json`` stdout, and the 6-point sweep's files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from golden.cases import GOLDEN_CASES, SWEEP_ARGS
from typer.testing import CliRunner

from bordersim.cli.app import app


def _invoke(args: list[str]) -> str:
    # Outputs that record their command line (compare.json's "command") read sys.argv.
    saved, sys.argv = sys.argv, ["bordersim", *args]
    try:
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    finally:
        sys.argv = saved
    if result.exit_code != 0:
        raise AssertionError(
            f"bordersim {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        )
    return result.stdout


def _sweep_outputs(tmp: Path) -> dict[str, str]:
    import numpy as np
    import xarray as xr

    out = tmp / "sweep"
    _invoke([*SWEEP_ARGS, "--out", str(out)])
    ds = xr.open_zarr(out / "results.zarr").load()
    arrays = {name: np.asarray(ds[name].values).tolist() for name in sorted(ds.data_vars)}
    coords = {name: np.asarray(ds[name].values).tolist() for name in sorted(ds.coords)}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary.pop("elapsed_s", None)
    body = {"summary": summary, "data": arrays, "coords": coords}
    return {"sweep-6": json.dumps(body, sort_keys=True, indent=1, default=str) + "\n"}


def golden_outputs(tmp: Path) -> dict[str, str]:
    """Every golden output, by case name."""
    outputs = {name: _invoke(args) for name, args in GOLDEN_CASES.items()}
    outputs.update(_sweep_outputs(tmp))
    return outputs

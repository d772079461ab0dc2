"""The sweep's results store: one file per finished design point, consolidated into one Zarr store.

Layout of a sweep directory::

    plan.json             what is being run (design, factors, seeds, policies); fixed at the start
    points/000017.npz     a finished point: per-replication outcome counts for every policy
    points/000018.error.json  a point whose compile or simulation raised, with the message
    results.zarr          the consolidated xarray Dataset, built from the point files in point order
    summary.json          counts, failures and why, per-policy metric means

Every file is written to a temporary name in the same directory and renamed into place
(``os.replace``), so a point file exists only when complete: a killed sweep leaves only whole points,
and ``--resume`` computes the rest. The consolidated store depends only on the point files, read in
point order, so an interrupted-and-resumed sweep gives the same arrays as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from bordersim.model.outcomes import OUTCOMES

PLAN_FILE = "plan.json"
POINTS_DIR = "points"
RESULTS = "results.zarr"
SUMMARY = "summary.json"


def point_path(out: Path, index: int) -> Path:
    return Path(out) / POINTS_DIR / f"{index:06d}.npz"


def error_path(out: Path, index: int) -> Path:
    return Path(out) / POINTS_DIR / f"{index:06d}.error.json"


def _atomic_bytes(path: Path, write: Any) -> None:
    """Write via ``write(fileobj)`` to a temporary sibling, fsync, and rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Atomically write JSON (sorted keys, so identical data gives identical bytes)."""
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False, default=str) + "\n"
    _atomic_bytes(Path(path), lambda fh: fh.write(text.encode("utf-8")))


def write_point(
    out: Path, index: int, covert: NDArray[np.int64], cost: NDArray[np.float64]
) -> Path:
    """Store one finished point: covert counts (policy, replication, actor, outcome) and the cost of
    each policy. Removes an error record a previous attempt left."""
    path = point_path(out, index)
    _atomic_bytes(path, lambda fh: np.savez(fh, covert=covert, cost=cost))
    error_path(out, index).unlink(missing_ok=True)
    return path


def write_point_error(out: Path, index: int, message: str) -> Path:
    """Record a failed point with its error message."""
    path = error_path(out, index)
    write_json(path, {"point": index, "error": message})
    return path


def read_point(out: Path, index: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    with np.load(point_path(out, index)) as data:
        return np.asarray(data["covert"]), np.asarray(data["cost"])


def read_error(out: Path, index: int) -> str:
    return str(json.loads(error_path(out, index).read_text(encoding="utf-8"))["error"])


def finished_points(out: Path) -> set[int]:
    """Indices of points with a complete result file."""
    d = Path(out) / POINTS_DIR
    if not d.is_dir():
        return set()
    return {int(p.name.split(".")[0]) for p in d.glob("[0-9]*.npz")}


def failed_points(out: Path) -> set[int]:
    d = Path(out) / POINTS_DIR
    if not d.is_dir():
        return set()
    return {int(p.name.split(".")[0]) for p in d.glob("[0-9]*.error.json")}


def clean_temporaries(out: Path) -> None:
    """Remove temporary files a killed run left behind (never complete, never read)."""
    for d in (Path(out), Path(out) / POINTS_DIR):
        if d.is_dir():
            for p in d.glob(".*.tmp"):
                p.unlink(missing_ok=True)
            for p in d.glob(".results.zarr.*"):
                shutil.rmtree(p, ignore_errors=True)


def consolidate(
    out: Path,
    *,
    n_points: int,
    policies: Sequence[str],
    replications: int,
    actors: Sequence[str],
    factor_names: Sequence[str],
    unit_samples: NDArray[np.float64],
    factor_values: NDArray[np.float64],
    factor_sourced: Sequence[bool],
    factor_kind: Sequence[str],
    point_seeds: NDArray[np.uint64],
    metrics: Mapping[str, Any],
    attrs: Mapping[str, Any],
) -> xr.Dataset:
    """Build ``results.zarr`` from the point files, in point order, and rename it into place.

    ``metrics`` maps a metric name to a function of the (point, policy, replication, actor, outcome)
    counts that returns (point, policy, actor + 'all') per-point values. Missing or failed points are
    NaN, with their error message in the ``error`` variable.
    """
    out = Path(out)
    K, A = len(policies), len(actors)
    covert = np.full((n_points, K, replications, A, len(OUTCOMES)), np.nan)
    cost = np.full((n_points, K), np.nan)
    errors = [""] * n_points
    for i in range(n_points):
        if point_path(out, i).exists():
            c, k = read_point(out, i)
            covert[i] = c
            cost[i] = k
        elif error_path(out, i).exists():
            errors[i] = read_error(out, i)
        else:
            errors[i] = "not run"
    metric_actor = [*actors, "all"]
    data: dict[str, Any] = {
        "covert": (("point", "policy", "replication", "actor", "outcome"), covert),
        "cost_rub": (("point", "policy"), cost),
        "unit_sample": (("point", "factor"), np.asarray(unit_samples, dtype=float)),
        "factor_value": (("point", "factor"), np.asarray(factor_values, dtype=float)),
        "point_seed": (("point",), np.asarray(point_seeds, dtype=np.uint64)),
        "error": (("point",), np.array(errors, dtype=str)),
        "factor_sourced": (("factor",), np.array(factor_sourced, dtype=bool)),
        "factor_kind": (("factor",), np.array(factor_kind, dtype=str)),
    }
    for name, fn in metrics.items():
        data[name] = (("point", "policy", "metric_actor"), fn(covert))
    coords = {
        "point": np.arange(n_points),
        "policy": list(policies),
        "replication": np.arange(replications),
        "actor": list(actors),
        "metric_actor": metric_actor,
        "outcome": list(OUTCOMES),
        "factor": list(factor_names),
    }
    ds = xr.Dataset(data, coords=coords, attrs=dict(attrs))
    tmp = Path(tempfile.mkdtemp(prefix=f".{RESULTS}.", dir=out))
    try:
        ds.to_zarr(tmp / RESULTS, mode="w", consolidated=True, zarr_format=2)
        final = out / RESULTS
        if final.exists():
            old = out / f".{RESULTS}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp / RESULTS, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp / RESULTS, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ds


def open_results(out: Path) -> xr.Dataset:
    """Open a consolidated sweep store (lazily)."""
    return xr.open_zarr(Path(out) / RESULTS, consolidated=True)

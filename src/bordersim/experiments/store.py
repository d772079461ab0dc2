"""The sweep's results store: one file per finished design point, consolidated into one Zarr store.

Layout of a sweep directory::

    plan.json             what is being run (design, factors, seeds, policies); fixed at the start
    points/000017.npz     a finished point: per-replication outcome counts for every policy
    points/batch-000018.npz   a batch of finished points (its ``points`` array names them), written
                          at once: a sweep at cluster scale writes one file per task, not per point
    points/000018.error.json  a point whose compile or simulation raised, with the message
    results.zarr          the consolidated xarray Dataset, built from the point files in point order
    summary.json          counts, failures and why, per-policy metric means
    manifest.json         the artefacts, and the checksums of results.zarr's files

Every file is written through :mod:`bordersim.engine.rundir`: to a temporary name in the same
directory, then renamed into place, so a point file exists only when complete: a killed sweep leaves
only whole points, and ``--resume`` computes the rest. Point files are checked when read (zip CRC,
shape, plan key), so a damaged one is named, never read as zeros. The consolidated store depends only on the point files, read in
point order, so an interrupted-and-resumed sweep gives the same arrays as an uninterrupted one.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from bordersim.engine.rundir import (
    MANIFEST,
    StoreError,
    atomic_write,
    clean_staging,
    dumps_json,
    foreign_entries,
    verify,
    write_dir,
)
from bordersim.model.metrics import cf_attrs
from bordersim.model.outcomes import OUTCOMES

PLAN_FILE = "plan.json"
POINTS_DIR = "points"
RESULTS = "results.zarr"
SUMMARY = "summary.json"


class SweepError(ValueError):
    """A user-caused problem with a sweep (unknown policy, a directory holding another sweep)."""


def check_target(out: Path, *, resume: bool) -> None:
    """Refuse (SweepError) a file, or a non-empty directory that holds no sweep."""
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} is a file, not a directory; choose another --out")
    if (out / PLAN_FILE).exists() or not out.exists():
        return
    if foreign_entries(out) and not resume:
        raise SweepError(f"{out} exists and is not empty; choose another --out")


def read_plan(plan_file: Path) -> dict[str, Any]:
    """A sweep's stored plan; StoreError naming the file if it is empty or garbled."""
    try:
        stored = json.loads(plan_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{plan_file}: empty or garbled sweep plan ({exc})") from None
    if not isinstance(stored, dict) or "key" not in stored:
        raise StoreError(f"{plan_file}: not a bordersim sweep plan (no 'key')")
    return stored


def point_path(out: Path, index: int) -> Path:
    return Path(out) / POINTS_DIR / f"{index:06d}.npz"


def batch_path(out: Path, first: int) -> Path:
    """The file of a batch of points whose first point is ``first``."""
    return Path(out) / POINTS_DIR / f"batch-{first:06d}.npz"


def error_path(out: Path, index: int) -> Path:
    return Path(out) / POINTS_DIR / f"{index:06d}.error.json"


def write_json(path: Path, data: Any) -> None:
    """Atomically write JSON (sorted keys, so identical data gives identical bytes)."""
    atomic_write(Path(path), dumps_json(data, digits=None, default=str) + "\n")


def write_point(
    out: Path,
    index: int,
    covert: NDArray[np.int64],
    cost: NDArray[np.float64],
    *,
    key: str = "",
) -> Path:
    """Store one finished point: covert counts (policy, replication, actor, outcome), the cost of
    each policy, and the plan ``key`` it belongs to. Removes an error record a previous attempt
    left. The zip container's CRC-32 of each array detects a damaged file when it is read."""
    path = point_path(out, index)
    atomic_write(path, lambda fh: np.savez(fh, covert=covert, cost=cost, plan_key=np.str_(key)))
    error_path(out, index).unlink(missing_ok=True)
    return path


def write_batch(
    out: Path,
    indices: Sequence[int],
    covert: NDArray[np.int64],
    cost: NDArray[np.float64],
    *,
    key: str = "",
) -> Path:
    """Store finished points at once: their ``indices``, covert counts (point, policy, replication,
    actor, outcome), costs (point, policy) and the plan ``key``; one point goes to its own file
    (:func:`write_point`). Removes the error records a previous attempt left."""
    if len(indices) == 1:
        return write_point(out, indices[0], covert[0], cost[0], key=key)
    path = batch_path(out, indices[0])
    idx = np.asarray(indices, dtype=np.int64)
    atomic_write(
        path,
        lambda fh: np.savez(fh, points=idx, covert=covert, cost=cost, plan_key=np.str_(key)),
    )
    for i in indices:
        error_path(out, i).unlink(missing_ok=True)
    return path


def write_point_error(out: Path, index: int, message: str) -> Path:
    """Record a failed point with its error message."""
    path = error_path(out, index)
    write_json(path, {"point": index, "error": message})
    return path


def read_point(
    out: Path,
    index: int,
    *,
    shape: tuple[int, ...] | None = None,
    key: str | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """A point's (covert, cost), checked: :class:`StoreError` naming the file if it is truncated or
    garbled, its covert counts do not have ``shape`` (policy, replication, actor, outcome) with one
    cost per policy, or it belongs to another plan than ``key``."""
    path = point_path(out, index)
    try:
        with np.load(path, allow_pickle=False) as data:
            covert, cost = np.asarray(data["covert"]), np.asarray(data["cost"])
            stored_key = str(data["plan_key"]) if "plan_key" in data.files else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise StoreError(
            f"{path}: damaged point file ({type(exc).__name__}: {exc}); delete it and rerun with "
            "--resume to recompute the point"
        ) from None
    if shape is not None and (covert.shape != shape or cost.shape != shape[:1]):
        raise StoreError(
            f"{path}: point of the wrong shape (covert {covert.shape}, cost {cost.shape}; the plan "
            f"needs {shape} and {shape[:1]}); delete it and rerun with --resume"
        )
    if covert.dtype.kind not in "iu" or cost.dtype.kind != "f":
        raise StoreError(f"{path}: point of the wrong type ({covert.dtype}, {cost.dtype})")
    if key and stored_key is not None and stored_key not in ("", key):
        raise StoreError(
            f"{path}: a point of another sweep plan; delete it and rerun with --resume"
        )
    return covert, cost


def read_batch(
    path: Path, *, shape: tuple[int, ...] | None = None, key: str | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """A batch file's (points, covert, cost), checked like :func:`read_point`: zip CRC, the shape
    (policy, replication, actor, outcome) of every point, one cost per policy, the plan ``key``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            points = np.asarray(data["points"])
            covert, cost = np.asarray(data["covert"]), np.asarray(data["cost"])
            stored_key = str(data["plan_key"])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise StoreError(
            f"{path}: damaged batch file ({type(exc).__name__}: {exc}); delete it and rerun with "
            "--resume to recompute its points"
        ) from None
    n = points.shape[0] if points.ndim == 1 else -1
    if shape is not None and (covert.shape != (n, *shape) or cost.shape != (n, shape[0])):
        raise StoreError(
            f"{path}: batch of the wrong shape (covert {covert.shape}, cost {cost.shape}; the plan "
            f"needs {(n, *shape)} and {(n, shape[0])}); delete it and rerun with --resume"
        )
    if points.dtype.kind not in "iu" or covert.dtype.kind not in "iu" or cost.dtype.kind != "f":
        raise StoreError(f"{path}: batch of the wrong type ({covert.dtype}, {cost.dtype})")
    if key and stored_key not in ("", key):
        raise StoreError(
            f"{path}: a batch of another sweep plan; delete it and rerun with --resume"
        )
    return points, covert, cost


def batch_points(path: Path) -> list[int]:
    """The point indices a batch file holds (only its small ``points`` array is read)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return [int(i) for i in np.asarray(data["points"])]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise StoreError(
            f"{path}: damaged batch file ({type(exc).__name__}: {exc}); delete it and rerun with "
            "--resume to recompute its points"
        ) from None


def read_error(out: Path, index: int) -> str:
    path = error_path(out, index)
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["error"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: empty or garbled error record ({exc}); delete it") from None


def finished_points(out: Path) -> set[int]:
    """Indices of points with a complete result file (their own or a batch's)."""
    d = Path(out) / POINTS_DIR
    if not d.is_dir():
        return set()
    done = {int(p.name.split(".")[0]) for p in d.glob("[0-9]*.npz")}
    for p in d.glob("batch-[0-9]*.npz"):
        done.update(batch_points(p))
    return done


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
            for p in d.glob(".results.zarr.*"):  # v0.1's staging
                shutil.rmtree(p, ignore_errors=True)
    if Path(out).is_dir():
        clean_staging(Path(out))


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
    key: str = "",
) -> xr.Dataset:
    """Build ``results.zarr`` from the point files, in point order, and rename it into place.

    ``metrics`` maps a metric name to a function of the (point, policy, replication, actor, outcome)
    counts that returns (point, policy, actor + 'all') per-point values. Missing or failed points are
    NaN, with their error message in the ``error`` variable. A damaged point file raises
    :class:`StoreError`. The caller holds the directory's lock.
    """
    out = Path(out)
    K, A = len(policies), len(actors)
    covert = np.full((n_points, K, replications, A, len(OUTCOMES)), np.nan)
    cost = np.full((n_points, K), np.nan)
    errors = [""] * n_points
    shape = (K, replications, A, len(OUTCOMES))
    found = np.zeros(n_points, dtype=bool)
    for path in sorted((out / POINTS_DIR).glob("batch-[0-9]*.npz")):
        idx, c, k = read_batch(path, shape=shape, key=key)
        if idx.size and (idx.min() < 0 or idx.max() >= n_points):
            raise StoreError(f"{path}: points outside the plan; delete it and rerun with --resume")
        covert[idx], cost[idx], found[idx] = c, k, True
    for i in range(n_points):
        if found[i]:
            continue
        if point_path(out, i).exists():
            c1, k1 = read_point(out, i, shape=shape, key=key)
            covert[i] = c1
            cost[i] = k1
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
    for vname, var in ds.variables.items():
        var.attrs.update(cf_attrs(str(vname)))

    def zarr(path: Path) -> None:
        ds.to_zarr(path, mode="w", consolidated=True, zarr_format=2)

    ensure_manifest(out)
    write_dir(out, {RESULTS: zarr}, writer="sweep", kind="sweep", partial=True, lock=False)
    return ds


def ensure_manifest(out: Path) -> None:
    """Give a sweep directory its manifest (a v0.1 sweep has only plan.json); caller holds the lock."""
    if not (Path(out) / MANIFEST).exists():
        manifest = {"kind": "sweep", "artefacts": {"sweep": [PLAN_FILE, POINTS_DIR, SUMMARY]}}
        atomic_write(Path(out) / MANIFEST, dumps_json(manifest) + "\n")


def open_results(out: Path) -> xr.Dataset:
    """Open a consolidated sweep store (lazily), after checking its files against the checksums
    the manifest recorded (:class:`StoreError` naming a missing or changed file)."""
    if (Path(out) / MANIFEST).exists():
        verify(out, "sweep")
    return xr.open_zarr(Path(out) / RESULTS, consolidated=True)

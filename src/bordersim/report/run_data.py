"""Reading a run directory for the report: what ``bordersim run --out DIR`` wrote, reduced once.

The report reads only ``results.zarr``, ``summary.json`` and ``manifest.json``, plus the scenario named
in the manifest (a built-in name, or a file given explicitly) for the map and the sources, and the
optional ``compare.json`` / ``optimize.json`` / ``sensitivity.json`` from the run directory or the
``--with`` directories. Every problem becomes one :class:`ReportError` naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from bordersim.engine.rundir import OutputError, verify
from bordersim.model.compile import Compiled, CompileError, compile_scenario
from bordersim.scenario.builtin import builtin_names, load
from bordersim.scenario.loading import ScenarioError, content_hash, load_scenario
from bordersim.scenario.schema import Scenario

__all__ = ["OPTIONAL_FILES", "REQUIRED_VARS", "ReportError", "RunData", "load_run"]

#: Optional inputs, each rendered in its own section when the file exists.
OPTIONAL_FILES = ("compare", "optimize", "sensitivity", "robust")
#: Variables of results.zarr the report cannot do without.
REQUIRED_VARS = ("covert", "daily_mean", "daily_sd")


class ReportError(ValueError):
    """A run directory the report cannot use (missing, incomplete, or from an unknown scenario)."""


@dataclass(frozen=True)
class RunData:
    """What the report needs from a run directory, already reduced over replications."""

    run_dir: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    scenario: Scenario
    compiled: Compiled
    scenario_hash_matches: bool
    replications: int
    days: NDArray[np.datetime64]  # (T,)
    sector_ids: tuple[str, ...]
    sector_groups: tuple[str, ...]
    length_km: NDArray[np.float64]  # (S,) km
    actor_ids: tuple[str, ...]
    covert_mean: NDArray[np.float64]  # (S, actors, 4) replication means of counts
    daily_mean: NDArray[np.float64]  # (T, actors, 4) counts per day
    daily_sd: NDArray[np.float64]  # (T, actors, 4) counts per day
    flee_daily_mean: NDArray[np.float64] | None  # (T, 3) people per day, summed over crossings
    extras: dict[str, Any]  # optional compare/optimize/sensitivity JSON (or an error string)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: missing; is this a directory written by `run --out`?") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object")
    return data


def _load_scenario(name: str, scenario_path: Path | None) -> Scenario:
    try:
        if scenario_path is not None:
            return load_scenario(scenario_path)
        if name in builtin_names():
            return load(name)
    except (ScenarioError, OSError) as exc:
        raise ReportError(f"cannot load the run's scenario: {exc}") from None
    raise ReportError(
        f"the run's scenario {name!r} is not a built-in scenario; pass its file with --scenario"
    )


def _open_results(run_dir: Path) -> xr.Dataset:
    """results.zarr, checked for the variables the report needs."""
    zpath = run_dir / "results.zarr"
    if not zpath.exists():
        raise ReportError(f"{zpath}: missing; is this a directory written by `run --out`?")
    try:  # checksums: a deleted or truncated chunk would be read back as zeros
        verify(run_dir, "run")
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    try:
        ds = xr.open_zarr(zpath, consolidated=None)
    except Exception as exc:  # zarr raises many kinds of errors for a damaged store
        raise ReportError(f"{zpath}: not a readable results store ({exc})") from None
    missing = [v for v in REQUIRED_VARS if v not in ds]
    if missing:
        raise ReportError(f"{zpath}: lacks variable(s) {', '.join(missing)}")
    return ds


def _compile_run(scenario: Scenario, manifest: dict[str, Any]) -> Compiled:
    """The scenario compiled as the run compiled it (policy, start, days from the manifest)."""
    policy = manifest.get("policy") or None
    try:
        return compile_scenario(
            scenario,
            policy=None if policy == "baseline" else policy,
            start=dt.date.fromisoformat(str(manifest["start"])),
            days=int(manifest["days"]),
        )
    except (CompileError, ValueError) as exc:
        raise ReportError(f"cannot rebuild the run's scenario: {exc}") from None


def _read_extras(dirs: Sequence[Path]) -> dict[str, Any]:
    """The optional JSON files, first found wins; an unreadable one becomes its error message."""
    extras: dict[str, Any] = {}
    for d in dirs:
        if not d.is_dir():
            raise ReportError(f"{d}: no such directory")
        for name in OPTIONAL_FILES:
            p = d / f"{name}.json"
            if name in extras or not p.exists():
                continue
            try:
                extras[name] = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                extras[name] = f"could not read {p.name}: {exc}"
                continue
            meta = d / f"{name}_meta.json"
            if name == "sensitivity" and meta.exists():
                try:
                    extras["sensitivity_meta"] = json.loads(meta.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError):
                    pass
    return extras


def load_run(
    run_dir: Path, scenario_path: Path | None = None, extra_dirs: Sequence[Path] = ()
) -> RunData:
    """Read and reduce a run directory; :class:`ReportError` with one clear message if unusable."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ReportError(f"{run_dir}: no such run directory")
    manifest = _read_json(run_dir / "manifest.json")
    summary = _read_json(run_dir / "summary.json")
    ds = _open_results(run_dir)
    for key in ("scenario", "start", "days", "seed", "replications"):
        if key not in manifest:
            raise ReportError(f"{run_dir / 'manifest.json'}: lacks {key!r}")
    scenario = _load_scenario(str(manifest["scenario"]), scenario_path)
    compiled = _compile_run(scenario, manifest)
    if tuple(ds["sector"].values.tolist()) != compiled.sector_ids:
        raise ReportError(
            f"{run_dir / 'results.zarr'}: its sectors do not match scenario {scenario.id!r}; "
            "was the run made from another scenario file? (pass it with --scenario)"
        )
    covert = ds["covert"].transpose("replication", "sector", "actor", "outcome")
    flee = None
    if "flee_daily_mean" in ds and ds.sizes.get("crossing", 0) and compiled.fleeing_ids:
        flee = np.asarray(
            ds["flee_daily_mean"].sum("crossing").transpose("day", "flee_quantity").values,
            dtype=float,
        )
    return RunData(
        run_dir=run_dir,
        manifest=manifest,
        summary=summary,
        scenario=scenario,
        compiled=compiled,
        scenario_hash_matches=content_hash(scenario) == manifest.get("scenario_hash"),
        replications=int(covert.sizes["replication"]),
        days=np.asarray(ds["day"].values),
        sector_ids=tuple(str(s) for s in ds["sector"].values),
        sector_groups=tuple(str(g) for g in ds["sector_group"].values),
        length_km=np.asarray(ds["length_km"].values, dtype=float),
        actor_ids=tuple(str(a) for a in ds["actor"].values),
        covert_mean=np.asarray(covert.mean("replication").values, dtype=float),  # dask reduction
        daily_mean=np.asarray(
            ds["daily_mean"].transpose("day", "actor", "outcome").values, dtype=float
        ),
        daily_sd=np.asarray(
            ds["daily_sd"].transpose("day", "actor", "outcome").values, dtype=float
        ),
        flee_daily_mean=flee,
        extras=_read_extras([run_dir, *map(Path, extra_dirs)]),
    )

"""Checks of the ``calibrated`` blocks of a scenario's evidence: the calibration they name exists,
and the observations they cite are known, are targets, and were used by that calibration.

A block names its calibration by a shipped name (a folder of ``scenario/data/calibration/``) or by
a calibration folder's path; :func:`bordersim.scenario.loading.load_scenario` makes a path relative
to the file that says so absolute before validation, as it does for a border's line file. The
observations are checked against the built-in ledger (``scenario/data/tj-af-observations.yaml``) and
against the calibration's own manifest (``observations_used``, written by ``bordersim calibrate``),
which also covers a user's own file of observations. Only a ``target`` observation can calibrate: an
``input`` is fed into the model and an ``excluded`` one was set aside.

This module sits below the schema (its validator runs :func:`check_calibrations`), so it reads the
two files directly (YAML ids and uses; the manifest's JSON) instead of through
:mod:`bordersim.scenario.observations`, which itself builds on the schema. Both reads are cached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.safe_yaml import read_text

if TYPE_CHECKING:
    from bordersim.scenario.evidence import Calibrated, Quantity
    from bordersim.scenario.schema import Scenario

__all__ = [
    "BUILTIN_OBSERVATIONS",
    "CALIBRATION_DIR",
    "builtin_observation_labels",
    "builtin_observation_uses",
    "calibration_dir",
    "check_calibrations",
    "is_calibration_path",
    "shipped_calibrations",
]

#: The built-in ledger of observations of the Tajik-Afghan border.
BUILTIN_OBSERVATIONS = DATA_DIR / "tj-af-observations.yaml"
#: Where the shipped calibrations live, one folder per name.
CALIBRATION_DIR = DATA_DIR / "calibration"

Errors = list[tuple[tuple[str | int, ...], str]]


@lru_cache(maxsize=1)
def _builtin_observations() -> tuple[dict[str, object], ...]:
    data = yaml.safe_load(read_text(BUILTIN_OBSERVATIONS)) or {}
    return tuple(data.get("observations", []))


def builtin_observation_uses() -> dict[str, str]:
    """id -> use (target, input, excluded) of every built-in observation."""
    return {str(o["id"]): str(o.get("use", "target")) for o in _builtin_observations()}


def builtin_observation_labels() -> dict[str, str]:
    """id -> what was observed, in a few words (``seized_kg = 916 kg``, ``... in 0.6-1 fraction``)."""
    out = {}
    for o in _builtin_observations():
        unit = f" {o['unit']}" if o.get("unit") else ""
        seen = (
            f"= {o['value']:g}" if o.get("value") is not None else f"in {o['low']:g}-{o['high']:g}"
        )
        out[str(o["id"])] = f"{o['metric']} {seen}{unit}"
    return out


def shipped_calibrations() -> list[str]:
    """The names of the calibrations shipped with bordersim."""
    if not CALIBRATION_DIR.is_dir():
        return []
    return sorted(p.name for p in CALIBRATION_DIR.iterdir() if (p / "manifest.json").is_file())


def is_calibration_path(name: str) -> bool:
    """True when ``name`` is written as a path (holds a separator or starts with ``.`` or ``~``),
    not as a shipped calibration's name."""
    return "/" in name or "\\" in name or name.startswith((".", "~"))


def calibration_dir(name: str) -> Path:
    """The folder a ``calibration:`` name means: a shipped one, else the path as given."""
    if not is_calibration_path(name):
        return CALIBRATION_DIR / name
    return Path(name).expanduser()


@lru_cache(maxsize=64)
def _manifest(path: str, _mtime_ns: int) -> dict[str, object] | str:
    """The calibration manifest at ``path``, or what is wrong with it (cached by mtime)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return f"its manifest.json cannot be read ({type(exc).__name__})"
    if not isinstance(data, dict) or data.get("kind") != "calibration":
        return "its manifest.json is not that of a calibration (kind: calibration)"
    return data


def _calibration_manifest(name: str) -> dict[str, object] | str:
    """The manifest of the calibration ``name``, or a message saying why there is none."""
    folder = calibration_dir(name)
    manifest = folder / "manifest.json"
    if not folder.is_dir():
        if not is_calibration_path(name):
            shipped = ", ".join(shipped_calibrations()) or "none"
            return (
                f"no shipped calibration {name!r} (shipped: {shipped}); a calibration of your own "
                "is named by its folder's path relative to this file, e.g. ./my-calibration"
            )
        return f"no calibration folder {str(folder)!r}"
    if not manifest.is_file():
        return f"{str(folder)!r} is not a calibration folder: no manifest.json (bordersim calibrate --out makes one)"
    found = _manifest(str(manifest), manifest.stat().st_mtime_ns)
    if isinstance(found, str):
        return f"{str(folder)!r} is not a calibration folder: {found}"
    return found


def _check_block(block: Calibrated, path: tuple[str | int, ...], errors: Errors) -> None:
    """The problems of one ``calibrated`` block, each with its field path."""
    manifest = _calibration_manifest(block.calibration)
    if isinstance(manifest, str):
        errors.append(((*path, "calibration"), manifest))
        used: list[str] | None = None
    else:
        raw = manifest.get("observations_used")
        used = [str(o) for o in raw] if isinstance(raw, list) else None
    uses = builtin_observation_uses()
    for i, oid in enumerate(block.observations):
        where = (*path, "observations", i)
        use = uses.get(oid)
        if use is None and (used is None or oid not in used):
            known = sorted(o for o, u in uses.items() if u == "target")
            mine = f"; calibration {block.calibration!r} used: {', '.join(used)}" if used else ""
            errors.append(
                (where, f"unknown observation {oid!r} (built-in targets: {', '.join(known)}{mine})")
            )
        elif use is not None and use != "target":
            errors.append(
                (
                    where,
                    f"observation {oid!r} has use: {use}, so it cannot calibrate (only a target "
                    "observation can: an input is fed into the model, an excluded one was set "
                    "aside)",
                )
            )
        elif used is not None and oid not in used:
            errors.append(
                (
                    where,
                    f"calibration {block.calibration!r} did not use observation {oid!r} "
                    f"(it used: {', '.join(used) or 'none'})",
                )
            )


def check_calibrations(
    sc: Scenario,
    errors: Errors,
    quantities: Iterable[tuple[tuple[str | int, ...], Quantity]] | None = None,
) -> None:
    """Every ``calibrated`` block of the ledger and of the quantities: its calibration exists and
    its observations are known targets that calibration used; a quantity says it once (not both
    itself and through its ledger entry). ``quantities``: (field path, quantity) of those to check,
    when the caller has walked the scenario already (default: every quantity)."""
    for key, ev in sc.evidence.items():
        if ev.calibrated is not None:
            _check_block(ev.calibrated, ("evidence", key, "calibrated"), errors)
    for path, q in sc.quantity_paths() if quantities is None else quantities:
        if q.calibrated is None:
            continue
        entry = sc.evidence.get(q.evidence) if q.evidence is not None else None
        if entry is not None and entry.calibrated is not None:
            errors.append(
                (
                    (*path, "calibrated"),
                    f"its ledger entry {q.evidence!r} already says it is calibrated; say it once",
                )
            )
            continue
        _check_block(q.calibrated, (*path, "calibrated"), errors)

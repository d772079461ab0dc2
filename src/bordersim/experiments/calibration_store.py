"""A calibration directory: ``posterior.csv`` (a column per free quantity, a row per sample) and
``summary.json``, written through :mod:`bordersim.engine.rundir` (writer ``calibrate``, kind
``calibration``). Commands draw from it through :mod:`bordersim.experiments.posterior`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bordersim.engine import rundir
from bordersim.experiments.calibration import Calibration

__all__ = ["WRITER", "read_posterior", "write_calibration"]

WRITER = "calibrate"
KIND = "calibration"


def write_calibration(
    out: Path,
    cal: Calibration,
    *,
    force: bool = False,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``cal`` into the calibration directory ``out`` (atomic; see docs/output-directories.md).
    The manifest's fields give the provenance: scenario, method, seed, bordersim version, the
    observations used and those set aside (with why), and ``provenance`` (e.g. ``scenario_hash``,
    ``command``).

    Raises:
        bordersim.engine.rundir.OutputError: ``out`` is not a directory bordersim may write."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cal.names)
    for row in cal.posterior:
        w.writerow([repr(float(v)) for v in row])
    fields = {k: cal.summary[k] for k in ("scenario", "method", "seed", "bordersim_version")}
    obs = cal.summary["observations"]
    fields["observations_used"] = sorted(i for i, o in obs.items() if o.get("used", True))
    fields["observations_set_aside"] = list(cal.summary.get("set_aside", []))
    fields.update(provenance or {})
    artefacts = {"posterior.csv": buf.getvalue(), "summary.json": rundir.dumps_json(cal.summary)}
    return rundir.write_dir(out, artefacts, writer=WRITER, kind=KIND, fields=fields, force=force)


def read_posterior(directory: Path) -> tuple[tuple[str, ...], np.ndarray, dict[str, object]]:
    """(names, samples (n, k), manifest) of a calibration directory, its checksums verified.

    Raises:
        bordersim.engine.rundir.StoreError: a missing or changed file."""
    manifest = rundir.verify(Path(directory), writer=WRITER)
    text = (Path(directory) / "posterior.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    names = tuple(rows[0])
    values = np.array([[float(v) for v in r] for r in rows[1:]], dtype=float)
    return names, values.reshape(len(rows) - 1, len(names)), manifest

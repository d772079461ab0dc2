"""A calibration directory: ``posterior.csv`` (a column per free quantity, a row per sample) and
``summary.json``, written through :mod:`bordersim.engine.rundir` (writer ``calibrate``, kind
``calibration``); and :func:`posterior_draws`, the posterior as input-uncertainty draws.

``posterior_draws`` returns an :class:`~bordersim.experiments.uncertainty.InputDraws` whose space is
the free quantities (quantity factors with their ledger priors) and whose rows are posterior samples
(``source="posterior"``), so every command that evaluates draws of the uncertain inputs can take the
posterior instead of the prior. ``unit`` holds each value's prior CDF (its place in the prior).
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
from bordersim.experiments.factors import Space, build_space
from bordersim.experiments.uncertainty import InputDraws
from bordersim.scenario.schema import Scenario

__all__ = ["WRITER", "posterior_draws", "read_posterior", "write_calibration"]

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


def posterior_draws(posterior_dir: Path, scenario: Scenario, n: int, seed: int) -> InputDraws:
    """``n`` draws of the free quantities from the posterior of ``posterior_dir`` (rows picked
    without replacement when there are enough, by ``SeedSequence(seed)``), as InputDraws.

    Raises:
        ValueError: the posterior names a quantity the scenario does not have, or n < 2."""
    if n < 2:
        raise ValueError("at least 2 draws are needed to speak of a spread")
    names, values, manifest = read_posterior(posterior_dir)
    if manifest.get("scenario") not in (None, scenario.id):
        raise ValueError(
            f"{posterior_dir}: a calibration of {manifest.get('scenario')}, not {scenario.id}"
        )
    full = build_space(scenario, grouping="quantity")
    by_name = {f.name: f for f in full.factors}
    missing = [q for q in names if q not in by_name]
    if missing:
        raise ValueError(f"{posterior_dir}: scenario {scenario.id} has no quantity {missing[0]!r}")
    space = Space(tuple(by_name[q] for q in names), grouping="quantity")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    idx = rng.choice(len(values), size=n, replace=n > len(values))
    rows = values[idx]
    unit = np.column_stack([by_name[q].members[0].cdf(rows[:, j]) for j, q in enumerate(names)])
    overrides = tuple({q: float(r[j]) for j, q in enumerate(names)} for r in rows)
    return InputDraws(space, unit, rows, overrides, "posterior", seed)

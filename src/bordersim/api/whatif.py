"""What the what-if page needs from a run, through the public API: the sectors' lines on the map,
each sector's value of a metric, the headline, and paired differences between two runs.

Two runs from the same seed share their random numbers (common random numbers), so the difference
of a metric replication by replication is the effect of what changed between them, with a 95%
interval from the paired standard error and P(better) as the share of replications that improve.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.api.runs import RunResult
from bordersim.api.scenarios import ScenarioLike, as_scenario
from bordersim.engine.results import clean_for_json, covert_metrics
from bordersim.experiments.compare import (
    METRIC_INFO,
    differences,
)
from bordersim.model.outcomes import INTERDICTED, UNDETECTED_GOT_AWAY
from bordersim.report.formatting import MISSING, fmt_estimate, fmt_number
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.geometry import load_line

__all__ = [
    "METRIC_LABELS",
    "MISSING",
    "SECTOR_METRICS",
    "SectorLine",
    "daily_series",
    "fmt_estimate",
    "fmt_number",
    "headline",
    "paired",
    "sector_lines",
    "sector_values",
]

#: Metrics a map can be coloured by: name -> (label, higher is better for the defender).
SECTOR_METRICS: dict[str, tuple[str, bool]] = {
    "true_rate": ("true interdiction rate", True),
    "interdicted": ("interdicted per period", True),
    "undetected": ("undetected got-aways per period", False),
    "attempts": ("attempts per period", False),
}


#: What each paired-difference metric means, for tables.
METRIC_LABELS: dict[str, str] = {name: label for name, (_, label) in METRIC_INFO.items()}


@dataclass(frozen=True)
class SectorLine:
    """One sector's stretch of the border line, for drawing."""

    sector: str
    group: str
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]


def sector_lines(scenario: ScenarioLike) -> list[SectorLine]:
    """Each sector's piece of the border line (lon/lat), in scenario order."""
    model = as_scenario(scenario).model
    border = model.border
    line = load_line(str(DATA_DIR / border.geometry), border.geometry_feature)
    length = float(border.official_length_km.value)
    out = []
    for s in border.sectors:
        xy = line.segment(float(s.start_km), float(s.end_km), length)
        out.append(SectorLine(s.id, s.group, xy[:, 0].copy(), xy[:, 1].copy()))
    return out


def sector_values(result: RunResult, metric: str) -> NDArray[np.float64]:
    """Per sector, the mean over replications of ``metric`` for all covert actors together."""
    if metric not in SECTOR_METRICS:
        raise ValueError(f"unknown map metric {metric!r} (known: {', '.join(SECTOR_METRICS)})")
    c = result.results.covert_totals.astype(float).sum(axis=2)  # (R, S, outcome)
    if metric == "interdicted":
        return np.asarray(c[..., INTERDICTED].mean(axis=0))
    if metric == "undetected":
        return np.asarray(c[..., UNDETECTED_GOT_AWAY].mean(axis=0))
    attempts = c.sum(axis=2).mean(axis=0)
    if metric == "attempts":
        return np.asarray(attempts)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            np.where(attempts > 0, c[..., INTERDICTED].mean(axis=0) / attempts, np.nan)
        )


def daily_series(result: RunResult, actor: int = 0) -> dict[str, list[Any]]:
    """The mean per day over replications (summed over sectors) of one covert actor's attempts and
    interdictions, with the ISO dates: read from the engine's running sums, so it costs
    O(days), not the labelled Dataset :meth:`RunResult.to_xarray` builds (seconds for 200
    replications)."""
    r = result.results
    mean = r.daily_sum[:, actor, :] / r.replications  # (T, outcome)
    start = r.compiled.start
    return {
        "day": [(start + dt.timedelta(days=d)).isoformat() for d in range(r.days)],
        "attempts": [float(x) for x in mean.sum(axis=1)],
        "interdicted": [float(x) for x in mean[:, INTERDICTED]],
    }


def headline(result: RunResult) -> dict[str, Any]:
    """The figures a reader looks at first: for the first covert actor over the whole border, the
    true and the observed interdiction rate with their 95% simulation-noise intervals.

    The same numbers as the actor's ``group == "all"`` row of :meth:`RunResult.summary` (floats to
    10 digits, undefined ``None``), computed for that row only: the full summary costs more than
    a what-if page can spend per change."""
    r = result.results
    if not r.compiled.covert_ids:
        return {}
    est = covert_metrics(r.covert_totals[:, :, 0, :].sum(axis=1))
    out: dict[str, Any] = {"actor": r.compiled.covert_ids[0]}
    for key in ("true_rate", "observed_rate", "interdicted", "attempts"):
        e = est[key]
        out[key] = clean_for_json({"mean": e.mean, "lo": e.lo, "hi": e.hi})
    return out


def paired(result: RunResult, baseline: RunResult) -> list[dict[str, Any]]:
    """Per metric, ``result - baseline`` replication by replication (common random numbers), with
    its 95% interval and P(result better); both runs must have the same replications and seed."""
    if result.results.replications != baseline.results.replications:
        raise ValueError("paired differences need the same number of replications")
    if result.results.seed != baseline.results.seed:
        raise ValueError("paired differences need runs from the same seed")
    return [
        d.as_dict() for d in differences("what-if", "baseline", result.results, baseline.results)
    ]

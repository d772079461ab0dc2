"""The per-sector metrics the map can colour by: their names, labels and colour maps, and
:func:`sector_metric`, which computes one from the replication means of the outcome counts.

Kept apart from :mod:`bordersim.report.map` so that the CLI can list the metrics (``--metric``) without
importing matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.model.outcomes import (
    DETECTED_GOT_AWAY,
    INTERDICTED,
    TURNED_BACK,
    UNDETECTED_GOT_AWAY,
)

__all__ = ["MAP_METRICS", "METRIC_SPECS", "MetricSpec", "sector_metric"]


@dataclass(frozen=True)
class MetricSpec:
    """How a per-sector metric is named, formatted and coloured (red always means worse)."""

    key: str
    label: str
    cmap: str
    higher_is_worse: bool
    percent: bool


METRIC_SPECS: dict[str, MetricSpec] = {
    "undetected_per_km": MetricSpec(
        "undetected_per_km",
        "undetected got-aways per km of border over the period (mean, all covert actors)",
        "YlOrRd",
        True,
        False,
    ),
    "true_rate": MetricSpec(
        "true_rate", "true interdiction rate: interdicted / attempts", "YlOrRd_r", False, True
    ),
    "observed_rate": MetricSpec(
        "observed_rate",
        "observed interdiction rate: (interdicted + turned back) / detected",
        "YlOrRd_r",
        False,
        True,
    ),
}
MAP_METRICS: tuple[str, ...] = tuple(METRIC_SPECS)


def sector_metric(
    covert_mean: NDArray[np.float64], length_km: NDArray[np.float64], metric: str
) -> NDArray[np.float64]:
    """Per-sector value of ``metric`` from replication-mean counts ``covert_mean`` (S, actors, 4).

    Rates are ratio estimators (sum of numerators over sum of denominators), the same as the summary;
    with equal replication counts a ratio of means equals the ratio of sums. NaN where undefined.
    ``length_km``: (S,) sector lengths in km (for ``undetected_per_km``).
    """
    if metric not in METRIC_SPECS:
        raise ValueError(f"unknown map metric {metric!r} (choose from {', '.join(MAP_METRICS)})")
    c = np.asarray(covert_mean, dtype=float).sum(axis=1)  # (S, 4) summed over actors
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "undetected_per_km":
            out = c[:, UNDETECTED_GOT_AWAY] / np.asarray(length_km, dtype=float)
        elif metric == "true_rate":
            out = c[:, INTERDICTED] / c.sum(axis=1)
        else:
            seen = c[:, INTERDICTED] + c[:, TURNED_BACK]
            out = seen / (seen + c[:, DETECTED_GOT_AWAY])
    return np.where(np.isfinite(out), out, np.nan)

"""Units and long names for the results the API hands out, and the tidy (long) table of a run.

CF-style attributes (``units``, ``long_name``) are added to the engine's Dataset only where the
engine did not already set them, so that once the results themselves carry them (issue 10 asks the
run folder for them) the engine's words win and this table is only a fallback.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["METRIC_UNITS", "VARIABLE_ATTRS", "dataset_with_attrs", "tidy_rows"]

#: Dataset variable (or coordinate) -> (units, long name).
VARIABLE_ATTRS: Mapping[str, tuple[str, str]] = {
    "covert": ("crossings", "covert crossing attempts in the period, by outcome"),
    "covert_daily": ("crossings", "covert crossing attempts on the day, by outcome"),
    "daily_mean": ("crossings/day", "mean covert crossings per day over replications"),
    "daily_sd": ("crossings/day", "standard deviation of covert crossings per day"),
    "flee_arrived": ("people", "people fleeing who arrived at the crossing"),
    "flee_received": ("people", "people fleeing received at the crossing"),
    "flee_waiting": ("people", "people fleeing still waiting at the end of the period"),
    "flee_longest_wait": ("days", "longest wait of people fleeing at the crossing"),
    "flee_daily_mean": ("people", "mean arrived and received per day, and waiting, at a crossing"),
    "incursion_engagements": ("engagements", "armed incursions fought at a border post"),
    "incursion_breaches": ("engagements", "engagements that ended in a breach"),
    "incursion_repelled": ("engagements", "engagements that ended with the attack repelled"),
    "incursion_undecided": ("engagements", "engagements undecided at the time limit"),
    "incursion_defender_losses": ("people", "defenders killed or put out of action"),
    "incursion_attacker_losses": ("people", "attackers killed or put out of action"),
    "incursion_first_reinf_hours_sum": ("hours", "sum over engagements of the first arrival"),
    "incursion_first_reinf_count": ("engagements", "engagements that a reinforcement reached"),
    "request_day": ("days", "day (from the start) on which help was requested"),
    "incursion_daily_mean": ("events/day", "mean engagements and breaches per day"),
    "incursion_daily": ("events", "engagements and breaches on the day, by sector"),
    "degraded_days": ("days", "days with detection lowered by a breach, by sector"),
    "length_km": ("km", "sector length along the official border line"),
}

#: Metric of a covert summary row -> unit (counts are per period, rates are fractions).
METRIC_UNITS: Mapping[str, str] = {
    "attempts": "crossings",
    "interdicted": "crossings",
    "turned_back": "crossings",
    "detected_got_away": "crossings",
    "undetected_got_away": "crossings",
    "true_rate": "1",
    "observed_rate": "1",
    "rate_gap": "1",
}


def dataset_with_attrs(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with ``units`` and ``long_name`` on every variable the table knows (kept if set)."""
    for name, (units, long_name) in VARIABLE_ATTRS.items():
        if name in ds.variables:
            ds[name].attrs.setdefault("units", units)
            ds[name].attrs.setdefault("long_name", long_name)
    return ds


def _number(v: Any) -> float:
    return math.nan if v is None else float(v)


def tidy_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per (actor, sector group, metric) from the engine's summary rows."""
    out: list[dict[str, Any]] = []
    for row in rows:
        for metric, unit in METRIC_UNITS.items():
            out.append(
                {
                    "actor": row["actor"],
                    "sector_group": row["group"],
                    "metric": metric,
                    "mean": _number(row[metric]),
                    "lo": _number(row[f"{metric}_lo"]),
                    "hi": _number(row[f"{metric}_hi"]),
                    "unit": unit,
                }
            )
    return out

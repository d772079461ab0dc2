"""A sweep's metrics per point, from the stored per-replication counts (the vocabulary's covert
metrics: counts as means over replications, rates as ratio estimators)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bordersim.experiments.store import SweepError
from bordersim.model.metrics import COVERT_METRICS, covert_metric
from bordersim.model.outcomes import (
    DETECTED_GOT_AWAY,
    INTERDICTED,
    TURNED_BACK,
    UNDETECTED_GOT_AWAY,
)

#: Metric names in the sweep store (the vocabulary's short keys: ``undetected`` for
#: ``undetected_got_away``), in store order.
METRICS: tuple[str, ...] = tuple(m.key for m in COVERT_METRICS)


def _metric_key(name: str) -> str:
    """The store key of a metric given by its key or its full name; SweepError if unknown."""
    try:
        return covert_metric(name).key
    except KeyError:
        raise SweepError(f"unknown metric {name!r} (known: {', '.join(METRICS)})") from None


def point_metrics(covert: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    """A metric per point: counts are means over replications; rates are ratio estimators
    (sum of numerators / sum of denominators over replications, as ``bordersim run`` reports them).

    ``covert`` is (..., replication, actor, outcome); the result is (..., actor + 1), the last entry
    summing all covert actors.
    """
    return sums_metric(replication_sums(covert), np.shape(covert)[-3], name)


def replication_sums(covert: NDArray[np.float64]) -> NDArray[np.float64]:
    """(..., replication, actor, outcome) counts to their sums over replications, with a last
    actor entry summing all covert actors: (..., actor + 1, outcome)."""
    # Summed over replications first, then the all-actor entry from those sums: the counts are
    # integers (exact in float64 far beyond any sweep's totals), so the order of the sums cannot
    # change a bit, and the large array is never copied.
    tot = np.asarray(covert, dtype=float).sum(axis=-3)
    return np.concatenate([tot, tot.sum(axis=-2, keepdims=True)], axis=-2)


def sums_metric(tot: NDArray[np.float64], n: int, name: str) -> NDArray[np.float64]:
    """A metric per point from :func:`replication_sums` over ``n`` replications (computing the sums
    once serves every metric: a sweep's client does it once per store, not once per metric)."""
    attempts = tot.sum(axis=-1)
    seen = tot[..., INTERDICTED] + tot[..., TURNED_BACK]
    detected = seen + tot[..., DETECTED_GOT_AWAY]
    with np.errstate(divide="ignore", invalid="ignore"):
        true_rate = np.where(attempts > 0, tot[..., INTERDICTED] / attempts, np.nan)
        observed = np.where(detected > 0, seen / detected, np.nan)
    values = {
        "attempts": attempts / n,
        "interdicted": tot[..., INTERDICTED] / n,
        "turned_back": tot[..., TURNED_BACK] / n,
        "detected_got_away": tot[..., DETECTED_GOT_AWAY] / n,
        "undetected": tot[..., UNDETECTED_GOT_AWAY] / n,
        "true_rate": true_rate,
        "observed_rate": observed,
        "rate_gap": observed - true_rate,
    }
    return np.asarray(values[_metric_key(name)], dtype=float)


def parse_metric(text: str, actors: Sequence[str]) -> tuple[str, str]:
    """``name`` or ``actor:name`` to (actor, metric); a bare name means the first covert actor
    (the scenario's main flow); ``all:name`` sums every covert actor."""
    actor, _, name = text.rpartition(":")
    actor = actor or actors[0]
    if actor not in (*actors, "all"):
        raise SweepError(
            f"unknown actor {actor!r} in metric {text!r} (known: {', '.join(actors)}, all)"
        )
    return actor, _metric_key(name)


__all__ = ["METRICS", "parse_metric", "point_metrics", "replication_sums", "sums_metric"]

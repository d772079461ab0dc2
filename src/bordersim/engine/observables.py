"""Per-replication values of the observable metrics, the vocabulary observations are written in.

:func:`per_replication` turns a run's arrays into one number per replication for a metric of
:data:`bordersim.scenario.observations.OBSERVABLE_METRICS`, over an actor (or all) and a set of
sectors (or the whole border): what ``calibrate`` holds against an observation and what the summaries
and the report print for seizures, clashes and the conflict share. Formulas are the model layer's
(:mod:`bordersim.model.seizures`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from bordersim.model.outcomes import INTERDICTED
from bordersim.model.seizures import clash_deaths, conflict_share, seized_kg

if TYPE_CHECKING:  # results imports this module
    from bordersim.engine.results import Results

__all__ = ["conflict_events", "per_replication", "sector_mask"]

FloatArray = NDArray[np.float64]


def sector_mask(
    res: Results, group: str | None, sectors: tuple[str, ...] | None
) -> NDArray[np.bool_]:
    """(S,) the sectors of a sector group (``all``/None: every sector) or of a list of ids."""
    c = res.compiled
    if sectors:
        return np.array([s in sectors for s in c.sector_ids], dtype=bool)
    if group is None or group == "all":
        return np.ones(c.n_sectors, dtype=bool)
    return np.array([g == group for g in c.sector_groups], dtype=bool)


def _clashes(res: Results) -> NDArray[np.int64]:
    c = res.compiled
    if res.covert_clashes is None:
        return np.zeros((res.replications, c.n_sectors, len(c.covert_ids)), dtype=np.int64)
    return res.covert_clashes


def conflict_events(res: Results) -> NDArray[np.int64]:
    """(R, S) armed clashes of interdicted groups plus armed incursions, per sector."""
    ev = _clashes(res).sum(axis=2)
    inc = res.incursions
    if inc is not None:
        ev = ev + inc.sector_engagements
    return np.asarray(ev, dtype=np.int64)


def _armed(res: Results, key: str, actor: str | None) -> FloatArray:
    inc, c = res.incursions, res.compiled
    if inc is None or not c.armed_ids:
        return np.zeros(res.replications)
    v = np.asarray(getattr(inc, key), dtype=float)
    return v[:, c.armed_ids.index(actor)] if actor in c.armed_ids else v.sum(axis=1)


def per_replication(
    res: Results,
    metric: str,
    actor: str | None = None,
    mask: NDArray[np.bool_] | None = None,
) -> FloatArray:
    """(R,) ``metric`` per replication, for ``actor`` (None: every actor the metric counts) over the
    sectors in ``mask`` (None: all). Incursion metrics count the whole border.

    Raises:
        KeyError: a metric no run produces."""
    c = res.compiled
    m = np.ones(c.n_sectors, dtype=bool) if mask is None else mask
    cov = np.array([actor is None or a == actor for a in c.covert_ids], dtype=bool)
    interdicted = res.covert_totals[:, :, :, INTERDICTED][:, m][:, :, cov].astype(float)
    clashes = _clashes(res)[:, m][:, :, cov].astype(float)
    cy = c.covert_yield
    covert_only = actor in c.covert_ids
    if metric == "attempts":
        return np.asarray(res.covert_totals[:, m][:, :, cov].sum(axis=(1, 2, 3)), dtype=float)
    if metric == "interdicted":
        return np.asarray(interdicted.sum(axis=(1, 2)))
    if metric == "seized_kg":
        return np.asarray(seized_kg(interdicted, cy.kg_per_group[cov]).sum(axis=(1, 2)))
    if metric == "armed_clashes":
        armed = 0.0 if covert_only else _armed(res, "engagements", actor)
        return np.asarray(clashes.sum(axis=(1, 2)) + armed)
    if metric == "clash_deaths":
        dead = clash_deaths(clashes, cy.deaths_per_clash[cov]).sum(axis=(1, 2))
        if not covert_only:
            dead = dead + _armed(res, "defender_losses", actor)
            dead = dead + _armed(res, "attacker_losses", actor)
        return np.asarray(dead)
    if metric in ("engagements", "breaches", "defender_losses"):
        return _armed(res, metric, actor)
    if metric == "conflict_sector_share":
        return conflict_share(conflict_events(res)[:, m])
    if metric == "received":
        return np.asarray(res.flee_received.sum(axis=1), dtype=float)
    raise KeyError(f"no run produces the metric {metric!r}")

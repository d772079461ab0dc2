"""Drawing a day's covert crossings so that policies can be compared on common random numbers.

Attempts are Poisson(rate * q) per (replication, sector, actor) -- a mean that does not depend on the
defender's policy when the adversary's choice is fixed; they are drawn as a Poisson total per
replication, each attempt placed in a sector by a uniform against the cumulative choice shares -- and
each attempt's outcome is decided by its own uniform number u against the cumulative outcome
probabilities of its cell:

    u < p_int                      interdicted
    u < p_int + p_tb               turned back
    u < p_int + p_tb + p_dga       detected got away
    otherwise                      undetected got away

That is exactly DESIGN.md's "Poisson attempts, multinomial split", and it couples two policies run with
the same seed monotonically: an attempt interdicted under weaker detection is also interdicted under
stronger detection, so paired differences have far smaller variance than independent runs. Drawing
four independent Poisson counts per outcome is equivalent in distribution but couples nothing, because
NumPy's Poisson sampler consumes a varying number of uniforms.

Work per day grows with the number of attempts (two uniforms each), not with the cells; for very busy
cells (``mean attempts per cell > DENSE_THRESHOLD``) the draw falls back to per-cell Poisson counts and
sequential binomial splits, which are exact but do not couple as tightly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DENSE_THRESHOLD = 64.0


def draw_covert(
    rng_attempts: Sequence[np.random.Generator],
    rng_split: Sequence[np.random.Generator],
    attempt_mean: NDArray[np.float64],
    outcome_p: NDArray[np.float64],
    n: int,
) -> NDArray[np.int64]:
    """One day's outcome counts, shape (n, S, Ac, 4).

    attempt_mean: (1 or n, S, Ac) expected attempts; outcome_p: (1 or n, S, Ac, 4) or (S, Ac, 4)
    outcome probabilities (summing to one on the last axis). Each actor draws from its own pair of
    generators, so an actor whose attempts change with the policy (a best-responding or quantal
    adversary) does not shift the random numbers of another actor.

    Per replication the day's attempts are Poisson(sum over sectors), and each attempt picks its
    sector by a uniform against the cumulative sector shares -- Poisson splitting, the same law as
    independent Poisson counts per sector, at a cost of one uniform per attempt instead of one Poisson
    variate per (replication, sector), most of them zero. Busy actors (more than DENSE_THRESHOLD
    expected attempts per sector) draw per-sector Poisson counts and binomial splits instead.
    """
    Ac = attempt_mean.shape[-1]
    S = attempt_mean.shape[-2]
    p = np.broadcast_to(outcome_p, (attempt_mean.shape[0], S, Ac, 4))
    out = np.empty((n, S, Ac, 4), dtype=np.int64)
    for a in range(Ac):
        mean_a = attempt_mean[..., a]  # (1 or n, S)
        if mean_a.max(initial=0.0) > DENSE_THRESHOLD:
            attempts = rng_attempts[a].poisson(mean_a, size=(n, S))
            out[:, :, a, :] = split_outcomes(rng_split[a], attempts, p[:, :, a, :], dense=True)
        else:
            out[:, :, a, :] = _sparse_day(rng_attempts[a], rng_split[a], mean_a, p[:, :, a, :], n)
    return out


def _sparse_day(
    rng_attempts: np.random.Generator,
    rng_split: np.random.Generator,
    mean: NDArray[np.float64],
    p: NDArray[np.float64],
    n: int,
) -> NDArray[np.int64]:
    """(n, S, 4) counts of one actor: Poisson totals per replication, a sector per attempt, an
    outcome per attempt. ``mean`` is (1 or n, S); ``p`` is (1 or n, S, 4)."""
    S = mean.shape[-1]
    lam = mean.sum(axis=-1)  # (1 or n,)
    totals = rng_attempts.poisson(np.broadcast_to(lam, (n,)))
    M = int(totals.sum())
    if M == 0:
        return np.zeros((n, S, 4), dtype=np.int64)
    rep = np.repeat(np.arange(n), totals)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(lam[:, None] > 0, mean / lam[:, None], 0.0)
    cum_q = np.cumsum(share, axis=-1)
    u_sector = rng_attempts.random(M)
    if cum_q.shape[0] == 1:
        sector = np.searchsorted(cum_q[0], u_sector, side="right")
    else:
        # one sorted key per (replication, sector): cum_q + replication index; a uniform of
        # replication r is searched as u + r, so each attempt finds its sector in its own row
        keys = (cum_q + np.arange(n)[:, None]).ravel()
        sector = np.searchsorted(keys, u_sector + rep, side="right") - rep * S
    np.minimum(sector, S - 1, out=sector)  # guard against a cumulative sum ending just below 1
    cell = rep * S + sector
    cum_p = np.cumsum(p[..., :3], axis=-1)  # (1 or n, S, 3)
    idx = sector if cum_p.shape[0] == 1 else cell
    thresholds = np.ascontiguousarray(cum_p.reshape(-1, 3).T)
    u = rng_split.random(M)
    k = (
        (u >= thresholds[0].take(idx)).astype(np.int64)
        + (u >= thresholds[1].take(idx))
        + (u >= thresholds[2].take(idx))
    )
    return np.bincount(cell * 4 + k, minlength=n * S * 4).reshape(n, S, 4)


def split_outcomes(
    rng: np.random.Generator,
    attempts: NDArray[np.int64],
    outcome_p: NDArray[np.float64],
    *,
    dense: bool = False,
) -> NDArray[np.int64]:
    """Split attempt counts (n, *cells) into outcome counts (n, *cells, 4); rows sum to the attempts.

    ``outcome_p`` is (n, *cells, 4) per replication, or (1, *cells, 4) / (*cells, 4) shared by all
    replications -- the common case, where the cumulative probabilities are computed once per cell
    and looked up per attempt.
    """
    n = attempts.shape[0]
    p = np.asarray(outcome_p, dtype=float)
    if dense:
        return _split_binomial(rng, attempts, np.broadcast_to(p, (*attempts.shape, 4)))
    flat = attempts.ravel()
    total = int(flat.sum())
    if total == 0:
        return np.zeros((*attempts.shape, 4), dtype=np.int64)
    cell = np.repeat(np.arange(flat.size), flat)
    u = rng.random(total)
    per_rep = p.ndim == attempts.ndim + 1 and p.shape[0] == n and n > 1
    if per_rep:
        cum = np.cumsum(p[..., :3], axis=-1).reshape(-1, 3).T  # (3, cells)
        idx = cell
    else:
        shared = np.broadcast_to(p, (1, *attempts.shape[1:], 4)).reshape(-1, 4)
        cum = np.ascontiguousarray(np.cumsum(shared[:, :3], axis=1).T)  # (3, cells per rep)
        per_rep_cells = shared.shape[0]
        idx = np.repeat(np.tile(np.arange(per_rep_cells), n), flat)
    k = (u >= cum[0].take(idx)).astype(np.int64) + (u >= cum[1].take(idx)) + (u >= cum[2].take(idx))
    counts = np.bincount(cell * 4 + k, minlength=flat.size * 4)  # int64
    return counts.reshape(*attempts.shape, 4)


def _split_binomial(
    rng: np.random.Generator, attempts: NDArray[np.int64], p: NDArray[np.float64]
) -> NDArray[np.int64]:
    out = np.empty((*attempts.shape, 4), dtype=np.int64)
    left = attempts.astype(np.int64)
    mass = np.ones(attempts.shape)
    for k in range(3):
        with np.errstate(divide="ignore", invalid="ignore"):
            cond = np.clip(np.where(mass > 0, p[..., k] / mass, 0.0), 0.0, 1.0)
        out[..., k] = rng.binomial(left, cond)
        left = left - out[..., k]
        mass = mass - p[..., k]
    out[..., 3] = left
    return out


@dataclass(frozen=True)
class ActorTable:
    """One covert actor's per-phase lookup tables for attempts drawn with phase-wide means.

    ``lam`` attempts per replication-day; ``cum_q`` the cumulative sector shares with the last set
    to +inf, so that ``cum_q.searchsorted(u, "right")`` is the sector of a uniform u (the
    ``min(..., S - 1)`` guard of :func:`_sparse_day` built in); ``guide`` and ``ambiguous`` a guide
    table over G = 2**g equal buckets of u (Chen & Asau's indexed search): in a bucket holding no
    cumulative share the sector is ``guide[bucket]``, in the others a search settles it -- the same
    integer as the search, at a fraction of its cost. ``thresholds`` (3, 2S): the cumulative outcome
    probabilities of each sector, then of each sector whose detection a breach has lowered."""

    lam: float
    cum_q: NDArray[np.float64]  # (S,)
    guide: NDArray[np.intp]  # (G,)
    ambiguous: NDArray[np.bool_]  # (G,)
    thresholds: NDArray[np.float64]  # (3, 2S)

    def sectors(self, u: NDArray[np.float64]) -> NDArray[np.intp]:
        """The sector of each attempt from its sector uniform."""
        bucket = (u * self.guide.size).astype(np.intp)  # exact: G is a power of two
        sector = self.guide.take(bucket)
        hard = np.flatnonzero(self.ambiguous.take(bucket))
        if hard.size:
            sector[hard] = self.cum_q.searchsorted(u[hard], side="right")
        return sector

    def outcomes(self, cell: NDArray[np.intp], u: NDArray[np.float64]) -> NDArray[np.intp]:
        """Outcome index 0..3 of each attempt from its outcome uniform; ``cell`` is its sector, plus
        S where a breach has lowered detection."""
        t0, t1, t2 = self.thresholds
        k = (u >= t0.take(cell)).astype(np.intp)
        k += u >= t1.take(cell)
        k += u >= t2.take(cell)
        return k


def actor_tables(
    attempt_mean: NDArray[np.float64],
    split_p: NDArray[np.float64],
    split_low: NDArray[np.float64],
) -> list[ActorTable] | None:
    """Per-actor tables from a phase's (1, S, Ac) attempt means and (1, S, Ac, 4) outcome
    probabilities (normal and after a breach), computed by the same operations as
    :func:`_sparse_day` so that every value is bitwise the same; None if an actor is busy enough
    (``DENSE_THRESHOLD``) for the per-cell draw."""
    S, Ac = attempt_mean.shape[-2:]
    out = []
    for a in range(Ac):
        mean = attempt_mean[..., a]  # (1, S)
        if mean.max(initial=0.0) > DENSE_THRESHOLD:
            return None
        lam = mean.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(lam[:, None] > 0, mean / lam[:, None], 0.0)
        cum_q = np.cumsum(share, axis=-1)[0]
        cum_q[-1] = np.inf
        G = 1 << min(16, max(8, int(np.ceil(np.log2(256 * S)))))  # ambiguous: <= S / G of u
        edges = np.arange(G + 1) / G
        guide = cum_q.searchsorted(edges[:-1], side="right").astype(np.intp)
        ambiguous = cum_q.searchsorted(edges[1:], side="left") > guide
        thresholds = np.concatenate(
            [
                np.cumsum(split_p[0, :, a, :3], axis=-1).T,
                np.cumsum(split_low[0, :, a, :3], axis=-1).T,
            ],
            axis=1,
        )
        out.append(ActorTable(float(lam[0]), cum_q, guide, ambiguous, thresholds))
    return out

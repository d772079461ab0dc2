"""Where the adversary crosses: sector-choice models.

Each returns q with the sector axis last, summing to one along it.
- fixed weights: q proportional to given weights (route knowledge, terrain preference, opposite control)
- best response: all mass on the sectors with the highest expected value v_s * (1 - p_d p_i); ties split
- quantal response (logit): q proportional to exp(lambda * v_s * (1 - p_d p_i)); lambda=0 is uniform,
  lambda -> inf tends to best response
- adaptive displacement lives in the engine's state (it needs memory), using :func:`displace`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def fixed_choice(weights: ArrayLike) -> NDArray[np.float64]:
    """Normalise non-negative weights along the last axis (uniform if they are all zero)."""
    w = np.asarray(weights, dtype=float)
    total = w.sum(axis=-1, keepdims=True)
    n = w.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(total > 0, w / total, 1.0 / n)
    return np.asarray(q, dtype=float)


def expected_values(values: ArrayLike, p_success: ArrayLike) -> NDArray[np.float64]:
    """The adversary's expected value of each sector: v_s * P(not interdicted)."""
    return np.asarray(np.asarray(values, dtype=float) * np.asarray(p_success, dtype=float))


def best_response(
    values: ArrayLike, p_success: ArrayLike, rtol: float = 1e-9
) -> NDArray[np.float64]:
    """All mass on the best sectors; sectors within ``rtol`` of the best share it equally."""
    ev = expected_values(values, p_success)
    best = ev.max(axis=-1, keepdims=True)
    ties = ev >= best - rtol * np.maximum(np.abs(best), 1e-300)
    return fixed_choice(ties.astype(float))


def quantal_response(
    values: ArrayLike, p_success: ArrayLike, rationality: float
) -> NDArray[np.float64]:
    """Logit choice with rationality lambda (units: 1/value). Numerically stable softmax."""
    ev = expected_values(values, p_success)
    x = rationality * ev
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return np.asarray(e / e.sum(axis=-1, keepdims=True), dtype=float)


def displace(
    q: ArrayLike, successes: ArrayLike, attempts: ArrayLike, learning_rate: float
) -> NDArray[np.float64]:
    """Adaptive displacement: move q toward the sectors where recent attempts succeeded.

    target_s is proportional to q_s * (recent success rate in s), so pressure leaves sectors where
    crossings are stopped; q_new = (1 - eta) q + eta target. Sectors with no recent attempts keep
    their prior success estimate of 1 (the adversary has no reason yet to avoid them).
    """
    q0 = np.asarray(q, dtype=float)
    s = np.asarray(successes, dtype=float)
    a = np.asarray(attempts, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(a > 0, s / a, 1.0)
    target = fixed_choice(q0 * rate)
    return np.asarray((1.0 - learning_rate) * q0 + learning_rate * target, dtype=float)

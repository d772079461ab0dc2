"""The outcome of one covert crossing attempt, and the two interdiction rates.

Outcome classes (in this order, everywhere in bordersim):
  0 interdicted            p_d * p_i
  1 turned_back            p_d * (1 - p_i) * phi
  2 detected_got_away      p_d * (1 - p_i) * (1 - phi)
  3 undetected_got_away    1 - p_d
They sum to one, so attempts = the sum of the outcome counts exactly.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

OUTCOMES: tuple[str, ...] = (
    "interdicted",
    "turned_back",
    "detected_got_away",
    "undetected_got_away",
)


class Outcome(IntEnum):
    """Index of an outcome class on the last axis of outcome arrays, in the order of OUTCOMES."""

    INTERDICTED = 0
    TURNED_BACK = 1
    DETECTED_GOT_AWAY = 2
    UNDETECTED_GOT_AWAY = 3


INTERDICTED: Final = Outcome.INTERDICTED
TURNED_BACK: Final = Outcome.TURNED_BACK
DETECTED_GOT_AWAY: Final = Outcome.DETECTED_GOT_AWAY
UNDETECTED_GOT_AWAY: Final = Outcome.UNDETECTED_GOT_AWAY


def outcome_probabilities(
    p_detect: ArrayLike, p_interdict: ArrayLike, turn_back: ArrayLike
) -> NDArray[np.float64]:
    """Probabilities of the four outcome classes; the last axis has length 4."""
    pd_, pi_, phi = np.broadcast_arrays(
        np.asarray(p_detect, dtype=float),
        np.asarray(p_interdict, dtype=float),
        np.asarray(turn_back, dtype=float),
    )
    escaped = pd_ * (1.0 - pi_)
    return np.stack([pd_ * pi_, escaped * phi, escaped * (1.0 - phi), 1.0 - pd_], axis=-1)


def success_probability(p_detect: ArrayLike, p_interdict: ArrayLike) -> NDArray[np.float64]:
    """P(an attempt is not interdicted) = 1 - p_d*p_i: what the adversary weighs when choosing."""
    return np.asarray(
        1.0 - np.asarray(p_detect, dtype=float) * np.asarray(p_interdict, dtype=float), dtype=float
    )


def true_interdiction_rate(counts: ArrayLike) -> NDArray[np.float64]:
    """interdicted / attempts, with the outcome classes on the last axis (nan where no attempts)."""
    c = np.asarray(counts, dtype=float)
    attempts = c.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(c[..., INTERDICTED] / attempts, dtype=float)


def observed_interdiction_rate(counts: ArrayLike) -> NDArray[np.float64]:
    """The rate a border agency sees: (interdicted + turned back) / (all it detected). It cannot
    count undetected crossings, so it overstates the true rate whenever detection is imperfect."""
    c = np.asarray(counts, dtype=float)
    seen = c[..., INTERDICTED] + c[..., TURNED_BACK]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(seen / (seen + c[..., DETECTED_GOT_AWAY]), dtype=float)

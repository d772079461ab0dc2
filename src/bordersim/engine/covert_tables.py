"""The covert outcome tables the day loop draws from, built with the model's formulas.

Per phase the compiler gives each sector's outcome probabilities; inside a block the engine also
needs them with a breach's lowered detection (:func:`low_outcome_p`), with guards that only some
replications have activated (:func:`per_rep_outcome_p`), and as Poisson means per replication
(:func:`outcome_means`) split into attempts and outcome shares (:func:`attempts_and_split`). The
formulas themselves stay in :mod:`bordersim.model` (detection, interdiction, outcomes).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bordersim.model.compile import Compiled, Phase
from bordersim.model.detection import detection_probability
from bordersim.model.interdiction import interdiction_probability, response_time_hours
from bordersim.model.outcomes import outcome_probabilities

FloatArray = NDArray[np.float64]

__all__ = ["attempts_and_split", "low_outcome_p", "outcome_means", "per_rep_outcome_p"]


def per_rep_outcome_p(
    compiled: Compiled,
    phase_idx: int,
    extra_guards: FloatArray,
    extra_teams: FloatArray,
    detect_mult: FloatArray,
) -> FloatArray:
    """(n, S, Ac, 4) covert outcome probabilities with per-replication guards and detection.

    ``extra_guards``/``extra_teams`` (n, S) add to the phase's on-duty guards and patrol teams
    (border-duty units activated by a replication's own request); ``detect_mult`` (n, S) multiplies
    p_detect (a recent breach). Same model functions as the compiler, so with zero extras and
    multiplier 1 it reproduces the phase's ``outcome_p`` exactly."""
    ph = compiled.phases[phase_idx]
    c = compiled
    guards = ph.guards[None, :] + extra_guards
    p_d = detection_probability(guards, c.length_km, c.sector_sweep, ph.equipment) * detect_mult
    teams = _phase_teams(compiled, phase_idx)[None, :] + extra_teams
    resp = response_time_hours(
        teams, c.length_km, c.sector_speed, c.sector_r0, ph.reserve_hours[None, :]
    )
    p_i = interdiction_probability(resp, c.sector_vanish)
    return np.asarray(
        outcome_probabilities(p_d[..., None], p_i[..., None], c.turn_back[None, None, :]),
        dtype=float,
    )


def _phase_teams(compiled: Compiled, phase_idx: int) -> FloatArray:
    """(S,) patrol teams in force in a phase (the compiled, replication-independent ones)."""
    ph = compiled.phases[phase_idx]
    return np.asarray((ph.unit_active[:, None] * ph.unit_teams).sum(axis=0), dtype=float)


def low_outcome_p(compiled: Compiled, ph: Phase) -> FloatArray:
    """(S, Ac, 4) outcome probabilities in a sector whose detection a breach has lowered."""
    return np.asarray(
        outcome_probabilities(
            (ph.p_detect * compiled.incursion.breach_detection_factor)[:, None],
            ph.p_interdict[:, None],
            compiled.turn_back[None, :],
        )
    )


def attempts_and_split(means: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Expected attempts (sum of the outcome means) and the outcome probabilities of an attempt."""
    attempts = means.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        split = np.where(attempts[..., None] > 0, means / attempts[..., None], 0.25)
    return attempts, split


def outcome_means(rate: FloatArray, q: FloatArray, outcome_p: FloatArray) -> FloatArray:
    """(n, S, Ac, 4) Poisson means from rates (Ac,), choice q (n, Ac, S) and outcome_p (S, Ac, 4)
    or per replication (n, S, Ac, 4)."""
    op = outcome_p if outcome_p.ndim == 4 else outcome_p[None]
    return np.asarray(rate[None, None, :, None] * np.moveaxis(q, 1, 2)[..., None] * op)

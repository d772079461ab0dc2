"""The CRN-friendly covert draw: exact split, right distribution, monotone coupling."""

from __future__ import annotations

import numpy as np

from bordersim.engine.crossings import draw_covert, split_outcomes
from bordersim.model.outcomes import outcome_probabilities


def _p(pd_: float) -> np.ndarray:
    return outcome_probabilities(np.full((3, 2), pd_), 0.7, 0.3)


def _gens(seed: int) -> list[np.random.Generator]:
    return [np.random.default_rng([seed, a]) for a in range(2)]


def test_one_actor_changing_does_not_shift_another() -> None:
    """Actor 1 attempts more under one policy: actor 0's counts are unchanged (own streams)."""
    base = np.full((1, 3, 2), 2.0)
    more = base.copy()
    more[..., 1] = 5.0
    a = draw_covert(_gens(3), _gens(4), base, _p(0.5), 200)
    b = draw_covert(_gens(3), _gens(4), more, _p(0.5), 200)
    np.testing.assert_array_equal(a[:, :, 0], b[:, :, 0])
    assert not np.array_equal(a[:, :, 1], b[:, :, 1])


def test_split_conserves_attempts() -> None:
    rng = np.random.default_rng(1)
    attempts = rng.poisson(3.0, size=(50, 3, 2))
    for dense in (False, True):
        counts = split_outcomes(np.random.default_rng(2), attempts, _p(0.5), dense=dense)
        np.testing.assert_array_equal(counts.sum(axis=-1), attempts)
        assert (counts >= 0).all()


def test_split_means_match_probabilities_within_4_se() -> None:
    n = 20000
    attempts = np.full((n, 1, 1), 5)
    p = outcome_probabilities(0.6, 0.5, 0.25).reshape(1, 1, 4)
    for dense in (False, True):
        counts = split_outcomes(np.random.default_rng(3), attempts, p, dense=dense)[:, 0, 0]
        mean = counts.mean(axis=0)
        se = counts.std(axis=0, ddof=1) / np.sqrt(n)
        assert np.all(np.abs(mean - 5 * p[0, 0]) < 4 * se), (dense, mean)


def test_same_seed_couples_policies_monotonically() -> None:
    """Stronger detection with the same seed: never fewer interdictions, never more undetected."""
    mean = np.full((1, 3, 2), 2.0)
    weak = draw_covert(_gens(9), _gens(10), mean, _p(0.3), 400)
    strong = draw_covert(_gens(9), _gens(10), mean, _p(0.6), 400)
    np.testing.assert_array_equal(weak.sum(-1), strong.sum(-1))  # same attempts
    assert (strong[..., 0] >= weak[..., 0]).all()
    assert (strong[..., 3] <= weak[..., 3]).all()
    indep = draw_covert(_gens(11), _gens(12), mean, _p(0.6), 400)
    d_crn = (strong[..., 0] - weak[..., 0]).sum(axis=(1, 2))
    d_ind = (indep[..., 0] - weak[..., 0]).sum(axis=(1, 2))
    assert d_crn.var() < 0.5 * d_ind.var()


def test_per_replication_shares_and_outcomes_have_the_right_means() -> None:
    """Replications with different sector shares and outcome probabilities (the adaptive and
    breach-degraded paths): every (group, sector, outcome) mean within 4 SE of rate * q * p."""
    n, S = 4000, 3
    mean = np.empty((n, S, 1))
    mean[: n // 2, :, 0] = [0.5, 1.0, 1.5]  # first half of the replications
    mean[n // 2 :, :, 0] = [2.0, 0.0, 0.25]  # second half: nobody tries sector 1
    p = np.empty((n, S, 1, 4))
    p[: n // 2] = outcome_probabilities(0.3, 0.5, 0.2).reshape(1, 1, 1, 4)
    p[n // 2 :] = outcome_probabilities(np.array([0.9, 0.5, 0.1])[:, None], 0.8, 0.5)[None]
    counts = draw_covert(_gens(21)[:1], _gens(22)[:1], mean, p, n)[:, :, 0, :]
    expected = mean[..., 0][..., None] * p[:, :, 0, :]
    for half in (slice(0, n // 2), slice(n // 2, n)):
        got = counts[half].mean(axis=0)
        se = np.sqrt(expected[half].mean(axis=0) / (n // 2))  # Poisson: variance = mean
        exp = expected[half].mean(axis=0)
        assert np.all(np.abs(got - exp) <= 4 * se + 1e-12), (got, exp)
    assert counts[n // 2 :, 1].sum() == 0

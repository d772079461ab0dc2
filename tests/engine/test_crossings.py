"""The CRN-friendly covert draw: exact split, right distribution, monotone coupling."""

from __future__ import annotations

import numpy as np

from bordersim.engine.crossings import actor_tables, draw_covert, split_outcomes
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


def _shared_day(S: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(1, S, 2) attempt means, (1, S, 2, 4) outcome probabilities and the (S, 2) shares of a day
    with zero shares (the last sector among them) and one sector taking almost everything."""
    rng = np.random.default_rng(seed)
    share = rng.random((S, 2)) ** 4
    share[[0, 7, 8, S - 1], 0] = 0.0
    share[5, 1] = 1e3
    share /= share.sum(axis=0)
    p = outcome_probabilities(rng.random((S, 1)), rng.random((S, 1)), np.array([0.3, 0.6]))
    means = (np.array([12.0, 0.8]) * share)[None, :, :, None] * p[None]
    attempts = means.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):  # as the engine: 0.25 where no attempts
        split = np.where(attempts[..., None] > 0, means / attempts[..., None], 0.25)
    return attempts, split, share


def test_shared_tables_give_draw_covert_counts() -> None:
    """The span path's per-phase tables (guide-table sectors, cached thresholds) turn the same
    uniforms into the same counts as draw_covert, attempt by attempt."""
    S, n = 40, 60
    attempts, split, _share = _shared_day(S, 11)
    expected = draw_covert(_gens(5), _gens(6), attempts, split, n)
    tables = actor_tables(attempts, split, split)
    assert tables is not None
    att, spl = _gens(5), _gens(6)
    for a, tab in enumerate(tables):
        totals = att[a].poisson(tab.lam, size=n)
        u = att[a].random(int(totals.sum()))
        sector = tab.sectors(u)
        k = tab.outcomes(sector, spl[a].random(u.size))
        counts = np.zeros((n, S, 4), dtype=np.int64)
        np.add.at(counts, (np.repeat(np.arange(n), totals), sector, k), 1)
        np.testing.assert_array_equal(counts, expected[:, :, a, :])


def test_guide_table_sector_is_the_search() -> None:
    """The guide table finds exactly the sector a binary search finds, also for uniforms on or
    next to a cumulative share, at 0 and just below 1."""
    for S in (1, 2, 24, 2400):
        attempts, split, _share = _shared_day(max(S, 9), S)
        tables = actor_tables(attempts, split, split)
        assert tables is not None
        for tab in tables:
            edges = tab.cum_q[np.isfinite(tab.cum_q)]
            u = np.concatenate(
                [
                    np.random.default_rng(S).random(20_000),
                    edges,
                    np.nextafter(edges, 0.0),
                    np.nextafter(edges, 1.0),
                    [0.0, np.nextafter(1.0, 0.0)],
                ]
            )
            u = u[(u >= 0.0) & (u < 1.0)]
            expected = tab.cum_q.searchsorted(u, side="right")
            np.testing.assert_array_equal(tab.sectors(u), expected)
            assert expected.max() <= tab.cum_q.size - 1

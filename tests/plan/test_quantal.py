"""Tests for bordersim.plan.quantal: brute-force agreement, the certified bound, the limits lambda=0
and lambda -> infinity."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from bordersim.plan.quantal import quantal_defender_utility, solve_quantal
from bordersim.plan.stackelberg import SecurityGame, solve_origami


def _game(seed: int, n: int, m: float) -> SecurityGame:
    rng = np.random.default_rng(seed)
    return SecurityGame.from_arrays(
        rng.uniform(0, 10, n),
        rng.uniform(-10, 0, n),
        rng.uniform(-10, 0, n),
        rng.uniform(0, 10, n),
        m,
    )


def _eu(game: SecurityGame, cov: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    """Defender's expected utility against a logit attacker, for coverages of shape (..., n);
    written out here, independently of the package's quantal_defender_utility."""
    ua = game.attacker_uncovered - cov * (game.attacker_uncovered - game.attacker_covered)
    ud = game.defender_uncovered + cov * (game.defender_covered - game.defender_uncovered)
    x = lam * ua
    w = np.exp(x - x.max(axis=-1, keepdims=True))
    return np.asarray((w * ud).sum(axis=-1) / w.sum(axis=-1), dtype=float)


def _brute_three(game: SecurityGame, lam: float, step: int = 600) -> float:
    """Best EU over a fine simplex grid (n = 3, m = 1): a lower bound on the optimum."""
    s = np.linspace(0, 1, step + 1)
    a, b = np.meshgrid(s, s)
    ok = a + b <= 1 + 1e-12
    cov = np.stack([a[ok], b[ok], np.clip(1 - a[ok] - b[ok], 0, 1)], axis=1)
    return float(_eu(game, cov, lam).max())


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("lam", [0.05, 0.3, 1.0, 5.0])
def test_matches_brute_force_grid(seed: int, lam: float) -> None:
    game = _game(seed, 3, 1.0)
    sol = solve_quantal(game, lam)
    brute = _brute_three(game, lam)
    # From below: every grid point is a feasible coverage, so the optimum is >= brute, and the
    # solver must reach it. Its last step is SLSQP with the exact gradient and ftol = 1e-12 on EU
    # (|EU| <= 10 here), which ends within ~1e-10 of the optimum of the basin the MILP found;
    # 1e-6 is the accuracy it states when that polish is not taken, Dinkelbach's stopping rule
    # tol x payoff scale = 1e-7 x 10. A solver stuck in another basin misses by far more.
    assert sol.defender_utility >= brute - 1e-6
    # From above, exactly (this replaces a +0.05 slack for the grid's resolution): the reported
    # utility is that of a feasible coverage, evaluated here independently, so it cannot exceed
    # the optimum. Feasible: 0 <= c <= 1, sum(c) = m, to rounding.
    assert np.all((sol.coverage >= 0) & (sol.coverage <= 1))
    assert sol.coverage.sum() == pytest.approx(1.0, abs=1e-9)
    assert sol.defender_utility == pytest.approx(float(_eu(game, sol.coverage, lam)), abs=1e-12)
    assert sol.defender_utility == pytest.approx(quantal_defender_utility(game, sol.coverage, lam))
    # The certified bound is a true upper bound on the optimum (the grid value is a lower bound).
    assert sol.upper_bound >= brute - 1e-9
    assert sol.gap_bound >= 0


def test_bound_is_tight_for_gentle_attacker() -> None:
    game = _game(4, 5, 2.0)
    sol = solve_quantal(game, 0.05, segments=32)
    assert sol.gap_bound < 0.05


def test_lambda_zero_uniform_attack_and_knapsack_coverage() -> None:
    game = _game(5, 6, 2.5)
    sol = solve_quantal(game, 0.0)
    assert sol.attack_probabilities == pytest.approx(np.full(6, 1 / 6))
    # With a uniform attacker EU = mean(Ud_u + dD c): a fractional knapsack on dD.
    dd = game.defender_covered - game.defender_uncovered
    order = np.argsort(-dd)
    c = np.zeros(6)
    c[order[:2]] = 1.0
    c[order[2]] = 0.5
    expected = float(np.mean(game.defender_uncovered + dd * c))
    assert sol.defender_utility == pytest.approx(expected, abs=1e-9)
    assert sol.gap_bound == pytest.approx(0.0, abs=1e-9)


def test_large_lambda_approaches_sse() -> None:
    # As lambda grows the logit attacker concentrates on best responses, and the defender's optimum
    # tends to the strong-SSE value. Justification of the tolerance: with coverage shifted by delta from
    # the SSE (to make the SSE target a strict best response by delta * min width), the defender loses
    # at most delta * max|dD| and the other targets are attacked with probability at most
    # (n - 1) exp(-lambda * delta * min width); at lambda = 50, n = 3 and widths of ~5-15 choosing
    # delta = 0.02 gives < 0.2 + 10 * 2 e^{-5} ~ 0.33. The distance must also shrink with lambda.
    game = _game(3, 3, 1.0)
    sse = solve_origami(game).defender_utility
    gaps = [abs(solve_quantal(game, lam).defender_utility - sse) for lam in (0.5, 5.0, 50.0)]
    assert gaps[2] < 0.33
    assert gaps[0] > gaps[1] > gaps[2]


def test_full_resources_and_validation() -> None:
    game = _game(6, 3, 5.0)
    sol = solve_quantal(game, 1.0)
    assert sol.coverage == pytest.approx([1.0, 1.0, 1.0])
    with pytest.raises(ValueError):
        solve_quantal(game, -1.0)

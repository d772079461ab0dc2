"""bordersim.model.choice: the attackers' choice models and displacement against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bordersim.model.choice import best_response, displace, fixed_choice, quantal_response


def test_choice_models() -> None:
    np.testing.assert_allclose(fixed_choice([1, 3]), [0.25, 0.75])
    np.testing.assert_allclose(fixed_choice([0, 0]), [0.5, 0.5])
    v, s = np.array([1.0, 2.0, 2.0]), np.array([1.0, 0.5, 0.5])  # ev = 1, 1, 1: three-way tie
    np.testing.assert_allclose(best_response(v, s), [1 / 3] * 3)
    np.testing.assert_allclose(best_response([1.0, 3.0], [1.0, 0.5]), [0.0, 1.0])
    np.testing.assert_allclose(quantal_response([1.0, 3.0], [1.0, 0.5], 0.0), [0.5, 0.5])
    q = quantal_response([1.0, 3.0], [1.0, 0.5], 2.0)  # ev 1 vs 1.5
    assert q[1] / q[0] == pytest.approx(math.exp(2.0 * 0.5))
    np.testing.assert_allclose(quantal_response([1.0, 3.0], [1.0, 0.5], 500.0), [0, 1], atol=1e-12)


def test_displacement_moves_toward_success() -> None:
    q = np.array([0.5, 0.5])
    new = displace(q, successes=[10, 2], attempts=[10, 10], learning_rate=0.5)
    assert new[0] > 0.5 > new[1]
    assert new.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(displace(q, [0, 0], [0, 0], 0.5), q)  # no news: no move

"""Each model formula against hand-computed values, including the edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bordersim.model.choice import best_response, displace, fixed_choice, quantal_response
from bordersim.model.detection import detection_probability, guards_for_detection, search_density
from bordersim.model.interdiction import (
    interdiction_probability,
    patrol_teams,
    response_time_hours,
)
from bordersim.model.outcomes import (
    observed_interdiction_rate,
    outcome_probabilities,
    success_probability,
    true_interdiction_rate,
)


def test_koopman_by_hand() -> None:
    # w=0.25 km, e=1.2, g=100 guards, l=50 km: z = 0.25*1.2*100/50 = 0.6
    assert detection_probability(100, 50, 0.25, 1.2) == pytest.approx(1 - math.exp(-0.6))
    assert search_density(100, 50, 0.25, 1.2) == pytest.approx(0.6)


def test_koopman_edges() -> None:
    assert detection_probability(0, 50, 0.25) == 0.0  # no guards: never detected
    assert detection_probability(10, 0, 0.25) == 1.0  # zero length with guards: fully covered
    assert detection_probability(0, 0, 0.25) == 0.0  # zero length, no guards: nobody looks
    assert detection_probability(1e9, 1, 1) == 1.0


def test_guards_for_detection_inverts() -> None:
    g = np.array([0.0, 10.0, 250.0])
    p = detection_probability(g, 56.0, 0.2, 1.3)
    np.testing.assert_allclose(guards_for_detection(p, 56.0, 0.2, 1.3), g, atol=1e-9)
    assert np.isinf(guards_for_detection(1.0, 56.0, 0.2))


def test_response_time_by_hand() -> None:
    # 12 guards in teams of 6 = 2 teams; r0 0.5 h + 60 km / (2*2*30 km/h) = 0.5 + 0.5 = 1 h
    teams = patrol_teams(12, 6)
    assert teams == pytest.approx(2.0)
    assert response_time_hours(teams, 60, 30, 0.5, np.inf) == pytest.approx(1.0)
    # a reserve that is faster wins
    assert response_time_hours(teams, 60, 30, 0.5, 0.75) == pytest.approx(0.75)
    # no guards: only the reserve; no reserve either: never
    assert response_time_hours(0, 60, 30, 0.5, 3.0) == pytest.approx(3.0)
    assert np.isinf(response_time_hours(0, 60, 30, 0.5, np.inf))


def test_interdiction_by_hand() -> None:
    assert interdiction_probability(1.0, 2.0) == pytest.approx(math.exp(-0.5))
    assert interdiction_probability(0.0, 2.0) == 1.0
    assert interdiction_probability(np.inf, 2.0) == 0.0


def test_outcome_split_by_hand_and_sums_to_one() -> None:
    p = outcome_probabilities(0.6, 0.5, 0.25)
    np.testing.assert_allclose(p, [0.3, 0.075, 0.225, 0.4])
    assert success_probability(0.6, 0.5) == pytest.approx(0.7)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_outcomes_are_a_distribution(pd_: float, pi_: float, phi: float) -> None:
    p = outcome_probabilities(pd_, pi_, phi)
    assert np.all(p >= -1e-15)
    assert p.sum() == pytest.approx(1.0)


def test_rates_true_vs_observed_by_hand() -> None:
    counts = np.array([30, 10, 20, 40])  # interdicted, turned back, detected got away, undetected
    assert true_interdiction_rate(counts) == pytest.approx(0.3)
    assert observed_interdiction_rate(counts) == pytest.approx(40 / 60)


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

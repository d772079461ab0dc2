"""bordersim.model.outcomes: the outcome split and the interdiction rates against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bordersim.model.outcomes import (
    observed_interdiction_rate,
    outcome_probabilities,
    success_probability,
    true_interdiction_rate,
)


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

"""bordersim.model.detection: the Koopman random-search formula against hand-computed values, edges included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bordersim.model.detection import detection_probability, guards_for_detection, search_density


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

"""bordersim.model.interdiction: response times and interdiction probability against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bordersim.model.interdiction import (
    interdiction_probability,
    patrol_teams,
    response_time_hours,
)


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

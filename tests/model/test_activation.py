"""Tests for activation on request, the CSTO ramp, escalation and reserve timing."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from bordersim.model.activation import (
    air_lift_arrivals,
    csto_strength_fraction,
    escalation_request_day,
    on_request_active,
    reserve_response_hours,
)
from bordersim.model.engagement import resolve_engagements

# --- on request ---------------------------------------------------------------------------------


def test_on_request_units_never_act_before_request_plus_delay() -> None:
    rng = np.random.default_rng(7)
    t = rng.uniform(0, 100, (200, 1, 1))
    request = np.concatenate([rng.uniform(0, 80, 30), [np.inf, 0.0]])[None, :, None]
    delay = rng.uniform(0, 10, 5)[None, None, :]
    active = on_request_active(t, request, delay)
    assert active.shape == (200, 32, 5)
    np.testing.assert_array_equal(active, t >= request + delay)
    assert not active[:, -2, :].any()  # never requested


def test_on_request_boundary_is_inclusive() -> None:
    assert on_request_active(12.0, 10.0, 2.0)
    assert not on_request_active(np.nextafter(12.0, 0.0), 10.0, 2.0)
    assert not on_request_active(np.inf, np.inf, 0.0)


# --- CSTO ramp ----------------------------------------------------------------------------------


@pytest.mark.parametrize("request_day", [0.0, 0.1, 7.3, 100.7, 1234.567])
def test_csto_full_strength_exactly_three_days_after_request(request_day: float) -> None:
    assert csto_strength_fraction(request_day + 3.0, request_day) == 1.0
    assert csto_strength_fraction(request_day + 3.0 + 2.0, request_day, delay_days=2.0) == 1.0
    assert csto_strength_fraction(request_day, request_day) == 0.0
    assert csto_strength_fraction(request_day + 1.5, request_day) == pytest.approx(0.5)
    assert csto_strength_fraction(request_day - 1.0, request_day) == 0.0
    assert csto_strength_fraction(request_day + 30.0, request_day) == 1.0


def test_csto_ramp_is_monotone_and_bounded() -> None:
    t = np.linspace(-5, 20, 1001)
    f = csto_strength_fraction(t, 4.0, ramp_days=3.0, delay_days=1.0)
    assert ((f >= 0) & (f <= 1)).all()
    assert (np.diff(f) >= 0).all()
    assert (f[t < 5.0] == 0).all()
    assert (f[t >= 8.0] == 1).all()


def test_csto_never_requested_and_zero_ramp() -> None:
    assert csto_strength_fraction(50.0, np.inf) == 0.0
    np.testing.assert_array_equal(
        csto_strength_fraction([1.9, 2.0, 2.1], 2.0, ramp_days=0.0), [0.0, 1.0, 1.0]
    )
    with pytest.raises(ValueError, match="ramp_days"):
        csto_strength_fraction(1.0, 0.0, ramp_days=-1.0)


# --- escalation ---------------------------------------------------------------------------------


def naive_request_day(events: NDArray[np.float64], window: int, threshold: float) -> float:
    for d in range(events.size):
        if events[max(0, d - window + 1) : d + 1].sum() >= threshold:
            return float(d)
    return float("inf")


def test_escalation_fires_on_the_day_the_threshold_is_met() -> None:
    # threshold 3 in a 7-day window (days d-6 .. d inclusive)
    seqs = [
        [1, 0, 0, 1, 0, 0, 1, 0, 0, 0],  # days 0, 3, 6 -> day 6
        [1, 0, 0, 0, 0, 0, 0, 1, 1, 0],  # day 0 has left the window by day 7 -> never
        [0, 0, 2, 0, 0, 0, 0, 0, 1, 0],  # day 2 is still in day 8's window (2..8) -> day 8
        [0, 0, 2, 0, 0, 0, 0, 0, 0, 1],  # but not in day 9's (3..9) -> never
        [3, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # at once
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 5],  # last day
        [0] * 10,
    ]
    got = escalation_request_day(np.array(seqs), window_days=7, threshold=3)
    np.testing.assert_array_equal(got, [6.0, np.inf, 8.0, np.inf, 0.0, 9.0, np.inf])


def test_escalation_matches_naive_window_sums() -> None:
    rng = np.random.default_rng(42)
    ints = rng.poisson(0.3, (300, 60))
    floats = rng.integers(0, 5, (300, 60)) * 0.25  # exactly representable: sums are exact
    for events in (ints, floats):
        for window, threshold in [(1, 1), (7, 3), (14, 4.5), (30, 8), (90, 10)]:
            got = escalation_request_day(events, window, threshold)
            want = [naive_request_day(e, window, threshold) for e in events]
            np.testing.assert_array_equal(got, want)


def test_escalation_round_off_does_not_delay_the_request() -> None:
    # 0.7 + 0.1 + 0.1 + 0.1 is 0.9999999999999999 in floating point; the window has reached 1.
    events = np.array([[0.7, 0.1, 0.1, 0.1, 0.0]])
    assert escalation_request_day(events, 7, 1.0) == 3.0
    assert escalation_request_day(events, 7, 1.0 + 1e-9) == np.inf


def test_escalation_shapes_and_modes() -> None:
    one = escalation_request_day(np.array([0, 1, 1]), 2, 2)
    assert one.shape == ()
    assert one == 2.0
    shorter_than_window = escalation_request_day(np.array([[1, 1], [1, 0]]), 5, 2)
    np.testing.assert_array_equal(shorter_than_window, [1.0, np.inf])
    ev = np.zeros((4, 10), dtype=int)
    np.testing.assert_array_equal(escalation_request_day(ev, 7, 3, 12.0, mode="date"), [12.0] * 4)
    np.testing.assert_array_equal(escalation_request_day(ev, 7, 3, mode="never"), [np.inf] * 4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "date"}, "fixed_day"),
        ({"mode": "sometimes"}, "unknown"),
        ({"window_days": 0}, "window_days"),
        ({"threshold": 0}, "threshold"),
    ],
)
def test_escalation_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"daily_events": np.zeros((2, 5)), "window_days": 7, "threshold": 3}
    with pytest.raises(ValueError, match=message):
        escalation_request_day(**{**args, **kwargs})  # type: ignore[arg-type]


# --- reserves and air lift ----------------------------------------------------------------------


def test_reserve_response_hours_units_by_sectors() -> None:
    readiness = np.array([1.0, 2.0, 0.5])
    speed = np.array([30.0, 60.0, 0.0])
    dist = np.array([[30.0, 60.0, 90.0], [60.0, 0.0, 120.0], [0.0, 10.0, 10.0]])
    got = reserve_response_hours(readiness, dist, speed, tortuosity=[1.0, 1.5, 2.0])
    want = np.array(
        [
            [1.0 + 1.0, 1.0 + 3.0, 1.0 + 6.0],  # rows are units even though U == S
            [2.0 + 1.0, 2.0 + 0.0, 2.0 + 4.0],
            [0.5, np.inf, np.inf],  # cannot move, but already at sector 0
        ]
    )
    np.testing.assert_allclose(got, want)
    assert reserve_response_hours(2.0, 100.0, 50.0, 1.3) == pytest.approx(2.0 + 2.6)


def test_air_lift_waves_hand_case() -> None:
    # 50 men, 12 per sortie, 4 sorties a day (one every 6 h), 45 min flight, 1 h to get ready.
    times, sizes = air_lift_arrivals(50.0, 12.0, 4.0, 0.75, 1.0)
    np.testing.assert_allclose(times, [1.75, 7.75, 13.75, 19.75, 25.75])
    np.testing.assert_array_equal(sizes, [12.0, 12.0, 12.0, 12.0, 2.0])


def test_air_lift_cycle_is_at_least_the_round_trip_and_padding() -> None:
    times, sizes = air_lift_arrivals([40.0, 10.0, 30.0], [20.0, 20.0, 0.0], 24.0, 2.0)
    np.testing.assert_allclose(times[0], [2.0, 6.0])  # 24 a day would be hourly; round trip 4 h
    np.testing.assert_array_equal(times[1], [2.0, np.inf])
    np.testing.assert_array_equal(sizes[1], [10.0, 0.0])
    assert np.isinf(times[2]).all() and (sizes[2] == 0).all()  # no lift
    np.testing.assert_array_equal(sizes.sum(axis=1), [40.0, 10.0, 0.0])


def test_air_lift_cap_and_errors() -> None:
    times, sizes = air_lift_arrivals(1000.0, 10.0, 2.0, 1.0, max_waves=3)
    assert times.shape == (3,)
    assert sizes.sum() == 30.0
    with pytest.raises(ValueError, match="max_waves"):
        air_lift_arrivals(np.inf, 10.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="lift_per_sortie"):
        air_lift_arrivals(10.0, -1.0, 2.0, 1.0)


def test_air_lift_feeds_engagements() -> None:
    times, sizes = air_lift_arrivals([24.0, 24.0, 0.0], 8.0, 6.0, 0.5, 0.5)
    res = resolve_engagements(
        [20.0, 20.0, 20.0], [60.0, 60.0, 60.0], 0.03, 0.05, times, sizes,
        break_defender=0.2, break_attacker=0.5, time_limit_hours=48.0,
    )  # fmt: skip
    assert res.outcome.shape == (3,)
    assert res.defenders_committed[0] > 20.0
    assert res.defenders_committed[2] == 20.0


def test_road_distance_runs_to_the_border_then_along_it() -> None:
    from bordersim.model.activation import road_distance_km

    # a base 55 km off the border at chainage 195 km, to sectors centred at 28 km and 700 km
    np.testing.assert_allclose(road_distance_km(195.0, 55.0, [28.0, 700.0]), [222.0, 560.0])
    # bases against sectors broadcast to (bases, sectors)
    d = road_distance_km(np.array([[0.0], [100.0]]), np.array([[10.0], [0.0]]), [0.0, 50.0])
    np.testing.assert_allclose(d, [[10.0, 60.0], [100.0, 50.0]])

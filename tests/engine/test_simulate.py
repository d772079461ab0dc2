"""The engine: closed-form expectations, conservation, reproducibility, blocking independence."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bordersim.engine import simulate
from bordersim.engine.rng import RNG_BLOCK
from bordersim.model.compile import compile_scenario, with_overrides
from bordersim.scenario.builtin import load


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load("tajik-afghan-2021")


@pytest.fixture(scope="module")
def stationary(scenario):  # type: ignore[no-untyped-def]
    """After the last 2021 event: one phase, fixed choice for traffickers, quantal for militants."""
    return compile_scenario(scenario, start=dt.date(2021, 9, 1), days=40)


def test_stationary_scenario_has_one_phase(stationary) -> None:  # type: ignore[no-untyped-def]
    assert len(stationary.phases) == 1


def test_means_within_4_se_of_closed_form(stationary) -> None:  # type: ignore[no-untyped-def]
    """E[count of outcome k in sector s for actor a] = days * rate_a * q_as * p_k(s, a)."""
    ph = stationary.phases[0]
    R, T = 750, stationary.days
    res = simulate(stationary, R, seed=7)
    expected = T * ph.covert_rate[None, :, None] * ph.choice_q.T[:, :, None] * ph.outcome_p
    # per actor and outcome, summed over sectors (Poisson: variance = mean per replication)
    exp_ao = expected.sum(axis=0)
    got = res.covert_totals.sum(axis=1)  # (R, Ac, 4)
    mean = got.mean(axis=0)
    se = got.std(axis=0, ddof=1) / np.sqrt(R)
    z = (mean - exp_ao) / np.maximum(se, 1e-12)
    assert np.all(np.abs(z) < 4), z
    # and per sector for the traffickers' interdictions (the bulk of the counts)
    per_sector = res.covert_totals[:, :, 0, 0]
    z_s = (per_sector.mean(0) - expected[:, 0, 0]) / (per_sector.std(0, ddof=1) / np.sqrt(R))
    assert np.all(np.abs(z_s) < 4), z_s


def test_conservation_and_daily_mode_agree(stationary) -> None:  # type: ignore[no-untyped-def]
    res = simulate(stationary, 300, seed=3, mode="daily")
    assert res.covert_daily is not None
    np.testing.assert_array_equal(res.covert_daily.sum(axis=1), res.covert_totals)
    assert (res.covert_totals >= 0).all()
    totals = simulate(stationary, 300, seed=3, mode="totals")
    np.testing.assert_array_equal(totals.covert_totals, res.covert_totals)


def test_same_seed_same_numbers_and_different_seed_differs(stationary) -> None:  # type: ignore[no-untyped-def]
    a = simulate(stationary, 300, seed=11)
    b = simulate(stationary, 300, seed=11)
    c = simulate(stationary, 300, seed=12)
    np.testing.assert_array_equal(a.covert_totals, b.covert_totals)
    assert not np.array_equal(a.covert_totals, c.covert_totals)
    assert a.summary_json() == b.summary_json()


@settings(max_examples=8, derandomize=True, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_results_do_not_depend_on_blocking(scenario, n_blocks: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Running replications in pieces (as workers would) gives the same numbers as one run."""
    c = compile_scenario(scenario, start=dt.date(2021, 7, 1), days=10)
    n = n_blocks * RNG_BLOCK + 17
    whole = simulate(c, n, seed)
    cuts = [0, *range(RNG_BLOCK, n, RNG_BLOCK), n]
    parts = [simulate(c, b - a, seed, rep_start=a) for a, b in itertools.pairwise(cuts)]
    np.testing.assert_array_equal(
        np.concatenate([p.covert_totals for p in parts]), whole.covert_totals
    )
    np.testing.assert_array_equal(
        np.concatenate([p.flee_arrived for p in parts]), whole.flee_arrived
    )


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.floats(1000, 20000), st.floats(1.05, 3.0))
def test_more_guards_never_lower_expected_interdictions(
    scenario, strength: float, factor: float
) -> None:  # type: ignore[no-untyped-def]
    """Property of the compiled model: scaling the on-border force up raises p_d * p_i everywhere,
    so with a fixed-choice adversary the expected interdictions per sector never fall."""
    day = dt.date(2021, 9, 1)
    lo = compile_scenario(
        with_overrides(scenario, {"units.tj_border_troops.strength": strength}), start=day, days=1
    ).phases[0]
    hi = compile_scenario(
        with_overrides(scenario, {"units.tj_border_troops.strength": strength * factor}),
        start=day,
        days=1,
    ).phases[0]
    assert np.all(hi.guards >= lo.guards)
    e_lo = lo.covert_rate[0] * lo.choice_q[0] * lo.outcome_p[:, 0, 0]
    e_hi = hi.covert_rate[0] * hi.choice_q[0] * hi.outcome_p[:, 0, 0]
    assert np.all(e_hi >= e_lo - 1e-12)


def test_fleeing_surge_on_5_july(scenario) -> None:  # type: ignore[no-untyped-def]
    c = compile_scenario(scenario, start=dt.date(2021, 7, 1), days=10)
    res = simulate(c, 250, seed=5)
    arrived = res.flee_daily[:, :, 0].sum(axis=1) / 250
    surge_day = (dt.date(2021, 7, 5) - dt.date(2021, 7, 1)).days
    assert arrived.argmax() == surge_day
    assert arrived[surge_day] > 1037  # the batch plus the background flow
    # people are never interdicted: everyone who arrives is received or still waiting
    np.testing.assert_array_equal(res.flee_arrived, res.flee_received + res.flee_waiting)

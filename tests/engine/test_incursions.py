"""Armed incursions in the engine: activation, escalation, breaches and detection, event counts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bordersim.engine import simulate
from bordersim.engine.covert_tables import per_rep_outcome_p
from bordersim.engine.incursions import unit_fractions
from bordersim.model.activation import escalation_request_day
from bordersim.model.codes import ActivationMode
from bordersim.model.compile import compile_scenario
from bordersim.scenario.builtin import builtin_names, load


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load("tajik-afghan-2021")


@pytest.fixture(scope="module")
def hot(scenario):  # type: ignore[no-untyped-def]
    """csto-on-call with frequent, overwhelming raids: breaches and requests in every replication."""
    return compile_scenario(
        scenario,
        policy="csto-on-call",
        start=dt.date(2021, 9, 1),
        days=40,
        overrides={
            "actors.armed_incursions.rate_per_day": 0.5,
            "actors.armed_incursions.attackers": 5000.0,
        },
    )


def _unit(c, uid: str) -> int:  # type: ignore[no-untyped-def]
    return c.unit_ids.index(uid)


def test_on_request_units_never_act_before_the_request(hot) -> None:  # type: ignore[no-untyped-def]
    days = np.arange(40, dtype=float)
    req = np.full(40, 10.0)
    frac = unit_fractions(hot, hot.phase_index()[:40], days, req)
    for j, code in enumerate(hot.unit_activation):
        if code != ActivationMode.ALWAYS:
            assert (frac[days < 10.0, j] == 0).all(), hot.unit_ids[j]
    never = unit_fractions(hot, hot.phase_index()[:40], days, np.full(40, np.inf))
    assert (never[:, hot.unit_activation != ActivationMode.ALWAYS] == 0).all()


def test_csto_full_strength_three_days_after_it_starts(hot) -> None:  # type: ignore[no-untyped-def]
    j = _unit(hot, "csto_crrf")
    delay, ramp = hot.unit_delay_days[j], hot.unit_ramp_days[j]
    assert ramp == 3.0
    req = 5.0
    days = np.array([req + delay - 1, req + delay, req + delay + 1, req + delay + 3, 39.0])
    frac = unit_fractions(hot, hot.phase_index()[days.astype(int)], days, np.full(5, req))[:, j]
    np.testing.assert_allclose(frac, [0.0, 0.0, 1 / 3, 1.0, 1.0])


def test_escalation_fires_exactly_at_the_threshold(hot) -> None:  # type: ignore[no-untyped-def]
    res = simulate(hot, 300, seed=4, mode="daily")
    inc = res.incursions
    assert inc is not None and inc.daily is not None
    per_day = inc.daily[..., 0].sum(axis=2).astype(np.int64)  # (R, T) engagements
    expected = escalation_request_day(per_day, 7, 3)
    np.testing.assert_array_equal(inc.request_day, expected)
    # by hand for one replication: the first day whose trailing 7-day sum reaches 3
    r = int(np.argmax(np.isfinite(expected)))
    window = np.convolve(per_day[r], np.ones(7, dtype=np.int64))[: per_day.shape[1]]
    assert expected[r] == np.argmax(window >= 3)
    assert np.isfinite(inc.request_day).mean() > 0.9


def test_breach_lowers_detection_for_the_stated_days(hot) -> None:  # type: ignore[no-untyped-def]
    res = simulate(hot, 250, seed=9, mode="daily")
    inc = res.incursions
    assert inc is not None and inc.daily is not None and res.degraded_days is not None
    D = int(hot.incursion.breach_detection_days)
    breach = inc.daily[..., 1] > 0  # (R, T, S)
    assert breach.any()
    T = breach.shape[1]
    lowered = np.zeros_like(breach)
    for k in range(D):  # breach day and the D - 1 days after it
        lowered[:, k:] |= breach[:, : T - k]
    np.testing.assert_array_equal(res.degraded_days, lowered.sum(axis=1))
    # and the covert outcome probabilities on those days use p_detect x factor
    c = hot
    n, S = 2, c.n_sectors
    mult = np.ones((n, S))
    mult[1] = c.incursion.breach_detection_factor
    op = per_rep_outcome_p(c, 0, np.zeros((n, S)), np.zeros((n, S)), mult)
    np.testing.assert_allclose(op[0], c.phases[0].outcome_p, rtol=1e-12, atol=1e-15)
    undetected = 1.0 - c.phases[0].p_detect * c.incursion.breach_detection_factor
    np.testing.assert_allclose(op[1, :, 0, 3], undetected, rtol=1e-12)


def test_breaches_lower_interdictions_statistically(scenario) -> None:  # type: ignore[no-untyped-def]
    """Same covert stream, degraded detection after breaches: fewer interdictions in the mean."""
    kw = {"start": dt.date(2021, 9, 1), "days": 60}
    calm = compile_scenario(scenario, overrides={"actors.armed_incursions.rate_per_day": 0.0}, **kw)
    raided = compile_scenario(
        scenario,
        overrides={
            "actors.armed_incursions.rate_per_day": 1.0,
            "actors.armed_incursions.attackers": 5000.0,
        },
        **kw,
    )
    a = simulate(calm, 500, seed=2).covert_totals[..., 0].sum(axis=(1, 2))
    b = simulate(raided, 500, seed=2).covert_totals[..., 0].sum(axis=(1, 2))
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert (a.mean() - b.mean()) / se > 4


def test_engagement_counts_match_poisson_rates(scenario) -> None:  # type: ignore[no-untyped-def]
    c = compile_scenario(
        scenario, overrides={"actors.armed_incursions.rate_per_day": 0.05}, days=120
    )
    R = 1000
    res = simulate(c, R, seed=11)
    assert res.incursions is not None
    got = res.incursions.engagements[:, 0].astype(float)
    idx = c.phase_index()[:120]
    expected = sum(c.phases[i].armed_rate[0].sum() for i in idx)
    z = (got.mean() - expected) / np.sqrt(expected / R)  # Poisson: variance = mean
    assert abs(z) < 4, (got.mean(), expected)
    inc = res.incursions
    np.testing.assert_array_equal(inc.engagements, inc.breaches + inc.repelled + inc.undecided)


def test_same_seed_same_incursions_and_blocking_independent(hot) -> None:  # type: ignore[no-untyped-def]
    whole = simulate(hot, 500, seed=5)
    parts = [simulate(hot, 250, seed=5, rep_start=0), simulate(hot, 250, seed=5, rep_start=250)]
    assert whole.incursions is not None
    np.testing.assert_array_equal(
        np.concatenate([p.incursions.breaches for p in parts]),  # type: ignore[union-attr]
        whole.incursions.breaches,
    )
    np.testing.assert_array_equal(
        np.concatenate([p.covert_totals for p in parts]), whole.covert_totals
    )
    assert whole.summary_json() == simulate(hot, 500, seed=5).summary_json()


@pytest.mark.parametrize("name", ["tajik-afghan-2021", "tajik-afghan-2015", "tajik-afghan-2004"])
def test_builtin_runs_whole_timeline_with_incursions(name: str) -> None:
    assert name in builtin_names()
    sc = load(name)
    for policy in [None, *sc.policies]:
        c = compile_scenario(sc, policy=policy)
        res = simulate(c, 50, seed=1)
        summary = res.summary()
        if c.armed_ids:
            assert summary["incursions"], policy
            row = summary["incursions"][0]
            assert row["engagements"] >= row["breaches"] >= 0
        res.to_xarray()

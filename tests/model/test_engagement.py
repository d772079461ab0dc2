"""Tests for the closed-form square-law engagement model.

The reference is a direct numerical integration (scipy's DOP853 at rtol 1e-10 with terminal events
at the break points, restarted at each reinforcement arrival): the closed form must agree with it on
outcome, duration and final strengths to 1e-6 relative on a few hundred random cases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from bordersim.model.engagement import (
    BREACH,
    REPELLED,
    UNDECIDED,
    EngagementResult,
    OutcomeProbabilities,
    resolve_engagements,
    square_law_invariant,
)

RTOL = 1e-6


def reference_engagement(
    d0: float,
    n0: float,
    alpha: float,
    beta: float,
    times: NDArray[np.float64],
    sizes: NDArray[np.float64],
    *,
    break_defender: float,
    break_attacker: float,
    time_limit: float,
) -> tuple[int, float, float, float]:
    """(outcome, duration, defenders_final, attackers_final) by numerical integration."""
    order = np.argsort(times, kind="stable")
    times, sizes = times[order], sizes[order]
    d = d0 + float(sizes[times <= 0].sum())
    committed = d
    n = n0
    n_thr = break_attacker * n0
    if n <= n_thr:
        return REPELLED, 0.0, d, n
    if d <= break_defender * committed:
        return BREACH, 0.0, d, n
    t = 0.0
    later = [(float(a), float(s)) for a, s in zip(times, sizes, strict=True) if 0 < a < time_limit]
    boundaries = [*later, (time_limit, 0.0)]

    def rhs(_t: float, y: NDArray[np.float64]) -> list[float]:
        return [-alpha * y[1], -beta * y[0]]

    for end, size in boundaries:
        d_thr = break_defender * committed

        def hit_d(_t: float, y: NDArray[np.float64], thr: float = d_thr) -> float:
            return float(y[0] - thr)

        def hit_n(_t: float, y: NDArray[np.float64]) -> float:
            return float(y[1] - n_thr)

        hit_d.terminal = True  # type: ignore[attr-defined]
        hit_d.direction = -1  # type: ignore[attr-defined]
        hit_n.terminal = True  # type: ignore[attr-defined]
        hit_n.direction = -1  # type: ignore[attr-defined]
        if end > t:
            sol = solve_ivp(
                rhs,
                (t, end),
                [d, n],
                method="DOP853",
                rtol=1e-10,
                atol=1e-12,
                events=[hit_d, hit_n],
            )
            if sol.status == 1:
                if sol.t_events[1].size:
                    y = sol.y_events[1][0]
                    return REPELLED, float(sol.t_events[1][0]), float(y[0]), float(y[1])
                y = sol.y_events[0][0]
                return BREACH, float(sol.t_events[0][0]), float(y[0]), float(y[1])
            d, n = float(sol.y[0, -1]), float(sol.y[1, -1])
            t = end
        d += size
        committed += size
    return UNDECIDED, time_limit, d, n


def random_cases(rng: np.random.Generator, m: int, k: int) -> dict[str, NDArray[np.float64]]:
    """Plausible outpost fights: tens of men, kill rates of a few percent per hour."""
    times = rng.uniform(0.0, 12.0, size=(m, k))
    times[rng.uniform(size=(m, k)) < 0.25] = np.inf  # some slots unused
    sizes = np.where(np.isfinite(times), rng.uniform(2.0, 40.0, size=(m, k)), 0.0)
    return {
        "defenders": rng.uniform(5.0, 60.0, m),
        "attackers": rng.uniform(5.0, 120.0, m),
        "alpha": rng.uniform(0.005, 0.3, m),
        "beta": rng.uniform(0.005, 0.3, m),
        "fortification": rng.uniform(1.0, 2.5, m),
        "break_defender": rng.uniform(0.0, 0.6, m),
        "break_attacker": rng.uniform(0.0, 0.7, m),
        "time_limit": rng.uniform(1.0, 48.0, m),
        "times": times,
        "sizes": sizes,
    }


def resolve_cases(c: dict[str, NDArray[np.float64]]) -> EngagementResult:
    return resolve_engagements(
        c["defenders"],
        c["attackers"],
        c["alpha"],
        c["beta"],
        c["times"],
        c["sizes"],
        fortification=c["fortification"],
        break_defender=c["break_defender"],
        break_attacker=c["break_attacker"],
        time_limit_hours=c["time_limit"],
    )


def close(a: float, b: float) -> bool:
    return abs(a - b) <= RTOL * max(abs(b), 1.0)


@pytest.mark.parametrize(("k", "seed"), [(0, 11), (3, 12), (5, 13)])
def test_closed_form_matches_numerical_integration(k: int, seed: int) -> None:
    c = random_cases(np.random.default_rng(seed), 120, k)
    res = resolve_cases(c)
    seen = set()
    for i in range(120):
        want = reference_engagement(
            c["defenders"][i],
            c["attackers"][i],
            c["alpha"][i],
            c["beta"][i] * c["fortification"][i],
            c["times"][i],
            c["sizes"][i],
            break_defender=c["break_defender"][i],
            break_attacker=c["break_attacker"][i],
            time_limit=c["time_limit"][i],
        )
        got = (
            int(res.outcome[i]),
            float(res.duration_hours[i]),
            float(res.defenders_final[i]),
            float(res.attackers_final[i]),
        )
        assert got[0] == want[0], (i, got, want)
        for g, w in zip(got[1:], want[1:], strict=True):
            assert close(g, w), (i, got, want)
        seen.add(got[0])
    assert seen == {REPELLED, BREACH, UNDECIDED}  # the sample exercises every outcome
    if k:  # and reinforcements that join mid-fight
        assert (res.defenders_committed > c["defenders"]).mean() > 0.25


def test_invariant_constant_between_arrivals() -> None:
    # Breaks at 0 and a fight the defenders win slowly: follow it through a time grid by
    # resolving the same engagement with increasing time limits.
    d0, n0, alpha, beta = 30.0, 45.0, 0.04, 0.07
    arrival, size = 5.0, 15.0
    grid = np.linspace(0.0, 9.0, 37)
    res = resolve_engagements(
        d0, n0, alpha, beta, [[arrival]], [[size]],
        break_defender=0.0, break_attacker=0.0, time_limit_hours=grid,
    )  # fmt: skip
    assert (res.outcome == UNDECIDED).all()
    inv = square_law_invariant(res.defenders_final, res.attackers_final, alpha, beta)
    before = grid <= arrival  # an arrival at the limit is ignored
    after = ~before
    inv0 = beta * d0**2 - alpha * n0**2
    np.testing.assert_allclose(inv[before], inv0, rtol=1e-12, atol=1e-9)
    # The jump at the arrival is exactly what adding `size` to D gives.
    d_at = res.defenders_final[before][-1] + size
    n_at = res.attackers_final[before][-1]
    np.testing.assert_allclose(inv[after], beta * d_at**2 - alpha * n_at**2, rtol=1e-12)
    # Both sides only ever lose (between arrivals).
    assert (np.diff(res.attackers_final) <= 1e-12).all()


def test_symmetric_fight_is_a_tie_counted_as_repelled() -> None:
    # D = N = 10, alpha = beta = 0.1: D(t) = N(t) = 10 exp(-0.1 t), both halve at 10 ln 2.
    res = resolve_engagements(10.0, 10.0, 0.1, 0.1, break_defender=0.5, break_attacker=0.5)
    assert res.outcome.item() == REPELLED
    assert res.duration_hours.item() == pytest.approx(10 * math.log(2), rel=1e-12)
    assert res.defenders_final.item() == pytest.approx(5.0, rel=1e-12)
    assert res.attackers_final.item() == pytest.approx(5.0, rel=1e-12)


def test_fight_to_the_finish_square_law() -> None:
    # 30 vs 40 at equal rates: attackers survive with sqrt(40^2 - 30^2); D = 0 when tanh(wt) = 3/4.
    res = resolve_engagements(
        30.0, 40.0, 0.01, 0.01, break_defender=0.0, break_attacker=0.0, time_limit_hours=np.inf
    )
    assert res.outcome.item() == BREACH
    assert res.attackers_final.item() == pytest.approx(math.sqrt(700.0), rel=1e-12)
    assert res.duration_hours.item() == pytest.approx(math.atanh(0.75) / 0.01, rel=1e-12)
    assert res.defenders_final.item() == 0.0
    assert res.defender_losses.item() == 30.0


def test_linear_cases_when_one_side_cannot_shoot() -> None:
    # alpha = 0: D stays, N falls at beta*D per hour; 20 - 5t = 10 at t = 2.
    res = resolve_engagements(10.0, 20.0, 0.0, 0.5, break_attacker=0.5)
    assert res.outcome.item() == REPELLED
    assert res.duration_hours.item() == pytest.approx(2.0, rel=1e-15)
    assert res.defender_losses.item() == 0.0
    # beta = 0: D falls at alpha*N per hour; 10 - 2t = 3 at t = 3.5.
    res = resolve_engagements(10.0, 20.0, 0.1, 0.0, break_defender=0.3)
    assert res.outcome.item() == BREACH
    assert res.duration_hours.item() == pytest.approx(3.5, rel=1e-15)
    assert res.attacker_losses.item() == 0.0


def test_hand_case_with_reinforcement() -> None:
    # alpha = 0, beta = 1: N falls at D per hour. 100 - 10*2 = 80 at t = 2, then 20 more men:
    # 30 more to lose at 20 per hour -> 1.5 h.
    res = resolve_engagements(10.0, 100.0, 0.0, 1.0, [2.0], [10.0], break_attacker=0.5)
    assert res.outcome.item() == REPELLED
    assert res.duration_hours.item() == pytest.approx(3.5, rel=1e-14)
    assert res.defenders_committed.item() == 20.0
    assert res.attackers_final.item() == 50.0


def test_tiny_omega_is_continuous_with_the_linear_limit() -> None:
    exact = resolve_engagements(10.0, 20.0, 0.0, 0.5)
    near = resolve_engagements(10.0, 20.0, 1e-13, 0.5)
    assert near.outcome.item() == exact.outcome.item()
    assert near.duration_hours.item() == pytest.approx(exact.duration_hours.item(), rel=1e-9)


def test_fortification_multiplies_beta() -> None:
    c = random_cases(np.random.default_rng(3), 200, 2)
    a = resolve_cases(c)
    c2 = dict(c, beta=c["beta"] * c["fortification"], fortification=np.ones(200))
    b = resolve_cases(c2)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_allclose(a.duration_hours, b.duration_hours, rtol=1e-12)


def test_stronger_fortification_never_hurts_the_defenders() -> None:
    c = random_cases(np.random.default_rng(4), 500, 0)
    weak = resolve_cases(dict(c, fortification=np.ones(500)))
    strong = resolve_cases(dict(c, fortification=np.full(500, 2.0)))
    assert not ((weak.outcome == REPELLED) & (strong.outcome != REPELLED)).any()
    assert not ((weak.outcome != BREACH) & (strong.outcome == BREACH)).any()


# --- edge cases -----------------------------------------------------------------------------


def test_zero_defenders_is_an_immediate_breach() -> None:
    res = resolve_engagements(0.0, 10.0, 0.1, 0.1, [[1.0]], [[50.0]])
    assert res.outcome.item() == BREACH
    assert res.duration_hours.item() == 0.0
    assert res.defenders_committed.item() == 0.0  # the later arrival never joined
    assert res.defender_losses.item() == 0.0


def test_zero_attackers_and_zero_both_are_repelled_at_once() -> None:
    res = resolve_engagements([10.0, 0.0], [0.0, 0.0], 0.1, 0.1)
    np.testing.assert_array_equal(res.outcome, [REPELLED, REPELLED])
    np.testing.assert_array_equal(res.duration_hours, [0.0, 0.0])
    np.testing.assert_array_equal(res.defender_losses, [0.0, 0.0])


def test_no_fire_at_all_is_undecided_at_the_time_limit() -> None:
    res = resolve_engagements(10.0, 30.0, 0.0, 0.0, [[2.0]], [[5.0]], time_limit_hours=6.0)
    assert res.outcome.item() == UNDECIDED
    assert res.duration_hours.item() == 6.0
    assert res.defenders_final.item() == 15.0
    assert res.attackers_final.item() == 30.0
    assert res.defender_losses.item() == 0.0


def test_infinite_time_limit_without_fire_stays_finite() -> None:
    res = resolve_engagements(10.0, 30.0, 0.0, 0.0, time_limit_hours=np.inf)
    assert res.outcome.item() == UNDECIDED
    assert res.duration_hours.item() == np.inf
    assert res.defenders_final.item() == 10.0


def test_exact_stalemate_to_the_last_man_has_no_nan() -> None:
    # D0 = N0 sqrt(alpha/beta) and no break points: both decay to 0 but never reach it.
    res = resolve_engagements(
        10.0, 10.0, 0.1, 0.1, break_defender=0.0, break_attacker=0.0, time_limit_hours=1e4
    )
    assert res.outcome.item() == UNDECIDED
    assert np.isfinite(res.defenders_final).all()
    assert res.defenders_final.item() == pytest.approx(0.0, abs=1e-12)


def test_reinforcement_at_time_zero_is_part_of_the_garrison() -> None:
    a = resolve_engagements(0.0, 30.0, 0.05, 0.08, [[0.0, -1.0]], [[15.0, 10.0]])
    b = resolve_engagements(25.0, 30.0, 0.05, 0.08)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.duration_hours, b.duration_hours)
    np.testing.assert_array_equal(a.defenders_final, b.defenders_final)
    assert a.defenders_committed.item() == 25.0


def test_reinforcement_after_the_fight_or_the_limit_is_ignored() -> None:
    base = resolve_engagements(20.0, 60.0, 0.08, 0.05, time_limit_hours=10.0)
    assert base.outcome.item() == BREACH
    late = base.duration_hours.item() + 0.5
    for t in (late, 10.0, 50.0, np.inf):
        res = resolve_engagements(20.0, 60.0, 0.08, 0.05, [[t]], [[100.0]], time_limit_hours=10.0)
        assert res.outcome.item() == base.outcome.item()
        assert res.duration_hours.item() == base.duration_hours.item()
        assert res.defenders_committed.item() == 20.0
        assert res.defender_losses.item() == base.defender_losses.item()


def test_slot_order_and_padding_do_not_matter() -> None:
    c = random_cases(np.random.default_rng(5), 300, 3)
    a = resolve_cases(c)
    perm = np.random.default_rng(6).permutation(3)
    pad_t = np.full((300, 2), np.inf)
    pad_s = np.zeros((300, 2))
    c2 = dict(
        c,
        times=np.concatenate([c["times"][:, perm], pad_t], axis=1),
        sizes=np.concatenate([c["sizes"][:, perm], pad_s], axis=1),
    )
    b = resolve_cases(c2)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.duration_hours, b.duration_hours)
    np.testing.assert_array_equal(a.defenders_final, b.defenders_final)


def test_arrival_alone_never_triggers_a_breach() -> None:
    # Defenders just above their break point when a small party arrives: the threshold rises by
    # only break_defender * size, so the fight goes on.
    res = resolve_engagements(
        10.0, 10.0, 0.1, 0.1, [[6.9]], [[1.0]], break_defender=0.5, break_attacker=0.0
    )
    assert res.duration_hours.item() > 6.9


def test_broadcasting_and_batch_shape() -> None:
    d = np.full((4, 5), 20.0)
    res = resolve_engagements(d, 30.0, 0.05, [0.02, 0.04, 0.06, 0.08, 0.1], np.full(2, np.inf),
                              np.zeros(2))  # fmt: skip
    assert res.outcome.shape == (4, 5)
    flat = resolve_engagements(20.0, 30.0, 0.05, np.array([0.02, 0.04, 0.06, 0.08, 0.1]))
    np.testing.assert_array_equal(res.duration_hours[2], flat.duration_hours)


def test_result_is_read_only() -> None:
    res = resolve_engagements([10.0], [10.0], 0.1, 0.1)
    with pytest.raises(ValueError, match="read-only"):
        res.outcome[0] = BREACH


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"defenders": -1.0}, "defenders"),
        ({"attackers": np.nan}, "NaN"),
        ({"alpha": -0.1}, "alpha"),
        ({"break_defender": 1.5}, "break_defender"),
        ({"time_limit_hours": -1.0}, "time_limit"),
        ({"reinf_times": [[1.0, 2.0]], "reinf_sizes": [[1.0]]}, "slots"),
        ({"reinf_times": [[1.0]] * 3, "reinf_sizes": [[1.0]] * 3}, "shape"),
        ({"reinf_times": [[1.0]]}, "both"),
        ({"reinf_times": [[1.0]], "reinf_sizes": [[-1.0]]}, "reinf_sizes"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "defenders": [10.0, 10.0],
        "attackers": 10.0,
        "alpha": 0.1,
        "beta": 0.1,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        resolve_engagements(**args)  # type: ignore[arg-type]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    d0=st.just(0.0) | st.floats(0.01, 200.0),
    n0=st.just(0.0) | st.floats(0.01, 200.0),
    alpha=st.just(0.0) | st.floats(1e-12, 2.0),
    beta=st.just(0.0) | st.floats(1e-12, 2.0),
    fd=st.floats(0.0, 1.0),
    fn=st.floats(0.0, 1.0),
    t1=st.floats(0.0, 30.0),
    s1=st.floats(0.0, 100.0),
    limit=st.floats(0.0, 100.0),
)
def test_accounting_is_consistent(
    d0: float, n0: float, alpha: float, beta: float, fd: float, fn: float,
    t1: float, s1: float, limit: float,
) -> None:  # fmt: skip
    res = resolve_engagements(
        d0, n0, alpha, beta, [t1], [s1],
        break_defender=fd, break_attacker=fn, time_limit_hours=limit,
    )  # fmt: skip
    for f in (res.duration_hours, res.defenders_final, res.attackers_final):
        assert np.isfinite(f).all()
    assert 0.0 <= res.duration_hours.item() <= limit
    assert res.defenders_final.item() >= 0.0
    assert 0.0 <= res.attackers_final.item() <= n0
    assert res.defender_losses.item() == pytest.approx(
        res.defenders_committed.item() - res.defenders_final.item(), abs=1e-9
    )
    joined = (0.0 < t1 < limit and t1 < res.duration_hours.item()) or t1 == 0.0
    assert res.defenders_committed.item() == pytest.approx(d0 + (s1 if joined else 0.0))
    if res.outcome.item() == REPELLED:
        assert res.attackers_final.item() <= fn * n0 * (1 + 1e-9) + 1e-12
    elif res.outcome.item() == BREACH:
        assert res.defenders_final.item() <= fd * res.defenders_committed.item() * (1 + 1e-9)
        assert res.attackers_final.item() > fn * n0
    else:
        assert res.duration_hours.item() == limit


# --- outcome probabilities ------------------------------------------------------------------


def test_outcome_probabilities_count_and_standard_errors() -> None:
    p = OutcomeProbabilities.from_result(
        resolve_engagements(
            [10.0, 10.0, 0.0, 10.0], [0.0, 0.0, 10.0, 10.0], 0.0, 0.0, time_limit_hours=5.0
        )
    )
    assert (p.repelled, p.breach, p.undecided, p.n) == (0.5, 0.25, 0.25, 4)
    assert p.repelled_se == pytest.approx(math.sqrt(0.25 / 4))
    assert p.breach_se == pytest.approx(math.sqrt(0.25 * 0.75 / 4))
    assert p.mean_duration_hours == pytest.approx(5.0 / 4)


def test_outcome_probabilities_from_sampled_inputs() -> None:
    rng = np.random.default_rng(2021)
    m = 20_000
    attackers = rng.triangular(20.0, 40.0, 120.0, m)
    p = OutcomeProbabilities.from_result(
        resolve_engagements(
            30.0, attackers, 0.05, 0.06, rng.uniform(1.0, 6.0, (m, 1)), np.full((m, 1), 20.0),
            fortification=1.5,
        )
    )  # fmt: skip
    assert p.repelled + p.breach + p.undecided == pytest.approx(1.0)
    direct = OutcomeProbabilities.from_result(
        resolve_engagements(30.0, attackers[:1000], 0.05, 0.06, fortification=1.5)
    )
    # Without reinforcements the post can only do worse (beyond 5 standard errors would be a bug).
    assert direct.breach >= p.breach - 5 * math.hypot(direct.breach_se, p.breach_se)
    assert 0.0 < p.breach_se < 0.01


def test_invariant_function() -> None:
    assert square_law_invariant(3.0, 4.0, 2.0, 5.0) == 5.0 * 9 - 2.0 * 16

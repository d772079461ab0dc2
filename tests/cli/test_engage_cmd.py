"""`bordersim engage`: the 1993 outpost fight, with and without a reinforcement.

The JSON rows are checked against two computations that share no code with
:mod:`bordersim.model.engagement`: for one fixed fight, the hyperbolic closed form of Lanchester's
square law with break times found by root finding; for the default uncertain fight, a Monte Carlo of
the same input distributions integrated step by step (classical Runge-Kutta, fourth order).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.optimize import brentq
from typer.testing import CliRunner

from bordersim.cli.app import app

runner = CliRunner()
FloatArray = NDArray[np.float64]

# the command's defaults, which both references assume
BREAK_DEFENDER, BREAK_ATTACKER, TIME_LIMIT, REINFORCEMENT = 0.3, 0.5, 24.0, 40.0
DEFENDERS = 48.0
# Each comparison of the uncertain fight is a difference of two independent Monte Carlo means:
# two-sided P(|Z| > 4) = 6.3e-5, so over its 9 comparisons (3 rows x repelled, breach, defender
# losses) a false failure has probability below 6e-4 (Bonferroni).
MAX_Z = 4.0


def _engage(*args: str) -> dict[str, Any]:
    res = runner.invoke(app, ["engage", "--json", *args])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def _closed_form_fight(
    attackers: float, alpha: float, beta_f: float, arrival: float | None
) -> dict[str, float]:
    """One square-law fight, segment by segment: D(t) = D0 cosh(wt) - alpha N0 sinh(wt)/w and
    N(t) = N0 cosh(wt) - beta_f D0 sinh(wt)/w, w = sqrt(alpha beta_f); a side's break time is the
    root of its strength minus its break point (both fall monotonically while the other side
    stands). The defenders' break point is a share of the strength committed so far."""
    w = np.sqrt(alpha * beta_f)

    def at(d0: float, n0: float, t: float) -> tuple[float, float]:
        c, s = np.cosh(w * t), np.sinh(w * t) / w
        return d0 * c - alpha * n0 * s, n0 * c - beta_f * d0 * s

    d, n, committed, t0 = DEFENDERS, attackers, DEFENDERS, 0.0
    ends = [arrival, TIME_LIMIT] if arrival is not None else [TIME_LIMIT]
    for k, end in enumerate(ends):
        span = end - t0
        d_thr, n_thr = BREAK_DEFENDER * committed, BREAK_ATTACKER * attackers
        hits = {}
        for side, thr, idx in (("breach", d_thr, 0), ("repelled", n_thr, 1)):
            if at(d, n, span)[idx] <= thr:
                hits[side] = brentq(
                    lambda t, i=idx, c=thr, d0=d, n0=n: at(d0, n0, t)[i] - c, 0, span, xtol=1e-13
                )
        if hits:
            outcome = min(hits, key=lambda key: hits[key])
            t = hits[outcome]
            d_end, n_end = at(d, n, t)
            return {
                "repelled": float(outcome == "repelled"),
                "duration": t0 + t,
                "defender_losses": committed - (d_thr if outcome == "breach" else d_end),
                "attacker_losses": attackers - (n_thr if outcome == "repelled" else n_end),
            }
        d, n = at(d, n, span)
        t0 = end
        if k < len(ends) - 1:  # the reinforcement joins
            d, committed = d + REINFORCEMENT, committed + REINFORCEMENT
    return {"repelled": 0.0, "duration": TIME_LIMIT, "defender_losses": committed - d,
            "attacker_losses": attackers - n}  # fmt: skip


def test_engage_fixed_fight_matches_the_closed_form() -> None:
    # 240 attackers, alpha 0.02, beta 0.05 behind fortification x3: alone the post is breached
    # (~8 h); help after 1 h repels the attack, help after 6 h only delays the breach (~16 h), which
    # then comes at the break point of the strength committed with the reinforcement
    data = _engage("--attackers", "240", "--alpha", "0.02", "--beta", "0.05", "--fortification", "3",
                   "--samples", "2", "--reinforcement-after", "1", "--reinforcement-after", "6")  # fmt: skip
    rows = data["rows"]
    assert [r["reinforcement_after_hours"] for r in rows] == [None, 1.0, 6.0]
    outcomes = []
    for r in rows:
        want = _closed_form_fight(240.0, 0.02, 0.15, r["reinforcement_after_hours"])
        outcomes.append(want["repelled"])
        assert r["repelled"] == want["repelled"] and r["repelled_se"] == 0.0
        assert r["breach"] == 1.0 - want["repelled"] and r["undecided"] == 0.0
        # both are closed forms in double precision (the root to 1e-13 h): agree to ~1e-9
        assert r["mean_duration_hours"] == pytest.approx(want["duration"], rel=1e-9)
        assert r["defender_losses"] == pytest.approx(want["defender_losses"], rel=1e-9)
        assert r["attacker_losses"] == pytest.approx(want["attacker_losses"], rel=1e-9)
    assert outcomes == [0.0, 1.0, 0.0]  # the case exercises breach, repelled, breach after help
    assert data["historic_defenders_killed"] == 25.0


def _rk4_fights(
    attackers: FloatArray, alpha: FloatArray, beta_f: FloatArray, arrival: FloatArray,
    dt: float = 0.1,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Integrate dD/dt = -alpha N, dN/dt = -beta_f D by classical RK4 with step dt (hours), a
    reinforcement joining at ``arrival`` (inf: none); a break is located by linear interpolation
    inside its step. Returns (outcome 0 repelled / 1 breach / 2 undecided, defender losses).

    For this linear system the four RK4 stages collapse to x <- (c0 I + c1 A) x with
    c0 = 1 + (w dt)^2 / 2 + (w dt)^4 / 24, c1 = dt (1 + (w dt)^2 / 6), w^2 = alpha beta_f: the
    same arithmetic, fewer array passes. With w dt <= 0.1 x 0.1 here, RK4's error per step,
    (w dt)^5 / 120 relative, and the interpolation's, ~w^2 D dt^2 / 8 < 1e-3 defenders, are far
    below the Monte Carlo noise (SE ~0.1 defenders)."""
    hw2 = dt * dt * alpha * beta_f
    c0, c1 = 1 + hw2 / 2 + hw2 * hw2 / 24, dt * (1 + hw2 / 6)
    outcome = np.full(attackers.size, 2)
    losses = np.full(attackers.size, np.nan)
    # the fights still going, one entry each (finished ones are written out and dropped)
    idx = np.arange(attackers.size)
    d, n = np.full(idx.size, DEFENDERS), attackers.copy()
    committed, n_thr = d.copy(), BREAK_ATTACKER * attackers
    a, b, c0, c1, join = alpha, beta_f, c0, c1, np.round(arrival / dt)
    for step in range(round(TIME_LIMIT / dt)):
        joins = REINFORCEMENT * (join == step)
        d, committed = d + joins, committed + joins
        d_new, n_new = c0 * d - c1 * a * n, c0 * n - c1 * b * d
        d_thr = BREAK_DEFENDER * committed
        with np.errstate(divide="ignore", invalid="ignore"):
            s_d = np.where(d_new <= d_thr, (d - d_thr) / (d - d_new), np.inf)
            s_n = np.where(n_new <= n_thr, (n - n_thr) / (n - n_new), np.inf)
        rep = (s_n <= s_d) & np.isfinite(s_n)  # a tie is repelled
        bre = s_d < s_n
        outcome[idx[rep]], outcome[idx[bre]] = 0, 1
        losses[idx[rep]] = (committed - (d + s_n * (d_new - d)))[rep]
        losses[idx[bre]] = (committed - d_thr)[bre]
        go = ~(rep | bre)
        idx, d, n, committed, n_thr = idx[go], d_new[go], n_new[go], committed[go], n_thr[go]
        a, b, c0, c1, join = a[go], b[go], c0[go], c1[go], join[go]
        if idx.size == 0:
            break
    losses[idx] = committed - d
    return outcome, losses


def test_engage_uncertain_fight_matches_an_independent_integration() -> None:
    samples = 20_000
    data = _engage("--samples", str(samples), "--seed", "3",
                   "--reinforcement-after", "1", "--reinforcement-after", "6")  # fmt: skip
    rows = data["rows"]
    assert [r["reinforcement_after_hours"] for r in rows] == [None, 1.0, 6.0]
    # the command's default input distributions, sampled independently of the command
    rng = np.random.default_rng(20260713)
    n_ref = 20_000
    attackers = rng.uniform(200, 250, n_ref)
    alpha = rng.uniform(0.005, 0.02, n_ref)
    beta_f = rng.uniform(0.025, 0.1, n_ref) * rng.uniform(1.5, 5.0, n_ref)
    hours = [np.inf if r["reinforcement_after_hours"] is None else r["reinforcement_after_hours"]
             for r in rows]  # fmt: skip
    outcome_all, losses_all = _rk4_fights(
        np.tile(attackers, 3), np.tile(alpha, 3), np.tile(beta_f, 3), np.repeat(hours, n_ref)
    )
    z = {}
    for i, r in enumerate(rows):
        h = r["reinforcement_after_hours"]
        outcome = outcome_all[i * n_ref : (i + 1) * n_ref]
        losses = losses_all[i * n_ref : (i + 1) * n_ref]
        for key, code in (("repelled", 0), ("breach", 1)):
            p = float(np.mean(outcome == code))
            se = np.hypot(r[f"{key}_se"], np.sqrt(p * (1 - p) / n_ref))
            z[f"{h} {key}"] = (r[key] - p) / se
        se = np.hypot(r["defender_losses_se"], losses.std(ddof=1) / np.sqrt(n_ref))
        z[f"{h} defender_losses"] = (r["defender_losses"] - losses.mean()) / se
        assert abs(r["repelled"] + r["breach"] + r["undecided"] - 1.0) < 1e-12
    worst = max(z, key=lambda key: abs(z[key]))
    assert abs(z[worst]) <= MAX_Z, f"{worst}: z = {z[worst]:.2f} ({z})"
    # the reinforcements matter: far fewer breaches with help after 1 h than with none
    assert rows[0]["breach"] - rows[1]["breach"] > 10 * np.hypot(
        rows[0]["breach_se"], rows[1]["breach_se"]
    )


def test_engage_table_prints_and_bad_range_exits_2() -> None:
    res = runner.invoke(app, ["engage", "--samples", "500"])
    assert res.exit_code == 0, res.output
    assert "historical: 25 defenders killed" in res.output
    bad = runner.invoke(app, ["engage", "--attackers-low", "300", "--attackers-high", "200"])
    assert bad.exit_code == 2

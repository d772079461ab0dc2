"""Tests for bordersim.experiments.robust and .uncertainty: regret, satisficing, PRIM, CRN draws."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from bordersim.experiments.robust import (
    RobustError,
    favoured_policy,
    parse_threshold,
    prim_boxes,
    regret_table,
    satisficing,
)
from bordersim.experiments.uncertainty import draw_inputs, evaluate_draws
from bordersim.scenario.builtin import resolve
from bordersim.scenario.loading import load_scenario


def matrix() -> xr.Dataset:
    """Three policies, four draws; interdictions (more is better) and breaches (less is better)."""
    inter = np.array([[10.0, 20, 30, 40], [12, 18, 35, 39], [11, 25, 20, 41]])
    breaches = np.array([[0.1, 0.9, 0.2, 0.3], [0.0, 0.1, 0.6, 0.2], [0.5, 0.5, 0.5, 0.5]])
    return xr.Dataset(
        {"interdictions": (("policy", "draw"), inter), "breaches": (("policy", "draw"), breaches)},
        coords={"policy": ["a", "b", "c"], "draw": np.arange(4)},
    )


def test_regret_is_the_gap_to_the_best_policy_of_each_draw() -> None:
    table = regret_table(matrix())
    # interdictions: best per draw 12, 25, 35, 41 -> regret of a: 2, 5, 5, 1
    a = table["a"]["interdictions"]
    assert a["regret_mean"] == pytest.approx(13 / 4)
    assert a["regret_max"] == pytest.approx(5)
    assert a["regret_p90"] == pytest.approx(np.percentile([2, 5, 5, 1], 90))
    # breaches (less is better): best per draw 0.0, 0.1, 0.2, 0.2 -> regret of c: .5, .4, .3, .3
    c = table["c"]["breaches"]
    assert c["regret_mean"] == pytest.approx(1.5 / 4)
    assert c["regret_max"] == pytest.approx(0.5)
    # the best policy of a draw has regret 0 there
    assert table["b"]["breaches"]["regret_mean"] == pytest.approx((0 + 0 + 0.4 + 0) / 4)


def test_satisficing_needs_every_threshold() -> None:
    ts = [parse_threshold("breaches<=0.3"), parse_threshold("interdictions>=15")]
    sat = satisficing(matrix(), ts)
    # a meets both in draws 2 and 3 (draw 0 fails interdictions, draw 1 fails breaches)
    assert sat["a"]["share"] == pytest.approx(0.5)
    assert sat["b"]["share"] == pytest.approx(0.5)  # draws 1 and 3
    assert sat["c"]["share"] == 0.0
    assert sat["a"]["each"]["breaches<=0.3"] == pytest.approx(0.75)
    assert favoured_policy(matrix(), ts, "breaches") == "b"  # tie on share; b has lower regret


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("breaches<0.5", "expected METRIC<=VALUE"),
        ("breaches<=", "expected METRIC<=VALUE"),
        ("nonsense>=1", "unknown metric"),
        ("breaches<=1e999", "finite"),
        ("breaches<=1.2.3", "not a number"),
    ],
)
def test_malformed_thresholds_are_one_message(text: str, message: str) -> None:
    with pytest.raises(RobustError, match=message):
        parse_threshold(text)


def test_prim_finds_a_planted_box() -> None:
    """Failures exactly where a > 0.7 and c < 0.4 (12% of the space). With 400 uniform draws, the
    box edges are estimated to about the spacing of draws near them (~1/(400 * 0.3) per axis on a
    slab), so 0.05 on each edge is several spacings; coverage and density must both be high."""
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(400, 4))
    fail = (x[:, 0] > 0.7) & (x[:, 2] < 0.4)
    boxes = prim_boxes(x, ["a", "b", "c", "d"], fail)
    assert boxes, "PRIM found no box"
    box = boxes[0]
    assert set(box.limits) == {"a", "c"}
    assert box.limits["a"][0] == pytest.approx(0.7, abs=0.05)
    assert box.limits["c"][1] == pytest.approx(0.4, abs=0.05)
    assert box.coverage >= 0.8 and box.density >= 0.9
    assert "a is in" in box.describe("p", "breaches<=1")


def test_no_failure_no_box() -> None:
    x = np.random.default_rng(0).uniform(size=(50, 2))
    assert prim_boxes(x, ["a", "b"], np.zeros(50, dtype=bool)) == []


def test_draws_share_random_numbers_across_policies() -> None:
    """csto-on-call acts only on armed incursions, so under common random numbers its covert
    interdictions equal tajik-only's in every draw, exactly; draws differ from each other."""
    sc = load_scenario(resolve("tajik-afghan-2021"))
    draws = draw_inputs(sc, 3, seed=4)
    ds = evaluate_draws(sc, ["tajik-only", "csto-on-call"], draws, replications=20, seed=4, days=30)
    inter = ds["interdictions"].values
    assert np.array_equal(inter[0], inter[1])
    assert len(set(inter[0].tolist())) == 3
    assert ds["factor_value"].shape == (3, len(draws.space))
    again = evaluate_draws(sc, ["tajik-only"], draws, replications=20, seed=4, days=30)
    assert np.array_equal(again["interdictions"].values[0], inter[0])

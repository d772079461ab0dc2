"""The analyst's levers: listed from the ledger, applied to a scenario, refused values reported."""

from __future__ import annotations

import pytest

import bordersim as bs
from bordersim.scenario.schema import SetPosture

RATE = "actors.drug_traffickers.rate_per_day"


@pytest.fixture(scope="module")
def sc() -> bs.Scenario:
    return bs.load("tajik-afghan-2021")


def test_levers_are_bounded_by_the_ledger(sc: bs.Scenario) -> None:
    by_key = {lv.key: lv for lv in bs.levers(sc)}
    rate = by_key[RATE]
    assert (rate.low, rate.value, rate.high) == (3.0, 10.0, 30.0)
    assert rate.evidence == "assumed" and rate.unit == "attempts/day"
    assert by_key["actors.afghan_soldiers.rate_per_day"].evidence == "sourced"
    assert by_key["posture.tj_reservists"].options == ("timeline", "border", "reserve")
    assert by_key["escalation.csto-on-call.threshold"].kind == "integer"


def test_a_calibrated_quantity_is_marked_so() -> None:
    by_key = {lv.key: lv for lv in bs.levers(bs.load("tajik-afghan-2008"))}
    assert by_key[RATE].evidence == "calibrated"
    assert (by_key[RATE].low, by_key[RATE].high) == (3.0, 30.0)  # the prior's range


def _reservist_moves(model: object) -> list[SetPosture]:
    return [
        a
        for ev in model.timeline  # type: ignore[attr-defined]
        for a in ev.actions
        if isinstance(a, SetPosture) and a.unit == "tj_reservists"
    ]


def test_posture_reserve_and_border(sc: bs.Scenario) -> None:
    assert len(_reservist_moves(sc.model)) == 1
    unit = {u.id: u for u in sc.model.units}["tj_reservists"]
    assert unit.posture == "inactive"
    for choice, posture in (("reserve", "inactive"), ("border", "border")):
        new, errors = bs.apply_levers(sc, {"posture.tj_reservists": choice})
        assert errors == {}
        assert _reservist_moves(new.model) == []  # the July 2021 deployment is gone
        assert {u.id: u for u in new.model.units}["tj_reservists"].posture == posture
    same, _ = bs.apply_levers(sc, {"posture.tj_reservists": "timeline"})
    assert same.model == sc.model


def test_postures_change_the_results(sc: bs.Scenario) -> None:
    """20,000 reservists on the border from day 1 interdict more than none ever coming."""

    def rate(choice: str) -> float:
        new, _ = bs.apply_levers(sc, {"posture.tj_reservists": choice})
        row = bs.run(new, replications=40, seed=3).summary()["covert"]
        return next(r for r in row if r["group"] == "all")["true_rate"]

    assert rate("border") > rate("reserve")


def test_escalation_threshold(sc: bs.Scenario) -> None:
    new, errors = bs.apply_levers(sc, {"escalation.csto-on-call.threshold": "7"})
    assert errors == {}
    esc = new.model.policies["csto-on-call"].escalation
    assert esc is not None and esc.threshold == 7 and esc.window_days == 7
    assert sc.model.policies["csto-on-call"].escalation.threshold == 3  # type: ignore[union-attr]
    for bad, msg in (("0", "outside"), ("21", "outside"), ("3.5", "whole number")):
        kept, errors = bs.apply_levers(sc, {"escalation.csto-on-call.threshold": bad})
        assert msg in errors["escalation.csto-on-call.threshold"]
        assert kept.model == sc.model


def test_rate_override(sc: bs.Scenario) -> None:
    new, errors = bs.apply_levers(sc, {RATE: "15"})
    assert errors == {} and dict(new.overrides) == {RATE: 15.0}
    same_seed = bs.run(sc.with_overrides({RATE: 15.0}), replications=20, days=30, seed=5)
    assert bs.run(new, replications=20, days=30, seed=5).summary() == same_seed.summary()


@pytest.mark.parametrize(
    ("raw", "message"),
    [("2.9", "outside the range 3 to 30"), ("abc", "not a number"), ("inf", "not a number"),
     (True, "not a number")],
)  # fmt: skip
def test_rate_refusals(sc: bs.Scenario, raw: object, message: str) -> None:
    kept, errors = bs.apply_levers(sc, {RATE: raw, "actors.afghan_soldiers.rate_per_day": 20})
    assert message in errors[RATE]
    assert dict(kept.overrides) == {"actors.afghan_soldiers.rate_per_day": 20.0}


def test_unknown_lever(sc: bs.Scenario) -> None:
    kept, errors = bs.apply_levers(sc, {"units.nobody.strength": 3})
    assert errors == {"units.nobody.strength": "no such lever in this scenario"}
    assert kept.model == sc.model

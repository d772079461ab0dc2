"""The what-if page's URL query: read into settings and back, and every refusal named by its key."""

from __future__ import annotations

import datetime as dt

import pytest

import bordersim as bs
from bordersim.api.whatif import SECTOR_METRICS
from bordersim.web.settings import (
    MAX_REPLICATIONS,
    MIN_REPLICATIONS,
    Settings,
    from_query,
    to_query,
)

METRICS = list(SECTOR_METRICS)
RATE = "actors.drug_traffickers.rate_per_day"


@pytest.fixture(scope="module")
def sc() -> bs.Scenario:
    return bs.load("tajik-afghan-2021")


def test_round_trip(sc: bs.Scenario) -> None:
    s = Settings(
        policies=("russian-guards-return", "aid-equipment"),
        levers={
            RATE: 15.0,
            "posture.tj_reservists": "reserve",
            "escalation.csto-on-call.threshold": 5,
        },
        replications=300,
        start=dt.date(2021, 7, 1),
        days=90,
        metric="undetected",
        seed=7,
    )
    query = to_query(s, sc)
    assert query["policy"] == "russian-guards-return+aid-equipment"  # the scenario's order
    back, errors = from_query(query, sc, metrics=METRICS)
    assert errors == {}
    assert back.policies == s.policies
    assert back.replications == 300 and back.start == s.start and back.days == 90
    assert back.metric == "undetected" and back.seed == 7
    assert {k: str(v) for k, v in back.levers.items()} == {
        RATE: "15", "posture.tj_reservists": "reserve", "escalation.csto-on-call.threshold": "5"
    }  # fmt: skip
    assert to_query(back, sc) == query


def test_defaults_make_an_empty_query(sc: bs.Scenario) -> None:
    assert to_query(Settings(), sc) == {}
    assert from_query({}, sc, metrics=METRICS) == (Settings(), {})


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("policy", "no-such-policy", "unknown policy 'no-such-policy'"),
        ("policy", "aid-equipment+aid-equipment", "a policy appears twice"),
        ("replications", str(MIN_REPLICATIONS - 1), "outside"),
        ("replications", str(MAX_REPLICATIONS + 1), "outside"),
        ("replications", "lots", "not a whole number"),
        ("days", "0", "outside"),
        ("start", "2021-13-01", "month must be"),
        ("start", "1066-10-14", "year must be between"),
        ("metric", "happiness", "unknown metric"),
        ("seed", "-1", "outside"),
        ("no.such.lever", "3", "no such setting"),
        (RATE, "1000", "outside the range 3 to 30"),
        (RATE, "fast", "is not a number"),
        (RATE, "nan", "not a number"),
        ("posture.tj_reservists", "elsewhere", "choose one of timeline, border, reserve"),
        ("escalation.csto-on-call.threshold", "2.5", "not a whole number"),
    ],
)
def test_refused_values_are_named_and_ignored(
    sc: bs.Scenario, key: str, raw: str, message: str
) -> None:
    s, errors = from_query({"replications": "400", key: raw}, sc, metrics=METRICS)
    assert list(errors) == [key]
    assert message in errors[key]
    default = Settings()
    if key != "replications":
        assert s.replications == 400  # the good values of the same query are kept
    assert s.policies == default.policies and s.levers == {}
    assert s.start == default.start and s.days == default.days and s.metric == default.metric


def test_good_and_bad_levers_together(sc: bs.Scenario) -> None:
    s, errors = from_query({RATE: "15", "actors.afghan_soldiers.rate_per_day": "-3"}, sc,
                           metrics=METRICS)  # fmt: skip
    assert s.levers == {RATE: "15"}
    assert list(errors) == ["actors.afghan_soldiers.rate_per_day"]

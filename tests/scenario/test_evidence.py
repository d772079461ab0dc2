"""The evidence ledger's rules: ranges and distributions from claims, conflicts, dates, quotes."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from bordersim.scenario.evidence import (
    MAX_QUOTE,
    Assumption,
    Claim,
    Evidence,
    Quantity,
    Source,
    parse_partial_date,
)


def claim(value: float, unit: str = "troops", source: str = "000", date: str = "2015") -> Claim:
    return Claim(source=source, quote=f"about {value:g}", value=value, unit=unit, date=date)


LEDGER = {
    "two-sides": Evidence(claims=(claim(6000), claim(7000))),
    "one-side": Evidence(claims=(claim(7000),)),
    "agree": Evidence(claims=(claim(3, "days"), claim(3, "days", source="003"))),
    "mixed-units": Evidence(claims=(claim(70e9, "RUB"), claim(1.2e9, "USD"))),
    "guess": Evidence(assumed=Assumption(rationale="nobody reports this number")),
}


def q(value: float, **kw: object) -> Quantity:
    return Quantity(value=value, **kw)  # type: ignore[arg-type]


# --- bounds and distribution --------------------------------------------------------------------


def test_value_inside_claims_range_is_triangular() -> None:
    x = q(6500, unit="troops", evidence="two-sides")
    assert x.bounds(LEDGER) == (6000, 7000)
    assert x.distribution(LEDGER) == "triangular"


def test_value_on_an_end_of_the_claims_range_is_uniform() -> None:
    for v in (6000, 7000):
        x = q(v, unit="troops", evidence="two-sides")
        assert x.bounds(LEDGER) == (6000, 7000)
        assert x.distribution(LEDGER) == "uniform"


def test_point_is_fixed_even_when_a_distribution_is_named() -> None:
    assert q(7000, unit="troops", evidence="one-side").distribution(LEDGER) == "fixed"
    assert q(3, unit="days", evidence="agree").distribution(LEDGER) == "fixed"
    assert q(1, evidence="guess", dist="triangular").distribution(LEDGER) == "fixed"


def test_explicit_distribution_is_honoured() -> None:
    assert q(6500, unit="troops", evidence="two-sides", dist="uniform").distribution(LEDGER) == (
        "uniform"
    )
    x = q(2, low=1, high=4, evidence="guess", dist="triangular")
    assert x.distribution(LEDGER) == "triangular"
    assert q(1, low=1, high=4, evidence="guess", dist="triangular").distribution(LEDGER) == (
        "triangular"
    )


def test_explicit_low_high_win_over_claims_but_keep_the_value_inside() -> None:
    x = q(6500, unit="troops", low=5000, high=9000, evidence="two-sides")
    assert x.bounds(LEDGER) == (5000, 9000)
    assert x.distribution(LEDGER) == "triangular"
    y = q(4, low=1, evidence="guess")  # only low given: high falls back to the value
    assert y.bounds(LEDGER) == (1, 4)
    assert y.distribution(LEDGER) == "uniform"


def test_claims_in_another_unit_do_not_widen_the_range() -> None:
    x = q(70e9, unit="RUB", evidence="mixed-units")
    assert x.bounds(LEDGER) == (70e9, 70e9)
    assert x.distribution(LEDGER) == "fixed"
    # without a unit every claim counts
    assert q(70e9, evidence="mixed-units").bounds(LEDGER) == (1.2e9, 70e9)


def test_inline_claims_and_assumption_resolve_like_ledger_entries() -> None:
    x = q(6500, unit="troops", claims=(claim(6000), claim(7000)))
    assert x.bounds({}) == (6000, 7000)
    assert x.is_sourced({})
    assert x.conflicting({})
    y = q(0.3, low=0.1, high=0.5, assumed=Assumption(rationale="a third, say, of them"))
    assert not y.is_sourced({})
    assert y.distribution({}) == "triangular"


# --- conflicts ----------------------------------------------------------------------------------


def test_conflicting_detects_disagreeing_sources() -> None:
    assert q(6500, unit="troops", evidence="two-sides").conflicting(LEDGER)
    assert not q(7000, unit="troops", evidence="one-side").conflicting(LEDGER)
    assert not q(3, unit="days", evidence="agree").conflicting(LEDGER)
    assert not q(1, evidence="guess").conflicting(LEDGER)


def test_conflicting_compares_like_units_only() -> None:
    assert not q(70e9, unit="RUB", evidence="mixed-units").conflicting(LEDGER)
    assert q(70e9, evidence="mixed-units").conflicting(LEDGER)


# --- evidence rules -----------------------------------------------------------------------------


def test_quantity_needs_exactly_one_kind_of_evidence() -> None:
    with pytest.raises(ValidationError, match="no evidence"):
        Quantity(value=1)
    with pytest.raises(ValidationError, match="only one"):
        Quantity(value=1, evidence="guess", assumed=Assumption(rationale="because of reasons"))


def test_low_above_high_is_rejected() -> None:
    with pytest.raises(ValidationError, match="above high"):
        q(1, low=2, high=1, evidence="guess")


def test_evidence_entry_needs_claims_or_rationale() -> None:
    with pytest.raises(ValidationError, match="claims"):
        Evidence()
    with pytest.raises(ValidationError):
        Assumption(rationale="short")


# --- dates and quotes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015", dt.date(2015, 1, 1)),
        ("2015-10", dt.date(2015, 10, 1)),
        ("2015-09-28", dt.date(2015, 9, 28)),
        (" 2004-06 ", dt.date(2004, 6, 1)),
    ],
)
def test_partial_dates(text: str, expected: dt.date) -> None:
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize("text", ["2015-13", "2021-02-30", "15-09-28", "Sept 2015", "2015/09", ""])
def test_bad_partial_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_partial_date(text)


def test_claim_and_source_dates_accept_yaml_dates_and_partial_dates() -> None:
    assert claim(1, date="2015-10").date == "2015-10"
    c = Claim(source="x", quote="q", value=1, unit="u", date=dt.date(2015, 9, 28))  # type: ignore[arg-type]
    assert c.date == "2015-09-28"
    with pytest.raises(ValidationError):
        claim(1, date="2015-13")
    assert Source(title="t", publisher="p", date="2004-06").date == "2004-06"
    with pytest.raises(ValidationError):
        Source(title="t", publisher="p", date="June 2004")


def test_quote_length() -> None:
    Claim(source="x", quote="a" * MAX_QUOTE, value=1, unit="u", date="2015")
    with pytest.raises(ValidationError, match=str(MAX_QUOTE)):
        Claim(source="x", quote="a" * (MAX_QUOTE + 1), value=1, unit="u", date="2015")
    with pytest.raises(ValidationError):
        Claim(source="x", quote="", value=1, unit="u", date="2015")
    assert MAX_QUOTE == 200


def test_evidence_models_are_immutable_and_strict() -> None:
    x = q(1, evidence="guess")
    with pytest.raises(ValidationError):
        x.value = 2  # type: ignore[misc]
    with pytest.raises(ValidationError, match=r"[Ee]xtra"):
        Quantity(value=1, evidence="guess", colour="red")  # type: ignore[call-arg]

"""Lever activity: how often a conditional lever acted, and the notes for levers that did not."""

from __future__ import annotations

import pytest

import bordersim as bs
from bordersim.experiments.levers import lever_notes


def test_compare_names_a_lever_that_never_fired_and_one_that_always_did() -> None:
    """In 20 days from 2021-06-01 russian-guards-return asks on day 0 (dated request) and the
    CSTO (delay + ramp of a few days) arrives in every replication; its guards (60-day delay) never
    return; csto-on-call asks only after 3 breaches in 7 days, which the first 20 days do not see
    with these seeds, so its CSTO never comes and its differences are ties by construction."""
    c = bs.compare(
        "tajik-afghan-2021", ["tajik-only", "russian-guards-return", "csto-on-call"],
        replications=30, days=20, seed=5,
    ).summary()  # fmt: skip
    per = c["lever_activity"]["per_policy"]
    assert per["tajik-only"]["escalation"] == "never"
    assert per["tajik-only"]["levers"]["help_requested"]["share"] == 0.0
    rgr = per["russian-guards-return"]["levers"]
    assert rgr["help_requested"]["share"] == 1.0
    assert rgr["csto_arrived"]["share"] == 1.0
    assert rgr["russian_guards_returned"]["share"] == 0.0
    csto = per["csto-on-call"]["levers"]
    assert csto["help_requested"]["share"] == 0.0 and csto["csto_arrived"]["share"] == 0.0
    notes = c["lever_activity"]["notes"]
    assert any(n.startswith("csto-on-call: help was never asked") for n in notes)
    assert any(
        n.startswith("russian-guards-return: the Russian border guards never") for n in notes
    )
    assert not any(n.startswith("tajik-only") for n in notes)
    # the tie is real: csto-on-call's covert figures equal tajik-only's exactly
    diff = next(
        d
        for d in c["differences"]
        if d["policy"] == "csto-on-call" and d["metric"] == "interdictions"
    )
    assert diff["mean"] == 0.0


def test_notes_give_the_share_of_replications_without_the_lever() -> None:
    act = {
        "p": {"escalation": "threshold", "levers": {"help_requested": {"share": 0.04}}},
        "q": {"escalation": "never", "levers": {"help_requested": {"share": 0.0}}},
    }
    assert lever_notes(act) == [
        "p: help was never asked in 96% of replications -- differences are ties by construction there"
    ]


def test_cost_per_interdiction_is_the_same_figure_in_run_and_compare() -> None:
    """One definition, the ratio of means: compare's per-policy figure is run's cost / mean
    interdictions for the same seed (to rounding), with a delta-method interval around it."""
    kw = {"replications": 40, "days": 2, "seed": 9}
    ran = bs.run("tajik-afghan-2021", policy="russian-guards-return", **kw).summary()  # type: ignore[arg-type]
    cmp = bs.compare("tajik-afghan-2021", ["tajik-only", "russian-guards-return"], **kw).summary()  # type: ignore[arg-type]
    c = cmp["per_policy"]["russian-guards-return"]["cost_per_interdiction_rub"]
    assert c["mean"] == pytest.approx(ran["costs"]["cost_per_interdiction_rub"], rel=1e-12)
    assert c["lo"] < c["mean"] < c["hi"]
    # run carries the same delta-method interval under the same field name
    assert c["lo"] == pytest.approx(ran["costs"]["cost_per_interdiction_rub_lo"], rel=1e-12)
    assert c["hi"] == pytest.approx(ran["costs"]["cost_per_interdiction_rub_hi"], rel=1e-12)
    diff = next(d for d in cmp["differences"] if d["metric"] == "cost_per_interdiction_rub")
    base = cmp["per_policy"]["tajik-only"]["cost_per_interdiction_rub"]["mean"]
    assert diff["mean"] == pytest.approx(c["mean"] - base, rel=1e-9)
    assert diff["p_better"] is None  # undefined for a ratio of means

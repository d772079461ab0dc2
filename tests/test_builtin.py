"""Every built-in scenario validates, compiles with each of its policies, and simulates sanely.

Small runs only (250 replications, 60 days): the point is that the shipped data is consistent and the
numbers that come out are counts and rates, not that they match a benchmark.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.engine import simulate
from bordersim.model.compile import Compiled, compile_scenario
from bordersim.scenario.builtin import builtin_names, describe_builtins, load
from bordersim.scenario.schema import Scenario

EXPECTED = {"tajik-afghan-2004", "tajik-afghan-2015", "tajik-afghan-2021"}
NAMES = builtin_names()
runner = CliRunner()


@cache
def _scenario(name: str) -> Scenario:
    return load(name)


def _policies(name: str) -> list[str | None]:
    return [None, *sorted(_scenario(name).policies)]


def test_the_three_builtins_are_shipped() -> None:
    assert EXPECTED <= set(NAMES)
    assert all(title for _, title in describe_builtins())


def test_scenarios_command_lists_all_three() -> None:
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    for name in EXPECTED:
        assert name in result.output


@pytest.mark.parametrize("name", NAMES)
def test_builtin_validates(name: str) -> None:
    result = runner.invoke(app, ["validate", name])
    assert result.exit_code == 0, result.output
    sc = _scenario(name)
    assert sc.id == name
    assert sc.policies, "a built-in offers policies to compare"
    assert "tajik-only" in sc.policies


@pytest.mark.parametrize("name", NAMES)
def test_builtin_evidence_is_complete(name: str) -> None:
    """Every quantity resolves to a ledger entry with claims or a rationale, and a sane range."""
    sc = _scenario(name)
    n = 0
    for qname, q in sc.quantities():
        ev = q.resolved_evidence(sc.evidence)
        assert ev.claims or ev.assumed is not None, qname
        lo, hi = q.bounds(sc.evidence)
        assert lo <= q.value <= hi, qname
        n += 1
    assert n > 50


def _check_compiled(c: Compiled) -> None:
    assert c.phases and c.phases[0].start_day == 0
    starts = [p.start_day for p in c.phases]
    assert starts == sorted(set(starts))
    for p in c.phases:
        for arr in (p.p_detect, p.p_interdict, p.outcome_p):
            assert np.all(np.isfinite(arr))
            assert np.all((arr >= 0) & (arr <= 1))
        np.testing.assert_allclose(p.outcome_p.sum(axis=-1), 1.0, atol=1e-12)
        assert np.all(p.guards >= 0) and np.all(np.isfinite(p.guards))
        assert np.all(p.covert_rate >= 0)
        np.testing.assert_allclose(p.choice_q.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize(("name", "policy"), [(n, p) for n in NAMES for p in _policies(n)], ids=str)
def test_builtin_compiles_with_every_policy(name: str, policy: str | None) -> None:
    c = compile_scenario(_scenario(name), policy=policy)
    assert c.days == _scenario(name).period.days
    _check_compiled(c)


@pytest.mark.parametrize("name", NAMES)
def test_builtin_small_simulation_conserves_counts(name: str) -> None:
    c = compile_scenario(_scenario(name), days=60)
    res = simulate(c, 250, seed=11)
    totals = res.covert_totals
    assert totals.shape == (250, c.n_sectors, len(c.covert_ids), 4)
    assert np.all(totals >= 0)
    assert totals.sum() > 0
    for row in res.summary_rows():
        outcomes = (
            row["interdicted"]
            + row["turned_back"]
            + row["detected_got_away"]
            + row["undetected_got_away"]
        )
        assert row["attempts"] == pytest.approx(outcomes)
        for key, value in row.items():
            if isinstance(value, float) and key.endswith("rate") and row["attempts"] > 0:
                assert np.isfinite(value) and 0.0 <= value <= 1.0, (key, value)
    costs = res.cost_summary()
    assert all(
        np.isfinite(v) and v >= 0 for k, v in costs.items() if k != "cost_per_interdiction_rub"
    )


def test_2004_handover_lowers_detection() -> None:
    """While the Russian guards hold the line, more crossings are detected than after they left."""
    sc = _scenario("tajik-afghan-2004")
    before = compile_scenario(sc, start=dt.date(2004, 6, 1), days=1).phases[0]
    after = compile_scenario(sc, start=dt.date(2005, 9, 2), days=1).phases[0]
    flow_before = before.choice_q[0] * before.covert_rate[0]
    flow_after = after.choice_q[0] * after.covert_rate[0]
    pd_before = (flow_before * before.p_detect).sum() / flow_before.sum()
    pd_after = (flow_after * after.p_detect).sum() / flow_after.sum()
    assert pd_before > pd_after + 0.05
    ru = sc.units.index(next(u for u in sc.units if u.id == "ru_border_guards"))
    assert before.unit_posture[ru] == "border" and after.unit_posture[ru] == "inactive"
    stay = compile_scenario(sc, policy="russian-guards-stay", start=dt.date(2005, 9, 2), days=1)
    assert stay.phases[0].guards.sum() > after.guards.sum()


def test_2015_kunduz_and_kulob_events() -> None:
    sc = _scenario("tajik-afghan-2015")
    c = compile_scenario(sc)
    days = {p.start_day: p for p in c.phases}
    kunduz = (dt.date(2015, 9, 28) - sc.period.start).days
    assert kunduz in days
    before, after = c.phases[0], days[kunduz]
    assert np.all(after.covert_rate > before.covert_rate)
    assert list(after.control[1:4]) != list(before.control[1:4])
    heli = [u.id for u in sc.units].index("aini_helicopters")
    req = compile_scenario(sc, policy="201st-to-border")
    assert req.phases[-1].unit_active[heli] == 1.0
    assert req.phases[0].unit_active[heli] == 0.0

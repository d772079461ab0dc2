"""The timeline replayed once: the state after each dated event, history before the period, policies
first; and the planner's unit state is the compiler's for the same date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bordersim.model.compile import CompileError, compile_scenario
from bordersim.model.timeline import replay_timeline
from bordersim.plan.scenario_inputs import plan_inputs
from bordersim.plan.scenario_siting import siting_problem
from bordersim.scenario.builtin import load
from bordersim.scenario.schema import CONTROLS, Scenario


@pytest.fixture(scope="module")
def sc2004() -> Scenario:
    return load("tajik-afghan-2004")


@pytest.fixture(scope="module")
def sc2015() -> Scenario:
    return load("tajik-afghan-2015")


@pytest.fixture(scope="module")
def sc2021() -> Scenario:
    return load("tajik-afghan-2021")


def _unit(sc: Scenario, uid: str) -> int:
    return [u.id for u in sc.units].index(uid)


def _sectors(sc: Scenario, ids: list[str]) -> list[int]:
    return [sc.sector_ids().index(s) for s in ids]


def test_handover_state_after_each_dated_event(sc2004: Scenario) -> None:
    t = replay_timeline(sc2004)
    assert [s.date for s in t.states] == [
        dt.date(2004, 6, 1),
        dt.date(2004, 12, 1),
        dt.date(2004, 12, 3),
        dt.date(2004, 12, 5),
        dt.date(2005, 4, 15),
        dt.date(2005, 9, 1),
    ]
    ru, tj = _unit(sc2004, "ru_border_guards"), _unit(sc2004, "tj_border_troops")
    # set_strength after each step of the handover (the values in the scenario file)
    assert [(s.unit_strength[ru], s.unit_strength[tj]) for s in t.states] == [
        (11500.0, 500.0),
        (7500.0, 3000.0),
        (5500.0, 4300.0),
        (3500.0, 5700.0),
        (1500.0, 7000.0),
        (1500.0, 8000.0),
    ]
    # transfer_sectors: the Russian guards leave s16..s24 on 1 December, all sectors by September
    first = _sectors(sc2004, [f"s{k:02d}" for k in range(16, 25)])
    before, after = t.states[0].allocation, t.states[1].allocation
    assert before[ru, first].sum() > 0.3  # about 9/23 of their strength before the handover
    assert (after[ru, first] == 0).all() and (after[tj, first] > 0).all()
    np.testing.assert_allclose(after.sum(axis=1)[[ru, tj]], 1.0)
    last = t.states[-1]
    assert last.unit_posture[ru] == "inactive"  # set_posture on 1 September 2005
    assert (last.allocation[ru] == 0).all() and (last.allocation[tj] > 0).all()


def test_rates_bases_and_control_after_events(sc2015: Scenario, sc2021: Scenario) -> None:
    t = replay_timeline(sc2015)
    kulob = _unit(sc2015, "ru_201st_kulob")
    surge = t.state_on((dt.date(2015, 9, 28) - t.start).days)
    assert surge.rate_scale["drug_traffickers"] == 1.5
    assert t.state_on(surge.day - 1).rate_scale["drug_traffickers"] == 1.0
    moved = (dt.date(2015, 12, 1) - t.start).days
    assert t.state_on(moved - 1).unit_base[kulob] == "kulob"
    assert t.state_on(moved).unit_base[kulob] == "dushanbe"  # move_base

    t = replay_timeline(sc2021)
    fell = _sectors(sc2021, ["s02", "s03", "s04"])
    day = (dt.date(2021, 6, 22) - t.start).days
    assert (t.state_on(day - 1).control[fell] != CONTROLS.index("taliban")).all()
    assert (t.state_on(day).control[fell] == CONTROLS.index("taliban")).all()
    res = _unit(sc2021, "tj_reservists")
    day = (dt.date(2021, 7, 5) - t.start).days
    assert t.state_on(day - 1).unit_posture[res] == "inactive"
    assert t.state_on(day).unit_posture[res] == "border"
    # the fleeing batch is an event, not state: one batch, rescaled to its total exactly
    assert len(t.batches) == 1
    b_day, actor, arrivals = t.batches[0]
    assert (b_day, actor, int(arrivals.sum())) == (day, 0, 1037)


def test_history_before_the_period_and_policies_first(sc2004: Scenario, sc2021: Scenario) -> None:
    t = replay_timeline(sc2004, start=dt.date(2004, 12, 2), days=10)
    ru, tj = _unit(sc2004, "ru_border_guards"), _unit(sc2004, "tj_border_troops")
    assert (t.states[0].unit_strength[ru], t.states[0].unit_strength[tj]) == (7500.0, 3000.0)
    assert [s.day for s in t.states] == [0, 1, 3]  # 3 and 5 December

    t = replay_timeline(sc2021, policy="201st-to-border")
    d201 = _unit(sc2021, "ru_201st_dushanbe")
    res = _unit(sc2021, "tj_reservists")
    assert t.base_posture[d201] == "border"  # the policy's set_posture, before the timeline
    assert t.base_posture[res] == "inactive"  # the timeline's 5 July posture is not in it
    assert t.states[0].unit_posture[d201] == "border"
    assert t.request_day == 0.0  # the policy's dated escalation (1 June, the period's start)
    with pytest.raises(CompileError, match="unknown policy"):
        replay_timeline(sc2021, policy="nope")


@pytest.mark.parametrize(
    ("name", "date", "policy"),
    [
        ("tajik-afghan-2004", dt.date(2004, 12, 4), None),
        ("tajik-afghan-2004", dt.date(2005, 6, 1), "russian-guards-stay"),
        ("tajik-afghan-2015", dt.date(2015, 12, 10), "201st-to-border"),
        ("tajik-afghan-2021", dt.date(2021, 7, 10), None),
    ],
)
def test_planner_unit_state_is_the_compilers(name: str, date: dt.date, policy: str | None) -> None:
    sc = load(name)
    c = compile_scenario(sc, policy=policy)
    ph = c.phases[c.phase_index()[(date - c.start).days]]
    inp = plan_inputs(sc, date=date, policy=policy)
    on_border = [
        i
        for i in range(len(c.unit_ids))
        if ph.unit_posture[i] == "border" and ph.unit_active[i] > 0
    ]
    assert [b.id for b in inp.border_units] == [c.unit_ids[i] for i in on_border]
    for b, i in zip(inp.border_units, on_border, strict=True):
        assert b.strength == ph.unit_strength[i]
        assert b.on_duty == pytest.approx(
            ph.unit_strength[i] * c.unit_availability[i] * ph.unit_active[i], rel=1e-15
        )
    # the planner's guards and reserve response are the full-period compile's on that date
    np.testing.assert_allclose(inp.phase_guards, ph.guards, rtol=1e-13)
    np.testing.assert_array_equal(inp.reserve_hours, ph.reserve_hours)
    garrisons = {ph.unit_base[i] for i, p in enumerate(ph.unit_posture) if p == "reserve"}
    assert set(siting_problem(sc, date=date, policy=policy).current_ids) == garrisons

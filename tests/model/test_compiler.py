"""compile(): phases on event dates, policies, overrides, programme costs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bordersim.model.compile import CompileError, compile_scenario, with_overrides
from bordersim.scenario.builtin import load


@pytest.fixture(scope="module")
def sc():  # type: ignore[no-untyped-def]
    return load("tajik-afghan-2021")


def test_phases_start_on_event_dates(sc) -> None:  # type: ignore[no-untyped-def]
    c = compile_scenario(sc)
    starts = {c.start + dt.timedelta(days=p.start_day) for p in c.phases}
    for ev in sc.timeline:
        if c.start <= ev.date < c.start + dt.timedelta(days=c.days):
            assert ev.date in starts, ev.description
    # the reservists take border duty on 5 July: more guards from that day
    idx = c.phase_index()
    d5 = (dt.date(2021, 7, 5) - c.start).days
    assert c.phases[idx[d5]].guards.sum() > 3 * c.phases[idx[d5 - 1]].guards.sum()


def test_policies_compose_and_unknown_policy_fails(sc) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2021, 9, 1)
    base = compile_scenario(sc, start=day, days=1).phases[0]
    aid = compile_scenario(sc, policy="aid-equipment", start=day, days=1).phases[0]
    both = compile_scenario(sc, policy="aid-equipment+201st-to-border", start=day, days=1).phases[0]
    assert np.all(aid.p_detect > base.p_detect)
    assert np.all(both.p_detect >= aid.p_detect) and np.any(both.p_detect > aid.p_detect)
    with pytest.raises(CompileError, match="unknown policy 'nope'"):
        compile_scenario(sc, policy="aid-equipment+nope")


def test_programme_cost_is_spread_over_its_service_life(sc) -> None:  # type: ignore[no-untyped-def]
    c = compile_scenario(sc, policy="aid-equipment")
    assert c.aid_cost_rub_per_day == pytest.approx(70e9 / (5 * 365.25))
    assert compile_scenario(sc).aid_cost_rub_per_day == 0.0


def test_overrides_change_one_quantity_and_reject_unknown_names(sc) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2021, 9, 1)
    sc2 = with_overrides(sc, {"terrain.plain.sweep_width_km": 0.5})
    assert sc2.terrain["plain"].sweep_width_km.value == 0.5
    assert sc2.terrain["gorge"].sweep_width_km.value == sc.terrain["gorge"].sweep_width_km.value
    hi = compile_scenario(sc2, start=day, days=1).phases[0]
    lo = compile_scenario(sc, start=day, days=1).phases[0]
    plain = compile_scenario(sc, start=day, days=1).sector_terrain == 0
    assert np.all(hi.p_detect[plain] > lo.p_detect[plain])
    np.testing.assert_allclose(hi.p_detect[~plain], lo.p_detect[~plain])
    with pytest.raises(CompileError, match="unknown factor"):
        with_overrides(sc, {"no.such.factor": 1.0})

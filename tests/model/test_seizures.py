"""Kg seized, armed clashes during interdiction and the conflict share (issue 12 section 1).

The engine's clashes are Binomial(interdicted, r) per replication and sector: their mean over
replications must sit within 4 standard errors of r x interdicted; the mass seized is exactly
interdicted x kg per group; a scenario without the fields reports neither and keeps its hash.
"""

from __future__ import annotations

import numpy as np
import pytest

from bordersim.engine.kernel import simulate
from bordersim.engine.observables import per_replication
from bordersim.engine.results import Results
from bordersim.model.compile import Compiled, compile_scenario, with_overrides
from bordersim.model.seizures import conflict_share, expected_outcomes
from bordersim.scenario.builtin import load
from bordersim.scenario.loading import content_hash
from bordersim.scenario.schema import Actor, Scenario

A = "drug_traffickers"
Run = tuple[Scenario, Compiled, Results]


@pytest.fixture(scope="module")
def run_2008() -> Run:
    sc = load("tajik-afghan-2008")
    c = compile_scenario(sc, days=90)
    return sc, c, simulate(c, 400, 11)


def test_seized_mass_is_interdicted_times_kg(run_2008: Run) -> None:
    sc, _, res = run_2008
    kg = next(a for a in sc.actors if a.id == A).seizure_kg.value
    interdicted = per_replication(res, "interdicted", A)
    assert np.array_equal(per_replication(res, "seized_kg", A), interdicted * kg)


def test_clashes_are_binomial_in_the_interdictions(run_2008: Run) -> None:
    sc, _, res = run_2008
    r = next(a for a in sc.actors if a.id == A).resist_probability.value
    clashes = per_replication(res, "armed_clashes", A)
    interdicted = per_replication(res, "interdicted", A)
    resid = clashes - r * interdicted  # mean 0, variance r(1-r) interdicted per replication
    se = resid.std(ddof=1) / np.sqrt(resid.size)
    assert abs(resid.mean()) < 4 * se
    assert (clashes <= interdicted).all()


def test_conflict_share_counts_sectors_with_an_event() -> None:
    ev = np.array([[0, 2, 0, 1], [0, 0, 0, 0]])
    assert conflict_share(ev).tolist() == [0.5, 0.0]


def test_closed_form_interdictions_match_the_engine(run_2008: Run) -> None:
    _, c, res = run_2008
    days = np.diff([*(p.start_day for p in c.phases), 90])
    ph = c.phases
    exp = expected_outcomes(
        np.array([p.covert_rate for p in ph]),
        np.array([p.choice_q for p in ph]),
        np.array([p.outcome_p for p in ph]),
        days,
    )
    x = per_replication(res, "interdicted", A)
    assert abs(x.mean() - exp[:, 0, 0].sum()) < 4 * x.std(ddof=1) / np.sqrt(x.size)


#: The actors' seizure and clash fields (every built-in's traffickers have them now).
YIELD_FIELDS = ("seizure_kg", "resist_probability", "clash_deaths")


def _without_yield_fields(sc: Scenario) -> Scenario:
    """``sc`` with no actor giving a seizure or clash field (as the 2021 built-in was before)."""
    data = sc.model_dump(mode="python", exclude_none=True)
    data["actors"] = [{k: v for k, v in a.items() if k not in YIELD_FIELDS} for a in data["actors"]]
    return Scenario.model_validate(data)


def test_no_fields_no_outputs_and_the_same_hash() -> None:
    sc = _without_yield_fields(load("tajik-afghan-2021"))
    res = simulate(compile_scenario(sc, days=20), 20, 1)
    assert all("seized_kg" not in r and "armed_clashes" not in r for r in res.summary_rows())
    dumped = sc.actors[0].model_dump(mode="json")
    assert "seizure_kg" not in dumped and "resist_probability" not in dumped
    assert len(content_hash(sc)) == 64


def test_overrides_reach_the_new_fields() -> None:
    sc = with_overrides(load("tajik-afghan-2008"), {f"actors.{A}.seizure_kg": 3.0})
    assert compile_scenario(sc, days=10).covert_yield.kg_per_group[0] == 3.0


@pytest.mark.parametrize(
    ("field", "value"), [("resist_probability", 1.5), ("seizure_kg", -1.0), ("clash_deaths", -2.0)]
)
def test_out_of_domain_values_are_refused(field: str, value: float) -> None:
    a = load("tajik-afghan-2008").actors[0].model_dump(mode="json")
    a[field] = {"value": value, "assumed": {"rationale": "a test of the domain check"}}
    with pytest.raises(ValueError, match=field):
        Actor.model_validate(a)

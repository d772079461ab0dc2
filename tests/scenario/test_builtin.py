"""Every built-in scenario validates, compiles with each of its policies, and simulates correctly.

Small runs only (250 replications, 60 days): the point is that the shipped data is consistent and that
the counts that come out have the means the compiled phases give in closed form.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.engine import simulate
from bordersim.model.codes import ChoiceMode
from bordersim.model.compile import Compiled, compile_scenario
from bordersim.model.outcomes import OUTCOMES
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


# z bound for the closed-form comparisons below: two-sided P(|Z| > 4) = 6.3e-5 per comparison;
# over the 3 built-ins x (2 attempt totals + 2 x 4 outcome classes + each crossing's arrivals),
# fewer than 50 comparisons, a Bonferroni bound puts the chance of any false failure below 0.4%.
MAX_Z = 4.0


def _poisson_z(observed: float, expected: float) -> float:
    """z of a Poisson total (variance = mean) against its closed-form mean."""
    if expected == 0:
        return 0.0 if observed == 0 else np.inf
    return (observed - expected) / np.sqrt(expected)


@pytest.mark.parametrize("name", NAMES)
def test_builtin_small_simulation_matches_closed_form_means(name: str) -> None:
    """The engine's totals against the compiled phases' closed-form means (60 days, 250 reps).

    Attempts of actor a on a day are Poisson(rate_a) whatever the sector choice, so an actor's total
    over the run is Poisson(sum over days of rate_a). Each outcome class k in sector s is Poisson
    with mean rate_a q_as P(k | s, a) per day (independent Poisson split of a Poisson count) while
    detection in s is at its phase value; a breach lowers it for some days, but breaches come from
    the incursion streams, drawn independently of the covert ones, so the (replication, sector)
    cells with no lowered day keep exactly those means. People fleeing arrive Poisson(rate) a day
    plus the dated batches. Each total is compared with its mean within MAX_Z Poisson SEs.
    """
    c = compile_scenario(_scenario(name), days=60)
    T, R = 60, 250
    res = simulate(c, R, seed=11)
    # preconditions of the closed forms: static sector choice, no per-replication activation
    assert all(ChoiceMode.ADAPTIVE not in p.choice_code for p in c.phases)
    assert c.escalation.get("mode") != "threshold"
    days_in = np.bincount(c.phase_index()[:T], minlength=len(c.phases))  # days of each phase
    per_rep = sum(
        d * p.covert_rate[None, :, None] * p.choice_q.T[:, :, None] * p.outcome_p
        for d, p in zip(days_in, c.phases, strict=True)
    )  # (S, Ac, 4) expected counts per replication at the phases' detection
    totals = res.covert_totals.astype(float)  # (R, S, Ac, 4)
    assert res.degraded_days is not None
    clean = res.degraded_days == 0  # (R, S)
    assert clean.mean() > 0.5, "most cells keep their phase detection"
    z: dict[str, float] = {}
    for a, actor in enumerate(c.covert_ids):
        rate_total = float(
            sum(d * p.covert_rate[a] for d, p in zip(days_in, c.phases, strict=True))
        )
        z[f"{actor} attempts"] = _poisson_z(totals[:, :, a].sum(), R * rate_total)
        for k, outcome in enumerate(OUTCOMES):
            observed = totals[:, :, a, k][clean].sum()
            expected = (clean * per_rep[None, :, a, k]).sum()
            z[f"{actor} {outcome}"] = _poisson_z(observed, expected)
    for p, crossing in enumerate(c.crossing_ids):
        rate = sum(d * ph.fleeing_rate[:, p].sum() for d, ph in zip(days_in, c.phases, strict=True))
        batch = sum(int(arr[p]) for day, _, arr in c.batches if day < T)
        observed = res.flee_arrived[:, p].sum() - R * batch  # batches are not random
        z[f"{crossing} arrivals"] = _poisson_z(observed, R * rate)
    worst = max(z, key=lambda key: abs(z[key]))
    assert abs(z[worst]) <= MAX_Z, f"{worst}: z = {z[worst]:.2f} ({z})"


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

"""The uncertainty space built from the evidence ledger: factors, grouping, fix/range, files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bordersim.experiments.factors import (
    STRUCTURAL,
    Experiment,
    FactorError,
    Marginal,
    build_space,
    load_experiment,
    parse_fix,
    parse_range,
)
from bordersim.scenario.builtin import load


@pytest.fixture(scope="module")
def scenario():
    return load()


def test_quantity_grouping_has_every_uncertain_quantity(scenario):
    space = build_space(scenario, grouping="quantity")
    led = scenario.evidence
    expected = {
        n for n, q in scenario.quantities() if q.bounds(led)[0] < q.bounds(led)[1]
    } - STRUCTURAL
    assert set(space.names) == expected
    for f in space.factors:
        (m,) = f.members
        q = dict(scenario.quantities())[f.name]
        assert (m.low, m.high) == q.bounds(led)
        assert m.dist == q.distribution(led)
        assert f.sourced == q.is_sourced(led)


def test_evidence_grouping_moves_a_ledger_entry_together(scenario):
    space = build_space(scenario, grouping="evidence")
    led = scenario.evidence
    keys = {
        q.evidence or n
        for n, q in scenario.quantities()
        if q.bounds(led)[0] < q.bounds(led)[1] and n not in STRUCTURAL
    }
    assert set(space.names) == keys  # one factor per ledger entry (or inline-evidence quantity)
    assert len(space) < sum(1 for _ in scenario.quantities()) / 2
    sweep = next(f for f in space.factors if f.name == "sweep-width")
    assert len(sweep.members) == 4 and sweep.kind == "evidence"
    ov = sweep.overrides(0.5)
    # every member sits at its own median: the same quantile through its own distribution
    for m in sweep.members:
        assert m.cdf(ov[m.quantity]) == pytest.approx(0.5)
    lo = sweep.overrides(0.0)
    assert all(lo[m.quantity] == m.low for m in sweep.members)
    # sourced flags come from the ledger entry
    src = next(f for f in space.factors if f.name == "russian-guards-2004")
    assert src.sourced is True


def test_triangular_inverse_cdf_and_mean():
    m = Marginal("x", 1.0, 7.0, "triangular", 2.0)
    u = np.linspace(0, 1, 101)
    assert np.allclose(m.cdf(m.ppf(u)), u)
    assert m.ppf(0.0) == 1.0 and m.ppf(1.0) == 7.0
    draws = m.ppf(np.random.default_rng(1).random(200_000))
    mean, sd = (1 + 2 + 7) / 3, np.sqrt((1 + 4 + 49 - 2 - 7 - 14) / 18)
    assert abs(draws.mean() - mean) < 4 * sd / np.sqrt(draws.size)


def test_fix_and_range(scenario):
    name = "terrain.gorge.sweep_width_km"
    exp = Experiment(
        factors={name: {"low": 0.1, "high": 0.2}}, fix={"actors.drug_traffickers.turn_back": 0.2}
    )
    space = build_space(scenario, grouping="quantity", experiment=exp)
    f = next(f for f in space.factors if f.name == name)
    assert (f.members[0].low, f.members[0].high) == (0.1, 0.2)
    assert "actors.drug_traffickers.turn_back" not in space.names
    assert space.overrides(np.full(len(space), 0.5))["actors.drug_traffickers.turn_back"] == 0.2


def test_range_adds_a_point_quantity_as_a_factor(scenario):
    led = scenario.evidence
    point = next(n for n, q in scenario.quantities() if q.bounds(led)[0] == q.bounds(led)[1])
    space = build_space(
        scenario, grouping="evidence", experiment=Experiment(factors={point: {"low": 1, "high": 2}})
    )
    assert point in space.names


def test_group_range_and_fix_are_quantiles(scenario):
    exp = Experiment(factors={"sweep-width": {"low": 0.25, "high": 0.75}}, fix={"vanish-time": 0.5})
    space = build_space(scenario, grouping="evidence", experiment=exp)
    f = next(f for f in space.factors if f.name == "sweep-width")
    assert f.quantile(np.array([0.0, 1.0])).tolist() == [0.25, 0.75]
    assert "vanish-time" not in space.names
    median = Marginal("v", 1.0, 4.0, "triangular", 2.0).ppf(0.5)  # plain: 1 .. 2 .. 4 hours
    assert space.fixed["terrain.plain.vanish_mean_hours"] == pytest.approx(float(median))
    with pytest.raises(FactorError, match="quantile"):
        build_space(
            scenario,
            grouping="evidence",
            experiment=Experiment(factors={"sweep-width": {"low": 0.5, "high": 2}}),
        )


@pytest.mark.parametrize(
    "exp",
    [
        Experiment(fix={"no.such.quantity": 1.0}),
        Experiment(factors={"terrain.plain.sweep_widht_km": {"low": 0, "high": 1}}),
    ],
)
def test_unknown_names_are_clear_errors(scenario, exp):
    with pytest.raises(FactorError, match="unknown factor"):
        build_space(scenario, grouping="quantity", experiment=exp)


def test_ledger_key_needs_evidence_grouping(scenario):
    with pytest.raises(FactorError, match="ledger key"):
        build_space(scenario, grouping="quantity", experiment=Experiment(fix={"sweep-width": 0.5}))


def test_parse_command_line():
    assert parse_fix(["a.b=1.5"]) == {"a.b": 1.5}
    assert parse_range(["a=1:2", "b=0:1:uniform"]) == {
        "a": {"low": 1.0, "high": 2.0},
        "b": {"low": 0.0, "high": 1.0, "dist": "uniform"},
    }
    with pytest.raises(FactorError):
        parse_fix(["a"])
    with pytest.raises(FactorError):
        parse_range(["a=1"])


def test_experiment_file(tmp_path: Path, scenario):
    p = tmp_path / "exp.yaml"
    p.write_text(
        "factors:\n  terrain.plain.sweep_width_km: {low: 0.2, high: 0.3, dist: uniform}\n"
        "fix:\n  actors.drug_traffickers.turn_back: 0.25\n"
        "policies: [baseline, aid-equipment]\n"
    )
    exp = load_experiment(p)
    assert exp.policies == ("baseline", "aid-equipment")
    space = build_space(scenario, grouping="quantity", experiment=exp)
    f = next(f for f in space.factors if f.name == "terrain.plain.sweep_width_km")
    assert f.members[0].dist == "uniform"
    p.write_text("factor: {}\n")
    with pytest.raises(FactorError, match="unknown keys"):
        load_experiment(p)

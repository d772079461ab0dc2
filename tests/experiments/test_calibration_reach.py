"""An observation the model cannot reach over the prior is not used, is flagged, and yields no
spurious "identified" (history matching's implausibility, bordersim.experiments.calibration_reach).

- synthetic: the 2008 scenario against 10^8 kg seized in a year (far beyond rate 30/day x 100 kg a
  group) and the 17 clashes it can reach; the kg observation must be set aside with the model's range
  and its predictive still reported, the kg per group (which only it informs) left unidentified.
- the 2015 case the lead found: without the traffickers' clash model (the 2015 built-in before it had
  one) the conflict share saturates near 0.12 over the prior, the observation is 0.6-1; the armed
  incursion rate must not come out "identified". With it (the built-in now) the share is reachable
  and the shipped calibration uses it.
(Every target unreachable -- one message, exit 2, nothing written -- is in tests/cli/test_calibrate_cmd.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.api.calibration import BUILTIN_OBSERVATIONS
from bordersim.cli.app import app
from bordersim.experiments.calibration import calibrate
from bordersim.experiments.calibration_reach import IMPLAUSIBLE, reach_of
from bordersim.experiments.calibration_space import Emulator, Prior, identification
from bordersim.experiments.calibration_targets import Target
from bordersim.scenario.builtin import load
from bordersim.scenario.calibration_refs import CALIBRATION_DIR
from bordersim.scenario.observations import ObservationSet, load_observations
from bordersim.scenario.schema import Scenario

A = "actors.drug_traffickers"
UNREACHABLE_KG = 1e8
EV = '{kind: synthetic, rationale: "a figure the model cannot produce, for a test"}'


def _file(tmp: Path, rows: list[tuple[str, str, float]]) -> Path:
    text = "observations:\n" + "".join(
        f"  - {{id: {i}, metric: {m}, scenario: tajik-afghan-2008, actor: drug_traffickers, "
        f"start: 2008-01-01, days: 366, value: {v}, qualifies: 'a figure for a test', evidence: {EV}}}\n"
        for i, m, v in rows
    )
    path = tmp / "obs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


FREE = [f"{A}.rate_per_day", f"{A}.seizure_kg", f"{A}.resist_probability"]


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("reach")
    obs = _file(
        tmp, [("syn-kg", "seized_kg", UNREACHABLE_KG), ("syn-clashes", "armed_clashes", 17)]
    )
    out = tmp / "cal"
    args = ["calibrate", "tajik-afghan-2008", "--observations", str(obs), "--out", str(out),
            "--steps", "400", "--draws", "2", "-n", "2", "--seed", "3"]  # fmt: skip
    for f in FREE:
        args += ["--free", f]
    res = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    return res.output, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_the_unreachable_observation_is_not_used_and_says_why(
    unreachable: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    text, s = unreachable
    kg, clashes = s["observations"]["syn-kg"], s["observations"]["syn-clashes"]
    assert kg["used"] is False and clashes["used"] is True and "unreachable" not in clashes
    lo, hi = kg["unreachable"]["model_range"]
    assert 0 < lo <= hi < UNREACHABLE_KG
    assert kg["unreachable"]["implausibility_min"] > IMPLAUSIBLE
    assert "cannot produce this over the prior" in kg["unreachable"]["reason"]
    # the disagreement still shows: the predictive is reported, and the observation is outside it
    assert kg["predicted"]["by"] == "engine" and kg["outside"] is True
    assert [a["id"] for a in s["set_aside"]] == ["syn-kg"]
    assert "syn-kg: the model cannot produce this over the prior: model range" in text
    assert "not used" in text


def test_no_spurious_identified_from_the_unreachable_observation(
    unreachable: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    _, s = unreachable
    kg = s["parameters"][f"{A}.seizure_kg"]
    assert kg["identified"] is False and kg["posterior"] is None
    assert all(f"{A}.seizure_kg" not in c["exponents"] for c in s["combinations"])
    assert f"{A}.seizure_kg" in s["constrained"]["not_constrained"]
    # only the clashes inform the posterior: kg per group keeps (about) its prior spread; the
    # tolerance is the sampling error of a 90% width from the posterior's effective sample
    # (4,000 draws of a chain: some 400 independent ones, so a few % of the width; 25% is ample)
    m, p = kg["marginal"], kg["prior"]
    assert (m["p95"] - m["p5"]) > 0.75 * (p["p95"] - p["p5"])


def _without_clash_model(sc: Scenario) -> Scenario:
    """``sc`` with no actor giving a seizure or clash field: only incursions make conflict."""
    fields = ("seizure_kg", "resist_probability", "clash_deaths")
    data = sc.model_dump(mode="python", exclude_none=True)
    data["actors"] = [{k: v for k, v in a.items() if k not in fields} for a in data["actors"]]
    return Scenario.model_validate(data)


def test_the_2015_conflict_share_does_not_identify_the_incursion_rate() -> None:
    sc = _without_clash_model(load("tajik-afghan-2015"))
    targets = load_observations(BUILTIN_OBSERVATIONS).targets(sc.id)
    cal = calibrate(sc, targets, steps=400, check_draws=2, check_replications=2, seed=1)
    share = cal.summary["observations"]["conflict-share-2015"]
    assert share["used"] is False
    assert share["unreachable"]["model_range"][1] < 0.6
    assert cal.summary["observations"]["12th-outpost-1993"]["used"] is True
    rate = cal.summary["parameters"].get("actors.armed_incursions.rate_per_day")
    assert rate is None or rate["identified"] is not True
    # free by default: only what a used target (the single fight) depends on
    assert all(n.startswith("incursions.") for n in cal.names)


def test_the_shipped_2015_calibration_reaches_the_conflict_share() -> None:
    """With the traffickers' interdiction clashes the share is within reach (the prior's range
    spans 0.6-1) and used; its engine-simulated posterior predictive covers the observation."""
    summary = json.loads((CALIBRATION_DIR / "tajik-afghan-2015" / "summary.json").read_text())
    share = summary["observations"]["conflict-share-2015"]
    assert share["used"] is True and "unreachable" not in share
    lo, hi = share["reachability"]["model_range"]
    assert lo < 0.6 < hi and share["reachability"]["implausibility_min"] <= IMPLAUSIBLE
    assert share["predicted"]["by"] == "engine" and share["outside"] is False
    assert f"{A}.resist_probability" in summary["parameters"]


def test_the_rule_is_three_sd_at_every_point() -> None:
    o = ObservationSet.model_validate(
        {"observations": [{"id": "x", "metric": "seized_kg", "low": 10, "high": 20,
                           "qualifies": "a figure for a test",
                           "evidence": {"kind": "synthetic", "rationale": "a figure for a test"}}]}
    ).observations[0]  # fmt: skip
    t = Target(o, None, None)
    # inside the range at one point: reachable, implausibility 0
    r = reach_of(t, np.array([1.0, 15.0]), np.array([1.0, 1.0]))
    assert r.reachable and r.implausibility_min == 0.0 and r.model_range == (1.0, 15.0)
    # 10 sd below everywhere (sd = sqrt(var + (0.1 mean)^2) = 1 at mean 0): unreachable
    r = reach_of(t, np.array([0.0, 0.0]), np.array([1.0 - 1e-12, 1.0 - 1e-12]))
    assert not r.reachable and r.implausibility_min == pytest.approx(10.0)
    # just under 3 sd at one point: reachable
    r = reach_of(t, np.array([0.0, 7.1]), np.array([1.0, 1.0 - 0.071**2 * 100]))
    assert r.reachable and r.implausibility_min == pytest.approx(2.9, rel=1e-6)


def test_the_emulator_reaches_where_the_sparse_design_does_not() -> None:
    """The 2008 seizures' case: every design point is > 3 sd above the observation, but the
    emulator over the prior's whole support reaches down to it, so it is reachable."""
    o = ObservationSet.model_validate(
        {"observations": [{"id": "x", "metric": "seized_kg", "value": 916,
                           "qualifies": "a figure for a test",
                           "evidence": {"kind": "synthetic", "rationale": "a figure for a test"}}]}
    ).observations[0]  # fmt: skip
    t = Target(o, None, None)
    design = np.array([2179.0, 5000.0, 270_000.0])
    assert not reach_of(t, design, design).reachable
    r = reach_of(t, design, design, (94.0, 1.2e6, 1.2e6))
    assert r.reachable and r.model_range == (94.0, 1.2e6)


def test_emulator_bounds_are_the_extremes_over_the_box() -> None:
    rng = np.random.default_rng(7)
    k = 3
    z = rng.uniform(-2, 2, (400, k))
    coef = rng.normal(0, 0.5, 1 + 2 * k)
    f = np.column_stack([np.ones(len(z)), z, z * z])
    emu = Emulator.fit(z, np.exp(f @ coef), np.exp(f @ coef), share=False)
    lo, hi = np.full(k, -1.5), np.full(k, 1.0)
    m_lo, m_hi, v_hi = emu.bounds(lo, hi)
    grid = np.stack(np.meshgrid(*[np.linspace(-1.5, 1.0, 41)] * k), -1).reshape(-1, k)
    mu, var = emu.moments(grid)
    # the grid's extremes lie inside the exact ones, and come within the grid's resolution of them
    assert m_lo <= mu.min() <= m_lo * 1.05 and m_hi / 1.05 <= mu.max() <= m_hi
    assert var.max() <= v_hi <= var.max() * 1.05


def test_a_combination_never_spans_two_independent_blocks() -> None:
    """Two blocks, each with one tight direction of the same spread (0.2 of the prior's): a joint
    eigen-decomposition may rotate them into each other (equal eigenvalues); per block it cannot."""
    rng = np.random.default_rng(11)
    n = 4000
    a, b = rng.normal(size=(2, n))
    c, d = rng.normal(size=(2, n))
    t = 0.2  # the tight directions' sd: (q0 + q1) and (q2 - q3), over sqrt 2; the loose ones 1
    z = np.column_stack([a + t * b, -a + t * b, c + t * d, c - t * d]) / np.sqrt(2)
    priors = tuple(Prior(f"q{i}", "uniform", 1.0, 2.0, 3.0) for i in range(4))
    x = 2.0 + 0.1 * z
    _, combos = identification(priors, z, x, x, [[0, 1], [2, 3]])
    assert len(combos) == 2
    for cb in combos:
        members = set(cb["exponents"])
        assert members in ({"q0", "q1"}, {"q2", "q3"})
        # the sd of a sample sd is sd / sqrt(2n): 0.2 / 90 here; 5% is some 20 standard errors
        assert cb["posterior_sd_over_prior"] == pytest.approx(t, rel=0.05)

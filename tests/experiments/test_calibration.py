"""`bordersim calibrate` on synthetic truth (issue 12 section 2).

One realisation of the 2008 scenario at known values of the drug traffickers' rate, kg per group and
resist probability is written as synthetic observations (kg seized, armed clashes); calibrating the
three on it must put the truth of what the data identify -- rate x kg/group (seizures) and
rate x P(resist) (clashes) -- inside the posterior's 1-99% and make those intervals narrower than the
prior's. The individual factors are not identified alone, and the summary must say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.engine.kernel import simulate
from bordersim.engine.observables import per_replication
from bordersim.experiments.calibration_store import read_posterior
from bordersim.experiments.posterior import Posterior, posterior_inputs
from bordersim.model.compile import compile_scenario, with_overrides
from bordersim.scenario.builtin import load

A = "actors.drug_traffickers"
TRUTH = {f"{A}.rate_per_day": 6.0, f"{A}.seizure_kg": 10.0, f"{A}.resist_probability": 0.1}
FREE = list(TRUTH)


def _synthetic(tmp: Path, seed: int) -> Path:
    sc = with_overrides(load("tajik-afghan-2008"), TRUTH)
    res = simulate(compile_scenario(sc), 1, seed)
    kg = float(per_replication(res, "seized_kg", "drug_traffickers")[0])
    clashes = float(per_replication(res, "armed_clashes", "drug_traffickers")[0])
    ev = '{kind: synthetic, rationale: "one simulated year at known parameter values"}'
    text = "observations:\n" + "".join(
        f"  - {{id: {i}, metric: {m}, scenario: tajik-afghan-2008, actor: drug_traffickers, "
        f"start: 2008-01-01, days: 366, value: {v}, qualifies: 'synthetic truth for a test', "
        f"evidence: {ev}}}\n"
        for i, m, v in (("syn-kg", "seized_kg", kg), ("syn-clashes", "armed_clashes", clashes))
    )
    path = tmp / "synthetic.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("calib")
    obs = _synthetic(tmp, 3)
    out = tmp / "cal"
    args = ["calibrate", "tajik-afghan-2008", "--observations", str(obs), "--out", str(out),
            "--steps", "600", "--draws", "3", "-n", "4", "--seed", "5", "--json"]  # fmt: skip
    for f in FREE:
        args += ["--free", f]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return out, json.loads(res.output)


def _product(x: np.ndarray, names: tuple[str, ...], a: str, b: str) -> np.ndarray:
    return np.asarray(x[:, names.index(a)] * x[:, names.index(b)])


@pytest.mark.parametrize("other", ["seizure_kg", "resist_probability"])
def test_truth_of_the_identified_product_is_in_the_posterior(
    calibrated: tuple[Path, dict],  # type: ignore[type-arg]
    other: str,
) -> None:
    out, _ = calibrated
    names, post, _ = read_posterior(out)
    rate, b = f"{A}.rate_per_day", f"{A}.{other}"
    p = _product(post, names, rate, b)
    lo, hi = np.quantile(p, [0.01, 0.99])
    assert lo <= TRUTH[rate] * TRUTH[b] <= hi
    rng = np.random.default_rng(0)
    sc = load("tajik-afghan-2008")
    qs = dict(sc.quantities())
    prior = np.ones(4000)
    for n in (rate, b):
        q = qs[n]
        plo, phi = q.bounds(sc.evidence)
        prior = prior * rng.uniform(plo, phi, 4000)
    assert np.log(hi / lo) < np.diff(np.log(np.quantile(prior, [0.01, 0.99])))[0]


def test_summary_keys_and_no_spurious_individual_posterior(
    calibrated: tuple[Path, dict],  # type: ignore[type-arg]
) -> None:
    _, summary = calibrated
    assert set(summary["parameters"]) == set(FREE)
    for p in summary["parameters"].values():
        assert {"prior", "posterior", "identified"} <= set(p)
        if p["identified"] is not True:
            assert p["posterior"] is None
    assert summary["combinations"], "rate x kg and rate x resist are identified together"
    assert set(summary["observations"]) == {"syn-kg", "syn-clashes"}
    assert summary["set_aside"] == []  # a reachable case: every observation is used
    for o in summary["observations"].values():
        assert o["used"] is True and "unreachable" not in o
        assert o["predicted"]["by"] == "engine"
        assert o["predicted"]["p5"] <= o["predicted"]["p95"]


def test_posterior_draws_are_input_draws(calibrated: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """A fresh calibration directory serves as a posterior: its free quantities in every draw are
    rows of its sample, the draws are reproducible."""
    out, _ = calibrated
    sc = load("tajik-afghan-2008")
    post = Posterior(out, sc)
    d = posterior_inputs(sc, post, 5, seed=1)
    assert d.source == "posterior" and d.n == 5 and set(FREE) <= set(d.overrides[0])
    rows = {tuple(r) for r in post.samples.tolist()}
    assert all(tuple(o[q] for q in post.names) in rows for o in d.overrides)
    assert ((d.unit >= 0) & (d.unit <= 1)).all()
    again = posterior_inputs(sc, Posterior(out, sc), 5, seed=1)
    assert np.array_equal(d.values, again.values)


def test_an_unknown_free_quantity_is_one_message(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["calibrate", "tajik-afghan-2008", "--free", "no.such", "--out", str(tmp_path / "c")]
    )
    assert res.exit_code == 2 and "no.such" in res.output
    assert not (tmp_path / "c").exists()

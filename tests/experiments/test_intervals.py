"""Two intervals in every answer (issue 12 §3): simulation noise and input uncertainty.

Small runs (30 days, a few draws) keep these fast; what is checked is the bookkeeping (which
draws, which quantiles, which seeds) and the labels, which do not depend on the run's size.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import bordersim as bs
from bordersim.api.uncertainty import UncertaintyError, input_source
from bordersim.cli.app import app
from bordersim.experiments.intervals import (
    add_compare_intervals,
    hold_fixed,
    input_uncertainty,
    prior_source,
    rank_factors,
    run_draws,
)
from bordersim.report.intervals_section import intervals_data

runner = CliRunner()
DAYS = 30
RUN = ["run", "-n", "40", "--days", str(DAYS), "--seed", "3", "--draws", "8", "--json"]
TRUE = "covert:drug_traffickers:true_rate"


@pytest.fixture(scope="module")
def res() -> bs.RunResult:
    return bs.run(
        "tajik-afghan-2021", replications=40, days=DAYS, seed=3, uncertainty="prior", draws=8
    )


def test_input_interval_is_the_draws_5_95_spread(res: bs.RunResult) -> None:
    unc = res.uncertainty
    assert unc is not None and unc.values.shape == (8, len(unc.keys))
    head = {(e["section"], e["actor"], e["metric"]): e for e in res.summary()["headline"]}
    e = head[("covert", "drug_traffickers", "true_rate")]
    per_draw = unc.values[:, unc.keys.index(TRUE)]
    lo, hi = np.quantile(per_draw, [0.05, 0.95])
    assert e["input_interval"] == pytest.approx([lo, hi], abs=1e-10)
    inside = (per_draw >= lo) & (per_draw <= hi)
    assert inside.sum() >= 6  # the 5-95% range of 8 draws leaves out at most the two extremes
    # the nominal run's CI is the run table's, untouched by the draws
    row = next(r for r in res.summary()["covert"] if r["group"] == "all")
    assert e["ci"] == [row["true_rate_lo"], row["true_rate_hi"]] and e["mean"] == row["true_rate"]
    # the ledger's box holds the nominal values, so the nominal figure lies inside the spread
    assert lo <= e["mean"] <= hi
    # and it is wider than simulation noise: most of the uncertainty is the inputs'
    assert hi - lo > e["ci"][1] - e["ci"][0]


def test_draws_are_reproducible_however_batched() -> None:
    sc = bs.load("tajik-afghan-2021").model
    inputs = prior_source(sc, 6, 11)
    whole = input_uncertainty(sc, None, inputs, replications=5, seed=11, days=10)
    batched = input_uncertainty(sc, None, inputs, replications=5, seed=11, days=10, batch=4)
    assert whole.keys == batched.keys
    np.testing.assert_array_equal(whole.values, batched.values)
    alone = run_draws(sc, None, inputs, [4], replications=5, seed=11, days=10)
    assert alone[4] == dict(zip(whole.keys, whole.values[4].tolist(), strict=True))
    other = input_uncertainty(sc, None, inputs, replications=5, seed=12, days=10)
    assert not np.array_equal(whole.values, other.values)  # the seed matters


def test_uncertainty_none_gives_no_input_interval() -> None:
    r = runner.invoke(app, [*RUN, "--uncertainty", "none"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["input_uncertainty"] is None
    assert data["headline"] and all(e["input_interval"] is None for e in data["headline"])
    assert all(e["ci"][0] <= e["mean"] <= e["ci"][1] for e in data["headline"] if e["ci"][0])
    plain = bs.run("tajik-afghan-2021", replications=40, days=DAYS, seed=3)  # API default: none
    assert plain.uncertainty is None and plain.summary() == data
    cmp = bs.compare("tajik-afghan-2021", ["tajik-only", "aid-equipment"], replications=5, days=5)
    s = cmp.summary()
    assert s["input_uncertainty"] is None
    assert all(d["input_interval"] is None and d["p_better_across_draws"] is None
               for d in s["differences"])  # fmt: skip


def test_nominal_numbers_do_not_change_with_uncertainty(res: bs.RunResult) -> None:
    plain = bs.run("tajik-afghan-2021", replications=40, days=DAYS, seed=3)
    a, b = res.summary(), plain.summary()
    for key in ("covert", "fleeing", "costs", "incursions"):
        assert a[key] == b[key]


def test_posterior_needs_its_directory(tmp_path: Path) -> None:
    """A scenario that ships no calibration needs --posterior DIR, refused before it simulates."""
    own = tmp_path / "own.yaml"
    r = runner.invoke(app, ["export", "tajik-afghan-2021", "--out", str(own)])
    text = own.read_text(encoding="utf-8").replace("id: tajik-afghan-2021", "id: my-border", 1)
    own.write_text(text, encoding="utf-8")
    r = runner.invoke(app, [*RUN[:1], str(own), *RUN[1:], "--uncertainty", "posterior"])
    assert r.exit_code == 2 and "--posterior DIR" in r.output, r.output
    sc = bs.load(own).model
    assert sc.id == "my-border"
    with pytest.raises(UncertaintyError, match="--posterior DIR"):
        input_source("posterior", None, sc)


def test_set_quantities_are_held_in_every_draw() -> None:
    sc = bs.load("tajik-afghan-2021").model
    inputs = hold_fixed(prior_source(sc, 4, 1), {"terrain.plain.sweep_width_km": 0.3})
    assert all(o["terrain.plain.sweep_width_km"] == 0.3 for o in inputs.overrides)


def test_rank_factors_finds_the_factor_that_drives_the_figure() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(size=(64, 4))
    y = np.exp(3 * x[:, 2]) + 0.1 * x[:, 0]
    top = rank_factors(x, y, ["a", "b", "c", "d"])
    assert top[0][0] == "c" and top[0][1] > 0.9 and len(top) == 3
    assert rank_factors(x[:9], y[:9], ["a", "b", "c", "d"]) == []  # too few draws to rank


def test_compare_p_better_across_draws_counts_the_draws() -> None:
    """4 draws: the policy beats the baseline in 2, ties in 1 and loses in 1 -> 0.625."""
    base = np.array([10.0, 10.0, 10.0, 10.0])
    pol = np.array([12.0, 11.0, 10.0, 9.0])
    ds = xr.Dataset(
        {"interdictions": (("policy", "draw"), np.stack([base, pol]))},
        coords={"policy": ["a", "b"], "draw": np.arange(4)},
    )
    report = {
        "baseline": "a",
        "per_policy": {p: {"interdictions": {"lo": 0.0, "hi": 1.0}} for p in ("a", "b")},
        "differences": [{"policy": "b", "metric": "interdictions", "lo": 0, "hi": 1,
                         "p_better": 0.7}],
    }  # fmt: skip
    add_compare_intervals(report, ds, {"draws": 4}, {"interdictions": +1})
    d = report["differences"][0]
    assert d["p_better_across_draws"] == 0.625 and d["p_better_within_draw"] == 0.7
    assert d["input_interval"] == pytest.approx(np.quantile(pol - base, [0.05, 0.95]).tolist())
    add_compare_intervals(report, ds, {"draws": 4}, {"interdictions": -1})  # fewer is better
    assert report["differences"][0]["p_better_across_draws"] == 0.375


def test_compare_across_draws_uses_the_policy_by_draw_matrix() -> None:
    cmp = bs.compare("tajik-afghan-2021", ["tajik-only", "russian-guards-return"],
                     replications=10, days=20, seed=2, uncertainty="prior", draws=6)  # fmt: skip
    # 34 uncertain inputs: with the traffickers' kg per group, share resisting and dead per clash
    assert cmp.draws is not None and cmp.draws.sizes == {"policy": 2, "draw": 6, "factor": 34}
    s = cmp.summary()
    m = cmp.draws["interdictions"].values
    d = next(x for x in s["differences"] if x["metric"] == "interdictions")
    wins = np.sign(m[1] - m[0])
    assert d["p_better_across_draws"] == pytest.approx(np.mean((wins > 0) + 0.5 * (wins == 0)))
    assert d["p_better_within_draw"] == d["p_better"]
    assert s["per_policy"]["tajik-only"]["true_rate"]["input_interval"] == pytest.approx(
        np.quantile(cmp.draws["true_rate"].values[0], [0.05, 0.95]).tolist()
    )


def test_tables_label_both_intervals() -> None:
    r = runner.invoke(app, [*RUN[:-1]], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "simulation noise" in r.output and "input uncertainty" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    wide = runner.invoke(app, [*RUN[:-1], "--wide"], env={"COLUMNS": "80"})
    assert wide.exit_code == 0 and "moves most with" in wide.output
    c = runner.invoke(app, ["compare", "-p", "tajik-only", "-p", "aid-equipment", "-n", "5",
                            "--days", "5", "--draws", "4"], env={"COLUMNS": "80"})  # fmt: skip
    assert c.exit_code == 0, c.output
    assert "across draws" in c.output and "in a draw" in c.output


def test_run_dir_and_report_carry_the_draws(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [*RUN[:-1], "--draws", "12", "--draw-replications", "5", "--out", str(out)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    with (out / "input_draws.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and TRUE in rows[0] and "factor:sweep-width" in rows[0]
    summary = json.loads((out / "summary.json").read_text())
    e = summary["headline"][0]
    per_draw = [float(row[TRUE]) for row in rows]
    assert e["input_interval"] == pytest.approx(np.quantile(per_draw, [0.05, 0.95]).tolist())
    manifest = json.loads((out / "manifest.json").read_text())
    assert "input_draws.csv" in manifest["artefacts"]["run"]
    rep = runner.invoke(app, ["report", str(out)])
    assert rep.exit_code == 0, rep.output
    html = (out / "report.html").read_text()
    assert "simulation noise (95% CI)" in html and "input uncertainty (5–95%)" in html
    data = intervals_data(summary, {})
    names = [f["factor"] for f in e["top_factors"]]
    assert len(names) == 3 and all(n in data["sentence"] for n in names)
    assert "times the simulation-noise interval" in data["sentence"]
    para = html.split('<p class="uncertainty">', 1)[1].split("</p>", 1)[0]
    assert "Drug traffickers" in para and all(n in para for n in names)
    assert "Simulation noise" in para and "input uncertainty" in para


def test_report_says_when_input_uncertainty_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = runner.invoke(app, [*RUN[:-1], "--uncertainty", "none", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert not (out / "input_draws.csv").exists()
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    assert "Input uncertainty was not estimated" in (out / "report.html").read_text()

"""Posterior draws (issue 12 §2): the calibrated quantities jointly from a calibration's posterior,
every other uncertain quantity from the prior exactly as ``--uncertainty prior`` draws it.

The shipped 2008 calibration is the posterior throughout (it is verified by checksum on read).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import bordersim as bs
from bordersim.api.uncertainty import UncertaintyError, input_source
from bordersim.cli.app import app
from bordersim.experiments.posterior import (
    PosteriorError,
    load_posterior,
    posterior_inputs,
    shipped_calibration,
)
from bordersim.experiments.uncertainty import draw_inputs

runner = CliRunner()
SC = "tajik-afghan-2008"


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return bs.load(SC).model


def test_free_quantities_are_whole_posterior_rows(model) -> None:  # type: ignore[no-untyped-def]
    post = load_posterior(model, None)
    assert post.shipped and post.directory == shipped_calibration(SC)
    d = posterior_inputs(model, post, 16, seed=4)
    rows = Counter(tuple(r) for r in post.samples.tolist())
    picked = [tuple(o[q] for q in post.names) for o in d.overrides]
    assert all(p in rows for p in picked)  # joint rows, not recombined marginals
    # without replacement (an MCMC sample repeats a row where a move was rejected)
    assert all(n <= rows[p] for p, n in Counter(picked).items())
    assert d.source == "posterior" and d.values.shape == (16, len(d.space))
    # the factor columns of the free quantities hold the posterior values themselves
    j = d.space.names.index(post.names[0])
    np.testing.assert_array_equal(d.values[:, j], [p[0] for p in picked])


def test_the_rest_is_the_prior_draw_of_the_same_seed(model) -> None:  # type: ignore[no-untyped-def]
    post = load_posterior(model, None)
    d = posterior_inputs(model, post, 8, seed=11)
    prior = draw_inputs(model, 8, seed=11)
    free = set(post.names)
    others = [q for q in prior.overrides[0] if q not in free]
    assert others, "the 2008 scenario has uncertain quantities calibration leaves alone"
    for a, b in zip(d.overrides, prior.overrides, strict=True):
        assert {q: a[q] for q in others} == {q: b[q] for q in others}
        assert set(a) == set(b)  # every uncertain quantity is drawn, no more, no fewer


def test_same_seed_same_draws_other_seed_other_rows(model) -> None:  # type: ignore[no-untyped-def]
    post = load_posterior(model, None)
    a = posterior_inputs(model, post, 6, seed=2)
    assert a.overrides == posterior_inputs(model, post, 6, seed=2).overrides
    assert a.overrides != posterior_inputs(model, post, 6, seed=3).overrides


def test_provenance_names_the_calibration(model) -> None:  # type: ignore[no-untyped-def]
    prov = posterior_inputs(model, load_posterior(model, None), 4, seed=1).provenance
    assert prov is not None
    assert prov["shipped"] is True and prov["calibration"] == SC
    assert set(prov["observations_used"]) >= {"tj-seizures-2008", "tj-clashes-2008"}
    assert prov["free_quantities"] == len(load_posterior(model, None).names)
    assert len(prov["posterior_sha256"]) == 64


def test_a_changed_posterior_is_refused(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "cal"
    shutil.copytree(shipped_calibration(SC), copy)  # type: ignore[arg-type]
    load_posterior(model, copy)  # a verbatim copy reads
    text = (copy / "posterior.csv").read_text(encoding="utf-8").splitlines()
    (copy / "posterior.csv").write_text("\n".join([*text[:-1], text[1]]) + "\n", encoding="utf-8")
    with pytest.raises(PosteriorError, match=r"posterior\.csv"):
        load_posterior(model, copy)


def test_a_posterior_of_another_scenario_is_refused() -> None:
    with pytest.raises(UncertaintyError, match="not of tajik-afghan-2015"):
        input_source("posterior", shipped_calibration(SC), bs.load("tajik-afghan-2015").model)
    with pytest.raises(UncertaintyError, match="no such directory"):
        input_source("posterior", "/nonexistent/cal", bs.load(SC).model)


def test_posterior_with_prior_or_none_is_refused() -> None:
    for kind in ("prior", "none"):
        r = runner.invoke(app, ["run", SC, "-n", "5", "--days", "5", "--uncertainty", kind,
                                "--posterior", str(shipped_calibration(SC))])  # fmt: skip
        assert r.exit_code == 2 and "--posterior" in r.output, r.output


def test_run_with_posterior_narrows_what_the_observations_inform() -> None:
    """The 2008 seizures and clashes pin down rate x kg and rate x P(resist): the per-draw input
    interval of interdictions, which the prior leaves wide, narrows under the posterior; and
    ``--posterior DIR`` alone means --uncertainty posterior."""
    args = ["run", SC, "-n", "20", "--seed", "5", "--draws", "24", "--json"]
    prior = json.loads(runner.invoke(app, args).stdout)
    r = runner.invoke(app, [*args, "--posterior", str(shipped_calibration(SC))])
    assert r.exit_code == 0, r.output
    post = json.loads(r.stdout)
    assert post["input_uncertainty"]["source"] == "posterior"
    assert post["input_uncertainty"]["posterior"]["calibration"] == str(shipped_calibration(SC))
    assert prior["input_uncertainty"]["source"] == "prior"
    assert "posterior" not in prior["input_uncertainty"]

    def width(s: dict, metric: str) -> float:  # type: ignore[type-arg]
        (e,) = [
            e for e in s["headline"] if e["actor"] == "drug_traffickers" and e["metric"] == metric
        ]
        return e["input_interval"][1] - e["input_interval"][0]

    assert width(post, "interdicted") < 0.75 * width(prior, "interdicted")
    # nominal figures do not depend on where the draws came from
    assert post["covert"] == prior["covert"]


def test_api_posterior_alone_means_posterior() -> None:
    res = bs.run(SC, replications=5, days=20, seed=1, draws=4,
                 posterior=shipped_calibration(SC))  # fmt: skip
    assert res.summary()["input_uncertainty"]["source"] == "posterior"
    cmp = bs.compare(SC, ["tajik-only", "russian-guards-return"], replications=4, days=20, seed=1,
                     draws=4, uncertainty="posterior")  # fmt: skip
    desc = cmp.summary()["input_uncertainty"]
    assert desc["source"] == "posterior" and desc["posterior"]["shipped"] is True


def test_robust_and_optimize_draw_from_the_posterior() -> None:
    st = bs.robust(SC, ["tajik-only", "russian-guards-return"], draws=4, replications=3,
                   days=10, seed=1, uncertainty="posterior")  # fmt: skip
    s = st.summary()
    names = load_posterior(bs.load(SC).model, None).names
    assert s["input_source"] == "posterior" and s["posterior"]["calibration"] == SC
    assert set(names) <= set(s["factors"])
    prior = bs.robust(SC, ["tajik-only", "russian-guards-return"], draws=4, replications=3,
                      days=10, seed=1).summary()  # fmt: skip
    assert "posterior" not in prior and prior["input_source"] == "prior"
    p = bs.optimize(SC, robust=True, robust_draws=4, seed=1,
                    posterior=shipped_calibration(SC)).summary()  # fmt: skip
    assert p["robust"]["draws_from"] == "posterior"
    assert p["robust"]["posterior"]["free_quantities"] == len(names)
    assert (
        "draws_from" not in bs.optimize(SC, robust=True, robust_draws=4, seed=1).summary()["robust"]
    )
    with pytest.raises(ValueError, match="add --robust"):
        bs.optimize(SC, uncertainty="posterior")


def test_a_sweep_space_takes_the_calibrated_quantities_as_one_factor(model) -> None:  # type: ignore[no-untyped-def]
    from bordersim.experiments.factors import Experiment, build_space
    from bordersim.experiments.posterior import POSTERIOR_FACTOR, with_posterior

    post = load_posterior(model, None)
    space = with_posterior(build_space(model, grouping="evidence"), model, post)
    (f,) = [f for f in space.factors if f.kind == "posterior"]
    assert f.name == POSTERIOR_FACTOR and [m.quantity for m in f.members] == list(post.names)
    others = {m.quantity for g in space.factors if g is not f for m in g.members}
    assert not others & set(post.names)  # no calibrated quantity is also drawn from its prior
    for u in (0.0, 0.37, 0.999999):  # a coordinate picks a whole row
        o = space.overrides([0.5] * (len(space) - 1) + [u])
        row = post.samples[min(int(u * len(post.samples)), len(post.samples) - 1)]
        assert [o[q] for q in post.names] == row.tolist()
    assert f.describe()["rows_sha256"] and f.describe()["calibration"] == SC
    fixed = build_space(model, experiment=Experiment(fix={post.names[0]: 1.0}))
    with pytest.raises(PosteriorError, match="--fix"):
        with_posterior(fixed, model, post)


def test_sweep_and_sensitivity_take_a_posterior(tmp_path: Path) -> None:
    args = ["sweep", SC, "--points", "4", "-n", "2", "--days", "5", "--uncertainty", "posterior"]
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "sw")])
    assert r.exit_code == 0, r.output
    assert "calibration-posterior" in r.output
    plan = json.loads((tmp_path / "sw" / "plan.json").read_text(encoding="utf-8"))
    kinds = [f["kind"] for f in plan["identity"]["space"]["factors"]]
    assert kinds.count("posterior") == 1
    r = runner.invoke(app, ["sensitivity", SC, "--method", "morris", "--n", "2", "-r", "2",
                            "--days", "5", "--uncertainty", "posterior",
                            "--out", str(tmp_path / "se")])  # fmt: skip
    assert r.exit_code == 2 and "morris" in r.output and not (tmp_path / "se").exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "not a calibration directory"),  # an empty folder
        (lambda d: (d / "f").write_text("x") and d / "f", "not a directory"),
        (lambda d: d / "missing", "no such directory"),
    ],
)
def test_what_is_not_a_calibration_is_one_message(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    r = runner.invoke(app, ["run", SC, "-n", "5", "--days", "5", "--posterior", str(target),
                            "--out", str(tmp_path / "run")])  # fmt: skip
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert not (tmp_path / "run").exists()

"""Sensitivity analysis through the same code path as the scenario's: analytic Ishigami indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.stats import norm
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.experiments.factors import Factor, Marginal, Space
from bordersim.experiments.sensitivity import SensitivityError, analyze, analyze_model
from bordersim.experiments.sweep import parse_metric

A, B = 7.0, 0.1
# Ishigami & Homma (1990): analytic first-order and total indices for a = 7, b = 0.1
V = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1 = {"x1": V1 / V, "x2": V2 / V, "x3": 0.0}
ST = {"x1": (V1 + V13) / V, "x2": V2 / V, "x3": V13 / V}


def _space(k: int, low: float, high: float) -> Space:
    return Space(
        tuple(
            Factor(
                f"x{i + 1}", (Marginal(f"x{i + 1}", low, high, "uniform", low),), i == 0, "quantity"
            )
            for i in range(k)
        )
    )


def ishigami(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_analytic_values():
    assert [round(S1[k], 4) for k in ("x1", "x2", "x3")] == [0.3139, 0.4424, 0.0]
    assert [round(ST[k], 4) for k in ("x1", "x2", "x3")] == [0.5576, 0.4424, 0.2437]


def test_ishigami_sobol_indices_within_simultaneous_confidence_intervals():
    # N = 2^12 base samples (20,480 evaluations), fixed seed. Six intervals (S1 and ST of three
    # factors) each at 95% would miss at least one analytic value about 1 - 0.95^6 = 26% of the
    # time by chance; so the test widens them to a simultaneous 95% (Sidak: each at
    # 0.95^(1/6) = 99.15%, z = 2.63 instead of 1.96). SALib's conf is z_95 x the bootstrap SD,
    # so the Sidak half-width is conf x z_sidak / z_95 (~0.04 for S1, 0.02-0.06 for ST).
    z95 = float(norm.ppf(0.975))
    z_sidak = float(norm.ppf(0.5 + 0.95 ** (1 / 6) / 2))
    widen = z_sidak / z95
    rows = analyze_model(_space(3, -np.pi, np.pi), ishigami, method="sobol", n=2**12, seed=0)
    by = {r["factor"]: r for r in rows}
    for k in ("x1", "x2", "x3"):
        assert abs(by[k]["S1"] - S1[k]) <= widen * by[k]["S1_conf"], (k, by[k])
        assert abs(by[k]["ST"] - ST[k]) <= widen * by[k]["ST_conf"], (k, by[k])
        # and the intervals are informative: N = 2^12 gives 95% half-widths of 0.013-0.045
        assert by[k]["S1_conf"] < 0.05 and by[k]["ST_conf"] < 0.05
    assert [r["factor"] for r in rows] == ["x1", "x2", "x3"]  # ranked by ST
    assert by["x1"]["sourced"] and not by["x2"]["sourced"]


def test_morris_ranks_a_linear_model():
    rows = analyze_model(
        _space(3, 0.0, 1.0), lambda x: 3 * x[:, 0] + x[:, 1], method="morris", n=20, seed=1
    )
    assert [r["factor"] for r in rows] == ["x1", "x2", "x3"]
    by = {r["factor"]: r for r in rows}
    assert by["x1"]["mu_star"] == pytest.approx(3.0)
    assert by["x3"]["mu_star"] == pytest.approx(0.0)


def test_missing_outputs_are_an_error():
    x = np.random.default_rng(0).random((10, 2))
    y = np.ones(10)
    y[3] = np.nan
    with pytest.raises(SensitivityError, match="no value"):
        analyze("sobol", ["a", "b"], x, y)


def test_metric_names():
    actors = ("drug_traffickers", "militant_infiltrators")
    assert parse_metric("true_rate", actors) == ("drug_traffickers", "true_rate")
    assert parse_metric("all:undetected", actors) == ("all", "undetected")
    assert parse_metric("militant_infiltrators:interdicted", actors)[0] == "militant_infiltrators"


def test_sensitivity_command_writes_ranked_indices(tmp_path: Path):
    import json

    res = CliRunner().invoke(
        app,
        ["sensitivity", "--method", "morris", "--n", "3", "--metric", "undetected",
         "--replications", "4", "--days", "5", "--out", str(tmp_path)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = json.loads((tmp_path / "sensitivity.json").read_text())
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert {"factor", "mu_star", "mu_star_conf", "sourced"} <= set(rows[0])
    assert "assumed" in res.output

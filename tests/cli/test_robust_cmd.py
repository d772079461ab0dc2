"""`bordersim robust` and ``bs.robust``: user errors, the JSON's content, the store, worker counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import bordersim as bs
from bordersim.api.robustness import default_thresholds
from bordersim.cli.app import app
from bordersim.experiments.executors import ProcessBackend
from bordersim.experiments.posterior import shipped_calibration
from bordersim.experiments.robust import regret_table
from bordersim.experiments.uncertainty import draw_inputs, evaluate_draws
from bordersim.scenario.builtin import resolve
from bordersim.scenario.loading import load_scenario

runner = CliRunner()
SMALL = ["--draws", "3", "-n", "4", "--days", "10", "--seed", "3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "tajik-only"], "at least two"),
        (["-p", "tajik-only", "-p", "no-such-policy"], "no-such-policy"),
        (
            ["-p", "tajik-only", "-p", "csto-on-call", "--threshold", "breaches<0.5"],
            "METRIC<=VALUE",
        ),
        (
            ["-p", "tajik-only", "-p", "csto-on-call", "--threshold", "nonsense<=1"],
            "unknown metric",
        ),
        (["-p", "tajik-only", "-p", "csto-on-call", "--prim-policy", "x"], "--prim-policy"),
        (["-p", "tajik-only", "-p", "csto-on-call", "--posterior", "post"], "no such directory"),
        (
            [
                "-p",
                "tajik-only",
                "-p",
                "csto-on-call",
                "--posterior",
                str(shipped_calibration("tajik-afghan-2015")),
            ],
            "not of tajik-afghan-2021",
        ),
        (["-p", "tajik-only", "-p", "csto-on-call", "--uncertainty", "none"], "works on draws"),
    ],
)
def test_user_errors_are_one_message_and_exit_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    out = tmp_path / "study"
    r = runner.invoke(app, ["robust", *args, *SMALL, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert not out.exists()  # nothing partial written


def test_json_has_regret_satisficing_boxes_and_the_store(tmp_path: Path) -> None:
    out = tmp_path / "study"
    args = ["robust", "-p", "tajik-only", "-p", "russian-guards-return", *SMALL]
    r = runner.invoke(app, [*args, "--threshold", "interdictions>=1", "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["policies"] == ["tajik-only", "russian-guards-return"]
    assert data["thresholds"] == ["interdictions>=1"] and data["default_threshold"] is False
    for p in data["policies"]:
        assert {"mean", "sd", "regret_mean", "regret_p90", "regret_max"} <= set(
            data["regret"][p]["interdictions"]
        )
        assert 0.0 <= data["satisficing"][p]["share"] <= 1.0
    # in each draw one of the two has regret 0, so at least one policy's minimum regret is 0
    assert min(data["regret"][p]["breaches"]["regret_mean"] for p in data["policies"]) >= 0
    assert set(data["boxes"]) >= {"policy", "fails", "failing_draws", "boxes"}
    ds = xr.open_zarr(out / "robust.zarr")
    assert ds["interdictions"].dims == ("policy", "draw")
    assert ds["interdictions"].attrs["units"] == "crossings"
    assert "long_name" in ds["breaches"].attrs
    assert list(ds["policy"].values) == data["policies"]
    # the JSON's regret is the regret of the stored matrix
    again = regret_table(ds.load())
    assert again["tajik-only"]["interdictions"]["regret_max"] == pytest.approx(
        data["regret"]["tajik-only"]["interdictions"]["regret_max"], rel=1e-9
    )
    assert json.loads((out / "robust.json").read_text())["favoured"] == data["favoured"]


def test_lever_activity_never_vs_always() -> None:
    """tajik-only never asks for help; russian-guards-return asks on a date before the window, so
    help is asked in every replication, and its Russian guards (nominal delay 60 days, range 30-120
    in the ledger: a draw may exceed 40 days) return within 40 days only where the draw's delay
    is short enough."""
    st = bs.robust(
        "tajik-afghan-2021", ["tajik-only", "russian-guards-return"], draws=3,
        replications=4, days=10, seed=3,
    )  # fmt: skip
    act = st.lever_activity()
    assert act["tajik-only"]["help_requested"] == 0.0
    assert act["russian-guards-return"]["help_requested"] == 1.0
    assert act["russian-guards-return"]["russian_guards_returned"] == 0.0  # 10 days < 30
    notes = st.lever_notes()
    assert any("russian-guards-return" in n and "never returned" in n for n in notes)
    assert not any(n.startswith("tajik-only") for n in notes)


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    sc = load_scenario(resolve("tajik-afghan-2021"))
    draws = draw_inputs(sc, 4, seed=8)
    kw = {"replications": 4, "seed": 8, "days": 10}
    one = evaluate_draws(sc, ["tajik-only", "csto-on-call"], draws, **kw)  # type: ignore[arg-type]
    backend = ProcessBackend(2)
    try:
        two = evaluate_draws(sc, ["tajik-only", "csto-on-call"], draws, backend=backend, **kw)  # type: ignore[arg-type]
    finally:
        backend.close()
    for name in one.data_vars:
        assert np.array_equal(one[name].values, two[name].values, equal_nan=True), name


def test_the_default_threshold_falls_back_from_breaches_when_their_median_is_zero() -> None:
    ds = xr.Dataset(
        {
            "breaches": (("policy", "draw"), np.array([[0.0, 0.0, 0.1], [0.0, 0.2, 0.0]])),
            "defender_losses": (("policy", "draw"), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
        }
    )
    (t,) = default_thresholds(ds)
    assert (t.metric, t.op, t.value) == ("defender_losses", "<=", 3.5)
    ds["breaches"] = ds["breaches"] + 1.0
    assert default_thresholds(ds)[0].metric == "breaches"

"""`bordersim run`, `validate`, `scenarios` and `compare` as a user calls them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from bordersim.cli.app import app

runner = CliRunner()


def test_run_json_is_byte_identical_for_the_same_seed() -> None:
    args = ["run", "-n", "250", "--days", "20", "--seed", "4", "--json"]
    a = runner.invoke(app, args)
    b = runner.invoke(app, args)
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["seed"] == 4 and data["replications"] == 250
    assert {r["actor"] for r in data["covert"]} == {"drug_traffickers", "militant_infiltrators"}
    c = runner.invoke(app, ["run", "-n", "250", "--days", "20", "--seed", "5", "--json"])
    assert c.stdout != a.stdout


def test_run_writes_results_summary_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", "-n", "250", "--days", "15", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "true rate" in r.output
    for name in ("results.zarr", "summary.csv", "summary.json", "manifest.json"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2021 and len(manifest["scenario_hash"]) == 64
    ds = xr.open_zarr(out / "results.zarr")
    assert ds["covert"].shape == (250, 24, 2, 4)
    assert not list(tmp_path.glob(".run.*"))  # no temporary directory left behind


def test_unknown_policy_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", "-n", "250", "--policy", "nonsense", "--out", str(out)])
    assert r.exit_code == 2
    assert "unknown policy 'nonsense'" in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_scenarios_and_validate() -> None:
    r = runner.invoke(app, ["scenarios"])
    assert r.exit_code == 0 and "tajik-afghan-2021" in r.output
    v = runner.invoke(app, ["validate", "tajik-afghan-2021"])
    assert v.exit_code == 0 and "ok" in v.output


def test_python_dash_m_works() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "bordersim", "scenarios"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0 and "tajik-afghan-2021" in r.stdout


def test_compare_json_has_paired_differences(tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        ["compare", "-p", "tajik-only", "-p", "aid-equipment", "-n", "250", "--days", "30",
         "--json", "--out", str(tmp_path)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["baseline"] == "tajik-only"
    diffs = {d["metric"]: d for d in data["differences"]}
    # better equipment catches more: the paired CI lies above zero and P(better) is high
    assert diffs["interdictions"]["lo"] > 0
    assert diffs["interdictions"]["p_better"] > 0.5
    assert (tmp_path / "compare.json").exists()
    # the incursion metrics the reports argue about are compared too
    assert {"breaches", "defender_losses", "first_reinforcement_hours"} <= set(data["metrics"])


RATE = "actors.drug_traffickers.rate_per_day"


def test_run_set_overrides_a_quantity_by_its_ledger_name(tmp_path: Path) -> None:
    args = ["run", "-n", "30", "--days", "10", "--seed", "2", "--json"]
    plain = json.loads(runner.invoke(app, args).stdout)
    r = runner.invoke(
        app, [*args, "--set", f"{RATE}=15", "--set", "terrain.plain.sweep_width_km=0.3"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    import bordersim as bs

    sc = bs.load().with_overrides({RATE: 15, "terrain.plain.sweep_width_km": 0.3})
    assert data == bs.run(sc, replications=30, days=10, seed=2, uncertainty="prior").summary()
    assert data["scenario_hash"] != plain["scenario_hash"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "actors.drug_trafickers.rate_per_day=15",
            "no such quantity in scenario tajik-afghan-2021",
        ),
        ("actors.drug_traffickers.rate_per_day", "expected NAME=VALUE"),
        ("=15", "expected NAME=VALUE"),
        (f"{RATE}=fifteen", "'fifteen' is not a number"),
        (f"{RATE}=nan", "is not a finite number"),
        (f"{RATE}=150", "150 is outside the quantity's range 3 to 30 attempts/day"),
    ],
)
def test_run_set_errors_are_one_message_exit_2_and_nothing_written(
    tmp_path: Path, setting: str, message: str
) -> None:
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", "-n", "5", "--days", "2", "--set", setting, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert message in r.output and "--set" in r.output
    assert r.output.count("error:") == 1 and "Traceback" not in r.output
    assert not out.exists()


def test_run_allow_outside_range_is_marked_in_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = runner.invoke(
        app,
        ["run", "-n", "5", "--days", "2", "--set", f"{RATE}=150", "--allow-outside-range",
         "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"] == {RATE: 150.0}
    assert manifest["outside_range"] == [RATE]


def test_compare_takes_set_too() -> None:
    import bordersim as bs

    args = ["compare", "-p", "tajik-only", "-p", "aid-equipment", "-n", "20", "--days", "10",
            "--set", f"{RATE}=20", "--json"]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    data.pop("command")
    sc = bs.load().with_overrides({RATE: 20})
    assert (
        data
        == bs.compare(
            sc, ["tajik-only", "aid-equipment"], replications=20, days=10, uncertainty="prior"
        ).summary()
    )
    bad = runner.invoke(app, [*args[:-1], "--set", f"{RATE}=99"])
    assert bad.exit_code == 2 and "outside the quantity's range" in bad.output


@pytest.mark.parametrize(
    "scenario", ["tajik-afghan-2004", "tajik-afghan-2008", "tajik-afghan-2015"]
)
def test_every_builtin_writes_its_run_directory(scenario: str, tmp_path: Path) -> None:
    """summary.csv and its CSVW sidecar describe every column, the yield columns (kg seized,
    clashes) of an actor with a seizure model included (2008 once failed with KeyError)."""
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", scenario, "-n", "5", "--days", "10", "--uncertainty", "none",
                            "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    head = (out / "summary.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    meta = json.loads((out / "summary.csv-metadata.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in meta["tableSchema"]["columns"]] == head

"""The public Python API as a notebook uses it: the README's code block, and what each name promises."""

from __future__ import annotations

import inspect
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bordersim as bs
from bordersim.cli.app import app

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()


def readme_python_block() -> str:
    """The first ```python block of the README's "Use it from Python" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's 'Use it from Python' section has no python code block"
    return match.group(1)


@pytest.fixture(scope="module")
def readme() -> dict[str, Any]:
    """The README's block, executed as it stands (its own numbers: 500 replications)."""
    namespace: dict[str, Any] = {}
    exec(compile(readme_python_block(), "README.md", "exec"), namespace)
    return namespace


def test_readme_block_runs_and_gives_what_its_comments_say(readme: dict[str, Any]) -> None:
    sc, sc2, res, cmp = readme["sc"], readme["sc2"], readme["res"], readme["cmp"]
    summary = res.summary()
    assert summary["policy"] == "russian-guards-return" and summary["replications"] == 500
    assert summary["seed"] == 1
    # the override is in force and the library run carries the hash of what it ran
    assert dict(sc2.overrides) == {"actors.drug_traffickers.rate_per_day": 15.0}
    assert summary["scenario_hash"] == sc2.content_hash != sc.content_hash
    assert len(summary["scenario_hash"]) == 64
    ds = res.to_xarray()
    for name in ds.data_vars:
        assert ds[name].attrs.get("units") and ds[name].attrs.get("long_name"), name
    assert ds.attrs["scenario_hash"] == summary["scenario_hash"]
    df = res.to_dataframe()
    assert len(df) == 8 * len(summary["covert"])
    assert not df.duplicated(["actor", "sector_group", "metric"]).any()
    assert set(df["metric"]) >= {"attempts", "true_rate", "observed_rate", "rate_gap"}
    assert cmp.summary()["policies"] == ["tajik-only", "russian-guards-return"]
    assert cmp.summary()["replications"] == 500
    pols = bs.policies(sc)
    assert "russian-guards-return" in pols and all("\n" not in d for d in pols.values())


def _cli_json(args: list[str]) -> Any:
    saved, sys.argv = sys.argv, ["bordersim", *args]
    try:
        r = runner.invoke(app, args, catch_exceptions=False)
    finally:
        sys.argv = saved
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_run_summary_is_what_run_json_prints() -> None:
    args = ["run", "tajik-afghan-2015", "-n", "40", "--days", "30", "--seed", "3",
            "--policy", "tajik-only", "--json"]  # fmt: skip
    res = bs.run("tajik-afghan-2015", policy="tajik-only", replications=40, days=30, seed=3,
                 uncertainty="prior")  # fmt: skip
    assert res.summary() == _cli_json(args)


def test_compare_summary_is_what_compare_json_prints() -> None:
    args = ["compare", "-p", "tajik-only", "-p", "aid-equipment", "-n", "30", "--days", "20",
            "--seed", "4", "--json"]  # fmt: skip
    printed = _cli_json(args)
    assert printed.pop("command") == ["bordersim", *args]
    cmp = bs.compare(bs.load(), ["tajik-only", "aid-equipment"], replications=30, days=20, seed=4,
                     uncertainty="prior")  # fmt: skip
    assert cmp.summary() == printed
    assert json.loads(cmp.summary_json()) == printed


def test_override_scales_attempts_by_the_rate() -> None:
    """Attempts are Poisson with mean proportional to the rate: 15/day gives 1.5 times 10/day,
    within four standard errors of the difference."""
    sc = bs.load("tajik-afghan-2021")
    assert dict(sc.model.quantities())["actors.drug_traffickers.rate_per_day"].value == 10.0
    sc15 = sc.with_overrides({"actors.drug_traffickers.rate_per_day": 15})

    def attempts(s: bs.Scenario, seed: int) -> tuple[float, float]:
        rows = bs.run(s, replications=200, days=20, seed=seed).summary()["covert"]
        row = next(r for r in rows if r["actor"] == "drug_traffickers" and r["group"] == "all")
        return row["attempts"], (row["attempts_hi"] - row["attempts_lo"]) / (2 * 1.959964)

    (m10, se10), (m15, se15) = attempts(sc, 1), attempts(sc15, 2)
    assert abs(m15 - 1.5 * m10) < 4 * math.hypot(se15, 1.5 * se10)


def test_every_argument_after_the_scenario_is_keyword_only() -> None:
    for fn, positional in ((bs.run, 1), (bs.compare, 2), (bs.optimize, 1), (bs.engage, 0)):
        params = list(inspect.signature(fn).parameters.values())
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:positional]), fn
        assert all(p.kind is p.KEYWORD_ONLY for p in params[positional:]), fn
        assert fn.__doc__ and "Example:" in fn.__doc__ and ">>> import bordersim" in fn.__doc__
    with pytest.raises(TypeError):
        bs.run("tajik-afghan-2021", "tajik-only")  # type: ignore[misc]


def test_unknown_override_name_is_named_with_close_matches() -> None:
    sc = bs.load()
    with pytest.raises(bs.OverrideError) as exc:
        sc.with_overrides({"actors.drug_trafickers.rate_per_day": 15})
    msg = str(exc.value)
    assert msg.startswith("actors.drug_trafickers.rate_per_day: no such quantity")
    assert "did you mean actors.drug_traffickers.rate_per_day" in msg
    assert "bordersim sources" in msg


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "15"])
def test_override_value_must_be_a_finite_number(value: Any) -> None:
    with pytest.raises(bs.OverrideError, match=r"rate_per_day: .* not a"):
        bs.load().with_overrides({"actors.drug_traffickers.rate_per_day": value})


def test_value_outside_the_range_is_refused_unless_allowed(tmp_path: Path) -> None:
    sc = bs.load()
    name = "actors.drug_traffickers.rate_per_day"  # range 3 to 30 attempts/day
    with pytest.raises(bs.OverrideError, match=r"150 is outside the quantity's range 3 to 30"):
        sc.with_overrides({name: 150})
    for edge in (3, 30):  # the ends are inside
        assert sc.with_overrides({name: edge}).outside_range == ()
    wide = sc.with_overrides({name: 150}, allow_outside_range=True)
    assert wide.outside_range == (name,)
    assert dict(wide.model.quantities())[name].value == 150.0
    # bringing it back inside clears the mark
    assert wide.with_overrides({name: 12}).outside_range == ()
    res = bs.run(wide, replications=5, days=3)
    manifest = json.loads((res.write(tmp_path / "run") / "manifest.json").read_text())
    assert manifest["overrides"] == {name: 150.0}
    assert manifest["outside_range"] == [name]
    assert manifest["scenario_hash"] == wide.content_hash


def test_override_the_schema_rejects_is_an_override_error() -> None:
    with pytest.raises(bs.OverrideError, match="strength must be >= 0"):
        bs.load().with_overrides({"units.tj_border_troops.strength": -5}, allow_outside_range=True)


def test_load_errors() -> None:
    with pytest.raises(FileNotFoundError, match="no such scenario file or built-in"):
        bs.load("no-such-scenario")
    with pytest.raises(bs.ScenarioError):
        bs.load(README)  # a file that is not a scenario


def test_policy_file_problems_are_located(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("mine:\n  description: x\n  actions: [{kind: set_posture, unit: nobody}]\n")
    with pytest.raises(bs.PolicyFileError) as exc:
        bs.load().with_policy_file(f)
    assert str(exc.value).startswith("invalid policy file")
    assert str(f) in str(exc.value)


def test_compare_and_run_reject_impossible_requests() -> None:
    with pytest.raises(ValueError, match="at least two policies"):
        bs.compare("tajik-afghan-2021", ["tajik-only"], replications=10)
    with pytest.raises(bs.CompileError, match="unknown policy 'nonsense'"):
        bs.run("tajik-afghan-2021", policy="nonsense", replications=2, days=2)


def test_engage_and_optimize_fronts_agree_with_their_commands() -> None:
    assert bs.engage(samples=500, reinforcement_after=[1.0]).summary() == _cli_json(
        ["engage", "--samples", "500", "--reinforcement-after", "1", "--json"]
    )
    plan = bs.optimize("tajik-afghan-2021", guards=6000).summary()
    printed = _cli_json(["optimize", "--guards", "6000", "--json"])
    assert json.loads(json.dumps(plan)) == printed


def test_import_is_cheap_and_names_resolve_lazily() -> None:
    """`import bordersim` and the CLI's start-up pull in none of the heavy libraries."""
    code = (
        "import sys, bordersim, bordersim.cli.app\n"
        "heavy = ['numpy', 'pydantic', 'xarray', 'pandas', 'matplotlib', 'scipy', 'dask']\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "bordersim.load\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]
    assert sorted(bs.__all__) == sorted([*bs.api.__all__, "__version__"])
    for name in bs.api.__all__:
        assert getattr(bs, name) is getattr(bs.api, name)


@pytest.mark.parametrize("module", ["scenarios", "runs", "plans"])
def test_docstring_examples_run(module: str) -> None:
    """Every example in the API's docstrings is executed and gives what it shows."""
    import doctest
    import importlib

    mod = importlib.import_module(f"bordersim.api.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

"""What a what-if view computes, without a browser: the same numbers as ``bs.run``, a run a newer
change supersedes, and exports that ``bordersim run`` accepts and that reproduce the view."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import bordersim as bs
from bordersim.api.whatif import headline, paired, sector_values
from bordersim.cli.app import app
from bordersim.web.export import policy_yaml, scenario_yaml
from bordersim.web.runner import Runner, Superseded
from bordersim.web.settings import Settings

RATE = "actors.drug_traffickers.rate_per_day"
SMALL = {"replications": 40, "days": 60, "start": dt.date(2021, 6, 1), "seed": 11}


@pytest.fixture(scope="module")
def sc() -> bs.Scenario:
    return bs.load("tajik-afghan-2021")


@pytest.fixture(scope="module")
def runner(sc: bs.Scenario) -> Runner:
    return Runner(sc)


def _run(sc: bs.Scenario, s: Settings) -> bs.RunResult:
    moved, errors = bs.apply_levers(sc, s.levers)
    assert errors == {}
    policy = "+".join(p for p in bs.policies(sc) if p in s.policies) or None
    return bs.run(moved, policy=policy, replications=s.replications, days=s.days,
                  start=s.start, seed=s.seed)  # fmt: skip


def test_view_equals_bs_run(sc: bs.Scenario, runner: Runner) -> None:
    s = Settings(policies=("russian-guards-return",), levers={RATE: 15.0}, **SMALL)
    view = runner.compute(s)
    direct = _run(sc, s)
    assert view.headline == headline(direct)  # exactly: same seed, same numbers
    base = bs.run(sc, replications=40, days=60, start=dt.date(2021, 6, 1), seed=11)
    # NaN (an undefined P(better)) never equals itself: compare the JSON texts, which spell it NaN
    assert json.dumps(view.differences) == json.dumps(paired(direct, base))
    base_values = sector_values(base, "true_rate")
    assert view.scale == (float(np.nanmin(base_values)), float(np.nanmax(base_values)))
    assert view.policy == "russian-guards-return" and view.lever_errors == {}
    assert len(view.sectors) == len(sc.model.border.sectors)
    assert len(view.daily["day"]) == 60 and view.daily["day"][0] == "2021-06-01"
    ds = direct.to_xarray()["daily_mean"].sel(actor=view.headline["actor"])
    assert view.daily["attempts"] == [float(x) for x in ds.sum("outcome").values]


def test_baseline_is_cached(runner: Runner) -> None:
    s = Settings(**SMALL)
    assert runner.baseline(s) is runner.baseline(s.with_(levers={RATE: 12.0}))
    assert runner.baseline(s) is not runner.baseline(s.with_(seed=12))


def test_cancelled_run_is_superseded(runner: Runner) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return True

    with pytest.raises(Superseded):
        runner.compute(Settings(levers={RATE: 20.0}, **SMALL), cancelled)
    assert calls  # the engine's progress hook asked


def test_unknown_metric_is_refused(runner: Runner) -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        runner.compute(Settings(metric="happiness", **SMALL))


def test_scenario_export_reproduces_the_view(
    sc: bs.Scenario, runner: Runner, tmp_path: Path
) -> None:
    s = Settings(
        policies=("aid-equipment",),
        levers={
            RATE: 14.0,
            "posture.tj_reservists": "border",
            "units.ru_border_guards.activation.delay_days": 90.0,
        },
        **SMALL,
    )
    text = scenario_yaml(sc, s).getvalue()
    assert "bordersim run THIS_FILE.yaml --policy aid-equipment -n 40 --seed 11" in text
    path = tmp_path / "whatif.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = bs.load(path)
    again = bs.run(loaded, policy="aid-equipment", replications=40, days=60,
                   start=dt.date(2021, 6, 1), seed=11)  # fmt: skip
    assert again.summary()["covert"] == _run(sc, s).summary()["covert"]
    assert headline(again) == runner.compute(s).headline


def test_policy_export_runs_from_the_command_line(sc: bs.Scenario, tmp_path: Path) -> None:
    s = Settings(
        policies=("csto-on-call", "aid-equipment"),
        levers={
            RATE: 15.0,
            "escalation.csto-on-call.threshold": 2.0,
            "posture.tj_reservists": "border",
        },
        **SMALL,
    )
    path = tmp_path / "whatif-policy.yaml"
    path.write_text(policy_yaml(sc, s).getvalue(), encoding="utf-8")
    args = ["run", "tajik-afghan-2021", "--policy-file", str(path), "--policy", "whatif",
            "-n", "40", "--days", "60", "--seed", "11", "--json"]  # fmt: skip
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    got = next(r for r in json.loads(out.output)["covert"] if r["group"] == "all")
    # The policy carries the same changes as the levers: same seed, same numbers.
    want = next(r for r in _run(sc, s).summary()["covert"] if r["group"] == "all")
    assert got["attempts"] == pytest.approx(want["attempts"], rel=1e-12)
    assert got["true_rate"] == pytest.approx(want["true_rate"], rel=1e-12)


def test_policy_export_names_what_it_cannot_carry(sc: bs.Scenario) -> None:
    s = Settings(levers={"posture.tj_reservists": "reserve"}, **SMALL)
    assert "Not expressible as a policy" in policy_yaml(sc, s).getvalue()


@pytest.mark.parametrize("policy", [None, "csto-on-call"])
def test_headline_is_the_summary_row(sc: bs.Scenario, policy: str | None) -> None:
    res = bs.run(sc, policy=policy, replications=30, days=45, seed=4)
    row = next(r for r in res.summary()["covert"] if r["group"] == "all")
    h = headline(res)
    assert h["actor"] == row["actor"]
    for key in ("true_rate", "observed_rate", "interdicted", "attempts"):
        assert h[key] == {"mean": row[key], "lo": row[f"{key}_lo"], "hi": row[f"{key}_hi"]}

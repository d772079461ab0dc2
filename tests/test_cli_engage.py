"""`bordersim engage`: the 1993 outpost fight, with and without a reinforcement."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bordersim.cli.app import app

runner = CliRunner()


def test_engage_json_rows_and_reinforcement_helps() -> None:
    res = runner.invoke(
        app,
        ["engage", "--samples", "4000", "--seed", "3", "--json",
         "--reinforcement-after", "1", "--reinforcement-after", "6"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rows = data["rows"]
    assert [r["reinforcement_after_hours"] for r in rows] == [None, 1.0, 6.0]
    for r in rows:
        assert abs(r["repelled"] + r["breach"] + r["undecided"] - 1.0) < 1e-12
    # an earlier reinforcement never makes a breach likelier (same samples, common random numbers)
    assert rows[1]["breach"] <= rows[2]["breach"] <= rows[0]["breach"]
    assert data["historic_defenders_killed"] == 25.0


def test_engage_table_prints_and_bad_range_exits_2() -> None:
    res = runner.invoke(app, ["engage", "--samples", "500"])
    assert res.exit_code == 0, res.output
    assert "historical: 25 defenders killed" in res.output
    bad = runner.invoke(app, ["engage", "--attackers-low", "300", "--attackers-high", "200"])
    assert bad.exit_code == 2

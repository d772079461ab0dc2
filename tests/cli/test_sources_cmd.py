"""`bordersim sources`: every quantity with its evidence; filters; the ledger view; JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.cli.sources_cmd import disagrees, sources_report
from bordersim.scenario.builtin import builtin_names, load
from bordersim.scenario.evidence import Assumption, Claim, Evidence

runner = CliRunner()


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables wide enough that no name is folded, whatever the terminal (or xdist worker) says."""
    from bordersim.cli import common

    monkeypatch.setattr(common.console, "_width", 250)


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["sources", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.usefixtures("wide_console")
def test_table_lists_quantities_and_ledger() -> None:
    result = runner.invoke(app, ["sources", "tajik-afghan-2015"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Quantities of tajik-afghan-2015" in out
    assert "Evidence ledger of tajik-afghan-2015" in out
    assert "border.official_length_km" in out
    assert "disagree" in out
    assert "201st-garrisons-2015" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("name", builtin_names())
def test_json_has_every_quantity_once(name: str) -> None:
    data = _json(name)
    sc = load(name)
    names = [n for n, _ in sc.quantities()]
    assert [r["name"] for r in data["quantities"]] == names
    assert data["counts"]["quantities"] == len(names)
    assert {r["key"] for r in data["evidence"]} == set(sc.evidence)
    for r in data["quantities"]:
        assert r["low"] <= r["value"] <= r["high"]
        assert r["distribution"] in ("fixed", "uniform", "triangular")
        assert r["kind"] in ("sourced", "assumed", "sourced+assumed")
        assert r["claims"] or r["rationale"]
        if r["kind"] == "assumed":
            assert not r["claims"] and len(r["rationale"]) >= 10
    # the ledger view counts how many quantities rest on each entry
    used = sum(r["quantities"] for r in data["evidence"])
    assert used == sum(1 for r in data["quantities"] if r["evidence"] is not None)


def test_json_carries_quotes_dates_and_sources() -> None:
    data = _json("tajik-afghan-2015")
    length = next(r for r in data["quantities"] if r["name"] == "border.official_length_km")
    assert length["conflicting"]
    assert length["distribution"] == "triangular"
    assert (length["low"], length["high"]) == (1300, 1400)
    quotes = {c["quote"] for c in length["claims"]}
    assert "the 1,400-kilometre-long border definitely needs more security" in quotes
    assert all(c["date"] and c["publisher"] for c in length["claims"])
    assert set(data["sources"]) >= {"000", "001", "002", "003", "004"}
    kunduz = next(r for r in data["evidence"] if r["key"] == "kunduz-2015")
    assert kunduz["events"] == ["2015-09-28"]


def test_conflicts_filter() -> None:
    full = _json("tajik-afghan-2004")
    only = _json("tajik-afghan-2004", "--conflicts")
    assert only["quantities"] and len(only["quantities"]) < len(full["quantities"])
    assert all(r["conflicting"] for r in only["quantities"])
    assert {r["name"] for r in only["quantities"]} == {
        r["name"] for r in full["quantities"] if r["conflicting"]
    }
    assert all(r["disagree"] for r in only["evidence"])
    # the 201st (6,500 vs 7,000) and the Russian guards (11,500 vs 14,000) are both flagged
    flagged = {r["evidence"] for r in only["quantities"]}
    assert {"201st-2004", "russian-guards-2004", "border-length"} <= flagged


def test_assumed_filter() -> None:
    only = _json("tajik-afghan-2021", "--assumed")
    assert only["quantities"]
    assert all(r["kind"] != "sourced" and r["rationale"] for r in only["quantities"])
    assert all(r["rationale"] for r in only["evidence"])
    both = _json("tajik-afghan-2015", "--assumed", "--conflicts")
    assert {r["evidence"] for r in both["quantities"]} == {"201st-garrisons-2015"}


@pytest.mark.usefixtures("wide_console")
def test_by_evidence_shows_only_the_ledger() -> None:
    result = runner.invoke(app, ["sources", "tajik-afghan-2004", "--by-evidence"])
    assert result.exit_code == 0, result.output
    assert "Evidence ledger" in result.output
    assert "Quantities of" not in result.output
    assert "handover-strengths" in result.output


def test_default_scenario_and_bad_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sources", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["scenario"] == "tajik-afghan-2021"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["sources", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output
    assert "Traceback" not in result.output


def test_disagreement_compares_like_units_only() -> None:
    def c(value: float, unit: str) -> Claim:
        return Claim(source="000", quote="q", value=value, unit=unit, date="2015")

    assert disagrees(Evidence(claims=(c(6000, "troops"), c(7000, "troops"))))
    assert not disagrees(Evidence(claims=(c(7e10, "RUB"), c(1.2e9, "USD"))))
    assert not disagrees(Evidence(assumed=Assumption(rationale="nobody reports it")))


def test_report_function_matches_cli() -> None:
    sc = load("tajik-afghan-2015")
    assert sources_report(sc, conflicts=True) == _json("tajik-afghan-2015", "--conflicts")

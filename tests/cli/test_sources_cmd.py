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
        assert r["prior"] in ("sourced", "assumed", "sourced+assumed")
        assert r["kind"] == ("calibrated" if r["calibrated"] else r["prior"])
        assert r["claims"] or r["rationale"]
        if r["prior"] == "assumed":
            assert not r["claims"] and len(r["rationale"]) >= 10
    # a calibration does not change what the prior rests on: the counts are those of the priors
    assert data["counts"]["sourced"] == sum(r["prior"] != "assumed" for r in data["quantities"])
    assert data["counts"]["calibrated"] == sum(bool(r["calibrated"]) for r in data["quantities"])
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


# ---- the calibrated kind ----------------------------------------------------------------------------

#: The 2008 quantities the shipped calibration constrains, with the ledger entry each rests on.
CALIBRATED_2008 = {
    "actors.drug_traffickers.seizure_kg": "seizure-per-group",
    "actors.drug_traffickers.resist_probability": "resisting-groups",
    "actors.drug_traffickers.rate_per_day": "covert-rates",
    "actors.drug_traffickers.terrain_weight.plain": "route-preferences",
}


def test_json_names_the_calibrated_quantities_and_their_observations() -> None:
    data = _json("tajik-afghan-2008")
    cal = {r["name"]: r for r in data["quantities"] if r["kind"] == "calibrated"}
    assert {n: r["evidence"] for n, r in cal.items()} == CALIBRATED_2008
    for r in cal.values():
        assert r["prior"] == "assumed" and r["rationale"]  # the prior is unchanged
        assert r["calibrated"]["observations"] == ["tj-seizures-2008", "tj-clashes-2008"]
        assert r["calibrated"]["calibration"] == "tajik-afghan-2008"
        assert r["calibrated"]["identified"] == "as a combination"
    # the militants' rate shares covert-rates but was not calibrated
    militants = next(
        r for r in data["quantities"] if r["name"] == "actors.militant_infiltrators.rate_per_day"
    )
    assert militants["kind"] == "assumed" and militants["calibrated"] is None
    ledger = {r["key"]: r for r in data["evidence"]}
    assert ledger["seizure-per-group"]["kind"] == "calibrated"
    assert ledger["covert-rates"]["kind"] == "assumed"  # the entry; one of its quantities is
    assert [q["quantity"] for q in ledger["covert-rates"]["calibrated_quantities"]] == [
        "actors.drug_traffickers.rate_per_day"
    ]
    # --assumed keeps a calibrated quantity whose prior is an assumption
    only = _json("tajik-afghan-2008", "--assumed")
    assert set(CALIBRATED_2008) <= {r["name"] for r in only["quantities"]}


#: Built-ins whose shipped calibration constrains nothing (2015's conflict share is used but too wide
#: to pin a quantity; 2021 has only the 12th outpost fight), so no quantity is marked.
UNMARKED = ["tajik-afghan-2015", "tajik-afghan-2021"]


@pytest.mark.parametrize("name", UNMARKED)
def test_no_other_builtin_is_calibrated(name: str) -> None:
    data = _json(name)
    assert data["counts"]["calibrated"] == 0
    assert all(r["calibrated"] is None for r in data["quantities"] + data["evidence"])
    header = runner.invoke(app, ["sources", name, "--by-evidence"]).output.split("Evidence")[0]
    assert "ledger entries." in header and "calibrated" not in header  # the line as before


def _sources_text(*args: str, width: int) -> str:
    result = runner.invoke(app, ["sources", *args], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def test_table_shows_kind_and_observations_wide_and_narrow() -> None:
    """As a user sees it: on a wide terminal the nine columns, on an 80-column one four, and
    either way a calibrated row names its kind and its observations (names may fold)."""
    from bordersim.cli import common

    for width in (200, 80):
        common.console._width = width  # the CLI console was built before COLUMNS was set
        try:
            out = _sources_text("tajik-afghan-2008", width=width)
        finally:
            common.console._width = None
        assert max(len(line) for line in out.splitlines()) <= width
        quantities, ledger = out.split("Evidence ledger")
        # the traffickers' rows, one per part (the first part: the rows before, the troops' strength)
        rows = quantities.split("actors.drug_traffick")
        assert " ".join(quantities.split()[:30]).count("4 calibrated against observations") == 1
        assert quantities.count("tj-seizures-2008") == quantities.count("tj-clashes-2008") == 4
        assert sum("calibrated" in r and "tj-seizures-2008" in r for r in rows) == 4
        header = quantities.splitlines()[3] + quantities.splitlines()[4]
        assert ("sources" in header) == (width == 200)  # the narrow table merges columns
        assert ledger.count("tj-clashes-2008") == 4  # 2 entries and 2 quantities of 2 entries

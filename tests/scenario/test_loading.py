"""Malformed scenario files give one located message (file, field path, line), exit code 2, no
traceback, and nothing written; a small valid file validates.

Each case starts from a small valid scenario (two sectors, one unit, one covert actor, the shared
ledger included) and breaks one thing. The expected line is found by searching the broken text for a
marker, so the tests do not depend on hand-counted line numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.scenario.loading import ScenarioError, load_scenario

VALID = """\
id: tiny
title: "Tiny test scenario"
description: "Two sectors, one unit, one covert actor."
include: [tj-af-common.yaml]
period: {start: 2021-06-01, days: 30}
border:
  geometry: border-tj-af.geojson
  official_length_km: {value: 1344.15, unit: km, evidence: border-length}
  sectors:
    - id: a
      name: "West"
      start_km: 0
      end_km: 600
      terrain: plain
      group: West
      afghan_district: "Kaldar"
      afghan_province: Balkh
      control: government
    - id: b
      name: "East"
      start_km: 600
      end_km: 1344.15
      terrain: gorge
      group: East
      afghan_district: "Darwaz"
      afghan_province: Badakhshan
      control: government
bases:
  - {id: hq, name: "HQ", lat: 38.5, lon: 68.8, km: 300, distance_km: 100}
units:
  - id: guards
    name: "Guards"
    side: TJ
    kind: border_guard
    strength: {value: 5000, unit: troops, low: 4000, high: 6000, evidence: tj-border-troops}
    base: hq
    availability: {value: 0.33, low: 0.25, high: 0.5, evidence: availability}
    readiness_hours: {value: 2, unit: h, evidence: unit-mobility}
    road_speed_kmh: {value: 40, unit: km/h, evidence: unit-mobility}
actors:
  - id: smugglers
    name: "Smugglers"
    kind: covert
    rate_per_day: {value: 10, unit: attempts/day, evidence: covert-rates}
    group_size: {value: 3, unit: people, evidence: group-sizes}
    value: {value: 1, evidence: adversary-values}
    turn_back: {value: 0.3, evidence: turn-back}
timeline:
  - date: 2021-07-01
    description: "Far bank falls"
    evidence: kunduz-surge
    actions:
      - {kind: set_control, sectors: [a], control: taliban}
"""

LONG_QUOTE = "x" * 201


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"marker {old!r} must occur once in the valid scenario"
        return text.replace(old, new)

    return edit


@dataclass(frozen=True)
class Case:
    """One way to break the valid scenario and where the error must point."""

    name: str
    edit: Callable[[str], str]
    path: str  # the dotted field path the message must name
    marker: str | None  # text of the line the message must point at (None: line 1)
    words: str = ""  # a fragment the message must contain


CASES = [
    Case(
        "missing-field",
        _replace('    name: "Guards"\n', ""),
        "units[0].name",
        "  - id: guards",
        "required field is missing",
    ),
    Case(
        "unknown-key",
        _replace("    kind: border_guard\n", "    kind: border_guard\n    colour: red\n"),
        "units[0].colour",
        "    colour: red",
        "unknown key",
    ),
    Case(
        "wrong-type",
        _replace("days: 30}", "days: thirty}"),
        "period.days",
        "period: {start: 2021-06-01, days: thirty}",
        "integer",
    ),
    Case(
        "gap-between-sectors",
        _replace("      start_km: 600\n", "      start_km: 610\n"),
        "border.sectors[1].start_km",
        "      start_km: 610",
        "gap",
    ),
    Case(
        "overlapping-sectors",
        _replace("      start_km: 600\n", "      start_km: 590\n"),
        "border.sectors[1].start_km",
        "      start_km: 590",
        "overlap",
    ),
    Case(
        "sectors-short-of-official-length",
        _replace("      end_km: 1344.15\n", "      end_km: 1300\n"),
        "border.sectors[1].end_km",
        "      end_km: 1300",
        "official length",
    ),
    Case(
        "negative-strength",
        _replace(
            "strength: {value: 5000, unit: troops, low: 4000, high: 6000,",
            "strength: {value: -5000, unit: troops,",
        ),
        "units[0].strength.value",
        "    strength: {value: -5000",
        ">= 0",
    ),
    Case(
        "unknown-base",
        _replace("    base: hq\n", "    base: nowhere\n"),
        "units[0].base",
        "    base: nowhere",
        "unknown base 'nowhere'",
    ),
    Case(
        "bad-date",
        _replace("start: 2021-06-01", "start: 2021-13-40"),
        "period.start",
        "period: {start: 2021-13-40",
        "",
    ),
    Case(
        "fraction-out-of-range",
        _replace(
            "availability: {value: 0.33, low: 0.25, high: 0.5,",
            "availability: {value: 1.5, low: 0.25, high: 1.5,",
        ),
        "units[0].availability.value",
        "    availability: {value: 1.5",
        "[0, 1]",
    ),
    Case(
        "quantity-without-evidence",
        _replace(
            "readiness_hours: {value: 2, unit: h, evidence: unit-mobility}",
            "readiness_hours: {value: 2, unit: h}",
        ),
        "units[0].readiness_hours",
        "    readiness_hours: {value: 2, unit: h}",
        "no evidence",
    ),
    Case(
        "unknown-ledger-key",
        _replace("evidence: covert-rates}", "evidence: no-such-entry}"),
        "actors[0].rate_per_day.evidence",
        "    rate_per_day: {value: 10",
        "unknown ledger key 'no-such-entry'",
    ),
    Case(
        "unknown-source-in-claim",
        _replace(
            "turn_back: {value: 0.3, evidence: turn-back}",
            "turn_back:\n      value: 0.3\n      claims:\n"
            '        - {source: "999", quote: "a third turn back", value: 0.3, unit: share, '
            "date: 2021}",
        ),
        "actors[0].turn_back.claims[0].source",
        '        - {source: "999"',
        "unknown source '999'",
    ),
    Case(
        "quote-too-long",
        _replace(
            "turn_back: {value: 0.3, evidence: turn-back}",
            "turn_back:\n      value: 0.3\n      claims:\n"
            f'        - {{source: "003", quote: "{LONG_QUOTE}", value: 0.3, unit: share, '
            "date: 2021}",
        ),
        "actors[0].turn_back.claims[0].quote",
        '        - {source: "003"',
        "200 characters",
    ),
    Case(
        "yaml-syntax-error",
        _replace("    side: TJ\n", "    side: TJ: RU\n"),
        "(top level)",
        "    side: TJ: RU",
        "YAML syntax error",
    ),
    Case(
        "duplicate-key",
        _replace("    side: TJ\n", "    side: TJ\n    side: RU\n"),
        "units[0].side",
        "    side: RU",
        "duplicate key",
    ),
    Case(
        "unknown-sector-in-event",
        _replace("sectors: [a], control", "sectors: [zz], control"),
        "timeline[0].actions[0].sectors",
        "      - {kind: set_control, sectors: [zz]",
        "unknown sector 'zz'",
    ),
    Case(
        "included-file-missing",
        _replace("include: [tj-af-common.yaml]", "include: [tj-af-common.yaml, no-such-file.yaml]"),
        "include[1]",
        "include: [tj-af-common.yaml, no-such-file.yaml]",
        "no-such-file.yaml",
    ),
    Case("empty-file", lambda text: "", "(top level)", None, "empty"),
    Case(
        "low-above-high",
        _replace("low: 0.25, high: 0.5,", "low: 0.5, high: 0.25,"),
        "units[0].availability",
        "    availability: {value: 0.33, low: 0.5",
        "above high",
    ),
    Case(
        "unknown-unit-kind",
        _replace("    kind: border_guard\n", "    kind: cavalry\n"),
        "units[0].kind",
        "    kind: cavalry",
        "",
    ),
]

runner = CliRunner()


def _line_of(text: str, marker: str | None) -> int:
    if marker is None:
        return 1
    lines = text.splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if line.startswith(marker)]
    assert len(hits) == 1, f"marker {marker!r} found on lines {hits}"
    return hits[0]


def test_cases_are_distinct() -> None:
    assert len({c.name for c in CASES}) == len(CASES) >= 15
    assert len({c.edit(VALID) for c in CASES}) == len(CASES)


def test_valid_small_scenario_validates(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(VALID, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    sc = load_scenario(path)
    assert sc.sector_ids() == ("a", "b")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_scenario_is_located(tmp_path: Path, case: Case) -> None:
    text = case.edit(VALID)
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(text, encoding="utf-8")
    line = _line_of(text, case.marker)

    result = runner.invoke(app, ["validate", str(path)])
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    located = f"{path}:{line}: {case.path}"
    assert located in out, f"expected {located!r} in:\n{out}"
    assert case.words in out

    # The same problem from the library: a ScenarioError whose problem carries the location.
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert any(p.file == str(path) and (p.line or 1) == line for p in info.value.problems), (
        info.value.problems
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_run_on_malformed_scenario_writes_nothing(tmp_path: Path, case: Case) -> None:
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(case.edit(VALID), encoding="utf-8")
    out_dir = tmp_path / "results"
    result = runner.invoke(app, ["run", str(path), "-n", "10", "--out", str(out_dir)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(path) in result.output
    assert not out_dir.exists()


def test_missing_scenario_file_is_a_user_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "absent.yaml" in result.output
    assert "Traceback" not in result.output


def test_value_outside_its_own_range_is_rejected(tmp_path: Path) -> None:
    text = _replace(
        "strength: {value: 5000, unit: troops, low: 4000,",
        "strength: {value: -5000, unit: troops, low: 4000,",
    )(VALID)
    path = tmp_path / "outside.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "below its own range" in result.output
    assert "strength" in result.output

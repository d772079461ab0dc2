"""Tests for bordersim.scenario.observations: the built-in ledger and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bordersim.scenario.builtin import DATA_DIR, builtin_names, load
from bordersim.scenario.loading import ScenarioError
from bordersim.scenario.observations import (
    OBSERVABLE_METRICS,
    check_against,
    load_observations,
)

BUILTIN = DATA_DIR / "tj-af-observations.yaml"


def test_builtin_observations_load_and_name_real_things() -> None:
    obs = load_observations(BUILTIN)
    ids = {o.id for o in obs.observations}
    assert {"tj-seizures-2008", "tj-clashes-2008", "12th-outpost-1993"} <= ids
    for name in builtin_names():
        check_against(obs, load(name))
    uses = {o.id: o.use for o in obs.observations}
    assert uses["gun-battles-sept-2015"] == "excluded"
    assert uses["soldiers-crossing-2021-07-05"] == "input"
    assert {o.id for o in obs.targets("tajik-afghan-2008")} == {
        "tj-seizures-2008",
        "tj-clashes-2008",
        "12th-outpost-1993",
    }
    for o in obs.observations:
        assert o.metric in OBSERVABLE_METRICS
        assert o.use == "target" or o.reason


GOOD = """observations:
  - id: a
    metric: seized_kg
    actor: drug_traffickers
    value: 10
    qualifies: "a synthetic truth for a test"
    evidence: {kind: synthetic, rationale: "one simulated year at known parameters"}
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("metric: seized_kg", "metric: kilos", 3, "unknown metric 'kilos'"),
        ("value: 10", "value: .nan", 5, "finite"),
        ("value: 10", "low: 5", 2, "needs `value`"),
        ("value: 10", "value: -1", 2, "never negative"),
        ("kind: synthetic, rationale", "kind: synthetic, why", 7, "unknown key"),
        ("kind: synthetic", "kind: guessed", 7, "'sourced', 'synthetic' or 'assumed'"),
        ("id: a", "id: 'a b'", 2, "pattern"),
        ("metric: seized_kg", "metric: seized_kg\n    use: excluded", 2, "needs a `reason`"),
        ("metric: seized_kg", "metric: conflict_sector_share", 2, "fraction"),
    ],
)
def test_bad_observation_is_one_located_message(
    tmp_path: Path, old: str, new: str, line: int, fragment: str
) -> None:
    p = tmp_path / "obs.yaml"
    p.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_observations(p)
    text = str(info.value)
    assert text.startswith("invalid observations (1 problem)"), text
    assert fragment in text
    assert f"{p}:{line}" in text


def test_names_are_checked_against_the_scenario(tmp_path: Path) -> None:
    p = tmp_path / "obs.yaml"
    p.write_text(
        GOOD.replace("actor: drug_traffickers", "actor: smugglers\n    group: Atlantis"), "utf-8"
    )
    obs = load_observations(p)
    with pytest.raises(ScenarioError) as info:
        check_against(obs, load("tajik-afghan-2008"))
    text = str(info.value)
    assert "unknown actor 'smugglers'" in text and "unknown sector group 'Atlantis'" in text
    assert f"{p}:2" in text


def test_duplicate_ids_and_missing_list(tmp_path: Path) -> None:
    p = tmp_path / "obs.yaml"
    p.write_text(GOOD + GOOD.split("\n", 1)[1], encoding="utf-8")
    with pytest.raises(ScenarioError, match="duplicate observation id 'a'"):
        load_observations(p)
    p.write_text("something: else\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="no `observations:` list"):
        load_observations(p)

"""The calibrated evidence kind: the block's model, the content hash with and without it, the
shipped 2008 marks against the shipped calibration's summary, and a user's own calibration folder
named by a path relative to the scenario. Bad blocks are in the bad-input suite
(``tests/bad_inputs_cases.py``, ``calibrated-*``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from bad_inputs_base import BASE
from pydantic import ValidationError

from bordersim.experiments.factors import build_space
from bordersim.model.overrides import with_overrides
from bordersim.scenario.builtin import DATA_DIR, builtin_names, load
from bordersim.scenario.calibration_refs import (
    CALIBRATION_DIR,
    builtin_observation_labels,
    builtin_observation_uses,
    calibration_dir,
    shipped_calibrations,
)
from bordersim.scenario.evidence import Assumption, Calibrated, Evidence, Quantity
from bordersim.scenario.loading import content_hash, load_scenario
from bordersim.scenario.observations import load_observations
from bordersim.scenario.schema import Scenario

BLOCK = Calibrated(
    observations=("tj-seizures-2008",), calibration="tajik-afghan-2008", identified="alone"
)
GUESS = Assumption(rationale="nobody reports this number")


def _strip_calibrated(node: Any) -> Any:
    """``node`` (a model dump) without any ``calibrated`` key."""
    if isinstance(node, dict):
        return {k: _strip_calibrated(v) for k, v in node.items() if k != "calibrated"}
    if isinstance(node, list | tuple):
        return [_strip_calibrated(v) for v in node]
    return node


def _without_blocks(sc: Scenario) -> Scenario:
    return Scenario.model_validate(_strip_calibrated(sc.model_dump(mode="python")))


# --- the block ------------------------------------------------------------------------------------


def test_kind_is_calibrated_and_the_prior_is_kept() -> None:
    ev = Evidence(assumed=GUESS, calibrated=BLOCK)
    assert ev.kind == "calibrated" and ev.assumed == GUESS
    assert Evidence(assumed=GUESS).kind == "assumed"
    q = Quantity(value=2, low=1, high=3, evidence="e")
    assert q.calibration({"e": ev}) == BLOCK
    assert not q.is_sourced({"e": ev})  # a calibration is not a source
    assert q.bounds({"e": ev}) == q.bounds({"e": Evidence(assumed=GUESS)})  # nor a new range
    own = Quantity(value=2, low=1, high=3, evidence="e", calibrated=BLOCK)
    resolved = own.resolved_evidence({"e": Evidence(assumed=GUESS)})
    assert resolved.kind == "calibrated" and resolved.assumed == GUESS


def test_block_is_left_out_of_a_dump_unless_given() -> None:
    assert "calibrated" not in Evidence(assumed=GUESS).model_dump()
    assert "calibrated" not in Quantity(value=1, assumed=GUESS).model_dump(mode="json")
    dumped = Evidence(assumed=GUESS, calibrated=BLOCK).model_dump(mode="json")
    assert dumped["calibrated"]["observations"] == ["tj-seizures-2008"]
    again = Evidence.model_validate(dumped)  # a dump reads back
    assert again.calibrated == BLOCK


def test_block_rules() -> None:
    with pytest.raises(ValidationError, match="cited twice"):
        Calibrated(observations=("a", "a"), calibration="x", identified="alone")
    with pytest.raises(ValidationError, match="at least 1"):
        Calibrated(observations=(), calibration="x", identified="alone")
    with pytest.raises(ValidationError):
        Calibrated(observations=("a",), calibration="x", identified="yes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="only adds to them"):
        Evidence(calibrated=BLOCK)


# --- content hashes -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_names())
def test_hash_without_blocks_is_the_hash_of_the_scenario_without_them(name: str) -> None:
    sc = load(name)
    plain = _without_blocks(sc)
    assert content_hash(sc, ignore_calibration=True) == content_hash(plain)
    has_blocks = any(q.calibration(sc.evidence) for _n, q in sc.quantities())
    assert (content_hash(sc) != content_hash(plain)) == has_blocks
    assert has_blocks == (name in ("tajik-afghan-2004", "tajik-afghan-2008"))
    if not has_blocks:  # no `calibrated` key anywhere: the hash is the one of before the kind
        assert "calibrated" not in json.dumps(sc.model_dump(mode="json"))


def test_ignoring_calibration_drops_only_the_blocks(tmp_path: Path) -> None:
    """A ledger entry that happens to be called `calibrated` is content, not a block."""
    text = BASE.replace(_TB, _TB.replace("turn-back", "calibrated")).replace(
        "escalation:",
        "evidence:\n  calibrated: {assumed: {rationale: 'a name like any other'}}\nescalation:",
    )
    (tmp_path / "sc.yaml").write_text(text, encoding="utf-8")
    sc = load_scenario(tmp_path / "sc.yaml")
    assert "calibrated" in sc.evidence
    assert content_hash(sc, ignore_calibration=True) == content_hash(sc)
    block = "calibrated: {observations: [tj-seizures-2008], calibration: tajik-afghan-2008, identified: alone}"
    marked = text.replace("evidence: calibrated}", "evidence: calibrated, " + block + "}")
    (tmp_path / "marked.yaml").write_text(marked, encoding="utf-8")
    both = load_scenario(tmp_path / "marked.yaml")
    assert content_hash(both) != content_hash(sc)
    assert content_hash(both, ignore_calibration=True) == content_hash(sc)


def test_calibrated_scenario_round_trips_and_takes_overrides() -> None:
    """The API and --set re-validate a model dump: the blocks (a shipped name) survive it."""
    sc = load("tajik-afghan-2008")
    again = Scenario.model_validate(sc.model_dump(mode="python", exclude_none=True))
    assert content_hash(again) == content_hash(sc)
    changed = with_overrides(sc, {"actors.drug_traffickers.seizure_kg": 5.0})
    assert changed.evidence["seizure-per-group"].calibrated is not None


def test_factors_and_their_sourced_flags_do_not_change() -> None:
    sc = load("tajik-afghan-2008")
    plain = _without_blocks(sc)
    for grouping in ("quantity", "evidence"):
        a, b = build_space(sc, grouping=grouping), build_space(plain, grouping=grouping)  # type: ignore[arg-type]
        assert [(f.name, f.sourced) for f in a.factors] == [(f.name, f.sourced) for f in b.factors]


# --- the shipped 2008 marks -----------------------------------------------------------------------

#: Quantities a shipped summary identifies that cannot be marked for one year alone: the terrain's
#: patrol speeds live in tj-af-common.yaml, which every built-in year includes, with their ledger
#: entry (patrol-speed, shared by the other terrains' unidentified speeds).
UNMARKABLE = {"terrain.gorge.patrol_speed_kmh"}
#: The observations each built-in's marks cite (its period's targets that constrain something).
CITED = {
    "tajik-afghan-2004": {"ru-seizures-1992-2005"},
    "tajik-afghan-2008": {"tj-seizures-2008", "tj-clashes-2008"},
    # the conflict share is reachable (with the traffickers' clashes) and used, but pins nothing:
    # its range, 0.6-1, holds nearly all of the prior's predictive; nor does the fight
    "tajik-afghan-2015": set(),
    "tajik-afghan-2021": set(),  # only the 12th outpost applies, and it pins nothing
}


@pytest.mark.parametrize("scenario", sorted(CITED))
def test_marks_follow_the_shipped_summary(scenario: str) -> None:
    """Every quantity its shipped calibration constrains (alone or in a combination) says so in
    its evidence, and no other does."""
    sc = load(scenario)
    summary = json.loads((CALIBRATION_DIR / scenario / "summary.json").read_text())
    manifest = json.loads((CALIBRATION_DIR / scenario / "manifest.json").read_text())
    identified = {n: p["identified"] for n, p in summary["parameters"].items()}
    label = {True: "alone", "as a combination": "as a combination", False: "no"}
    in_combination = {n for c in summary["combinations"] for n in c["exponents"]}
    marked = {}
    for name, q in sc.quantities():
        block = q.calibration(sc.evidence)
        if block is not None:
            marked[name] = block
            assert block.calibration == scenario
            assert set(block.observations) <= set(manifest["observations_used"])
            assert block.identified == label[identified[name]], name
            if block.identified == "as a combination":
                assert name in in_combination, name
    constrained = {n for n, i in identified.items() if i in (True, "as a combination")}
    assert set(marked) == constrained - UNMARKABLE  # the unconstrained ones are not marked
    assert {o for b in marked.values() for o in b.observations} == CITED[scenario]


def test_cited_observations_are_built_in_targets() -> None:
    """The light reader the schema uses agrees with the full observation loader."""
    full = load_observations(DATA_DIR / "tj-af-observations.yaml")
    assert builtin_observation_uses() == {o.id: o.use for o in full.observations}
    labels = builtin_observation_labels()
    assert set(labels) == {o.id for o in full.observations}
    assert labels["12th-outpost-1993"] == "defender_losses = 25 killed"
    assert labels["conflict-share-2015"] == "conflict_sector_share in 0.6-1 fraction"
    assert shipped_calibrations() == [
        "tajik-afghan-2004",
        "tajik-afghan-2008",
        "tajik-afghan-2015",
        "tajik-afghan-2021",
    ]
    assert calibration_dir("tajik-afghan-2008") == CALIBRATION_DIR / "tajik-afghan-2008"


# --- a user's own calibration ---------------------------------------------------------------------

_TB = "turn_back: {value: 0.3, evidence: turn-back}"


def test_own_calibration_is_found_beside_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = "calibrated: {observations: [mine-1], calibration: ./cal, identified: alone}"
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "cal").mkdir()
    manifest = {"kind": "calibration", "observations_used": ["mine-1"]}
    (tmp_path / "sc" / "cal" / "manifest.json").write_text(json.dumps(manifest))
    path = tmp_path / "sc" / "sc.yaml"
    path.write_text(BASE.replace(_TB, _TB[:-1] + ", " + block + "}"), encoding="utf-8")
    plain = tmp_path / "sc" / "plain.yaml"
    plain.write_text(BASE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    sc = load_scenario(Path("sc") / "sc.yaml")
    q = next(q for n, q in sc.quantities() if n == "actors.smugglers.turn_back")
    assert q.calibrated is not None
    assert q.calibrated.calibration == os.path.abspath(tmp_path / "sc" / "cal")
    assert content_hash(sc, ignore_calibration=True) == content_hash(load_scenario(plain))

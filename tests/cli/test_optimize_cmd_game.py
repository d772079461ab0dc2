"""`bordersim optimize --game FILE` with an attacker-types file: DOBSS, the check, one type = ORIGAMI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app

GAMES = Path(__file__).resolve().parents[2] / "examples" / "games"
runner = CliRunner()


def test_three_types_are_solved_and_checked_by_enumeration() -> None:
    r = runner.invoke(
        app, ["optimize", "--game", str(GAMES / "border-three-types.json"), "--check", "--json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["method"] == "milp"
    assert sum(data["coverage"].values()) <= data["resources"] + 1e-9
    assert set(data["types"]) == {"smugglers", "infiltrators", "armed_groups"}
    for t in data["types"].values():
        assert t["attacked"] in data["coverage"]
    assert data["check"]["agree"] is True
    assert data["check"]["defender_utility"] == pytest.approx(data["defender_utility"], abs=1e-6)


def test_a_one_type_file_gives_exactly_the_one_attacker_answer(tmp_path: Path) -> None:
    one = json.loads((GAMES / "border-one-attacker.json").read_text())
    targets = one["targets"]
    typed = {
        "resources": one["resources"],
        "targets": [t["name"] for t in targets],
        "types": [
            {"name": "only", "probability": 1.0}
            | {k: [t[k] for t in targets] for k in (
                "defender_covered", "defender_uncovered", "attacker_covered", "attacker_uncovered"
            )}
        ],
    }  # fmt: skip
    path = tmp_path / "one-type.json"
    path.write_text(json.dumps(typed))
    a = runner.invoke(
        app, ["optimize", "--game", str(GAMES / "border-one-attacker.json"), "--json"]
    )
    b = runner.invoke(app, ["optimize", "--game", str(path), "--json"])
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    da, db = json.loads(a.stdout), json.loads(b.stdout)
    da.pop("game"), db.pop("game")
    assert da == db and da["method"] == "origami"


def test_a_bad_types_file_is_one_located_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"resources": 1, "targets": ["a", "b"], "types": [
        {"name": "x", "probability": 0.5, "defender_covered": [0, 0],
         "defender_uncovered": [-1, -1], "attacker_covered": [0, 0],
         "attacker_uncovered": [1, 1]},
    ]}))  # fmt: skip
    r = runner.invoke(app, ["optimize", "--game", str(path), "--json"])
    assert r.exit_code == 2
    assert "bad.json" in r.output and "Traceback" not in r.output

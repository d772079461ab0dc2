"""Tests for bordersim.plan.bayesian: the DOBSS MILP against enumeration of type-response profiles.

The SSE defender value is unique, so the MILP and the enumeration must agree on it to the solvers'
tolerance (1e-6 relative to the payoff scale); coverage need not be unique, so it is checked by what
it must satisfy (budget, bounds, and the value it earns when each type best-responds to it).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bordersim.plan.bayesian import (
    BayesianGame,
    best_responses,
    solve_bayesian_enumeration,
    solve_bayesian_milp,
)
from bordersim.plan.bayesian_files import load_any_game, parse_bayesian_game
from bordersim.plan.stackelberg import GameFileError, SecurityGame, solve_origami

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "games"


def random_bayesian(
    rng: np.random.Generator, n: int, k: int, m: float, integer: bool = False
) -> BayesianGame:
    """A general-sum game; ``integer`` payoffs on a small grid make ties common (the hard case)."""
    types = []
    p = rng.dirichlet(np.ones(k))
    p[-1] = 1.0 - p[:-1].sum()
    for i in range(k):
        draw = (lambda lo, hi: rng.integers(lo, hi + 1, n).astype(float)) if integer else (
            lambda lo, hi: rng.uniform(lo, hi, n)
        )  # fmt: skip
        types.append(
            {
                "name": f"type{i}",
                "probability": float(p[i]),
                "defender_covered": draw(0, 5),
                "defender_uncovered": draw(-5, 0),
                "attacker_covered": draw(-5, 0),
                "attacker_uncovered": draw(0, 5),
            }
        )
    return BayesianGame.from_types(types, m)


def assert_valid(game: BayesianGame, sol_value: float, coverage: np.ndarray) -> None:
    assert coverage.sum() <= game.resources + 1e-7
    assert np.all((coverage >= -1e-9) & (coverage <= 1 + 1e-9))
    _, ud, _ = best_responses(game, coverage)
    p = np.array([t.probability for t in game.types])
    assert float(p @ ud) == pytest.approx(sol_value, abs=1e-6)


@pytest.mark.parametrize("seed", range(30))
def test_milp_matches_enumeration_on_random_games(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    game = random_bayesian(rng, n, k, m=float(rng.uniform(0.3, n - 0.5)), integer=seed % 2 == 1)
    milp = solve_bayesian_milp(game)
    ref = solve_bayesian_enumeration(game)
    assert milp.defender_utility == pytest.approx(ref.defender_utility, abs=1e-6)
    assert_valid(game, milp.defender_utility, np.asarray(milp.coverage))
    assert_valid(game, ref.defender_utility, np.asarray(ref.coverage))


@pytest.mark.parametrize("seed", range(10))
def test_one_type_equals_origami(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    game = random_bayesian(rng, n=int(rng.integers(2, 9)), k=1, m=float(rng.uniform(0.5, 3)))
    single: SecurityGame = game.type_game(0)
    assert solve_bayesian_milp(game).defender_utility == pytest.approx(
        solve_origami(single).defender_utility, abs=1e-6
    )


def test_hand_solved_two_type_game() -> None:
    """Type A (p = 0.7) only values target 0, type B (p = 0.3) only target 1; one resource.

    Covering target 0 fully leaves A indifferent (ties go to the defender: 0) and B unopposed at
    target 1 (-10), so the optimum is c = (1, 0) with value 0.7*0 + 0.3*(-10) = -3; any split does
    worse: -7(1 - c0) - 3(1 - c1) with c0 + c1 <= 1 is maximal at c0 = 1."""
    game = BayesianGame.from_types(
        [
            {"name": "A", "probability": 0.7, "defender_covered": [0, 0],
             "defender_uncovered": [-10, 0], "attacker_covered": [0, 0],
             "attacker_uncovered": [10, 0]},
            {"name": "B", "probability": 0.3, "defender_covered": [0, 0],
             "defender_uncovered": [0, -10], "attacker_covered": [0, 0],
             "attacker_uncovered": [0, 10]},
        ],
        resources=1.0,
    )  # fmt: skip
    for sol in (solve_bayesian_milp(game), solve_bayesian_enumeration(game)):
        assert sol.defender_utility == pytest.approx(-3.0, abs=1e-7)
        assert np.asarray(sol.coverage) == pytest.approx([1.0, 0.0], abs=1e-7)
        assert sol.attacked[1] == 1
        assert sol.type_defender_utilities == pytest.approx((0.0, -10.0), abs=1e-7)


def test_example_border_game_agrees_with_enumeration() -> None:
    game = load_any_game(EXAMPLES / "border-three-types.json")
    assert isinstance(game, BayesianGame)
    assert game.n_types == 3
    milp = solve_bayesian_milp(game)
    ref = solve_bayesian_enumeration(game)
    assert milp.defender_utility == pytest.approx(ref.defender_utility, abs=1e-6)
    assert set(milp.to_dict()["types"]) == {"smugglers", "infiltrators", "armed_groups"}  # type: ignore[arg-type]


def test_one_attacker_file_still_loads() -> None:
    game = load_any_game(EXAMPLES / "border-one-attacker.json")
    assert isinstance(game, SecurityGame)


BASE = {
    "resources": 1,
    "targets": ["a", "b"],
    "types": [
        {"name": "x", "probability": 0.5, "defender_covered": [1, 1],
         "defender_uncovered": [0, 0], "attacker_covered": [0, 0], "attacker_uncovered": [1, 1]},
        {"name": "y", "probability": 0.5, "defender_covered": [1, 1],
         "defender_uncovered": [0, 0], "attacker_covered": [0, 0], "attacker_uncovered": [1, 1]},
    ],
}  # fmt: skip


def _mutate(path: tuple[object, ...], value: object) -> str:
    data = json.loads(json.dumps(BASE))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(data, indent=2)


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        (("types", 1, "probability"), 0.6, "types", "sum to 1"),
        (("types", 0, "attacker_covered"), [0], "types[0].attacker_covered", "1 values for 2"),
        (("types", 1, "defender_covered", 1), -1, "types[1].defender_covered[1]", ">= defender"),
        (("types", 0, "attacker_covered", 0), 5, "types[0].attacker_covered[0]", "<= attacker"),
        (("types", 1, "name"), "x", "types[1].name", "duplicate type name"),
        (("targets", 1), "a", "targets[1]", "duplicate target name"),
        (("types", 0, "probability"), 0, "types[0].probability", "greater than 0"),
        (("types", 0, "probability"), "half", "types[0].probability", "number"),
        (("resources",), -1, "resources", "greater than or equal to 0"),
        (("types", 0, "extra"), 1, "types[0].extra", "unknown field"),
    ],
)
def test_file_errors_name_the_field_and_line(
    path: tuple[object, ...], value: object, where: str, message: str
) -> None:
    text = _mutate(path, value)
    with pytest.raises(GameFileError) as info:
        parse_bayesian_game(text, "g.json")
    err = info.value
    assert err.path == where
    assert message in err.message
    assert err.line is not None and err.line > 1


def test_non_utf8_file_is_one_message(tmp_path: Path) -> None:
    bad = tmp_path / "g.json"
    bad.write_bytes(b'{"resources": 1, "targets": ["\xff"]}')
    with pytest.raises(GameFileError, match="not UTF-8"):
        load_any_game(bad)

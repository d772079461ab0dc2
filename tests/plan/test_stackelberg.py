"""Tests for bordersim.plan.stackelberg: game files, ORIGAMI vs multiple LPs, hand-solved games.

Comparison rule (documented in the module): SSE values are unique, so the defender's and attacker's
utilities must agree within 1e-6. Coverage is unique on the attack set when ORIGAMI spends the whole
budget there; outside it (or with budget left over) any coverage keeping those targets below the
attacker's value is optimal, so there we only compare the attacked target's coverage.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bordersim.plan.stackelberg import (
    GameFileError,
    SecurityGame,
    game_to_dict,
    load_game,
    parse_game,
    solve_multiple_lps,
    solve_origami,
)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def random_game(rng: np.random.Generator, n: int, m: float, overlap: bool) -> SecurityGame:
    """General-sum game; with ``overlap`` the covered/uncovered ranges overlap across targets."""
    if overlap:
        d = np.sort(rng.uniform(-10, 10, (n, 2)), axis=1)
        a = np.sort(rng.uniform(-10, 10, (n, 2)), axis=1)
        return SecurityGame.from_arrays(d[:, 1], d[:, 0], a[:, 0], a[:, 1], m)
    return SecurityGame.from_arrays(
        rng.uniform(0, 10, n),
        rng.uniform(-10, 0, n),
        rng.uniform(-10, 0, n),
        rng.uniform(0, 10, n),
        m,
    )


def assert_same_equilibrium(game: SecurityGame) -> None:
    a = solve_origami(game)
    b = solve_multiple_lps(game)
    assert a.defender_utility == pytest.approx(b.defender_utility, abs=1e-6)
    assert a.attacker_utility == pytest.approx(b.attacker_utility, abs=1e-6)
    assert a.coverage[a.target] == pytest.approx(b.coverage[a.target], abs=1e-6)
    assert a.target in b.attack_set or a.target == b.target
    assert a.coverage.sum() <= game.resources + 1e-9
    assert np.all((a.coverage >= 0) & (a.coverage <= 1))
    if a.unused < 1e-9:
        idx = list(a.attack_set)
        assert a.coverage[idx] == pytest.approx(b.coverage[idx], abs=1e-6)
        assert a.attack_set == b.attack_set
    # The attacked target is an attacker best response under ORIGAMI's own coverage.
    ua = game.attacker_values(a.coverage)
    assert ua[a.target] >= ua.max() - 1e-9


@pytest.mark.slow  # ~9 s (pytest --durations, one core)
def test_220_random_games_origami_equals_multiple_lps() -> None:
    # n log-uniform on 2..60 (every size is covered; the reference LPs cost ~n^2, so fewer big ones).
    rng = np.random.default_rng(20240601)
    for i in range(220):
        n = min(60, int(np.exp(rng.uniform(np.log(2), np.log(61)))))
        m = float(rng.integers(1, n))
        assert_same_equilibrium(random_game(rng, n, m, overlap=i % 2 == 1))


def test_fractional_resources_and_integer_payoff_ties() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(2, 12))
        g = SecurityGame.from_arrays(
            rng.integers(0, 4, n),
            rng.integers(-4, 0, n),
            rng.integers(-4, 0, n),
            rng.integers(0, 4, n),
            float(rng.uniform(0, n)),
        )
        assert_same_equilibrium(g)


def test_hand_solved_two_targets() -> None:
    # Attacker: t0 uncovered 10 / covered 0, t1 uncovered 5 / covered 0. m = 1.
    # Attack set grows to {t0, t1} at x = 5 (c0 = 0.5, 0 budget spent on t1), then the remaining 0.5
    # lowers both: c0 = (10 - x)/10, c1 = (5 - x)/5, c0 + c1 = 1 -> x = 10/3, c = (2/3, 1/3).
    g = SecurityGame.from_arrays([0, 0], [-10, -5], [0, 0], [10, 5], 1.0, ["a", "b"])
    s = solve_origami(g)
    assert s.coverage == pytest.approx([2 / 3, 1 / 3])
    assert s.attacker_utility == pytest.approx(10 / 3)
    assert s.attack_set == (0, 1)
    # Defender values: a: -10/3, b: -5 * 2/3 = -10/3 -> tie, lowest index.
    assert s.defender_utility == pytest.approx(-10 / 3)
    assert s.target == 0


def test_hand_solved_budget_stops_before_next_target() -> None:
    # m = 0.25: x = 10 - 0.25 * 10 = 7.5 > 5, so only t0 is attacked with coverage 0.25.
    g = SecurityGame.from_arrays([1, 1], [-4, -2], [0, 0], [10, 5], 0.25)
    s = solve_origami(g)
    assert s.coverage == pytest.approx([0.25, 0.0])
    assert s.attack_set == (0,)
    assert s.defender_utility == pytest.approx(-4 + 0.25 * 5)
    assert s.attacker_utility == pytest.approx(7.5)


def test_defender_favourable_tie_break() -> None:
    # Two identical attacker targets, no resources: attacker indifferent; defender prefers t1.
    g = SecurityGame.from_arrays([0, 0], [-5, -1], [0, 0], [3, 3], 0.0)
    for s in (solve_origami(g), solve_multiple_lps(g)):
        assert s.target == 1
        assert s.defender_utility == pytest.approx(-1.0)
        assert s.attack_set == (0, 1)


def test_full_coverage_when_resources_suffice() -> None:
    rng = np.random.default_rng(3)
    g = random_game(rng, 6, 6.0, overlap=False)
    s = solve_origami(g)
    # Attacker's value can fall to max_t Ua_c (every target fully covered is possible).
    assert s.attacker_utility == pytest.approx(g.attacker_covered.max())
    assert_same_equilibrium(g)
    assert_same_equilibrium(g.with_resources(10.0))


def test_zero_width_payoffs() -> None:
    # t0's attacker payoff ignores coverage (5/5): attacker value cannot fall below 5; the defender
    # may put spare coverage on t0 (its own payoff rises) without changing the attacker's choice.
    g = SecurityGame.from_arrays([4, 0, 0], [-4, -6, -1], [5, 0, 0], [5, 8, 2], 2.0)
    s = solve_origami(g)
    assert s.attacker_utility == pytest.approx(5.0)
    assert s.coverage[1] == pytest.approx(3 / 8)
    assert s.target == 0
    assert s.coverage[0] == pytest.approx(1.0)
    assert s.defender_utility == pytest.approx(4.0)
    assert_same_equilibrium(g)
    # Defender's own zero width.
    g2 = SecurityGame.from_arrays([-2, 0], [-2, -3], [0, 0], [6, 4], 1.0)
    assert_same_equilibrium(g2)


def test_no_resources() -> None:
    g = SecurityGame.from_arrays([1, 1, 1], [-3, -2, -1], [0, 0, 0], [1, 4, 2], 0.0)
    for s in (solve_origami(g), solve_multiple_lps(g)):
        assert s.target == 1
        assert s.coverage == pytest.approx([0, 0, 0])
        assert s.defender_utility == pytest.approx(-2.0)


@SETTINGS
@given(seed=st.integers(0, 100_000), n=st.integers(2, 25))
def test_one_more_resource_never_hurts(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    m = float(rng.uniform(0, n - 1))
    g = random_game(rng, n, m, overlap=bool(seed % 2))
    u0 = solve_origami(g).defender_utility
    u1 = solve_origami(g.with_resources(m + 1.0)).defender_utility
    assert u1 >= u0 - 1e-9


@SETTINGS
@given(seed=st.integers(0, 100_000), n=st.integers(1, 8))
def test_origami_matches_lps_property(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    assert_same_equilibrium(random_game(rng, n, float(rng.uniform(0, n + 1)), overlap=True))


def test_game_file_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    g = random_game(rng, 5, 2.0, overlap=True)
    p = tmp_path / "game.json"
    p.write_text(json.dumps(game_to_dict(g), indent=2))
    g2 = load_game(p)
    assert g2.names == g.names
    assert np.array_equal(g2.attacker_covered, g.attacker_covered)
    assert g2.resources == 2.0


GOOD_TARGET = {
    "name": "a",
    "defender_covered": 1,
    "defender_uncovered": -1,
    "attacker_covered": -1,
    "attacker_uncovered": 1,
}


def _file(tmp_path: Path, data: object) -> Path:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data, indent=2))
    return p


def test_game_file_errors_name_file_path_and_line(tmp_path: Path) -> None:
    targets = [dict(GOOD_TARGET, name=f"t{i}") for i in range(5)]
    targets[3]["attacker_covered"] = 5
    p = _file(tmp_path, {"resources": 1, "targets": targets})
    with pytest.raises(GameFileError) as info:
        load_game(p)
    err = info.value
    assert err.path == "targets[3].attacker_covered"
    assert err.file == str(p)
    text = p.read_text().splitlines()
    assert err.line is not None and '"attacker_covered": 5' in text[err.line - 1]
    assert str(p) in str(err) and "targets[3].attacker_covered" in str(err)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"resources": -1, "targets": [GOOD_TARGET]}, "resources"),
        ({"resources": 1, "targets": []}, "targets"),
        ({"resources": 1}, "targets"),
        (
            {"resources": 1, "targets": [dict(GOOD_TARGET, defender_covered=-2)]},
            "targets[0].defender_covered",
        ),
        ({"resources": 1, "targets": [GOOD_TARGET, GOOD_TARGET]}, "targets[1].name"),
        ({"resources": 1, "targets": [dict(GOOD_TARGET, extra=1)]}, "targets[0].extra"),
        (
            {"resources": 1, "targets": [dict(GOOD_TARGET, attacker_uncovered="1")]},
            "targets[0].attacker_uncovered",
        ),
    ],
)
def test_game_file_validation(tmp_path: Path, data: object, path: str) -> None:
    with pytest.raises(GameFileError) as info:
        load_game(_file(tmp_path, data))
    assert info.value.path == path


def test_game_file_syntax_and_missing(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text('{"resources": 1,\n "targets": [\n}')
    with pytest.raises(GameFileError) as info:
        load_game(p)
    assert info.value.line == 3
    with pytest.raises(GameFileError, match="cannot read"):
        load_game(tmp_path / "missing.json")
    with pytest.raises(GameFileError):
        parse_game("[1, 2]")


def test_from_arrays_validation() -> None:
    with pytest.raises(ValueError, match="defender_covered"):
        SecurityGame.from_arrays([0], [1], [0], [1], 1)
    with pytest.raises(ValueError, match="attacker_covered"):
        SecurityGame.from_arrays([1], [0], [2], [1], 1)
    with pytest.raises(ValueError, match="resources"):
        SecurityGame.from_arrays([1], [0], [0], [1], -1)
    with pytest.raises(ValueError, match="unique"):
        SecurityGame.from_arrays([1, 1], [0, 0], [0, 0], [1, 1], 1, ["x", "x"])

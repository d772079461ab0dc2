"""Designs over the unit cube: reproducible from the seed, the right shapes and strata."""

from __future__ import annotations

import numpy as np
import pytest

from bordersim.experiments.designs import grid, latin_hypercube, make_design


def test_lhs_is_reproducible_and_stratified():
    a = latin_hypercube(5, 40, seed=7)
    assert np.array_equal(a, latin_hypercube(5, 40, seed=7))
    assert not np.array_equal(a, latin_hypercube(5, 40, seed=8))
    # one point in each of the 40 strata of every factor
    for j in range(5):
        assert sorted(np.floor(a[:, j] * 40).astype(int)) == list(range(40))


def test_grid_is_full_factorial():
    g = grid(3, 4)
    assert g.shape == (64, 3)
    assert sorted(set(g[:, 0])) == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert len({tuple(r) for r in g}) == 64


@pytest.mark.parametrize(("design", "n", "rows"), [("sobol", 16, 16 * 5), ("morris", 6, 6 * 4)])
def test_salib_designs(design, n, rows):
    names = ["a", "b", "c"]
    x = make_design(design, names, n, seed=3)
    assert x.shape == (rows, 3)
    assert ((x >= 0) & (x <= 1)).all()
    assert np.array_equal(x, make_design(design, names, n, seed=3))


def test_unknown_design():
    with pytest.raises(ValueError, match="unknown design"):
        make_design("halton", ["a"], 4, 0)

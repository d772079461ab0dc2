"""A Stackelberg security game: ``n`` targets, four payoffs each, ``m`` defender resources.

The defender commits to coverage probabilities ``c_t in [0, 1]`` with ``sum(c) <= m``; expected
payoffs are linear in ``c_t``: ``Ud_t(c) = Ud_u + c (Ud_c - Ud_u)`` and ``Ua_t(c) = Ua_u - c (Ua_u -
Ua_c)``. The solvers are in :mod:`bordersim.plan.stackelberg` and :mod:`bordersim.plan.quantal`; game
files in :mod:`bordersim.plan.game_file`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["SecurityGame"]


@dataclass(frozen=True)
class SecurityGame:
    """An immutable security game: per-target payoff arrays and the number of resources."""

    names: tuple[str, ...]
    defender_covered: FloatArray
    defender_uncovered: FloatArray
    attacker_covered: FloatArray
    attacker_uncovered: FloatArray
    resources: float

    @classmethod
    def from_arrays(
        cls,
        defender_covered: ArrayLike,
        defender_uncovered: ArrayLike,
        attacker_covered: ArrayLike,
        attacker_uncovered: ArrayLike,
        resources: float,
        names: tuple[str, ...] | list[str] | None = None,
    ) -> SecurityGame:
        """Build and validate a game (``ValueError`` naming the first offending target)."""
        arrays = [
            np.array(x, dtype=float).ravel()
            for x in (defender_covered, defender_uncovered, attacker_covered, attacker_uncovered)
        ]
        n = arrays[0].size
        if n == 0:
            raise ValueError("a security game needs at least one target")
        if any(a.size != n for a in arrays):
            raise ValueError("the four payoff arrays must have the same length")
        for label, a in zip(
            ("defender_covered", "defender_uncovered", "attacker_covered", "attacker_uncovered"),
            arrays,
            strict=True,
        ):
            if not np.all(np.isfinite(a)):
                raise ValueError(
                    f"{label} must be finite (target {int(np.argmin(np.isfinite(a)))})"
                )
        dc, du, ac, au = arrays
        if np.any(dc < du):
            t = int(np.argmax(dc < du))
            raise ValueError(f"target {t}: defender_covered must be >= defender_uncovered")
        if np.any(ac > au):
            t = int(np.argmax(ac > au))
            raise ValueError(f"target {t}: attacker_covered must be <= attacker_uncovered")
        m = float(resources)
        if not np.isfinite(m) or m < 0:
            raise ValueError(f"resources must be finite and >= 0, got {resources!r}")
        label_names = tuple(f"t{i}" for i in range(n)) if names is None else tuple(names)
        if len(label_names) != n:
            raise ValueError("names must have one entry per target")
        if len(set(label_names)) != n:
            raise ValueError("target names must be unique")
        for a in arrays:
            a.setflags(write=False)
        return cls(label_names, dc, du, ac, au, m)

    @property
    def n_targets(self) -> int:
        """Number of targets."""
        return int(self.defender_covered.size)

    def with_resources(self, resources: float) -> SecurityGame:
        """The same game with a different number of resources."""
        return SecurityGame.from_arrays(
            self.defender_covered,
            self.defender_uncovered,
            self.attacker_covered,
            self.attacker_uncovered,
            resources,
            self.names,
        )

    def defender_values(self, coverage: ArrayLike) -> FloatArray:
        """Defender's expected utility if each target is attacked, under ``coverage``."""
        c = np.asarray(coverage, dtype=float)
        return np.asarray(
            self.defender_uncovered + c * (self.defender_covered - self.defender_uncovered)
        )

    def attacker_values(self, coverage: ArrayLike) -> FloatArray:
        """Attacker's expected utility of attacking each target, under ``coverage``."""
        c = np.asarray(coverage, dtype=float)
        return np.asarray(
            self.attacker_uncovered - c * (self.attacker_uncovered - self.attacker_covered)
        )

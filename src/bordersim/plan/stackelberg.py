"""Stackelberg security games: an ORIGAMI-style exact solver and a multiple-LPs reference.

A security game has ``n`` targets and ``m >= 0`` defender resources. The defender commits to coverage
probabilities ``c_t in [0, 1]`` with ``sum(c) <= m``; the attacker observes them and attacks one target.
Payoffs per target: the defender gets ``Ud_c`` if the attacked target is covered, ``Ud_u`` if not
(``Ud_c >= Ud_u``); the attacker gets ``Ua_c <= Ua_u``. Expected payoffs are linear in ``c_t``:
``Ud_t(c) = Ud_u + c (Ud_c - Ud_u)`` and ``Ua_t(c) = Ua_u - c (Ua_u - Ua_c)``.

The solution concept is the strong Stackelberg equilibrium (SSE): the attacker best-responds and breaks
ties in the defender's favour (the defender can always enforce this with an arbitrarily small shift of
coverage).

Entry points
------------
- :func:`load_game` / :func:`parse_game` (:mod:`bordersim.plan.game_file`, re-exported here) -- read a
  JSON game file into a :class:`SecurityGame`; errors raise :class:`GameFileError` naming the file,
  the field path (``targets[3].attacker_covered``) and the line. :func:`game_to_dict` is the inverse.
- :meth:`SecurityGame.from_arrays` (:mod:`bordersim.plan.security_game`) -- build a game in code.
- :func:`solve_origami` -- exact SSE in ``O(n log n)``: sort by ``Ua_u``, grow the attack set while
  lowering the attacker's value, then let the defender pick its best target in the final attack set.
- :func:`solve_multiple_lps` -- the reference: one LP per target (Conitzer & Sandholm 2006) on HiGHS.
- :class:`StackelbergSolution` -- the common result of both solvers.

Uniqueness: the SSE *values* (defender and attacker utility) are unique, and so is the coverage of the
attack set whenever ORIGAMI uses the whole budget on it. Coverage outside the attack set is not unique
(any amount that keeps those targets below the attacker's value is optimal), nor is the place of budget
left over when the attacker's value is pinned by a fully covered target. ORIGAMI returns the minimal
coverage (zero outside the attack set) and reports the rest as ``unused``; any of it can be added to any
target other than the attacked one without changing the equilibrium.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linprog

from bordersim.plan.game_file import GameFileError, game_to_dict, load_game, parse_game
from bordersim.plan.security_game import SecurityGame

FloatArray = NDArray[np.float64]

__all__ = [
    "GameFileError",
    "SecurityGame",
    "StackelbergSolution",
    "game_to_dict",
    "load_game",
    "parse_game",
    "solve_multiple_lps",
    "solve_origami",
]


# --------------------------------------------------------------------------------------------------
# Solutions


@dataclass(frozen=True)
class StackelbergSolution:
    """A strong Stackelberg equilibrium.

    Attributes:
        coverage: coverage probability per target (``sum <= resources``).
        attack_set: targets that are attacker best responses under ``coverage`` (within ``tol``).
        target: the target attacked (the defender's favourite in the attack set).
        defender_utility, attacker_utility: expected utilities at ``target``.
        unused: ``resources - sum(coverage)``; may be spent on any target other than ``target``.
        method: ``"origami"`` or ``"multiple-lps"``.
        names: target names, for reports.
    """

    coverage: FloatArray
    attack_set: tuple[int, ...]
    target: int
    defender_utility: float
    attacker_utility: float
    unused: float
    method: str
    names: tuple[str, ...]

    @property
    def target_name(self) -> str:
        """Name of the attacked target."""
        return self.names[self.target]


def _scale(game: SecurityGame) -> float:
    spread = [
        np.abs(game.attacker_uncovered).max(),
        np.abs(game.attacker_covered).max(),
        np.abs(game.defender_uncovered).max(),
        np.abs(game.defender_covered).max(),
    ]
    return max(1.0, float(max(spread)))


def _finish(
    game: SecurityGame, coverage: FloatArray, candidates: FloatArray, tol: float, method: str
) -> StackelbergSolution:
    """Pick the attacked target: best defender value among the attack set (ties: lowest index).

    ``candidates`` holds, per target, the defender value if that target is the one attacked (``-inf``
    where it cannot be)."""
    best = float(candidates.max())
    target = int(np.flatnonzero(candidates >= best - tol)[0])
    ua = game.attacker_values(coverage)
    attack_set = tuple(int(i) for i in np.flatnonzero(ua >= ua[target] - tol))
    coverage.setflags(write=False)
    return StackelbergSolution(
        coverage=coverage,
        attack_set=attack_set,
        target=target,
        defender_utility=float(game.defender_values(coverage)[target]),
        attacker_utility=float(ua[target]),
        unused=float(game.resources - coverage.sum()),
        method=method,
        names=game.names,
    )


def solve_origami(game: SecurityGame, tol: float = 1e-9) -> StackelbergSolution:
    """Exact strong SSE by ORIGAMI (Kiekintveld et al., AAMAS 2009), vectorised.

    Sort targets by ``Ua_u`` (descending). With the first ``k`` in the attack set at a common attacker
    value ``x``, target ``t`` needs coverage ``(Ua_u_t - x) / (Ua_u_t - Ua_c_t)``. Lowering ``x`` to the
    next target's ``Ua_u`` adds it to the set; the descent stops when the budget runs out (then
    ``x = (sum Ua_u/D - m) / sum 1/D``) or when a target in the set reaches full coverage (``x`` can fall
    no further than its ``Ua_c``). Cumulative sums evaluate every stopping test at once, so the cost is
    the sort. ``x`` is the least possible maximum of the attacker's values, so no target outside the set
    can be induced as the attacker's choice and each target in it gets the most coverage it can while
    still attacked; the defender then picks the attack-set target best for it. A target whose attacker
    payoff does not depend on coverage (``Ua_c == Ua_u``) may take coverage left over, up to 1, without
    changing ``x``.

    ``tol`` (relative to the largest payoff magnitude) decides ties in the attack set and in the
    defender's choice.
    """
    atol = tol * _scale(game)
    m = game.resources
    au = game.attacker_uncovered
    da = au - game.attacker_covered
    order = np.argsort(-au, kind="stable")
    u = au[order]
    d = da[order]
    positive = d > 0
    inv = np.zeros_like(d)
    inv[positive] = 1.0 / d[positive]
    s0 = np.cumsum(inv)
    s1 = np.cumsum(u * inv)
    # Lowest value the first k targets can reach before one is fully covered (targets with D = 0
    # are "fully covered" at their constant value).
    sat = np.maximum.accumulate(np.where(positive, game.attacker_covered[order], u))
    nxt = np.append(u[1:], -np.inf)
    goal = np.maximum(nxt, sat)
    need = s1 - goal * s0
    stop = (need >= m) | (sat >= nxt)
    k = int(np.argmax(stop))  # stop[-1] is always true
    if s0[k] > 0 and need[k] > m:
        x = float((s1[k] - m) / s0[k])
    else:
        x = float(goal[k])
    coverage = np.zeros(game.n_targets)
    members = order[: k + 1]
    coverage[members] = np.clip((au[members] - x) * inv[: k + 1], 0.0, 1.0)
    total = coverage.sum()
    if total > m:  # floating-point residue only
        coverage *= m / total
    leftover = max(0.0, m - float(coverage.sum()))
    ua = game.attacker_values(coverage)
    in_set = ua >= x - atol
    best_cov = coverage.copy()
    flat = in_set & (da <= 0)
    best_cov[flat] = np.minimum(1.0, coverage[flat] + leftover)
    candidates = np.where(in_set, game.defender_values(best_cov), -np.inf)
    best = float(candidates.max())
    target = int(np.flatnonzero(candidates >= best - atol)[0])
    coverage[target] = best_cov[target]
    return _finish(game, coverage, candidates, atol, "origami")


def solve_multiple_lps(
    game: SecurityGame, tol: float = 1e-9, *, feasibility_tol: float = 1e-10
) -> StackelbergSolution:
    """Reference strong SSE by multiple LPs (Conitzer & Sandholm, EC 2006) on HiGHS.

    For each target ``t``: maximise ``Ud_t(c_t)`` subject to ``Ua_t(c_t) >= Ua_t'(c_t')`` for every
    ``t'``, ``sum(c) <= m``, ``0 <= c <= 1``; the best feasible LP is the SSE (the weak inequalities
    break attacker ties in the defender's favour). ``n`` LPs of ``n`` variables and ``n`` rows: slow
    by design, used to check :func:`solve_origami`.
    """
    atol = tol * _scale(game)
    n = game.n_targets
    au = game.attacker_uncovered
    da = au - game.attacker_covered
    dd = game.defender_covered - game.defender_uncovered
    options = {
        "primal_feasibility_tolerance": feasibility_tol,
        "dual_feasibility_tolerance": feasibility_tol,
    }
    rows_all = np.arange(n)
    best_value = -np.inf
    candidates = np.full(n, -np.inf)
    covers: dict[int, FloatArray] = {}
    for t in range(n):
        others = rows_all[rows_all != t]
        r = np.arange(others.size)
        # Row for t': D_t c_t - D_t' c_t' <= Ua_u_t - Ua_u_t'
        data = np.concatenate([np.full(others.size, da[t]), -da[others], np.ones(n)])
        row = np.concatenate([r, r, np.full(n, others.size)])
        col = np.concatenate([np.full(others.size, t), others, rows_all])
        a_ub = sparse.csr_array((data, (row, col)), shape=(others.size + 1, n))
        b_ub = np.append(au[t] - au[others], game.resources)
        cost = np.zeros(n)
        cost[t] = -dd[t]
        res = linprog(
            cost, A_ub=a_ub, b_ub=b_ub, bounds=(0.0, 1.0), method="highs", options=options
        )
        if res.status != 0:
            continue  # infeasible: t can never be a best response
        c = np.clip(np.asarray(res.x, dtype=float), 0.0, 1.0)
        covers[t] = c
        candidates[t] = float(game.defender_values(c)[t])
        if candidates[t] > best_value:
            best_value = candidates[t]
    if not covers:
        raise RuntimeError("every multiple-LPs subproblem failed; the game data look inconsistent")
    target = int(np.flatnonzero(candidates >= best_value - atol)[0])
    best_cov = covers[target].copy()
    # The LP for the chosen target decides the attacked target; mark others as non-candidates.
    chosen = np.full(n, -np.inf)
    chosen[target] = candidates[target]
    return _finish(game, best_cov, chosen, atol, "multiple-lps")

"""Bayesian Stackelberg security games: several attacker types at once, solved exactly.

A border is crossed by smugglers, infiltrators and armed groups at once; each values the sectors
(targets) differently and the defender does not know which one comes next, only a prior over them.
The defender commits to one coverage ``c_t in [0, 1]`` with ``sum(c) <= m``; an attacker of type
``k`` (prior probability ``p_k``) observes it and attacks its best target, breaking ties in the
defender's favour (strong Stackelberg equilibrium). The defender maximises
``sum_k p_k Ud_k(c, t_k)``. Payoffs are per type and per target, with the usual signs
(``Ud_c >= Ud_u``, ``Ua_c <= Ua_u``), so expected payoffs are linear in ``c_t``.

Solvers:

- :func:`solve_bayesian_milp` -- the compact DOBSS formulation for security games (Paruchuri et al.,
  AAMAS 2008; in coverage form as ERASER, Kiekintveld et al., AAMAS 2009): one binary per type and
  target chooses the attacked target, big-M rows make it a best response, a mixed-integer program on
  HiGHS (``scipy.optimize.milp``). Exact; NP-hard in the number of types in general, fast here.
- :func:`solve_bayesian_enumeration` -- the reference: one LP per type-response profile (the
  multiple-LPs method of Conitzer & Sandholm, EC 2006, over the Harsanyi-transformed game), ``n**K``
  LPs, for small games in the tests.

A one-type game is an ordinary security game: :meth:`BayesianGame.type_game` gives it as a
:class:`~bordersim.plan.stackelberg.SecurityGame` for ORIGAMI.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from bordersim.plan.security_game import SecurityGame

FloatArray = NDArray[np.float64]

__all__ = [
    "AttackerType",
    "BayesianGame",
    "BayesianSolution",
    "best_responses",
    "solve_bayesian_enumeration",
    "solve_bayesian_milp",
]

#: Largest number of type-response profiles the enumeration reference will try (``n ** K``).
MAX_PROFILES = 50_000


@dataclass(frozen=True)
class AttackerType:
    """One attacker type: its prior probability and its four payoff arrays over the targets."""

    name: str
    probability: float
    defender_covered: FloatArray
    defender_uncovered: FloatArray
    attacker_covered: FloatArray
    attacker_uncovered: FloatArray


@dataclass(frozen=True)
class BayesianGame:
    """An immutable Bayesian security game: targets, resources and a prior over attacker types."""

    names: tuple[str, ...]
    resources: float
    types: tuple[AttackerType, ...]

    @classmethod
    def from_types(
        cls,
        types: list[dict[str, object]],
        resources: float,
        names: tuple[str, ...] | list[str] | None = None,
        *,
        probability_tol: float = 1e-9,
    ) -> BayesianGame:
        """Build and validate a game from per-type dicts with the keys of a game file's ``types``
        (``name``, ``probability``, ``defender_covered``, ...); ``ValueError`` names the first
        problem (type and target)."""
        if not types:
            raise ValueError("a Bayesian game needs at least one attacker type")
        built: list[AttackerType] = []
        n: int | None = None
        for k, spec in enumerate(types):
            name = str(spec.get("name", f"type{k}"))
            p = float(spec["probability"])  # type: ignore[arg-type]
            if not np.isfinite(p) or p <= 0 or p > 1:
                raise ValueError(f"type {name!r}: probability must be in (0, 1], got {p!r}")
            single = SecurityGame.from_arrays(
                spec["defender_covered"],  # type: ignore[arg-type]
                spec["defender_uncovered"],  # type: ignore[arg-type]
                spec["attacker_covered"],  # type: ignore[arg-type]
                spec["attacker_uncovered"],  # type: ignore[arg-type]
                resources,
                names,
            )
            if n is not None and single.n_targets != n:
                raise ValueError(f"type {name!r}: {single.n_targets} targets, the others have {n}")
            n = single.n_targets
            names = single.names
            built.append(
                AttackerType(
                    name,
                    p,
                    single.defender_covered,
                    single.defender_uncovered,
                    single.attacker_covered,
                    single.attacker_uncovered,
                )
            )
        total = sum(t.probability for t in built)
        if abs(total - 1.0) > probability_tol:
            raise ValueError(f"type probabilities must sum to 1, they sum to {total:.12g}")
        type_names = [t.name for t in built]
        if len(set(type_names)) != len(type_names):
            raise ValueError("attacker type names must be unique")
        assert names is not None
        return cls(tuple(names), float(resources), tuple(built))

    @property
    def n_targets(self) -> int:
        """Number of targets."""
        return len(self.names)

    @property
    def n_types(self) -> int:
        """Number of attacker types."""
        return len(self.types)

    def type_game(self, k: int) -> SecurityGame:
        """Type ``k`` alone as an ordinary security game (for ORIGAMI, or a one-type file)."""
        t = self.types[k]
        return SecurityGame.from_arrays(
            t.defender_covered,
            t.defender_uncovered,
            t.attacker_covered,
            t.attacker_uncovered,
            self.resources,
            self.names,
        )


@dataclass(frozen=True)
class BayesianSolution:
    """A strong Stackelberg equilibrium of a Bayesian game.

    Attributes:
        coverage: coverage probability per target (``sum <= resources``).
        attacked: per type, the target it attacks (its best response, ties to the defender).
        defender_utility: the defender's expected utility over the type prior.
        type_defender_utilities: the defender's utility against each type.
        attacker_utilities: each type's utility at its attacked target.
        method: ``"milp"`` or ``"enumeration"``.
        names, type_names: target and type names, for reports.
    """

    coverage: FloatArray
    attacked: tuple[int, ...]
    defender_utility: float
    type_defender_utilities: tuple[float, ...]
    attacker_utilities: tuple[float, ...]
    method: str
    names: tuple[str, ...]
    type_names: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON form ``optimize --game --json`` prints."""
        return {
            "method": self.method,
            "coverage": {n: float(c) for n, c in zip(self.names, self.coverage, strict=True)},
            "defender_utility": self.defender_utility,
            "types": {
                name: {
                    "attacked": self.names[self.attacked[k]],
                    "defender_utility": self.type_defender_utilities[k],
                    "attacker_utility": self.attacker_utilities[k],
                }
                for k, name in enumerate(self.type_names)
            },
        }


def _scale(game: BayesianGame) -> float:
    values = [
        np.abs(a).max()
        for t in game.types
        for a in (
            t.defender_covered,
            t.defender_uncovered,
            t.attacker_covered,
            t.attacker_uncovered,
        )
    ]
    return max(1.0, float(max(values)))


def best_responses(
    game: BayesianGame, coverage: ArrayLike, tol: float = 1e-7
) -> tuple[tuple[int, ...], FloatArray, FloatArray]:
    """Each type's attacked target under ``coverage`` (best response, ties to the defender), with
    the defender's and the attacker's utility against each type."""
    c = np.asarray(coverage, dtype=float)
    atol = tol * _scale(game)
    attacked: list[int] = []
    ud = np.empty(game.n_types)
    ua = np.empty(game.n_types)
    for k, t in enumerate(game.types):
        att = t.attacker_uncovered - c * (t.attacker_uncovered - t.attacker_covered)
        dfd = t.defender_uncovered + c * (t.defender_covered - t.defender_uncovered)
        best = np.flatnonzero(att >= att.max() - atol)
        target = int(best[np.argmax(dfd[best])])
        attacked.append(target)
        ud[k] = dfd[target]
        ua[k] = att[target]
    return tuple(attacked), ud, ua


def _solution(game: BayesianGame, coverage: FloatArray, method: str) -> BayesianSolution:
    coverage = np.clip(coverage, 0.0, 1.0)
    coverage.setflags(write=False)
    attacked, ud, ua = best_responses(game, coverage)
    p = np.array([t.probability for t in game.types])
    return BayesianSolution(
        coverage=coverage,
        attacked=attacked,
        defender_utility=float(p @ ud),
        type_defender_utilities=tuple(float(x) for x in ud),
        attacker_utilities=tuple(float(x) for x in ua),
        method=method,
        names=game.names,
        type_names=tuple(t.name for t in game.types),
    )


def solve_bayesian_milp(game: BayesianGame, *, time_limit: float = 60.0) -> BayesianSolution:
    """Exact strong SSE of a Bayesian security game by the compact DOBSS MILP on HiGHS.

    Variables: coverage ``c`` (n), binaries ``a[k, t]`` (type ``k`` attacks ``t``), the defender's
    value ``d[k]`` and the attacker's value ``v[k]`` per type. For every type and target:
    ``d_k <= Ud_kt(c_t) + M_k (1 - a_kt)`` and ``0 <= v_k - Ua_kt(c_t) <= M'_k (1 - a_kt)``, one
    ``a`` per type, ``sum(c) <= m``; maximise ``sum_k p_k d_k``. ``M_k`` and ``M'_k`` are the spans
    of type ``k``'s defender and attacker payoffs, the smallest constants that never cut off a
    feasible point.

    Raises:
        RuntimeError: if HiGHS does not prove optimality within ``time_limit`` seconds.
    """
    n, kk = game.n_targets, game.n_types
    n_var = n + kk * n + 2 * kk
    a0, d0, v0 = n, n + kk * n, n + kk * n + kk
    rows: list[tuple[list[int], list[float], float, float]] = []
    rows.append((list(range(n)), [1.0] * n, -np.inf, game.resources))
    d_lo, d_hi, v_lo, v_hi = (np.empty(kk) for _ in range(4))
    for k, t in enumerate(game.types):
        dd = t.defender_covered - t.defender_uncovered
        da = t.attacker_uncovered - t.attacker_covered
        d_lo[k], d_hi[k] = t.defender_uncovered.min(), t.defender_covered.max()
        v_lo[k], v_hi[k] = t.attacker_covered.min(), t.attacker_uncovered.max()
        m_d = d_hi[k] - d_lo[k]
        m_a = v_hi[k] - v_lo[k]
        rows.append(([a0 + k * n + j for j in range(n)], [1.0] * n, 1.0, 1.0))
        for j in range(n):
            a = a0 + k * n + j
            # d_k - dd_j c_j + M a_kj <= M + Ud_u_j
            rows.append(
                ([d0 + k, j, a], [1.0, -dd[j], m_d], -np.inf, m_d + t.defender_uncovered[j])
            )
            # Ua_u_j <= v_k + da_j c_j <= M' + Ua_u_j - M' a_kj
            rows.append(([v0 + k, j], [1.0, da[j]], t.attacker_uncovered[j], np.inf))
            rows.append(([v0 + k, j, a], [1.0, da[j], m_a], -np.inf, m_a + t.attacker_uncovered[j]))
    r_idx = [i for i, (cols, _, _, _) in enumerate(rows) for _ in cols]
    c_idx = [c for cols, _, _, _ in rows for c in cols]
    vals = [v for _, coefs, _, _ in rows for v in coefs]
    a_mat = sparse.csr_array((vals, (r_idx, c_idx)), shape=(len(rows), n_var))
    lb = np.array([r[2] for r in rows])
    ub = np.array([r[3] for r in rows])
    cost = np.zeros(n_var)
    cost[d0 : d0 + kk] = -np.array([t.probability for t in game.types])
    lower = np.concatenate([np.zeros(n + kk * n), d_lo, v_lo])
    upper = np.concatenate([np.ones(n + kk * n), d_hi, v_hi])
    integrality = np.zeros(n_var)
    integrality[a0:d0] = 1
    res = milp(
        cost,
        constraints=LinearConstraint(a_mat, lb, ub),
        integrality=integrality,
        bounds=Bounds(lower, upper),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0, "presolve": True},
    )
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"the Bayesian game MILP did not solve: {res.message}")
    # HiGHS keeps its MIP feasibility tolerance (1e-6) fixed, which can leave a best response
    # violated by that much; re-solve the LP of the profile the binaries chose with tight
    # tolerances, so the coverage is exact for it (the same LP the enumeration solves).
    x = np.asarray(res.x, dtype=float)
    profile = tuple(int(np.argmax(x[a0 + k * n : a0 + (k + 1) * n])) for k in range(kk))
    polished = _profile_lp(game, profile, 1e-10)
    coverage = polished[1] if polished is not None else x[:n]
    return _solution(game, coverage, "milp")


def _profile_lp(
    game: BayesianGame, profile: tuple[int, ...], feasibility_tol: float
) -> tuple[float, FloatArray] | None:
    """The best coverage under which type ``k`` attacks ``profile[k]`` for every ``k`` (weak
    best-response inequalities: ties go to the defender), as (defender value, coverage); ``None``
    if no coverage makes that profile a best response."""
    n = game.n_targets
    a_rows: list[FloatArray] = [np.ones(n)]
    b: list[float] = [game.resources]
    cost = np.zeros(n)
    const = 0.0
    for k, tk in enumerate(profile):
        t = game.types[k]
        da = t.attacker_uncovered - t.attacker_covered
        cost[tk] -= t.probability * (t.defender_covered[tk] - t.defender_uncovered[tk])
        const += t.probability * t.defender_uncovered[tk]
        for j in range(n):
            if j == tk:
                continue
            # Ua_k(tk) >= Ua_k(j):  da_tk c_tk - da_j c_j <= Ua_u_tk - Ua_u_j
            row = np.zeros(n)
            row[tk] += da[tk]
            row[j] -= da[j]
            a_rows.append(row)
            b.append(float(t.attacker_uncovered[tk] - t.attacker_uncovered[j]))
    options = {
        "primal_feasibility_tolerance": feasibility_tol,
        "dual_feasibility_tolerance": feasibility_tol,
    }
    res = linprog(
        cost, A_ub=np.array(a_rows), b_ub=np.array(b), bounds=(0.0, 1.0),
        method="highs", options=options,
    )  # fmt: skip
    if res.status != 0:
        return None
    return const - float(res.fun), np.asarray(res.x, dtype=float)


def solve_bayesian_enumeration(
    game: BayesianGame, *, feasibility_tol: float = 1e-10
) -> BayesianSolution:
    """Reference SSE by enumerating type-response profiles: for each profile ``(t_1, ..., t_K)``
    one LP maximises ``sum_k p_k Ud_k(c, t_k)`` subject to every ``t_k`` being a best response of
    type ``k`` (weak inequalities: ties go to the defender); the best feasible LP is the SSE.

    Raises:
        ValueError: if the game has more than :data:`MAX_PROFILES` profiles.
    """
    n, kk = game.n_targets, game.n_types
    if n**kk > MAX_PROFILES:
        raise ValueError(f"{n}**{kk} profiles is too many to enumerate (limit {MAX_PROFILES})")
    best_value, best_cov = -np.inf, None
    for profile in itertools.product(range(n), repeat=kk):
        solved = _profile_lp(game, profile, feasibility_tol)
        if solved is not None and solved[0] > best_value + 1e-12:
            best_value, best_cov = solved
    if best_cov is None:
        raise RuntimeError("no type-response profile was feasible; the game data look inconsistent")
    return _solution(game, best_cov, "enumeration")

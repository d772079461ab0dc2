"""Defender's best coverage against a quantal-response (logit) attacker.

The attacker attacks target ``t`` with probability ``q_t`` proportional to ``exp(lambda * Ua_t(c_t))``
(:func:`bordersim.model.choice.quantal_response`): ``lambda = 0`` is uniform, ``lambda -> inf`` tends to
a best response. The defender maximises its expected utility

    EU(c) = sum_t q_t(c) Ud_t(c_t) = N(c) / D(c),
    N(c) = sum_t theta_t e^{-beta_t c_t} (Ud_u_t + dD_t c_t),   D(c) = sum_t theta_t e^{-beta_t c_t}

(``theta_t = exp(lambda (Ua_u_t - max Ua_u))``, ``beta_t = lambda (Ua_u_t - Ua_c_t)``) over
``0 <= c <= 1`` and ``sum(c) = min(m, n)`` (or ``<= m`` with ``use_all=False``). EU is not concave, so
local methods can stall; this module follows PASAQ (Yang, Ordonez & Tambe, AAMAS 2012): the value
``r`` is achievable iff ``F(r) = max_c N(c) - r D(c) >= 0``, and ``F(r)`` is computed globally as a MILP
on HiGHS after replacing ``e^{-beta c}`` and ``c e^{-beta c}`` by piecewise-linear interpolants with ``K``
segments per target (binary variables force the segments to fill in order, since the pieces are not
concave). Instead of PASAQ's binary search on ``r`` the outer loop is Dinkelbach's update
``r <- N~(c)/D~(c)``, which uses the same oracle, converges globally and needs a handful of MILPs
rather than ~30. The result is polished by a local SLSQP step on the exact EU.

Approximation error (a posteriori, returned): on a segment ``[a, a + h]`` linear interpolation errs by
at most ``h^2/8 * sup|f''|``, with ``|d^2/dc^2 e^{-beta c}| <= beta^2 e^{-beta a}`` and
``|d^2/dc^2 c e^{-beta c}| <= (beta^2 (a + h) + 2 beta) e^{-beta a}``. Summed over targets this bounds
``|N - N~| + r |D - D~| <= E(r)``, and since ``F`` falls with slope at least ``D_min = min_c D(c)`` (a
convex problem solved exactly here), the true optimum satisfies ``OPT <= r_f + (F~(r_f) + E(r_f)) /
D_min``. Dividing the same interpolation bounds by ``e^{-beta (a + h)}`` gives relative errors
``rho_t`` and the second bound ``OPT <= r_f + max_t rho_t (|Ud_u_t - r_f| + dD_t) + F~(r_f) / D_min``,
which stays useful when the attack probabilities are tiny in absolute terms (large ``lambda``); the
smaller of the two is returned. Both are tight when ``lambda (Ua_u - Ua_c) / K`` is small and loose
(but still valid) for very steep targets, where the MILP only locates the basin and the SLSQP polish
does the fine work. :attr:`QuantalSolution.upper_bound` is that number and ``gap_bound = upper_bound -
defender_utility`` certifies how far the returned coverage can be from optimal. Breakpoints are a
50/50 mix of a uniform grid and a grid uniform in ``e^{-beta c}``, so steep (large ``lambda``) targets
get fine segments near zero; the error falls as ``1/K^2``.

Entry points
------------
- :func:`solve_quantal` -> :class:`QuantalSolution`
- :func:`quantal_defender_utility` -- EU of a given coverage (uses the model's logit choice).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp, minimize

from bordersim.model.choice import quantal_response
from bordersim.plan.stackelberg import SecurityGame

FloatArray = NDArray[np.float64]

__all__ = ["QuantalSolution", "quantal_defender_utility", "solve_quantal"]


@dataclass(frozen=True)
class QuantalSolution:
    """Defender's optimal coverage against a logit attacker.

    Attributes:
        coverage: coverage per target.
        attack_probabilities: the attacker's logit choice under ``coverage``.
        defender_utility: exact expected utility of ``coverage``.
        attacker_utility: attacker's expected utility under its own choice.
        rationality: ``lambda``.
        upper_bound: certified upper bound on the optimal defender utility (see module docstring).
        gap_bound: ``upper_bound - defender_utility >= 0``.
        iterations: Dinkelbach steps (MILPs solved).
        segments: piecewise-linear segments per target.
    """

    coverage: FloatArray
    attack_probabilities: FloatArray
    defender_utility: float
    attacker_utility: float
    rationality: float
    upper_bound: float
    gap_bound: float
    iterations: int
    segments: int


def quantal_defender_utility(game: SecurityGame, coverage: ArrayLike, rationality: float) -> float:
    """Defender's expected utility when a logit attacker with ``rationality`` faces ``coverage``."""
    c = np.asarray(coverage, dtype=float)
    q = quantal_response(game.attacker_values(c), 1.0, rationality)
    return float(np.dot(q, game.defender_values(c)))


def _breakpoints(beta: FloatArray, k: int) -> FloatArray:
    """Per-target breakpoints (n, k+1) in [0, 1]: the union of a uniform grid and a grid uniform in
    ``e^{-beta c}`` (fine near 0 where steep targets curve most), sorted."""
    k1 = k // 2
    k2 = k - k1
    uniform = np.broadcast_to(np.arange(k1 + 1) / max(k1, 1), (beta.size, k1 + 1))
    j = np.arange(k2 + 1) / k2
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = -np.expm1(-beta)[:, None]  # 1 - e^{-beta}
        by_value = -np.log1p(-j[None, :] * drop) / beta[:, None]
    by_value = np.where(beta[:, None] > 1e-12, by_value, j[None, :])
    merged = np.sort(np.concatenate([uniform, np.clip(by_value, 0.0, 1.0)], axis=1), axis=1)
    b = merged[:, 1:]  # both grids start at 0: drop one of the two zeros -> k + 1 points
    b[:, 0] = 0.0
    b[:, -1] = 1.0
    return np.asarray(b, dtype=float)


def _min_denominator(theta: FloatArray, beta: FloatArray, total: float, use_all: bool) -> float:
    """min sum theta e^{-beta c} over 0 <= c <= 1, sum c = total (<= total): convex, by bisection
    on the multiplier of the budget."""
    if total <= 0:
        return float(theta.sum())
    full = float(np.sum(theta * np.exp(-beta)))
    if total >= theta.size:
        return full
    pos = beta > 0
    if not pos.any():
        return float(theta.sum())

    def cover(mu: float) -> FloatArray:
        c = np.zeros_like(beta)
        with np.errstate(divide="ignore"):
            c[pos] = np.log(theta[pos] * beta[pos] / mu) / beta[pos]
        return np.clip(c, 0.0, 1.0)

    lo, hi = 1e-300, float((theta * beta).max()) + 1.0  # c(hi) = 0, c(lo) = 1 where beta > 0
    for _ in range(200):
        mid = float(np.sqrt(lo * hi))
        if cover(mid).sum() > total:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-12:
            break
    c = cover(hi)
    # Budget not absorbed by the beta > 0 targets goes to beta = 0 targets (no effect on D).
    return float(np.sum(theta * np.exp(-beta * c)))


@dataclass(frozen=True)
class _PiecewiseLinear:
    """The piecewise-linear interpolants of ``e^{-beta c}`` and ``c e^{-beta c}`` per target, their
    a-priori error bounds, and the MILP oracle for ``F~(r)`` (see the module docstring)."""

    theta: FloatArray  # (n,)
    beta: FloatArray  # (n,)
    du: FloatArray  # (n,) defender's payoff when the target is uncovered
    dd: FloatArray  # (n,) covered minus uncovered defender payoff
    b: FloatArray  # (n, k+1) breakpoints
    h: FloatArray  # (n, k) segment widths
    f1: FloatArray  # (n, k+1) e^{-beta c} at the breakpoints
    f2: FloatArray  # (n, k+1) c e^{-beta c} at the breakpoints
    s1: FloatArray  # (n, k) slopes of f1
    s2: FloatArray  # (n, k) slopes of f2
    e1_abs: FloatArray  # (n,) absolute interpolation error bounds
    e2_abs: FloatArray
    e1_rel: FloatArray  # (n,) relative to e^{-beta c}
    e2_rel: FloatArray

    @classmethod
    def of(cls, game: SecurityGame, lam: float, k: int) -> _PiecewiseLinear:
        au, ac = game.attacker_uncovered, game.attacker_covered
        du = game.defender_uncovered
        dd = game.defender_covered - du
        theta = np.exp(lam * (au - au.max()))
        beta = lam * (au - ac)
        b = _breakpoints(beta, k)  # (n, k+1)
        h = np.diff(b, axis=1)  # (n, k)
        f1 = np.exp(-beta[:, None] * b)
        f2 = b * f1
        with np.errstate(divide="ignore", invalid="ignore"):
            s1 = np.where(h > 0, np.diff(f1, axis=1) / h, 0.0)
            s2 = np.where(h > 0, np.diff(f2, axis=1) / h, 0.0)
        # Interpolation error bounds per target (max over its segments): absolute, and relative to
        # f1(c) = e^{-beta c} at any c in the segment (f1 >= e^{-beta (a + h)} there).
        a = b[:, :-1]
        bh = beta[:, None] * h
        curv = np.exp(-beta[:, None] * a)
        k1 = h**2 / 8.0 * beta[:, None] ** 2
        k2 = h**2 / 8.0 * (beta[:, None] ** 2 * b[:, 1:] + 2.0 * beta[:, None])
        e1_abs, e2_abs = (k1 * curv).max(axis=1), (k2 * curv).max(axis=1)
        with np.errstate(over="ignore"):
            e1_rel, e2_rel = (k1 * np.exp(bh)).max(axis=1), (k2 * np.exp(bh)).max(axis=1)
        return cls(theta, beta, du, dd, b, h, f1, f2, s1, s2, e1_abs, e2_abs, e1_rel, e2_rel)

    def approx(self, c: FloatArray) -> tuple[float, float]:
        """Piecewise-linear N~(c), D~(c)."""
        n = self.theta.size
        g1 = np.array([np.interp(c[t], self.b[t], self.f1[t]) for t in range(n)])
        g2 = np.array([np.interp(c[t], self.b[t], self.f2[t]) for t in range(n)])
        theta, du, dd = self.theta, self.du, self.dd
        return float(np.sum(theta * (du * g1 + dd * g2))), float(np.sum(theta * g1))

    def oracle(
        self, r: float, total: float, use_all: bool, time_limit: float
    ) -> tuple[float, FloatArray]:
        """F~(r) = max N~(c) - r D~(c) and its maximiser, as a MILP. Segments are x_{t,j} in
        [0, h_{t,j}]; a target whose piecewise-linear term is not concave gets binaries z_{t,j}
        that make its segments fill in order (x_{t,j} >= h z_{t,j} >= x_{t,j+1} h_{t,j}/h_{t,j+1})."""
        theta, du, dd, h, s1, s2 = self.theta, self.du, self.dd, self.h, self.s1, self.s2
        n, k = h.shape
        nx = n * k
        hx = h.ravel()
        coef = theta[:, None] * ((du - r)[:, None] * s1 + dd[:, None] * s2)  # (n, k)
        step = np.where((h[:, 1:] > 0) & (h[:, :-1] > 0), np.diff(coef, axis=1), 0.0)
        nonconcave = np.flatnonzero((step > 1e-12 * (np.abs(coef).max() + 1e-300)).any(axis=1))
        nz = nonconcave.size * (k - 1)
        rows = [
            sparse.coo_array(
                (np.ones(nx), (np.zeros(nx, dtype=int), np.arange(nx))), shape=(1, nx + nz)
            )
        ]
        lbs = [np.array([total if use_all else 0.0])]
        ubs = [np.array([total])]
        if nz:
            t_idx = np.repeat(nonconcave, k - 1)
            j_idx = np.tile(np.arange(k - 1), nonconcave.size)
            xi = t_idx * k + j_idx
            zi = nx + np.arange(nz)
            rr = np.arange(nz)
            both = np.concatenate([rr, rr])
            fill = sparse.coo_array(
                (np.concatenate([np.ones(nz), -hx[xi]]), (both, np.concatenate([xi, zi]))),
                shape=(nz, nx + nz),
            )
            gate = sparse.coo_array(
                (np.concatenate([np.ones(nz), -hx[xi + 1]]), (both, np.concatenate([xi + 1, zi]))),
                shape=(nz, nx + nz),
            )
            rows += [fill, gate]
            lbs += [np.zeros(nz), np.full(nz, -np.inf)]
            ubs += [np.full(nz, np.inf), np.zeros(nz)]
        cons = LinearConstraint(
            sparse.vstack(rows).tocsr(), np.concatenate(lbs), np.concatenate(ubs)
        )
        res = milp(
            -np.concatenate([coef.ravel(), np.zeros(nz)]),
            constraints=cons,
            bounds=Bounds(np.zeros(nx + nz), np.concatenate([hx, np.ones(nz)])),
            integrality=np.concatenate([np.zeros(nx), np.ones(nz)]),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
        )
        if res.x is None:
            raise RuntimeError(f"quantal-response MILP failed: {res.message}")
        x = np.asarray(res.x[:nx], dtype=float).reshape(n, k)
        c = np.clip(x.sum(axis=1), 0.0, 1.0)
        const = float(np.sum(theta * (du - r)))  # value at c = 0: f1(0) = 1, f2(0) = 0
        return const - float(res.fun), c

    def upper_bound(self, r: float, f_tilde: float, d_min: float) -> float:
        """The a-posteriori bound on the optimum at the final ``r`` (see the module docstring)."""
        du, dd = self.du, self.dd
        err_abs = float(np.sum(self.theta * (np.abs(du - r) * self.e1_abs + dd * self.e2_abs)))
        rho = float(np.max(np.abs(du - r) * self.e1_rel + dd * self.e2_rel))
        return r + min((f_tilde + err_abs) / d_min, rho + f_tilde / d_min)


def solve_quantal(
    game: SecurityGame,
    rationality: float,
    *,
    segments: int = 24,
    tol: float = 1e-7,
    use_all: bool = True,
    polish: bool = True,
    max_iter: int = 50,
    time_limit: float = 60.0,
) -> QuantalSolution:
    """Maximise the defender's expected utility against a logit attacker (globally, up to the stated
    piecewise-linear error; see the module docstring).

    Args:
        game: the security game (its ``resources`` is ``m``).
        rationality: ``lambda >= 0`` in units of 1/payoff.
        segments: ``K``, piecewise-linear segments per target (error ~ 1/K^2).
        tol: Dinkelbach stopping tolerance on ``F(r)`` (relative to the payoff scale).
        use_all: ``sum(c) = min(m, n)`` (default, as in the security-game literature's PASAQ
            experiments) or ``sum(c) <= m``.
        polish: finish with a local SLSQP step on the exact objective (kept only if it improves).
        max_iter: cap on Dinkelbach steps.
        time_limit: per-MILP time limit in seconds.
    """
    lam = float(rationality)
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"rationality must be finite and >= 0, got {rationality!r}")
    if segments < 1:
        raise ValueError("segments must be >= 1")
    n = game.n_targets
    total = min(game.resources, float(n))
    du = game.defender_uncovered
    pwl = _PiecewiseLinear.of(game, lam, segments)
    oracle_args = (total, use_all, time_limit)
    scale = max(1.0, float(np.abs(np.concatenate([du, game.defender_covered])).max()))
    c = np.full(n, total / n)
    n_val, d_val = pwl.approx(c)
    r = n_val / d_val
    iterations = 0
    # Dinkelbach: F~(r) >= 0 at every step (the current c gives 0); stop when it is ~0.
    while True:
        f_tilde, c_new = pwl.oracle(r, *oracle_args)
        f_tilde = max(0.0, f_tilde)
        iterations += 1
        n_new, d_new = pwl.approx(c_new)
        if f_tilde <= tol * scale * d_new or n_new / d_new <= r or iterations >= max_iter:
            if n_new / d_new > r:
                c = c_new  # better, but r stays the value F~ was computed at (for the bound)
            break
        c, r = c_new, n_new / d_new
    upper = pwl.upper_bound(r, f_tilde, _min_denominator(pwl.theta, pwl.beta, total, use_all))

    best_c = c
    best_u = quantal_defender_utility(game, c, lam)
    if polish and n > 1:
        polished = _polish(game, c, lam, total, use_all)
        if polished is not None:
            u = quantal_defender_utility(game, polished, lam)
            if u > best_u:
                best_c, best_u = polished, u
    q = quantal_response(game.attacker_values(best_c), 1.0, lam)
    best_c.setflags(write=False)
    q.setflags(write=False)
    return QuantalSolution(
        coverage=best_c,
        attack_probabilities=q,
        defender_utility=best_u,
        attacker_utility=float(np.dot(q, game.attacker_values(best_c))),
        rationality=lam,
        upper_bound=float(max(upper, best_u)),
        gap_bound=float(max(0.0, upper - best_u)),
        iterations=iterations,
        segments=segments,
    )


def _polish(
    game: SecurityGame, c0: FloatArray, lam: float, total: float, use_all: bool
) -> FloatArray | None:
    """Local SLSQP on the exact EU from the MILP's coverage; None if it fails or leaves the box."""
    au, ac = game.attacker_uncovered, game.attacker_covered
    du = game.defender_uncovered
    dd = game.defender_covered - du
    theta = np.exp(lam * (au - au.max()))
    beta = lam * (au - ac)

    def neg(c: FloatArray) -> tuple[float, FloatArray]:
        w = theta * np.exp(-beta * c)
        ud = du + dd * c
        num = float(np.dot(w, ud))
        den = float(w.sum())
        eu = num / den
        grad = (w * (dd - beta * ud) + eu * beta * w) / den
        return -eu, -grad

    cons = {"type": "eq" if use_all else "ineq", "fun": lambda c: total - np.sum(c)}
    try:
        res = minimize(
            neg,
            c0,
            jac=True,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * c0.size,
            constraints=[cons],
            options={"maxiter": 200, "ftol": 1e-12},
        )
    except (ValueError, ArithmeticError):
        return None
    c = np.clip(np.asarray(res.x, dtype=float), 0.0, 1.0)
    s = float(c.sum())
    if (use_all and abs(s - total) > 1e-9) or (not use_all and s > total + 1e-9):
        return None
    return c

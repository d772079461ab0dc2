"""Stackelberg security games: game files, an ORIGAMI-style exact solver and a multiple-LPs reference.

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
- :func:`load_game` / :func:`parse_game` -- read a JSON game file (validated with pydantic v2) into a
  :class:`SecurityGame`; errors raise :class:`GameFileError` naming the file, the field path
  (``targets[3].attacker_covered``) and the line. :func:`game_to_dict` is the inverse.
- :meth:`SecurityGame.from_arrays` -- build a game in code (``ValueError`` on bad input).
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

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from scipy import sparse
from scipy.optimize import linprog

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


class GameFileError(ValueError):
    """A game file a user wrote is wrong: one message naming the file, the field path and the line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        where = file or "<game>"
        if line is not None:
            where += f":{line}"
        text = f"{where}: {path}: {message}" if path else f"{where}: {message}"
        super().__init__(text)


# --------------------------------------------------------------------------------------------------
# The game


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


# --------------------------------------------------------------------------------------------------
# Game files


class _TargetModel(BaseModel):
    """One target in a game file. Field order matters: uncovered values are validated first so the
    covered ones can be checked against them and the error lands on the covered field."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    name: str = Field(min_length=1)
    defender_uncovered: float
    defender_covered: float
    attacker_uncovered: float
    attacker_covered: float

    @field_validator("defender_covered")
    @classmethod
    def _defender_covered_not_worse(cls, value: float, info: ValidationInfo) -> float:
        uncovered = info.data.get("defender_uncovered")
        if uncovered is not None and value < uncovered:
            raise ValueError(
                f"defender_covered ({value:g}) must be >= defender_uncovered ({uncovered:g}): "
                "covering a target cannot make the defender worse off"
            )
        return value

    @field_validator("attacker_covered")
    @classmethod
    def _attacker_covered_not_better(cls, value: float, info: ValidationInfo) -> float:
        uncovered = info.data.get("attacker_uncovered")
        if uncovered is not None and value > uncovered:
            raise ValueError(
                f"attacker_covered ({value:g}) must be <= attacker_uncovered ({uncovered:g}): "
                "covering a target cannot make the attacker better off"
            )
        return value


class _GameModel(BaseModel):
    """A game file: ``{"resources": m, "targets": [...]}``."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    resources: float = Field(ge=0)
    targets: list[_TargetModel] = Field(min_length=1)


def _format_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


_WS = re.compile(r"[ \t\n\r]*")


def _json_positions(text: str) -> dict[tuple[int | str, ...], int]:
    """Character offset of every value in valid JSON ``text``, keyed by its path (for line numbers
    in error messages; the json module does not keep positions)."""
    decoder = json.JSONDecoder()
    positions: dict[tuple[int | str, ...], int] = {}

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, path: tuple[int | str, ...]) -> int:
        i = skip(i)
        positions[path] = i
        ch = text[i : i + 1]
        if ch == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                i = skip(i) + 1  # the colon
                i = skip(value(i, (*path, key)))
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if ch == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            k = 0
            while True:
                i = skip(value(i, (*path, k)))
                k += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        _, end = decoder.raw_decode(text, i)
        return int(end)

    try:
        value(0, ())
    except (ValueError, IndexError):
        return positions
    return positions


def _line_of(text: str | None, loc: tuple[int | str, ...]) -> int | None:
    if text is None:
        return None
    positions = _json_positions(text)
    # The deepest existing prefix of the path (a missing field points at its parent object).
    for cut in range(len(loc), -1, -1):
        offset = positions.get(tuple(loc[:cut]))
        if offset is not None:
            return text.count("\n", 0, offset) + 1
    return None


def parse_game(
    data: Mapping[str, Any] | str, source: str = "<string>", *, text: str | None = None
) -> SecurityGame:
    """Validate a game given as a mapping or as JSON text; ``source`` names it in errors.

    Raises:
        GameFileError: with the file, the field path and (for JSON text) the line.
    """
    if isinstance(data, str):
        text = data
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GameFileError(
                f"not valid JSON: {exc.msg} (column {exc.colno})", file=source, line=exc.lineno
            ) from None
    if not isinstance(data, Mapping):
        raise GameFileError("a game file must be a JSON object", file=source, line=1)
    try:
        model = _GameModel.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = tuple(first["loc"])
        message = first["msg"]
        if first["type"] == "missing":
            message = "field required"
        elif first["type"] == "extra_forbidden":
            message = "unknown field"
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
        raise GameFileError(
            message, file=source, path=_format_path(loc), line=_line_of(text, loc)
        ) from None
    seen: dict[str, int] = {}
    for i, target in enumerate(model.targets):
        if target.name in seen:
            loc = ("targets", i, "name")
            raise GameFileError(
                f"duplicate target name {target.name!r} (first used by targets[{seen[target.name]}])",
                file=source,
                path=_format_path(loc),
                line=_line_of(text, loc),
            )
        seen[target.name] = i
    ts = model.targets
    return SecurityGame.from_arrays(
        [t.defender_covered for t in ts],
        [t.defender_uncovered for t in ts],
        [t.attacker_covered for t in ts],
        [t.attacker_uncovered for t in ts],
        model.resources,
        [t.name for t in ts],
    )


def load_game(path: str | Path) -> SecurityGame:
    """Read and validate a JSON game file (raises :class:`GameFileError`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise GameFileError(f"cannot read: {exc.strerror or exc}", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise GameFileError(f"not UTF-8 text (byte {exc.start})", file=str(p)) from None
    return parse_game(text, source=str(p))


def game_to_dict(game: SecurityGame) -> dict[str, Any]:
    """The game-file form of ``game`` (``json.dumps`` it to write a file)."""
    return {
        "resources": game.resources,
        "targets": [
            {
                "name": game.names[i],
                "defender_covered": float(game.defender_covered[i]),
                "defender_uncovered": float(game.defender_uncovered[i]),
                "attacker_covered": float(game.attacker_covered[i]),
                "attacker_uncovered": float(game.attacker_uncovered[i]),
            }
            for i in range(game.n_targets)
        ],
    }


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

"""The uncertainty space: which scenario quantities an experiment varies, and how.

Every quantity whose evidence gives a range (``Quantity.bounds`` is not a point) is uncertain. A
:class:`Factor` is one axis of the space; designs sample the unit cube and each factor maps its
coordinate ``u`` in [0, 1] to quantity overrides through the inverse CDF (uniform or triangular, mode
at the nominal value). Two groupings:

- ``quantity``: one factor per uncertain quantity (its value is the factor's value), ~100 factors;
- ``evidence``: one factor per ledger entry; all quantities sharing that entry move together by the
  same quantile ``u`` (each through its own distribution). ~25 factors: tractable for Sobol, and the
  ranking answers "which assumption to go and find out".

Users narrow (``--range``), fix (``--fix``) or add factors; an unknown name is a :class:`FactorError`.
Policy levers are not factors: they are a separate axis of the sweep.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from bordersim.scenario.safe_yaml import UnsafeYamlError, load_plain
from bordersim.scenario.schema import Scenario
from bordersim.scenario.validation import require_finite

Dist = Literal["uniform", "triangular"]
Grouping = Literal["evidence", "quantity"]


# Quantities whose evidence has a range but that an experiment cannot move on their own: the sectors'
# chainages tile the official length exactly, so a different length alone is an inconsistent scenario
# (its range documents the sources' disagreement; sector lengths carry the geometry). A user may still
# add them with an explicit range, and such points are then recorded as failed.
STRUCTURAL: frozenset[str] = frozenset({"border.official_length_km"})


class FactorError(ValueError):
    """A user-caused problem with factors (unknown name, bad range, bad experiment file)."""


@dataclass(frozen=True)
class Marginal:
    """One quantity's distribution over [low, high] (triangular: mode at ``mode``)."""

    quantity: str
    low: float
    high: float
    dist: Dist
    mode: float

    def ppf(self, u: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """Inverse CDF: a quantile in [0, 1] to a value in [low, high]."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        lo, hi = self.low, self.high
        if hi <= lo:
            return np.full_like(u, lo)
        if self.dist == "uniform":
            return np.asarray(lo + u * (hi - lo))
        c = (min(max(self.mode, lo), hi) - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (hi - lo) * c)
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - lo) * (1.0 - c))
        return np.asarray(np.where(u < c, left, right))

    def cdf(self, x: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """CDF (the inverse of :meth:`ppf`), used to place grid levels and fixed values."""
        x = np.clip(np.asarray(x, dtype=float), self.low, self.high)
        lo, hi = self.low, self.high
        if hi <= lo:
            return np.zeros_like(x)
        if self.dist == "uniform":
            return np.asarray((x - lo) / (hi - lo))
        m = min(max(self.mode, lo), hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.where(m > lo, (x - lo) ** 2 / ((hi - lo) * (m - lo)), 0.0)
            right = np.where(hi > m, 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - m)), 1.0)
        return np.asarray(np.where(x <= m, left, right))


@dataclass(frozen=True)
class Factor:
    """One axis of the uncertainty space: a quantile moves every member quantity together."""

    name: str
    members: tuple[Marginal, ...]
    sourced: bool
    kind: Literal["quantity", "evidence"]
    u_low: float = 0.0  # a narrowed group factor samples only this quantile range
    u_high: float = 1.0

    @property
    def is_quantity(self) -> bool:
        return self.kind == "quantity"

    def quantile(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """Design coordinates in [0, 1] to this factor's quantile (after any narrowing)."""
        return np.asarray(self.u_low + np.asarray(unit, dtype=float) * (self.u_high - self.u_low))

    def value(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """The factor's recorded value: the quantity's value, or the shared quantile of a group."""
        q = self.quantile(unit)
        return self.members[0].ppf(q) if self.is_quantity else q

    def overrides(self, unit: float) -> dict[str, float]:
        """Quantity overrides for one design coordinate."""
        q = float(self.quantile(np.asarray(unit)))
        return {m.quantity: float(m.ppf(q)) for m in self.members}

    def describe(self) -> dict[str, Any]:
        """JSON-able description (stored in the plan and the results' attrs)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "sourced": self.sourced,
            "u_low": self.u_low,
            "u_high": self.u_high,
            "members": [
                {
                    "quantity": m.quantity,
                    "low": m.low,
                    "high": m.high,
                    "dist": m.dist,
                    "mode": m.mode,
                }
                for m in self.members
            ],
        }


@dataclass(frozen=True)
class Space:
    """The factors an experiment varies, plus quantities held fixed at a value."""

    factors: tuple[Factor, ...]
    fixed: Mapping[str, float] = field(default_factory=dict)
    grouping: Grouping = "quantity"

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def __len__(self) -> int:
        return len(self.factors)

    def values(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """(points, k) unit-cube samples to (points, k) factor values."""
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        out = np.empty_like(unit)
        for j, f in enumerate(self.factors):
            out[:, j] = f.value(unit[:, j])
        return out

    def overrides(self, unit_row: Sequence[float] | NDArray[np.float64]) -> dict[str, float]:
        """All quantity overrides of one design point (fixed values included)."""
        out = dict(self.fixed)
        for f, u in zip(self.factors, unit_row, strict=True):
            out.update(f.overrides(float(u)))
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "factors": [f.describe() for f in self.factors],
            "fixed": dict(sorted(self.fixed.items())),
        }


# --------------------------------------------------------------------------------------------------
# building the space from a scenario


def _marginal(name: str, low: float, high: float, value: float, dist: str | None) -> Marginal:
    if dist in (None, "fixed"):
        dist = "triangular" if low < value < high else "uniform"
    if dist not in ("uniform", "triangular"):
        raise FactorError(f"{name}: distribution must be uniform or triangular, got {dist!r}")
    mode = min(max(value, low), high)
    return Marginal(name, float(low), float(high), dist, float(mode))  # type: ignore[arg-type]


def _parse_assignment(text: str, what: str) -> tuple[str, str]:
    if "=" not in text:
        raise FactorError(f"{what} {text!r}: expected NAME=VALUE")
    name, _, value = text.partition("=")
    return name.strip(), value.strip()


def parse_fix(items: Sequence[str]) -> dict[str, float]:
    """``name=value`` strings (``--fix``) to a mapping."""
    out: dict[str, float] = {}
    for text in items:
        name, value = _parse_assignment(text, "--fix")
        try:
            number = float(value)
        except ValueError:
            raise FactorError(f"--fix {text!r}: {value!r} is not a number") from None
        try:
            out[name] = require_finite(number, "the value")
        except ValueError as exc:
            raise FactorError(f"--fix {text!r}: {exc}") from None
    return out


def parse_range(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``name=lo:hi`` or ``name=lo:hi:dist`` strings (``--range``) to factor specs."""
    out: dict[str, dict[str, Any]] = {}
    for text in items:
        name, spec = _parse_assignment(text, "--range")
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise FactorError(f"--range {text!r}: expected NAME=LOW:HIGH[:uniform|triangular]")
        try:
            lo, hi = float(parts[0]), float(parts[1])
            require_finite(lo, "low"), require_finite(hi, "high")
        except ValueError:
            raise FactorError(f"--range {text!r}: low and high must be finite numbers") from None
        out[name] = {"low": lo, "high": hi, **({"dist": parts[2]} if len(parts) == 3 else {})}
    return out


@dataclass(frozen=True)
class Experiment:
    """What the user changed about the default space: ranges, fixed values, policies."""

    factors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fix: Mapping[str, float] = field(default_factory=dict)
    policies: tuple[str, ...] = ()

    def merged(self, other: Experiment) -> Experiment:
        """This experiment with ``other``'s entries taking precedence (command line over file)."""
        return Experiment(
            factors={**self.factors, **other.factors},
            fix={**self.fix, **other.fix},
            policies=other.policies or self.policies,
        )


def load_experiment(path: Path) -> Experiment:
    """Read a small YAML experiment file: ``factors: {name: {low, high, dist}}``, ``fix: {name:
    value}``, ``policies: [...]``."""
    try:  # bounded like a scenario file: size, UTF-8, no aliases, nesting
        data = load_plain(Path(path), "experiment file") or {}
    except UnsafeYamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise FactorError(f"{where}: {exc.message}") from None
    if not isinstance(data, dict):
        raise FactorError(f"{path}: an experiment file is a mapping (factors, fix, policies)")
    unknown = set(data) - {"factors", "fix", "policies"}
    if unknown:
        raise FactorError(f"{path}: unknown keys {sorted(unknown)} (known: factors, fix, policies)")
    factors = data.get("factors") or {}
    fix = data.get("fix") or {}
    policies = data.get("policies") or []
    if not isinstance(factors, dict) or not all(isinstance(v, dict) for v in factors.values()):
        raise FactorError(f"{path}: factors: expected {{name: {{low, high, dist}}}}")
    for name, spec in factors.items():
        bad = set(spec) - {"low", "high", "dist"}
        if bad or "low" not in spec or "high" not in spec:
            raise FactorError(f"{path}: factors.{name}: needs low and high (and optional dist)")
        try:
            for k in ("low", "high"):
                if isinstance(spec[k], bool):
                    raise ValueError(k)
                require_finite(float(spec[k]), k)
        except (TypeError, ValueError):
            msg = "low and high must be finite numbers"
            raise FactorError(f"{path}: factors.{name}: {msg}") from None
    if not isinstance(fix, dict):
        raise FactorError(f"{path}: fix: expected {{name: value}}")
    try:
        if any(isinstance(v, bool) for v in fix.values()):
            raise ValueError("a boolean is not a number")
        fix_f = {str(k): require_finite(float(v), str(k)) for k, v in fix.items()}
    except (TypeError, ValueError):
        raise FactorError(f"{path}: fix: values must be finite numbers") from None
    if not isinstance(policies, list):
        raise FactorError(f"{path}: policies: expected a list of policy names")
    return Experiment(
        factors={str(k): dict(v) for k, v in factors.items()},
        fix=fix_f,
        policies=tuple(str(p) for p in policies),
    )


def build_space(
    scenario: Scenario,
    *,
    grouping: Grouping = "quantity",
    experiment: Experiment | None = None,
) -> Space:
    """The uncertainty space of a scenario, with the user's ranges and fixed values applied.

    ``--range`` / ``factors`` on a quantity sets its distribution (adding it as a factor if its
    evidence gave no range); on a ledger key (evidence grouping) it narrows the shared quantile to a
    sub-range of [0, 1]. ``--fix`` on a quantity holds it at a value; on a ledger key it holds the
    group at a quantile in [0, 1].
    """
    exp = experiment or Experiment()
    ledger = scenario.evidence
    quantities = dict(scenario.quantities())
    ledger_keys = {q.evidence for q in quantities.values() if q.evidence is not None}

    def check_name(name: str, what: str) -> None:
        if name in quantities or (grouping == "evidence" and name in ledger_keys):
            return
        close = difflib.get_close_matches(name, [*quantities, *sorted(ledger_keys)], n=3)
        hint = f" (did you mean: {', '.join(close)})" if close else ""
        group_note = "" if grouping == "evidence" else " (ledger keys need --group-by evidence)"
        if grouping != "evidence" and name in ledger_keys:
            raise FactorError(f"{what}: {name!r} is a ledger key, not a quantity{group_note}")
        raise FactorError(
            f"{what}: unknown factor {name!r}{hint}; factor names are the quantities' dotted "
            "names (see `bordersim sources`)"
            + (" or ledger keys" if grouping == "evidence" else "")
        )

    for name in exp.factors:
        check_name(name, "range")
    for name in exp.fix:
        check_name(name, "fix")
    both = set(exp.factors) & set(exp.fix)
    if both:
        raise FactorError(f"{sorted(both)[0]!r} is both fixed and given a range")

    # per-quantity marginals, with user ranges applied
    marginals: dict[str, Marginal] = {}
    for name, q in quantities.items():
        spec = exp.factors.get(name)
        if spec is not None:
            lo, hi = float(spec["low"]), float(spec["high"])
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
                raise FactorError(f"range {name}: low {lo:g} must not exceed high {hi:g}")
            marginals[name] = _marginal(name, lo, hi, q.value, spec.get("dist"))
            continue
        lo, hi = q.bounds(ledger)
        if lo == hi or name in STRUCTURAL:
            continue
        marginals[name] = _marginal(name, lo, hi, q.value, q.distribution(ledger))

    fixed: dict[str, float] = {}
    group_fix: dict[str, float] = {}
    for name, value in exp.fix.items():
        if name in quantities:
            fixed[name] = value
            marginals.pop(name, None)
        else:
            if not 0.0 <= value <= 1.0:
                raise FactorError(f"fix {name}: a ledger key is fixed at a quantile in [0, 1]")
            group_fix[name] = value

    def sourced(name: str) -> bool:
        return quantities[name].is_sourced(ledger)

    factors: list[Factor] = []
    if grouping == "quantity":
        for name, m in marginals.items():
            factors.append(Factor(name, (m,), sourced(name), "quantity"))
    else:
        groups: dict[str, list[Marginal]] = {}
        for name, m in marginals.items():
            key = quantities[name].evidence
            # a quantity with inline evidence, or one the user added a range to outside its
            # ledger entry's spread, is its own factor
            lo, hi = quantities[name].bounds(ledger)
            added = name in exp.factors and (lo == hi or name in STRUCTURAL)
            groups.setdefault(key if key is not None and not added else name, []).append(m)
        for key, members in groups.items():
            is_key = key in ledger_keys and key not in quantities
            src = bool(ledger[key].claims) if is_key else any(sourced(m.quantity) for m in members)
            if key in group_fix:
                for m in members:
                    fixed[m.quantity] = float(m.ppf(group_fix[key]))
                continue
            f = Factor(key, tuple(members), src, "evidence" if is_key else "quantity")
            if len(members) == 1 and not is_key:
                f = replace(f, kind="quantity")
            spec = exp.factors.get(key)
            if spec is not None and is_key:
                lo, hi = float(spec["low"]), float(spec["high"])
                if not 0.0 <= lo <= hi <= 1.0:
                    raise FactorError(
                        f"range {key}: a ledger key's range is a quantile sub-range within [0, 1]"
                    )
                f = replace(f, u_low=lo, u_high=hi)
            factors.append(f)
        for key in group_fix:
            if key not in groups:
                raise FactorError(f"fix {key}: ledger key has no uncertain quantity to fix")
    if not factors:
        raise FactorError("no uncertain factors left to vary (everything is fixed or a point)")
    return Space(tuple(factors), fixed, grouping)

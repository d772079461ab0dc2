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

A third kind, ``posterior``, is one factor for the quantities a calibration inferred: its coordinate
picks a row of the posterior sample (row ``floor(u * rows)``), so they move jointly, as the
observations tie them (see :func:`bordersim.experiments.posterior.with_posterior`).

Policy levers are not factors: they are a separate axis of the sweep.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from bordersim.experiments.experiment_file import (
    Experiment,
    FactorError,
    load_experiment,
    parse_fix,
    parse_range,
)
from bordersim.scenario.schema import Scenario

__all__ = [
    "STRUCTURAL",
    "Experiment",
    "Factor",
    "FactorError",
    "Marginal",
    "Space",
    "build_space",
    "load_experiment",
    "parse_fix",
    "parse_range",
]

Dist = Literal["uniform", "triangular"]
Grouping = Literal["evidence", "quantity"]


# Quantities whose evidence has a range but that an experiment cannot move on their own: the sectors'
# chainages tile the official length exactly, so a different length alone is an inconsistent scenario
# (its range documents the sources' disagreement; sector lengths carry the geometry). A user may still
# add them with an explicit range, and such points are then recorded as failed.
STRUCTURAL: frozenset[str] = frozenset({"border.official_length_km"})


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
    kind: Literal["quantity", "evidence", "posterior"]
    u_low: float = 0.0  # a narrowed group factor samples only this quantile range
    u_high: float = 1.0
    # kind "posterior": the sample (rows x members, in the members' order) and its SHA-256
    rows: NDArray[np.float64] | None = field(default=None, compare=False, repr=False)
    rows_sha256: str | None = None
    origin: str | None = None  # kind "posterior": the calibration (directory or built-in name)

    @property
    def is_quantity(self) -> bool:
        return self.kind == "quantity"

    def quantile(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """Design coordinates in [0, 1] to this factor's quantile (after any narrowing)."""
        return np.asarray(self.u_low + np.asarray(unit, dtype=float) * (self.u_high - self.u_low))

    def row(self, unit: NDArray[np.float64]) -> NDArray[np.intp]:
        """A posterior factor's row of the sample for each design coordinate."""
        assert self.rows is not None, "only a posterior factor has rows"
        n = self.rows.shape[0]
        return np.minimum((self.quantile(unit) * n).astype(np.intp), n - 1)

    def value(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """The factor's recorded value: the quantity's value, the shared quantile of a group, or
        a posterior factor's row number."""
        q = self.quantile(unit)
        if self.kind == "posterior":
            return self.row(unit).astype(float)
        return self.members[0].ppf(q) if self.is_quantity else q

    def overrides(self, unit: float) -> dict[str, float]:
        """Quantity overrides for one design coordinate."""
        if self.kind == "posterior":
            assert self.rows is not None
            r = self.rows[int(self.row(np.asarray(unit)))]
            return {m.quantity: float(v) for m, v in zip(self.members, r, strict=True)}
        q = float(self.quantile(np.asarray(unit)))
        return {m.quantity: float(m.ppf(q)) for m in self.members}

    def describe(self) -> dict[str, Any]:
        """JSON-able description (stored in the plan and the results' attrs)."""
        out = self._describe()
        if self.kind == "posterior":  # the sample itself is in the calibration directory
            out["rows"] = 0 if self.rows is None else int(self.rows.shape[0])
            out["rows_sha256"] = self.rows_sha256
            out["calibration"] = self.origin
        return out

    def _describe(self) -> dict[str, Any]:
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

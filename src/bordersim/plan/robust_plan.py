"""A plan robust to the uncertainty: the allocation that minimises the worst case (or a quantile) of
the adversary's value over draws of the uncertain inputs, and what that robustness costs.

The draws themselves are made above this layer (the api draws the ledger's ranges with
:mod:`bordersim.experiments.uncertainty` and builds one :class:`~bordersim.plan.armed_plan.Terms`
per draw); here they are only problems. Both plans are solved the same way
(:func:`~bordersim.plan.armed_plan.solve_mixed`: a MILP on HiGHS over the same grid of guard levels,
the unspent guards water-filled on the nominal covert values):

- nominal plan: minimise the nominal ``J``;
- robust plan: minimise ``max_d J_d`` (``quantile=None``) or the ``q``-quantile of ``J_d``.

Price: ``J_nominal(robust plan) - J_nominal(nominal plan)``, the loss at nominal values (>= 0: the
nominal plan is the better, at nominal values, of the nominal MILP's plan and the robust plan -- the
water-filling refinement, which the grid does not see, can make the robust one better); gain:
``agg_d J_d(nominal plan) - agg_d J_d(robust plan)`` (the improvement in the worst case / quantile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bordersim.plan.armed_plan import MixedPlan, Terms, solve_mixed

FloatArray = NDArray[np.float64]

__all__ = ["RobustPlan", "solve_robust"]


@dataclass(frozen=True)
class RobustPlan:
    """The robust and the nominal allocation over the same draws, and the price of robustness."""

    robust: MixedPlan
    nominal: MixedPlan
    quantile: float | None  # None: the worst case
    nominal_at_nominal: float  # J_nominal of the nominal plan
    robust_at_nominal: float  # J_nominal of the robust plan
    nominal_over_draws: float  # worst case / quantile of J_d for the nominal plan
    robust_over_draws: float  # and for the robust plan

    @property
    def price(self) -> float:
        """Loss at nominal values (per covert attempt, the planner's objective unit)."""
        return self.robust_at_nominal - self.nominal_at_nominal

    @property
    def gain(self) -> float:
        """Improvement of the worst case / quantile over the draws."""
        return self.nominal_over_draws - self.robust_over_draws

    def to_dict(self, sector_ids: Sequence[str]) -> dict[str, object]:
        """JSON-able summary (the ``robust`` key of ``optimize --robust --json``)."""
        return {
            "draws": int(self.robust.draw_values.size),
            "criterion": "worst" if self.quantile is None else f"quantile {self.quantile:g}",
            "method": self.robust.method,
            "recommended": {
                s: float(g) for s, g in zip(sector_ids, self.robust.allocation, strict=True)
            },
            "nominal_plan": {
                s: float(g) for s, g in zip(sector_ids, self.nominal.allocation, strict=True)
            },
            "objective_nominal_plan": self.nominal_at_nominal,
            "objective_robust_plan": self.robust_at_nominal,
            "over_draws_nominal_plan": self.nominal_over_draws,
            "over_draws_robust_plan": self.robust_over_draws,
            "price": self.price,
            "gain": self.gain,
        }


def _aggregate(vals: FloatArray, quantile: float | None) -> float:
    if quantile is None:
        return float(vals.max())
    return float(np.sort(vals)[int(np.ceil(quantile * vals.size - 1e-9)) - 1])


def solve_robust(
    nominal: Terms,
    draws: Sequence[Terms],
    budget: float,
    lower: FloatArray,
    *,
    quantile: float | None = None,
    integer: bool = False,
) -> RobustPlan:
    """The robust plan over ``draws`` and the nominal plan, with the price (see the module docstring).

    Raises:
        ValueError: fewer than 2 draws, or a quantile outside (0, 1].
    """
    if len(draws) < 2:
        raise ValueError("a robust plan needs at least 2 draws")
    if quantile is not None and not 0.0 < quantile <= 1.0:
        raise ValueError(f"the robust quantile must lie in (0, 1], got {quantile:g}")
    nom = solve_mixed([nominal], budget, lower, integer=integer)
    rob = solve_mixed(
        list(draws), budget, lower, integer=integer, quantile=quantile, refine=nominal.inputs
    )
    if float(nominal.value(rob.allocation)) < float(nominal.value(nom.allocation)):
        # the refinement made the robust plan nominally better: it is then the nominal plan too
        nom = MixedPlan(
            rob.allocation,
            np.array([float(nominal.value(rob.allocation))]),
            float(nominal.value(rob.allocation)),
            rob.method + " (also best nominally)",
        )
    over_nom = np.array([float(t.value(nom.allocation)) for t in draws])
    return RobustPlan(
        robust=rob,
        nominal=nom,
        quantile=quantile,
        nominal_at_nominal=float(nominal.value(nom.allocation)),
        robust_at_nominal=float(nominal.value(rob.allocation)),
        nominal_over_draws=_aggregate(over_nom, quantile),
        robust_over_draws=_aggregate(rob.draw_values, quantile),
    )

"""`bordersim optimize`'s lines on armed incursions and on the robust plan (split from
:mod:`bordersim.cli.optimize_cmd` to keep that module small)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console

from bordersim.report.uncertainty_text import posterior_words

if TYPE_CHECKING:
    from bordersim.plan.robust_plan import RobustPlan
    from bordersim.plan.scenario_plan import ScenarioPlan

__all__ = ["print_armed"]


def print_armed(
    console: Console,
    plan: ScenarioPlan,
    robust: RobustPlan | None,
    posterior: Mapping[str, Any] | None = None,
) -> None:
    """The breach weight, the minimum per sector, modelled breaches; the robust plan's price, and
    the calibration its draws came from (``posterior``: the summary's provenance)."""
    lo = plan.min_guards
    if plan.breach_weight > 0 or (lo is not None and lo.any()):
        floor = "none" if lo is None or not lo.any() else f"{lo.min():,.0f}-{lo.max():,.0f}"
        console.print(
            f"Armed incursions: breach weight {plan.breach_weight:g} undetected crossings; "
            f"minimum guards per sector {floor}; modelled breaches per year "
            f"{plan.breaches_before:.3f} -> [bold]{plan.breaches_after:.3f}[/]."
        )
    if robust is None:
        return
    crit = "worst case" if robust.quantile is None else f"{robust.quantile:g}-quantile"
    console.print(
        f"Robust plan over {robust.robust.draw_values.size} draws ({crit}): objective over the draws "
        f"{robust.nominal_over_draws:.4f} (nominal plan) -> [bold]{robust.robust_over_draws:.4f}[/]"
        f" (gain {robust.gain:.4f}); price at nominal values {robust.price:.4f} "
        f"({robust.nominal_at_nominal:.4f} -> {robust.robust_at_nominal:.4f})."
    )
    ids = plan.sector_ids
    console.print(
        "Robust guards per sector: "
        + ", ".join(f"{s} {g:,.0f}" for s, g in zip(ids, robust.robust.allocation, strict=True))
    )
    if posterior is not None:
        console.print(f"The robust plan's draws: {posterior_words(posterior)}.", highlight=False)

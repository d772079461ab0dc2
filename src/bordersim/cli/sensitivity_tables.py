"""`bordersim sensitivity`'s results: the ranked indices, the noise share, and their table.

The experiments layer (SALib, the sweep's metrics) is imported inside the functions: the command
line's start-up should not pay for NumPy and SciPy.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.table import Table

from bordersim.cli.common import console, err_console, fail

if TYPE_CHECKING:  # the experiments layer imports NumPy: only for the type checker
    from bordersim.experiments.factors import Space
    from bordersim.scenario.schema import Scenario

__all__ = ["indices", "mark_calibrated", "noise_share_of", "print_sensitivity"]


def noise_share_of(ds: Any, plan: Any, policy: str, actor: str, name: str, y: Any) -> float:
    """The share of the metric's variance across points that replication noise explains (from
    two half-samples of each point's replications); NaN when it cannot be estimated."""
    import numpy as np  # lazy: see the module top

    from bordersim.experiments.sensitivity import noise_share
    from bordersim.experiments.sweep import point_metrics

    covert = ds["covert"].sel(policy=policy).values  # (point, replication, actor, outcome)
    a_idx = [*plan.actors, "all"].index(actor)
    half = plan.replications // 2
    if half < 1:
        return float("nan")
    y1 = point_metrics(covert[:, :half], name)[:, a_idx]
    y2 = point_metrics(covert[:, half : 2 * half], name)[:, a_idx]
    if np.all(np.isfinite(y1)) and np.all(np.isfinite(y2)):
        return float(noise_share((y1, y2), y))
    return float("nan")


def indices(method: str, plan: Any, space: Space, y: Any, seed: int, summary: Any) -> list[Any]:
    """The sensitivity indices, ranked, each with the quantities of its factor; exit 2 when the
    design cannot give them."""
    from bordersim.experiments.sensitivity import SensitivityError, analyze  # lazy: module top

    try:
        rows = analyze(
            method, space.names, plan.unit_samples, y,
            sourced=[f.sourced for f in space.factors], seed=seed,
        )  # fmt: skip
    except SensitivityError as exc:
        for msg, k in summary.failure_reasons().items():
            err_console.print(f"failed {k} points: {msg}", highlight=False)
        fail(str(exc))
    kinds = {f.name: f for f in space.factors}
    for row in rows:
        row["quantities"] = [m.quantity for m in kinds[row["factor"]].members]
        if kinds[row["factor"]].kind == "posterior":  # only then, so other rows keep their keys
            row["posterior_factor"] = True
    return rows


def mark_calibrated(rows: list[dict[str, Any]], sc: Scenario) -> None:
    """Give each row ``calibrated``: the observations a calibration held any of its factor's
    quantities against (empty when none), and ``calibrated_quantities``: which of them. ``sourced``
    is left as it is: a calibration is no source, and the prior is what the evidence gives."""
    quantities = dict(sc.quantities())
    for row in rows:
        cited: list[str] = []
        names: list[str] = []
        for name in row["quantities"]:
            block = quantities[name].calibration(sc.evidence)
            if block is not None:
                names.append(name)
                cited += [o for o in block.observations if o not in cited]
        row["calibrated"] = cited
        row["calibrated_quantities"] = names


def _evidence_cell(r: dict[str, Any]) -> str:
    """sourced, assumed, or calibrated (all or some of the factor's quantities) with what its
    prior rests on."""
    prior = "sourced" if r["sourced"] else "assumed"
    if r.get("posterior_factor"):  # every member drawn from the calibration's posterior
        return "[green]calibrated[/] (posterior)"
    if r.get("calibrated"):
        k, n = len(r.get("calibrated_quantities", ())), len(r.get("quantities", ()))
        share = "" if k >= n else f" {k} of {n}"
        return f"[green]calibrated{share}[/] ({prior})"
    return prior if r["sourced"] else "[yellow]assumed[/]"


def print_sensitivity(
    method: str, metric: str, policy: str, rows: list[dict[str, Any]], share: float
) -> None:
    """The ranked indices as a table, what to go and find out, and the replication-noise share."""
    table = Table(
        title=f"Sensitivity of {metric} ({policy}), {method}: 95% bootstrap CIs",
        title_justify="left",
    )
    table.add_column("rank", justify="right")
    table.add_column("factor")
    if method == "sobol":
        table.add_column("first order S1", justify="right")
        table.add_column("total ST", justify="right")
    else:
        table.add_column("mu*", justify="right")
        table.add_column("sigma", justify="right")
    table.add_column("evidence")
    for r in rows:
        ev = _evidence_cell(r)
        if method == "sobol":
            cells = (f"{r['S1']:.3f} ± {r['S1_conf']:.3f}", f"{r['ST']:.3f} ± {r['ST_conf']:.3f}")
        else:
            cells = (f"{r['mu_star']:.4g} ± {r['mu_star_conf']:.2g}", f"{r['sigma']:.4g}")
        table.add_row(str(r["rank"]), r["factor"], *cells, ev)
    console.print(table)
    key = "ST" if method == "sobol" else "mu_star"
    conf = "ST_conf" if method == "sobol" else "mu_star_conf"
    find_out = [
        r["factor"]
        for r in rows
        if not r["sourced"] and not r.get("posterior_factor") and r[key] - r[conf] > 0
    ][:5]
    if find_out:
        console.print(
            "[bold]What to go and find out[/] (assumptions that matter most): "
            + ", ".join(find_out)
        )
    if math.isfinite(share):
        console.print(
            f"replication noise is {100 * share:.1f}% of the metric's variance across points"
            + (" -- raise --replications" if share > 0.1 else "")
        )

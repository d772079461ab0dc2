"""`bordersim optimize --game FILE` for an attacker-types (Bayesian Stackelberg) game file.

Several attacker types at once (smugglers, infiltrators, armed groups, with a prior): solved
exactly by the DOBSS MILP on HiGHS (:func:`bordersim.plan.bayesian.solve_bayesian_milp`);
``--check`` cross-checks it by enumerating type-response profiles
(:func:`~bordersim.plan.bayesian.solve_bayesian_enumeration`) when the game is small enough
(at most :data:`~bordersim.plan.bayesian.MAX_PROFILES` profiles). A one-type file never gets here:
the optimize command routes it to ORIGAMI, so it gives exactly the one-attacker answer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from bordersim.cli.common import console
from bordersim.engine.results import clean_for_json
from bordersim.plan.bayesian import (
    MAX_PROFILES,
    BayesianGame,
    solve_bayesian_enumeration,
    solve_bayesian_milp,
)

__all__ = ["solve_bayesian_file"]


def _check(g: BayesianGame, milp_value: float) -> dict[str, Any]:
    """The enumeration reference and whether it agrees (or why it was not run)."""
    if g.n_targets**g.n_types > MAX_PROFILES:
        return {
            "skipped": f"{g.n_targets}**{g.n_types} type-response profiles is more than "
            f"{MAX_PROFILES} to enumerate"
        }
    ref = solve_bayesian_enumeration(g)
    scale = max(1.0, abs(milp_value))
    diff = abs(ref.defender_utility - milp_value)
    return {
        **ref.to_dict(),
        "max_utility_difference": diff,
        "agree": diff <= 1e-6 * scale,
    }


def solve_bayesian_file(path: Path, g: BayesianGame, check: bool, json_out: bool) -> None:
    """Solve, print the coverage, the defender's expected utility and each type's target."""
    sol = solve_bayesian_milp(g)
    data: dict[str, Any] = {"game": str(path), "resources": g.resources, **sol.to_dict()}
    data["prior"] = {t.name: t.probability for t in g.types}
    if check:
        data["check"] = _check(g, sol.defender_utility)
    if json_out:
        text = json.dumps(clean_for_json(data), indent=2, sort_keys=True, allow_nan=False)
        sys.stdout.write(text + "\n")
        return
    t = Table(
        title=f"{path.name}: {g.n_targets} targets, {g.n_types} attacker types, "
        f"{g.resources:g} resources (Bayesian Stackelberg, DOBSS MILP)",
        title_justify="left",
    )
    t.add_column("target")
    t.add_column("coverage", justify="right")
    t.add_column("attacked by")
    for k, name in enumerate(sol.names):
        who = [sol.type_names[j] for j, a in enumerate(sol.attacked) if a == k]
        t.add_row(name, f"{sol.coverage[k]:.4f}", ", ".join(who))
    console.print(t)
    for j, name in enumerate(sol.type_names):
        console.print(
            f"  {name} (p = {g.types[j].probability:g}) attacks [bold]{sol.names[sol.attacked[j]]}"
            f"[/]: defender {sol.type_defender_utilities[j]:.6g}, attacker "
            f"{sol.attacker_utilities[j]:.6g}"
        )
    console.print(f"defender's expected utility over the prior: {sol.defender_utility:.6g}")
    chk = data.get("check")
    if chk is not None and "skipped" in chk:
        console.print(f"check skipped: {chk['skipped']}")
    elif chk is not None:
        console.print(
            f"enumeration: defender {chk['defender_utility']:.6g} -> "
            + ("[green]agree[/]" if chk["agree"] else "[red]DISAGREE[/]")
            + f" (difference {chk['max_utility_difference']:.2g})"
        )

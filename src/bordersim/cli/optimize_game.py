"""`bordersim optimize --game FILE`: a security-game file solved and printed (split from
:mod:`bordersim.cli.optimize_cmd` to keep that module small; the code moved unchanged)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from bordersim.cli.common import console, fail

if TYPE_CHECKING:
    from bordersim.plan.stackelberg import StackelbergSolution

__all__ = ["solve_game_file"]


def dumps(data: Any) -> str:
    """JSON as optimize prints it (the run folder's writer, with a final newline)."""
    # importing bordersim.engine loads xarray (seconds): not at start-up, so --help stays fast
    from bordersim.engine.rundir import dumps_json

    return dumps_json(data) + "\n"


def solve_game_file(path: Path, check: bool, json_out: bool) -> None:
    """Solve a one-attacker (ORIGAMI, ``check``: + multiple LPs) or Bayesian (DOBSS) game file."""
    # the planners import scipy.optimize (HiGHS), slow to import: only this branch needs them
    from bordersim.cli.game_bayes import solve_bayesian_file
    from bordersim.plan.bayesian import BayesianGame
    from bordersim.plan.bayesian_files import load_any_game
    from bordersim.plan.stackelberg import GameFileError, solve_multiple_lps, solve_origami

    try:
        g = load_any_game(path)  # either format (h-robust: attacker types)
    except GameFileError as exc:
        fail(str(exc))
    if isinstance(g, BayesianGame):  # several types: DOBSS; one type: today's ORIGAMI answer
        if g.n_types > 1:
            solve_bayesian_file(path, g, check, json_out)
            return
        g = g.type_game(0)
    sol = solve_origami(g)
    ref = solve_multiple_lps(g) if check else None
    data: dict[str, Any] = _solution_dict(sol)
    data["game"] = str(path)
    data["resources"] = g.resources
    if ref is not None:
        scale = max(1.0, abs(sol.defender_utility), abs(sol.attacker_utility))
        diff = max(
            abs(sol.defender_utility - ref.defender_utility),
            abs(sol.attacker_utility - ref.attacker_utility),
        )
        data["check"] = {
            **_solution_dict(ref),
            "max_utility_difference": diff,
            "agree": diff <= 1e-6 * scale,
        }
    if json_out:
        sys.stdout.write(dumps(data))
        return
    t = Table(title=f"{path.name}: {g.n_targets} targets, {g.resources:g} resources (ORIGAMI)")
    t.add_column("target")
    t.add_column("coverage", justify="right")
    if ref is not None:
        t.add_column("coverage (multiple LPs)", justify="right")
    t.add_column("in attack set")
    for k, name in enumerate(sol.names):
        row = [name, f"{sol.coverage[k]:.4f}"]
        if ref is not None:
            row.append(f"{ref.coverage[k]:.4f}")
        mark = "attacked" if k == sol.target else ("yes" if k in sol.attack_set else "")
        t.add_row(*row, mark)
    console.print(t)
    console.print(
        f"attack set: {', '.join(sol.names[k] for k in sol.attack_set)}; attacker's target: "
        f"[bold]{sol.target_name}[/]; defender utility {sol.defender_utility:.6g}, attacker "
        f"utility {sol.attacker_utility:.6g}; unused resources {sol.unused:.4g}"
    )
    if ref is not None:
        ok = data["check"]["agree"]
        console.print(
            f"multiple LPs: defender {ref.defender_utility:.6g}, attacker "
            f"{ref.attacker_utility:.6g} -> "
            + ("[green]agree[/]" if ok else "[red]DISAGREE[/]")
            + f" (max difference {data['check']['max_utility_difference']:.2g})"
        )


def _solution_dict(sol: StackelbergSolution) -> dict[str, Any]:
    return {
        "method": sol.method,
        "coverage": {n: float(c) for n, c in zip(sol.names, sol.coverage, strict=True)},
        "attack_set": [sol.names[k] for k in sol.attack_set],
        "target": sol.target_name,
        "defender_utility": sol.defender_utility,
        "attacker_utility": sol.attacker_utility,
        "unused": sol.unused,
    }

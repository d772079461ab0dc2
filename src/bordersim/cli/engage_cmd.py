"""`bordersim engage`: one outpost against one attack, the worked historic engagement.

A thin layer over :func:`bordersim.api.engage` (see there for the model and the defaults: the
13 July 1993 attack on the 12th outpost of the Moskovsky detachment).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from bordersim import api
from bordersim.cli.common import JsonOpt, console, fail
from bordersim.scenario.options import finite_option

__all__ = ["engage"]


def _span(value: float | None, lo: float, hi: float) -> tuple[float, float]:
    return (value, value) if value is not None else (lo, hi)


def _print(data: dict[str, Any]) -> None:
    def span(key: str) -> str:
        lo, hi = data[key]
        return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g} (uniform)"

    console.print(
        f"[bold]{data['defenders']:g} defenders[/] behind fortification x{span('fortification')} "
        f"against {span('attackers')} attackers; kill rates alpha {span('alpha')}, beta "
        f"{span('beta')} per capita per hour; break points {data['break_defender']:g} / "
        f"{data['break_attacker']:g}, time limit {data['time_limit_hours']:g} h; "
        f"{data['samples']:,} samples, seed {data['seed']}"
    )
    table = Table(title="Outcome (mean, +- SE)", title_justify="left")
    for col in ("reinforcement", "P(repelled)", "P(breach)", "P(undecided)",
                "defender losses", "attacker losses", "P(losses >= 25)"):  # fmt: skip
        table.add_column(col, justify="left" if col == "reinforcement" else "right")
    for r in data["rows"]:
        h = r["reinforcement_after_hours"]
        table.add_row(
            "none" if h is None else f"{data['reinforcement_size']:g} after {h:g} h",
            f"{r['repelled']:.3f} +- {r['repelled_se']:.3f}",
            f"{r['breach']:.3f} +- {r['breach_se']:.3f}",
            f"{r['undecided']:.3f} +- {r['undecided_se']:.3f}",
            f"{r['defender_losses']:.1f} +- {r['defender_losses_se']:.1f}",
            f"{r['attacker_losses']:.1f}",
            f"{r['p_losses_at_least_historic']:.3f}",
        )
    console.print(table)
    console.print(
        f"historical: {data['historic_defenders_killed']:g} defenders killed (timeline.csv, "
        f"1993-07-13); the model's mean defender losses without reinforcement are "
        f"{data['rows'][0]['defender_losses']:.1f} (losses count killed and put out of action)."
    )


def engage(
    defenders: Annotated[
        float,
        typer.Option(min=0, max=1e7, callback=finite_option, help="garrison at the first shot"),
    ] = 48,
    attackers: Annotated[
        float | None,
        typer.Option(
            min=0, max=1e7, callback=finite_option, help="attacker strength (default: 200-250)"
        ),
    ] = None,
    attackers_low: Annotated[float, typer.Option(min=0, max=1e7, callback=finite_option)] = 200,
    attackers_high: Annotated[float, typer.Option(min=0, max=1e7, callback=finite_option)] = 250,
    alpha: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=1e3,
            callback=finite_option,
            help="attackers' kill rate /h (default: 0.005-0.02)",
        ),
    ] = None,
    beta: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=1e3,
            callback=finite_option,
            help="defenders' kill rate /h (default: 0.025-0.1)",
        ),
    ] = None,
    fortification: Annotated[
        float | None,
        typer.Option(
            min=0, max=1e3, callback=finite_option, help="multiplier on beta (default: 1.5-5)"
        ),
    ] = None,
    break_defender: Annotated[float, typer.Option(min=0, max=1, callback=finite_option)] = 0.3,
    break_attacker: Annotated[float, typer.Option(min=0, max=1, callback=finite_option)] = 0.5,
    time_limit: Annotated[
        float, typer.Option(min=0, max=1e5, callback=finite_option, help="hours")
    ] = 24.0,
    reinforcement_size: Annotated[
        float, typer.Option(min=0, max=1e7, callback=finite_option)
    ] = 40.0,
    reinforcement_after: Annotated[
        list[float] | None,
        typer.Option(
            min=0, max=1e5, callback=finite_option, help="hours; repeat or give several: 1 3 6"
        ),
    ] = None,
    samples: Annotated[int, typer.Option(min=2, max=10**6)] = 10000,
    seed: Annotated[int, typer.Option(min=0)] = 1993,
    json_out: JsonOpt = False,
) -> None:
    """Resolve one outpost fight (default: the 12th outpost, 13 July 1993) by Lanchester's
    square law, with and without a reinforcement; compare with the 25 defenders killed."""
    if attackers_low > attackers_high:
        fail("--attackers-low must not exceed --attackers-high")
    result = api.engage(
        defenders=defenders,
        attackers=_span(attackers, attackers_low, attackers_high),
        alpha=_span(alpha, 0.005, 0.02),
        beta=_span(beta, 0.025, 0.1),
        fortification=_span(fortification, 1.5, 5.0),
        break_defender=break_defender,
        break_attacker=break_attacker,
        time_limit=time_limit,
        reinforcement_size=reinforcement_size,
        reinforcement_after=reinforcement_after or [1.0, 3.0, 6.0],
        samples=samples,
        seed=seed,
    )
    data = result.summary()
    if json_out:
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        return
    _print(data)

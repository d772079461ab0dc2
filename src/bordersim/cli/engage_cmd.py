"""`bordersim engage`: one outpost against one attack, the worked historic engagement.

The default is the 13 July 1993 attack on the 12th outpost of the Moskovsky detachment (timeline: 48
defenders vs ~200-250 attackers; 25 killed). Attacker strength is drawn uniformly over the given range
and the kill rates uniformly over their assumed ranges (the built-in scenarios' ``incursions``
section), so the outcome probabilities carry that uncertainty; then the same samples are resolved
again with a reinforcement arriving after each of the given hours.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import numpy as np
import typer

from bordersim.scenario.options import finite_option

HISTORIC_DEFENDERS_KILLED = 25.0  # timeline.csv, 1993-07-13: 22 border guards + 3 from the 201st


def _range(value: float | None, lo: float, hi: float) -> tuple[float, float]:
    return (value, value) if value is not None else (lo, hi)


def engage_table(
    *,
    defenders: float,
    attackers: tuple[float, float],
    alpha: tuple[float, float],
    beta: tuple[float, float],
    fortification: tuple[float, float],
    break_defender: float,
    break_attacker: float,
    time_limit: float,
    reinforcement_size: float,
    reinforcement_after: list[float],
    samples: int,
    seed: int,
) -> dict[str, Any]:
    """Outcome probabilities without and with a reinforcement, as plain data (the JSON output)."""
    from bordersim.model.engagement import OutcomeProbabilities, resolve_engagements

    rng = np.random.default_rng(seed)
    n = samples
    att = rng.uniform(*attackers, size=n)
    a = rng.uniform(*alpha, size=n)
    b = rng.uniform(*beta, size=n)
    f = rng.uniform(*fortification, size=n)

    def run(after: float | None) -> dict[str, Any]:
        times = np.full((n, 1), np.inf if after is None else after)
        sizes = np.full((n, 1), 0.0 if after is None else reinforcement_size)
        res = resolve_engagements(
            defenders, att, a, b, times, sizes, fortification=f,
            break_defender=break_defender, break_attacker=break_attacker,
            time_limit_hours=time_limit,
        )  # fmt: skip
        p = OutcomeProbabilities.from_result(res)
        losses = res.defender_losses
        return {
            "reinforcement_after_hours": after,
            "repelled": p.repelled,
            "repelled_se": p.repelled_se,
            "breach": p.breach,
            "breach_se": p.breach_se,
            "undecided": p.undecided,
            "undecided_se": p.undecided_se,
            "defender_losses": float(losses.mean()),
            "defender_losses_se": float(losses.std(ddof=1) / np.sqrt(n)),
            "attacker_losses": float(res.attacker_losses.mean()),
            "mean_duration_hours": p.mean_duration_hours,
            "p_losses_at_least_historic": float((losses >= HISTORIC_DEFENDERS_KILLED).mean()),
        }

    return {
        "defenders": defenders,
        "attackers": list(attackers),
        "alpha": list(alpha),
        "beta": list(beta),
        "fortification": list(fortification),
        "break_defender": break_defender,
        "break_attacker": break_attacker,
        "time_limit_hours": time_limit,
        "reinforcement_size": reinforcement_size,
        "samples": samples,
        "seed": seed,
        "historic_defenders_killed": HISTORIC_DEFENDERS_KILLED,
        "rows": [run(None), *(run(h) for h in reinforcement_after)],
    }


def register(app: typer.Typer) -> None:
    """Add the `engage` command to the app."""

    @app.command()
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
        attackers_high: Annotated[
            float, typer.Option(min=0, max=1e7, callback=finite_option)
        ] = 250,
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
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Resolve one outpost fight (default: the 12th outpost, 13 July 1993) by Lanchester's
        square law, with and without a reinforcement; compare with the 25 defenders killed."""
        from rich.table import Table

        from bordersim.cli import app as app_module

        if attackers_low > attackers_high:
            app_module.fail("--attackers-low must not exceed --attackers-high")
        after = reinforcement_after if reinforcement_after else [1.0, 3.0, 6.0]
        data = engage_table(
            defenders=defenders,
            attackers=_range(attackers, attackers_low, attackers_high),
            alpha=_range(alpha, 0.005, 0.02),
            beta=_range(beta, 0.025, 0.1),
            fortification=_range(fortification, 1.5, 5.0),
            break_defender=break_defender,
            break_attacker=break_attacker,
            time_limit=time_limit,
            reinforcement_size=reinforcement_size,
            reinforcement_after=after,
            samples=samples,
            seed=seed,
        )
        if json_out:
            sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
            return
        con = app_module.console

        def span(key: str) -> str:
            lo, hi = data[key]
            return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g} (uniform)"

        con.print(
            f"[bold]{defenders:g} defenders[/] behind fortification x{span('fortification')} "
            f"against {span('attackers')} attackers; kill rates alpha {span('alpha')}, beta "
            f"{span('beta')} per capita per hour; break points {break_defender:g} / "
            f"{break_attacker:g}, time limit {time_limit:g} h; {samples:,} samples, seed {seed}"
        )
        table = Table(title="Outcome (mean, +- SE)", title_justify="left")
        for col in ("reinforcement", "P(repelled)", "P(breach)", "P(undecided)",
                    "defender losses", "attacker losses", "P(losses >= 25)"):  # fmt: skip
            table.add_column(col, justify="left" if col == "reinforcement" else "right")
        for r in data["rows"]:
            h = r["reinforcement_after_hours"]
            table.add_row(
                "none" if h is None else f"{reinforcement_size:g} after {h:g} h",
                f"{r['repelled']:.3f} +- {r['repelled_se']:.3f}",
                f"{r['breach']:.3f} +- {r['breach_se']:.3f}",
                f"{r['undecided']:.3f} +- {r['undecided_se']:.3f}",
                f"{r['defender_losses']:.1f} +- {r['defender_losses_se']:.1f}",
                f"{r['attacker_losses']:.1f}",
                f"{r['p_losses_at_least_historic']:.3f}",
            )
        con.print(table)
        base = data["rows"][0]
        con.print(
            f"historical: {HISTORIC_DEFENDERS_KILLED:g} defenders killed (timeline.csv, "
            f"1993-07-13); the model's mean defender losses without reinforcement are "
            f"{base['defender_losses']:.1f} (losses count killed and put out of action)."
        )

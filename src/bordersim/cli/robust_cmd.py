"""`bordersim robust`: which policy holds up across the uncertainty, and when it fails.

A thin layer over :func:`bordersim.api.robustness.robust`: every policy on the same draws of the
uncertain inputs (common random numbers within a draw); the regret table, the satisficing shares,
how often each conditional lever acted, and the PRIM box of the favoured policy's failures.
``--json`` prints the study's ``summary()``; ``--out DIR`` writes ``robust.zarr`` and ``robust.json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from bordersim.cli.common import (
    JsonOpt,
    ScenarioArg,
    console,
    err_console,
    fail,
    load_or_fail,
    parse_date,
)
from bordersim.cli.intervals import PosteriorOpt, UncertaintyChoice
from bordersim.report.uncertainty_text import posterior_words

__all__ = ["print_study", "robust"]

#: the metrics the terminal table shows (the JSON has every metric)
SHOWN = ("breaches", "defender_losses", "interdictions", "undetected", "true_rate")


@contextmanager
def draw_progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr over ``total`` policy × draw evaluations."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} policy × draw runs"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("robust", total=total)
        yield lambda n: progress.advance(task, n)


def _num(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.1f}%" if pct else f"{x:.3g}"


def print_study(report: dict[str, Any]) -> None:
    """The tables and sentences of `bordersim robust` (``report`` as ``summary()`` gives it)."""
    # the experiments layer imports NumPy and xarray: only when a study is printed
    from bordersim.experiments.compare import METRIC_INFO
    from bordersim.experiments.levers import LEVERS

    console.print(
        f"[bold]{report['scenario']}[/]: {len(report['policies'])} policies on {report['draws']} "
        f"draws of the uncertain inputs ({report['input_source']}), {report['replications']} "
        f"replications per draw on common random numbers, seed {report['seed']}"
    )
    post = report.get("posterior")
    if post:
        console.print(posterior_words(post), highlight=False)
    t = Table(title="Over draws: mean (sd) and regret mean / p90 / max", title_justify="left")
    t.add_column("metric / policy")
    for col in ("mean", "sd", "regret mean", "regret p90", "regret max"):
        t.add_column(col, justify="right")
    for m in (m for m in SHOWN if any(m in report["regret"][p] for p in report["policies"])):
        t.add_row(METRIC_INFO[m][1], style="bold")
        for p in report["policies"]:
            r = report["regret"][p].get(m)
            if r is None:
                continue
            pct = m == "true_rate"
            cells = [r["mean"], r["sd"], r["regret_mean"], r["regret_p90"], r["regret_max"]]
            t.add_row(f"  {p}", *(_num(c, pct) for c in cells))
    console.print(t)
    thresholds = " and ".join(report["thresholds"])
    default = (
        " (default: the median over every policy and draw)" if report["default_threshold"] else ""
    )
    console.print(f"Satisficing: share of draws meeting {thresholds}{default}")
    for p in report["policies"]:
        console.print(f"  {p}: {_num(report['satisficing'][p]['share'], pct=True)}")
    console.print(f"Favoured: [bold]{report['favoured']}[/]")
    console.print("Levers: share of replications in which each conditional lever acted")
    for p, levers in report["lever_activity"].items():
        parts = [
            f"{text} {_num(levers[k], pct=True)}" for k, (text, _) in LEVERS.items() if k in levers
        ]
        console.print(f"  {p}: " + "; ".join(parts))
    for note in report["lever_notes"]:
        console.print(f"  note: {note}")
    box = report["boxes"]
    console.print(
        f"Scenario discovery (PRIM): {box['policy']} fails {box['fails']} in "
        f"{box['failing_draws']} of {box['draws']} draws"
    )
    for b in box["boxes"]:
        console.print(f"  {b['sentence']}")
    if box.get("caution"):
        console.print(f"  [yellow]caution:[/] {box['caution']}")
    if not box["boxes"]:
        console.print("  no box: the failures do not gather in one part of the inputs")


def robust(
    scenario: ScenarioArg = None,
    policy: Annotated[
        list[str] | None, typer.Option("--policy", "-p", help="policy (repeat, at least two)")
    ] = None,
    draws: Annotated[int, typer.Option(min=2, help="draws of the uncertain inputs")] = 64,
    replications: Annotated[
        int, typer.Option("--replications", "-n", min=2, help="replications per policy and draw")
    ] = 100,
    days: Annotated[int | None, typer.Option(min=1)] = None,
    start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD")] = None,
    seed: Annotated[int, typer.Option(min=0)] = 2021,
    threshold: Annotated[
        list[str] | None,
        typer.Option("--threshold", help="METRIC<=VALUE or METRIC>=VALUE (repeat; all must hold)"),
    ] = None,
    prim_policy: Annotated[
        str | None, typer.Option(help="explain this policy's failures (default: the favoured)")
    ] = None,
    uncertainty: Annotated[
        UncertaintyChoice | None,
        typer.Option(
            "--uncertainty",
            help="draws from the ledger's ranges (prior, the default) or a calibration's "
            "posterior (--posterior DIR, else the built-in scenario's own calibration)",
            show_default=False,
        ),
    ] = None,
    posterior: PosteriorOpt = None,
    workers: Annotated[int, typer.Option(min=1, help="local worker processes over draws")] = 1,
    out: Annotated[Path | None, typer.Option(help="write robust.zarr and robust.json here")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Robust comparison: every policy on the same draws of what the sources leave open; regret,
    satisficing, levers that never acted, and where the favoured policy fails (PRIM)."""
    # the study's modules import NumPy, SciPy and EMA Workbench: only when a study runs
    from bordersim.api.robustness import RobustError, RobustStudy
    from bordersim.api.robustness import robust as robust_study

    sc = load_or_fail(scenario)
    policies = list(policy or [])
    start_date = parse_date(start)
    with draw_progress(draws * max(len(policies), 1)) as progress:
        try:
            study: RobustStudy = robust_study(
                sc, policies, draws=draws, replications=replications, days=days,
                start=start_date, seed=seed, thresholds=threshold or (),
                prim_policy=prim_policy, workers=workers, posterior=posterior,
                uncertainty=None if uncertainty is None else uncertainty.value,
                command=["bordersim", *sys.argv[1:]], progress=progress,
            )  # fmt: skip
        except RobustError as exc:
            fail(str(exc))
    report = study.summary()
    if out is not None:
        study.write(out)
    if json_out:
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
        return
    print_study(report)

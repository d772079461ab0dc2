"""`bordersim compare`: policies side by side on common random numbers.

A thin layer over :func:`bordersim.api.compare`; ``--json`` prints its ``summary()``, with the
command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bordersim import api
from bordersim.cli.common import (
    AllowOutsideOpt,
    JsonOpt,
    ScenarioArg,
    SetOpt,
    WideOpt,
    console,
    fail,
    load_or_fail,
    parse_date,
    replication_progress,
    show_progress,
    with_policy_file,
    with_sets,
)
from bordersim.cli.fit import compact_table, estimate, fits, fmt_pm, print_fitting
from bordersim.cli.intervals import (
    DrawRepsOpt,
    DrawsOpt,
    PosteriorOpt,
    UncertaintyOpt,
    check_uncertainty,
    draw_work,
    print_compare_intervals,
)
from bordersim.report.formatting import MISSING

if TYPE_CHECKING:
    from bordersim.api import Comparison

__all__ = ["compare", "print_comparison"]


def _ci(e: dict[str, Any], pct: bool = False) -> str:
    return estimate(e["mean"], e["lo"], e["hi"], pct)


def _p(x: dict[str, Any]) -> str:
    """P(better) with two decimals (:data:`MISSING` when undefined: no paired values)."""
    return MISSING if x["p_better"] is None else f"{x['p_better']:.2f}"


def _pm(e: dict[str, Any], pct: bool = False) -> str:
    return fmt_pm(e["mean"], e["lo"], e["hi"], pct)


def _wide(report: dict[str, Any]) -> list[Table]:
    t = Table(title="Each policy: mean [95% CI]", title_justify="left")
    t.add_column("metric")
    for name in report["policies"]:
        t.add_column(name, justify="right")
    for m in report["metrics"]:
        t.add_row(
            report["metric_labels"][m],
            *(_ci(report["per_policy"][p][m], m == "true_rate") for p in report["policies"]),
        )
    d = Table(
        title=f"Paired difference vs {report['baseline']}: mean [95% CI], P(better)",
        title_justify="left",
    )
    d.add_column("metric")
    others = report["policies"][1:]
    for name in others:
        d.add_column(name, justify="right")
    by = {(x["policy"], x["metric"]): x for x in report["differences"]}
    for m in report["metrics"]:
        cells = [f"{_ci(by[(p, m)], m == 'true_rate')}  P={_p(by[(p, m)])}" for p in others]
        d.add_row(report["metric_labels"][m], *cells)
    return [t, d]


def _compact(report: dict[str, Any]) -> list[Table]:
    base = report["baseline"]
    t = compact_table(
        f"Each policy, and its paired difference vs {base}: mean ± 95% CI",
        ["metric / policy", "mean", f"minus {base}", "P(better)"],
    )
    by = {(x["policy"], x["metric"]): x for x in report["differences"]}
    for m in report["metrics"]:
        pct = m == "true_rate"
        t.add_row(m.replace("_", " "), style="bold")
        for p in report["policies"]:
            x = by.get((p, m))
            t.add_row(
                f"  {p}",
                _pm(report["per_policy"][p][m], pct),
                "" if x is None else _pm(x, pct),
                "" if x is None else _p(x),
            )
    return [t]


def print_comparison(report: dict[str, Any], wide: bool = False) -> None:
    """The tables of `bordersim compare` (``report`` as ``Comparison.summary()`` gives it)."""
    console.print(
        f"[bold]{report['scenario']}[/] from {report['start']} for {report['days']} days, "
        f"{report['replications']:,} replications per policy on common random numbers, "
        f"seed {report['seed']}; baseline [bold]{report['baseline']}[/]"
    )
    full = _wide(report)
    if wide or all(fits(console, t) for t in full):
        for table in full:
            print_fitting(console, table, list, force_wide=True)
    else:
        for table in _compact(report):
            console.print(table)
    if not (wide or all(fits(console, t) for t in full)):
        console.print("[dim]± = half-width of the 95% CI; --wide for the full tables[/]")
    console.print(
        "P(better) = share of paired replications in which the policy did better than the "
        "baseline (ties count half)."
    )
    for note in report.get("lever_activity", {}).get("notes", []):  # levers that did not act
        console.print(f"Note: {note}", highlight=False)
    if "input_uncertainty" in report:
        print_compare_intervals(console, report, wide)


def compare(
    scenario: ScenarioArg = None,
    policy: Annotated[
        list[str] | None,
        typer.Option("--policy", "-p", help="policy (repeat; the first is the baseline)"),
    ] = None,
    replications: Annotated[int, typer.Option("--replications", "-n", min=2)] = 1000,
    days: Annotated[int | None, typer.Option(min=1, max=36600)] = None,
    start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD")] = None,
    seed: Annotated[int, typer.Option(min=0)] = 2021,
    out: Annotated[Path | None, typer.Option(help="write compare.json into this run dir")] = None,
    json_out: JsonOpt = False,
    policy_file: Annotated[
        Path | None, typer.Option(help="YAML file with one policy (optimize --write-policy)")
    ] = None,
    set_: SetOpt = None,
    allow_outside_range: AllowOutsideOpt = False,
    wide: WideOpt = False,
    uncertainty: UncertaintyOpt = None,
    draws: DrawsOpt = 32,
    draw_replications: DrawRepsOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Compare policies: each metric per policy, and paired differences against the first
    policy with 95% CIs and the probability that a policy beats it, within the scenario's values
    and across draws of the uncertain inputs."""
    # importing bordersim.engine loads xarray (seconds): not at start-up, so --help stays fast
    from bordersim.engine.rundir import OutputError, dumps_json, write_dir

    sc = with_policy_file(load_or_fail(scenario), policy_file)
    sc = with_sets(sc, set_ or [], allow_outside_range)
    kind = check_uncertainty(uncertainty, posterior, sc.model)
    policies = policy or ["tajik-only", *[p for p in sc.model.policies if p != "tajik-only"]]
    if len(policies) < 2:
        fail("give at least two --policy options (the first is the baseline)")
    twice = sorted({p for p in policies if policies.count(p) > 1})
    if twice:  # results are keyed by name: a repeat would silently compare nothing
        fail(f"--policy {twice[0]!r} is given twice: give each policy once")
    from bordersim.engine.memory import MemoryBudgetError, check_run  # engine: xarray, lazy

    try:  # refuse what cannot fit before allocating it
        check_run(sc.model, replications=replications, days=days, daily=False,
                  policies=len(policies))  # fmt: skip
    except MemoryBudgetError as exc:
        fail(str(exc))
    start_date = parse_date(start)
    extra = draw_work(kind, draws, replications, draw_replications)
    total = (replications + extra) * len(policies)
    with replication_progress(total, show_progress(json_out)) as progress:
        try:
            cmp: Comparison = api.compare(
                sc, policies, replications=replications, days=days, start=start_date,
                seed=seed, command=["bordersim", *sys.argv[1:]], progress=progress,
                uncertainty=kind.value, draws=draws,
                replications_per_draw=draw_replications, posterior=posterior,
            )  # fmt: skip
            report = cmp.summary()
        except api.CompileError as exc:
            fail(str(exc))
    if out is not None:
        try:
            write_dir(
                out, {"compare.json": dumps_json(report) + "\n"}, writer="compare", partial=True
            )
        except OutputError as exc:
            fail(str(exc))
    if json_out:
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
        return
    print_comparison(report, wide)

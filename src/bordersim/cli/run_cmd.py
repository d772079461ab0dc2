"""`bordersim run`: simulate a scenario, print what crosses and how much is stopped, with 95% CIs.

A thin layer over :func:`bordersim.api.run`: the command loads the scenario (plus a policy file and
``--set`` overrides), runs it with a progress bar, and prints the summary's tables, the full ones
when the terminal is wide enough (or ``--wide``), compact ones otherwise.
"""

from __future__ import annotations

import sys
import time
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
from bordersim.cli.fit import (
    compact_table,
    fits,
    fmt_pm,
    fmt_rate,
    print_fitting,
    row_estimate,
)
from bordersim.cli.intervals import (
    DrawRepsOpt,
    DrawsOpt,
    PosteriorOpt,
    UncertaintyOpt,
    check_uncertainty,
    draw_work,
    print_headline,
)
from bordersim.report.formatting import fmt_number

if TYPE_CHECKING:
    from bordersim.api import RunResult

__all__ = ["print_summary", "run"]

COVERT_COLUMNS = ("attempts", "interdicted", "detected_got_away", "undetected_got_away",
                  "true_rate", "observed_rate", "rate_gap")  # fmt: skip
RATES = ("true_rate", "observed_rate", "rate_gap")


def _covert_wide(summary: dict[str, Any]) -> Table:
    table = Table(title="Covert crossings per period: mean [95% CI]", title_justify="left")
    for col in ("actor", "sector group", "attempts", "interdicted", "detected got away",
                "undetected got away", "true rate", "observed rate", "gap"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("actor", "sector group") else "right")
    last = None
    for row in summary["covert"]:
        if last is not None and row["actor"] != last:
            table.add_section()
        last = row["actor"]
        cells = [row_estimate(row, k, pct=k in RATES) for k in COVERT_COLUMNS]
        table.add_row(
            row["actor"], row["group"], *cells, style="bold" if row["group"] == "all" else None
        )
    return table


def _covert_compact(summary: dict[str, Any]) -> list[Table]:
    tables = []
    actors = list(dict.fromkeys(r["actor"] for r in summary["covert"]))
    for actor in actors:
        t = compact_table(
            f"{actor}: covert crossings per period, mean (true rate ± 95% CI)",
            ["sector group", "attempts", "interdicted", "undetected", "true rate", "observed",
             "gap"],
        )  # fmt: skip
        for row in (r for r in summary["covert"] if r["actor"] == actor):
            t.add_row(
                row["group"],
                fmt_number(row["attempts"]),
                fmt_number(row["interdicted"]),
                fmt_number(row["undetected_got_away"]),
                fmt_pm(row["true_rate"], row["true_rate_lo"], row["true_rate_hi"], pct=True),
                fmt_rate(row["observed_rate"]),
                fmt_rate(row["rate_gap"]),
                style="bold" if row["group"] == "all" else None,
            )
        tables.append(t)
    return tables


FLEE_COLUMNS = ("arrived", "received", "waiting", "longest_wait_days")
INCURSION_COLUMNS = ("engagements", "breaches", "repelled", "defender_losses",
                     "attacker_losses", "first_reinforcement_hours")  # fmt: skip
INCURSION_HEADS = ("engagements", "breaches", "repelled", "defender losses", "attacker losses",
                   "first reinforcement (h)")  # fmt: skip


def _fleeing(summary: dict[str, Any], compact: bool) -> Table:
    heads = ["crossing", "arrived", "received", "waiting at end", "longest wait (days)"]
    if compact:
        t = compact_table("People fleeing, by reception crossing: mean", heads)
    else:
        t = Table(
            title="People fleeing, by reception crossing: mean [95% CI]", title_justify="left"
        )
        for col in heads:
            t.add_column(col, justify="left" if col == "crossing" else "right")
    for row in summary["fleeing"]:
        cells = [fmt_number(row[k]) if compact else row_estimate(row, k) for k in FLEE_COLUMNS]
        t.add_row(row["crossing"], *cells)
    return t


def _incursions(summary: dict[str, Any], compact: bool) -> Table:
    if compact:
        heads = ["actor", "engage-\nments", "breaches", "repelled", "losses\ndefender",
                 "losses\nattacker", "first\nreinf. (h)"]  # fmt: skip
        t = compact_table("Armed incursions per period: mean", heads)
    else:
        t = Table(title="Armed incursions per period: mean [95% CI]", title_justify="left")
        for col in ("actor", *INCURSION_HEADS):
            t.add_column(col, justify="left" if col == "actor" else "right")
    for row in summary["incursions"]:
        cells = [fmt_number(row[k]) if compact else row_estimate(row, k) for k in INCURSION_COLUMNS]
        t.add_row(row["actor"], *cells)
    return t


def _escalation_and_costs(summary: dict[str, Any]) -> None:
    esc = summary.get("escalation", {})
    if summary.get("incursions") and esc.get("mode") == "threshold":
        share = esc.get("requested_share") or 0.0
        day = esc.get("request_day_mean")
        console.print(
            f"escalation by threshold: help requested in {100 * share:.1f}% of replications"
            + (f", on day {day:.0f} on average" if day is not None and day == day else "")
        )
    costs = summary["costs"]
    per = costs["cost_per_interdiction_rub"]
    console.print(
        f"personnel-days TJ {costs['personnel_days_TJ']:,.0f}, RU {costs['personnel_days_RU']:,.0f}, "
        f"CSTO {costs['personnel_days_CSTO']:,.0f}; cost {costs['cost_rub'] / 1e9:,.2f} bn RUB"
        + (f", {per / 1e6:,.2f} m RUB per interdiction" if per is not None and per == per else "")
    )


def print_summary(summary: dict[str, Any], wide: bool = False) -> None:
    """The tables of `bordersim run` (``summary`` as ``RunResult.summary()`` gives it)."""
    console.print(
        f"[bold]{summary['scenario']}[/] policy [bold]{summary['policy']}[/] from "
        f"{summary['start']} for {summary['days']} days, {summary['replications']:,} replications, "
        f"seed {summary['seed']}"
    )
    print_fitting(console, _covert_wide(summary), lambda: _covert_compact(summary), wide)
    if not wide and not fits(console, _covert_wide(summary)):
        console.print("[dim]± = half-width of the 95% CI; --wide for every figure's CI[/]")
    console.print(
        "true rate = interdicted / attempts; observed rate = (interdicted + turned back) / all "
        "detected, what a border agency can count: it cannot see undetected crossings, so it "
        "overstates the true rate by the gap."
    )
    if summary["fleeing"]:
        print_fitting(console, _fleeing(summary, False), lambda: [_fleeing(summary, True)], wide)
    if summary.get("incursions"):
        print_fitting(
            console, _incursions(summary, False), lambda: [_incursions(summary, True)], wide
        )
    _escalation_and_costs(summary)
    if "headline" in summary:
        print_headline(console, summary, wide)


def run(
    scenario: ScenarioArg = None,
    replications: Annotated[int, typer.Option("--replications", "-n", min=1)] = 1000,
    days: Annotated[int | None, typer.Option(min=1, max=36600, help="days to simulate")] = None,
    start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD")] = None,
    seed: Annotated[int, typer.Option(min=0)] = 2021,
    policy: Annotated[str | None, typer.Option(help="policy variant, or a+b")] = None,
    out: Annotated[Path | None, typer.Option(help="directory for results")] = None,
    daily: Annotated[bool, typer.Option(help="keep per-day, per-sector counts")] = False,
    json_out: JsonOpt = False,
    policy_file: Annotated[
        Path | None, typer.Option(help="YAML file with one policy (optimize --write-policy)")
    ] = None,
    set_: SetOpt = None,
    allow_outside_range: AllowOutsideOpt = False,
    wide: WideOpt = False,
    force: Annotated[
        bool, typer.Option("--force", help="clear the whole --out run directory first")
    ] = False,
    uncertainty: UncertaintyOpt = None,
    draws: DrawsOpt = 32,
    draw_replications: DrawRepsOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Simulate a scenario and print what crosses and how much is stopped, with 95% CIs
    (simulation noise) and 5-95% intervals over draws of the uncertain inputs."""
    # importing bordersim.engine loads xarray (seconds): not at start-up, so --help stays fast
    from bordersim.engine.rundir import OutputError, existing_manifest

    try:
        if out is not None:  # refuse a file or a foreign folder before simulating
            existing_manifest(out, "run")
    except OutputError as exc:
        fail(str(exc))
    sc = with_sets(with_policy_file(load_or_fail(scenario), policy_file), set_ or [],
                   allow_outside_range)  # fmt: skip
    kind = check_uncertainty(uncertainty, posterior, sc.model)
    # The engine package pulls in xarray (~1 s), so it is imported only when a run needs it.
    from bordersim.engine.memory import MemoryBudgetError, check_run

    try:  # refuse what cannot fit before allocating it
        check_run(sc.model, replications=replications, days=days, daily=daily)
    except MemoryBudgetError as exc:
        fail(str(exc))
    t0 = time.perf_counter()
    per_draw = draw_work(kind, draws, replications, draw_replications)
    with replication_progress(replications + per_draw, show_progress(json_out)) as progress:
        try:
            res: RunResult = api.run(
                sc, policy=policy, replications=replications, days=days,
                start=parse_date(start), seed=seed, daily=daily, progress=progress,
                uncertainty=kind.value, draws=draws,
                replications_per_draw=draw_replications, posterior=posterior,
            )  # fmt: skip
        except api.CompileError as exc:
            fail(str(exc))
    elapsed = time.perf_counter() - t0
    if out is not None:
        try:
            res.write(out, command=["bordersim", *sys.argv[1:]], force=force)
        except OutputError as exc:
            fail(str(exc))
    if json_out:
        sys.stdout.write(res.summary_json() + "\n")
        return
    print_summary(res.summary(), wide)
    extra = f" and {per_draw:,} over {draws} input draws" if per_draw else ""
    console.print(f"[dim]{replications:,} replications{extra} in {elapsed:.1f} s[/]")
    if out is not None:
        console.print(
            f"results written to [bold]{out}[/] (results.zarr, summary.csv, manifest.json"
            + (", input_draws.csv)" if per_draw else ")")
        )

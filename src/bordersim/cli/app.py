"""The `bordersim` command: run, validate, scenarios (and more as the layers land).

User errors (a bad scenario file, an unknown policy) print one clear message and exit with code 2, with
no traceback and nothing written.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from bordersim.model.compile import CompileError, compile_scenario
from bordersim.report.formatting import fmt_estimate
from bordersim.scenario.builtin import DEFAULT_SCENARIO, describe_builtins, resolve
from bordersim.scenario.loading import ScenarioError, content_hash, load_scenario
from bordersim.scenario.options import bounded_date
from bordersim.scenario.schema import Scenario

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Simulate, compare and plan the security of a long land border.",
)
# Interactive terminals use their own width; logs and pipes get room for the CI columns.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)


class UserError(Exception):
    """An error the user caused; printed as one message with exit code 2."""


def fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def load_or_fail(name_or_path: str | None) -> tuple[Scenario, Path]:
    path = resolve(name_or_path)
    if not path.exists():
        known = ", ".join(n for n, _ in describe_builtins())
        fail(f"{name_or_path}: no such scenario file or built-in scenario (built-ins: {known})")
    try:
        return load_scenario(path), path
    except ScenarioError as exc:
        fail(str(exc))
        raise AssertionError from exc  # unreachable


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return bounded_date(text, "--start")
    except ValueError as exc:
        fail(str(exc))
        raise AssertionError from None


def with_policy_file(sc: Scenario, path: Path) -> Scenario:
    """``sc`` with the one policy of a YAML policy file added (exit 2 with located errors).

    The file holds one mapping ``NAME: {description: ..., actions: [...]}`` -- the shape of an entry of
    a scenario's ``policies``, as written by ``bordersim optimize --write-policy``. The policy is
    validated as a :class:`~bordersim.scenario.schema.Policy`, then the scenario is re-validated so
    that its references (units, sectors, actors) are checked.
    """
    from pydantic import ValidationError

    from bordersim.scenario.loading import Problem, _Located, _pydantic_problems, load_data
    from bordersim.scenario.schema import Policy

    file = str(path)

    def fail_with(problems: list[Problem]) -> None:
        fail(str(ScenarioError(problems)).replace("invalid scenario", "invalid policy file", 1))

    try:
        loc = load_data(path)
    except ScenarioError as exc:
        fail_with(exc.problems)
    if len(loc.data) != 1 or not isinstance(next(iter(loc.data.values())), dict):
        msg = "a policy file holds one policy: `NAME: {description: ..., actions: [...]}`"
        fail_with([Problem(file, 1, (), msg)])
    name, body = next(iter(loc.data.items()))
    where = {k[1:]: v for k, v in loc.where.items() if k[:1] == (name,)}
    if name in sc.policies:
        line = loc.where.get((name,), (file, None))[1]
        fail_with([Problem(file, line, (name,), f"scenario {sc.id} already has a policy {name!r}")])
    try:
        policy = Policy.model_validate(body)
    except ValidationError as exc:
        sub = _Located(data=body, where=where)
        fail_with(
            [
                Problem(p.file, p.line, (name, *p.path), p.message)
                for p in _pydantic_problems(exc, sub, file)
            ]
        )
    new = sc.model_copy(update={"policies": {**sc.policies, name: policy}})
    try:
        return Scenario.model_validate(new.model_dump(mode="python", exclude_none=True))
    except ValidationError as exc:
        full = _Located(data={}, where={("policies", name, *k): v for k, v in where.items()})
        full.where[()] = (file, 1)
        problems = _pydantic_problems(exc, full, file)
        fail_with([Problem(p.file, p.line, p.path[1:], p.message) for p in problems])
        raise AssertionError from exc  # unreachable


ScenarioArg = Annotated[
    str | None,
    typer.Argument(help=f"built-in scenario name or YAML file (default {DEFAULT_SCENARIO})"),
]


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios")
    table.add_column("name", style="bold")
    table.add_column("description")
    for name, title in describe_builtins():
        table.add_row(name + (" (default)" if name == DEFAULT_SCENARIO else ""), title)
    console.print(table)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="scenario YAML file or built-in name")],
) -> None:
    """Check a scenario file: schema, evidence, consistency. Exit code 2 if invalid."""
    sc, path = load_or_fail(file)
    n_q = sum(1 for _ in sc.quantities())
    console.print(
        f"[green]ok[/] {path}: scenario {sc.id!r}, {len(sc.border.sectors)} sectors, "
        f"{len(sc.units)} units, {len(sc.actors)} actors, {len(sc.timeline)} timeline events, "
        f"{n_q} quantities with evidence"
    )


def _fmt(row: dict[str, Any], key: str, pct: bool = False) -> str:
    return fmt_estimate(row[key], row[f"{key}_lo"], row[f"{key}_hi"], pct)


def print_summary(summary: dict[str, Any]) -> None:
    """The rich tables of `bordersim run`."""
    head = (
        f"[bold]{summary['scenario']}[/] policy [bold]{summary['policy']}[/] from "
        f"{summary['start']} for {summary['days']} days, {summary['replications']:,} replications, "
        f"seed {summary['seed']}"
    )
    console.print(head)
    table = Table(
        title="Covert crossings per period: mean [95% CI]", show_lines=False, title_justify="left"
    )
    for col in (
        "actor",
        "sector group",
        "attempts",
        "interdicted",
        "detected got away",
        "undetected got away",
        "true rate",
        "observed rate",
        "gap",
    ):
        table.add_column(col, justify="left" if col in ("actor", "sector group") else "right")
    last = None
    for row in summary["covert"]:
        if last is not None and row["actor"] != last:
            table.add_section()
        last = row["actor"]
        style = "bold" if row["group"] == "all" else None
        table.add_row(
            row["actor"],
            row["group"],
            _fmt(row, "attempts"),
            _fmt(row, "interdicted"),
            _fmt(row, "detected_got_away"),
            _fmt(row, "undetected_got_away"),
            _fmt(row, "true_rate", pct=True),
            _fmt(row, "observed_rate", pct=True),
            _fmt(row, "rate_gap", pct=True),
            style=style,
        )
    console.print(table)
    console.print(
        "true rate = interdicted / attempts; observed rate = (interdicted + turned back) / all "
        "detected, what a border agency can count: it cannot see undetected crossings, so it "
        "overstates the true rate by the gap."
    )
    if summary["fleeing"]:
        ft = Table(
            title="People fleeing, by reception crossing: mean [95% CI]", title_justify="left"
        )
        for col in ("crossing", "arrived", "received", "waiting at end", "longest wait (days)"):
            ft.add_column(col, justify="left" if col == "crossing" else "right")
        for row in summary["fleeing"]:
            ft.add_row(
                row["crossing"],
                _fmt(row, "arrived"),
                _fmt(row, "received"),
                _fmt(row, "waiting"),
                _fmt(row, "longest_wait_days"),
            )
        console.print(ft)
    if summary.get("incursions"):
        it = Table(title="Armed incursions per period: mean [95% CI]", title_justify="left")
        for col in ("actor", "engagements", "breaches", "repelled", "defender losses",
                    "attacker losses", "first reinforcement (h)"):  # fmt: skip
            it.add_column(col, justify="left" if col == "actor" else "right")
        for row in summary["incursions"]:
            it.add_row(
                row["actor"],
                _fmt(row, "engagements"),
                _fmt(row, "breaches"),
                _fmt(row, "repelled"),
                _fmt(row, "defender_losses"),
                _fmt(row, "attacker_losses"),
                _fmt(row, "first_reinforcement_hours"),
            )
        console.print(it)
        esc = summary.get("escalation", {})
        if esc.get("mode") == "threshold":
            share = esc.get("requested_share") or 0.0
            day = esc.get("request_day_mean")
            console.print(
                f"escalation by threshold: help requested in {100 * share:.1f}% of replications"
                + (f", on day {day:.0f} on average" if day is not None and day == day else "")
            )
    costs = summary["costs"]
    console.print(
        f"personnel-days TJ {costs['personnel_days_TJ']:,.0f}, RU {costs['personnel_days_RU']:,.0f}, "
        f"CSTO {costs['personnel_days_CSTO']:,.0f}; cost {costs['cost_rub'] / 1e9:,.2f} bn RUB"
        + (
            f", {costs['cost_per_interdiction_rub'] / 1e6:,.2f} m RUB per interdiction"
            if costs["cost_per_interdiction_rub"] == costs["cost_per_interdiction_rub"]
            else ""
        )
    )


def run_simulation(
    sc: Scenario,
    *,
    policy: str | None,
    replications: int,
    days: int | None,
    seed: int,
    start: dt.date | None,
    mode: str = "totals",
    show_progress: bool = True,
) -> Any:
    """Compile and simulate with a progress bar for runs that take more than a moment."""
    from bordersim.engine import simulate

    try:
        compiled = compile_scenario(sc, policy=policy, start=start, days=days)
    except CompileError as exc:
        fail(str(exc))
    chash = content_hash(sc)
    if not show_progress:
        return simulate(compiled, replications, seed, mode=mode, scenario_hash=chash)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} replications"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("simulating", total=replications)
        return simulate(
            compiled,
            replications,
            seed,
            mode=mode,
            scenario_hash=chash,
            progress=lambda n: progress.advance(task, n),
        )


@app.command()
def run(
    scenario: ScenarioArg = None,
    replications: Annotated[int, typer.Option("--replications", "-n", min=1)] = 1000,
    days: Annotated[int | None, typer.Option(min=1, max=36600, help="days to simulate")] = None,
    start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD")] = None,
    seed: Annotated[int, typer.Option(min=0)] = 2021,
    policy: Annotated[str | None, typer.Option(help="policy variant, or a+b")] = None,
    out: Annotated[Path | None, typer.Option(help="directory for results")] = None,
    daily: Annotated[bool, typer.Option(help="keep per-day, per-sector counts")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    policy_file: Annotated[
        Path | None, typer.Option(help="YAML file with one policy (optimize --write-policy)")
    ] = None,
) -> None:
    """Simulate a scenario and print what crosses and how much is stopped, with 95% CIs."""
    sc, _ = load_or_fail(scenario)
    if policy_file is not None:
        sc = with_policy_file(sc, policy_file)
    # The engine package pulls in xarray (~1 s), so it is imported only when a run needs it.
    from bordersim.engine.memory import MemoryBudgetError, check_run

    try:  # refuse what cannot fit before allocating it
        check_run(sc, replications=replications, days=days, daily=daily)
    except MemoryBudgetError as exc:
        fail(str(exc))
    t0 = time.perf_counter()
    results = run_simulation(
        sc,
        policy=policy,
        replications=replications,
        days=days,
        seed=seed,
        start=parse_date(start),
        mode="daily" if daily else "totals",
        show_progress=not json_out and sys.stderr.isatty(),
    )
    elapsed = time.perf_counter() - t0
    if out is not None:
        from bordersim.engine.store import write_run

        write_run(results, out, ["bordersim", *sys.argv[1:]])
    if json_out:
        sys.stdout.write(results.summary_json() + "\n")
        return
    print_summary(results.summary())
    console.print(f"[dim]{replications:,} replications in {elapsed:.1f} s[/]")
    if out is not None:
        console.print(
            f"results written to [bold]{out}[/] (results.zarr, summary.csv, manifest.json)"
        )


# Commands that live in their own modules (one per layer they front). Each module exposes
# ``register(app)``; a module not present in this installation is simply not offered.
_COMMAND_MODULES = ("sources_cmd", "report_cmd", "compare_cmd", "engage_cmd", "optimize_cmd",
                    "sweep_cmd")  # fmt: skip


def _register_commands() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        full = f"bordersim.cli.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name == full:
                continue
            raise
        module.register(app)


_register_commands()


def main() -> None:
    """Entry point of the console script."""
    app()

"""`bordersim sweep` and `bordersim sensitivity`: experiments over the uncertainty space at scale.

User errors (unknown factor or policy, a bad range, an output directory holding another sweep) print
one message and exit with code 2. A design point that fails to compile or simulate does not stop the
sweep: it is recorded with its error and counted in the summary.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

ScenarioArg = Annotated[
    str | None, typer.Argument(help="built-in scenario name or YAML file (default: the built-in)")
]
PolicyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--policy", help="policy lever (repeat for several; a+b combines; default baseline)"
    ),
]
FixOpt = Annotated[
    list[str] | None,
    typer.Option("--fix", help="hold a factor at a value: NAME=VALUE (repeatable)"),
]
RangeOpt = Annotated[
    list[str] | None,
    typer.Option("--range", help="narrow or add a factor: NAME=LOW:HIGH[:uniform|triangular]"),
]
ExperimentOpt = Annotated[
    Path | None,
    typer.Option(
        "--experiment", help="YAML file with factors: {name: {low, high, dist}}, fix, policies"
    ),
]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="local worker processes")]
DaskOpt = Annotated[
    str | None, typer.Option("--dask", help="Dask scheduler address, or 'local' for a LocalCluster")
]
ResumeOpt = Annotated[
    bool,
    typer.Option("--resume", help="finish an interrupted sweep in --out: compute missing points"),
]
DaysOpt = Annotated[
    int | None, typer.Option("--days", min=1, max=36600, help="days to simulate per replication")
]
SeedOpt = Annotated[int, typer.Option("--seed", min=0)]


def _space(
    sc: Any,
    group_by: str,
    experiment: Path | None,
    fix: list[str],
    ranges: list[str],
    policies: list[str],
) -> tuple[Any, list[str]]:
    from bordersim.cli import app as app_module
    from bordersim.experiments.factors import (
        Experiment,
        FactorError,
        build_space,
        load_experiment,
        parse_fix,
        parse_range,
    )

    if group_by not in ("evidence", "quantity"):
        app_module.fail(f"--group-by must be 'evidence' or 'quantity', got {group_by!r}")
    try:
        exp = load_experiment(experiment) if experiment is not None else Experiment()
        exp = exp.merged(
            Experiment(factors=parse_range(ranges), fix=parse_fix(fix), policies=tuple(policies))
        )
        space = build_space(sc, grouping=group_by, experiment=exp)  # type: ignore[arg-type]
    except FactorError as exc:
        app_module.fail(str(exc))
        raise AssertionError from exc
    return space, list(exp.policies)


def _check_memory(
    sc: Any, design: str, points: int, k: int, policies: int, reps: int, days: Any, workers: int
) -> None:
    """Refuse a sweep whose design or results cannot fit in memory, before sampling it."""
    from bordersim.cli import app as app_module
    from bordersim.engine.memory import MemoryBudgetError, check_sweep

    try:
        check_sweep(
            sc, design=design, points=points, factors=k, policies=policies,
            replications=reps, days=days, workers=workers,
        )  # fmt: skip
    except MemoryBudgetError as exc:
        app_module.fail(str(exc))


def _execute(plan: Any, out: Path, workers: int, dask: str | None, resume: bool) -> Any:
    """Run the sweep with a progress bar; user errors exit 2."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from bordersim.cli import app as app_module
    from bordersim.experiments.executors import make_backend
    from bordersim.experiments.sweep import SweepError, prepare_dir, run_sweep

    try:
        todo = len(prepare_dir(plan, out, resume=resume))
    except SweepError as exc:
        app_module.fail(str(exc))
        raise AssertionError from exc
    backend = make_backend(workers=workers, dask=dask)
    try:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("points"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=app_module.err_console,
            transient=True,
            disable=not app_module.err_console.is_terminal,
        ) as progress:
            task = progress.add_task(f"sweep on {backend.description}", total=todo)
            summary = run_sweep(
                plan, out, backend=backend, resume=True, on_point=lambda _o: progress.advance(task)
            )
    finally:
        backend.close()
    return summary


def _print_sweep(plan: Any, summary: Any, out: Path) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bordersim.cli import app as app_module
    from bordersim.experiments.store import open_results

    console = app_module.console
    console.print(
        f"[bold]{plan.scenario.id}[/] {plan.design} design: {plan.n_points} points x "
        f"{len(plan.policies)} policies x {plan.replications} replications, "
        f"{len(plan.space)} factors ({plan.space.grouping}), seed {plan.seed}; "
        f"{summary.computed} computed, {summary.reused} reused, {len(summary.failed)} failed, "
        f"{summary.seconds:.1f} s on {summary.backend}"
    )
    for msg, n in summary.failure_reasons().items():
        console.print(
            f"[red]failed[/] {n} point{'s' if n != 1 else ''}: {escape(msg)}", highlight=False
        )
    ds = open_results(out)
    actor = plan.actors[0]
    table = Table(
        title=f"{actor}, per design point: mean over points [5th, 95th percentile]",
        title_justify="left",
    )
    cols = ("true_rate", "observed_rate", "rate_gap", "interdicted", "undetected")
    table.add_column("policy")
    for c in cols:
        table.add_column(c.replace("_", " "), justify="right")
    for pol in plan.policies:
        cells = []
        for c in cols:
            v = ds[c].sel(policy=pol, metric_actor=actor).values
            v = v[np.isfinite(v)]
            if v.size == 0:
                cells.append("-")
                continue
            m = float(v.mean())
            lo, hi = (float(x) for x in np.percentile(v, [5, 95]))
            if c.endswith("rate") or c == "rate_gap":
                cells.append(f"{100 * m:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]")
            else:
                cells.append(f"{m:,.1f} [{lo:,.1f}, {hi:,.1f}]")
        table.add_row(pol, *cells)
    console.print(table)
    console.print(f"results in [bold]{out}[/] (results.zarr, summary.json, points/)")


def register(app: typer.Typer) -> None:
    """Add `sweep` and `sensitivity` to the bordersim command."""

    @app.command()
    def sweep(
        scenario: ScenarioArg = None,
        design: Annotated[str, typer.Option(help="lhs | grid | sobol | morris")] = "lhs",
        points: Annotated[
            int,
            typer.Option(
                min=1,
                help="lhs: points; grid: levels per factor; sobol: base N (N*(k+2) points); "
                "morris: trajectories",
            ),
        ] = 20,
        replications: Annotated[int, typer.Option("--replications", "-n", min=1)] = 100,
        policy: PolicyOpt = None,
        days: DaysOpt = None,
        seed: SeedOpt = 2021,
        out: Annotated[Path, typer.Option(help="directory for the sweep")] = Path("sweep"),
        workers: WorkersOpt = 1,
        dask: DaskOpt = None,
        resume: ResumeOpt = False,
        group_by: Annotated[
            str,
            typer.Option(
                "--group-by", help="quantity (one factor each) or evidence (per ledger key)"
            ),
        ] = "quantity",
        fix: FixOpt = None,
        range_: RangeOpt = None,
        experiment: ExperimentOpt = None,
    ) -> None:
        """Run a design over the uncertain quantities and policy levers, point by point, resumably."""
        from bordersim.cli import app as app_module
        from bordersim.experiments.designs import DESIGNS
        from bordersim.experiments.sweep import SweepError, make_plan

        if design not in DESIGNS:
            app_module.fail(f"--design must be one of {', '.join(DESIGNS)}, got {design!r}")
        sc, _ = app_module.load_or_fail(scenario)
        space, policies = _space(sc, group_by, experiment, fix or [], range_ or [], policy or [])
        _check_memory(sc, design, points, len(space), len(policies), replications, days, workers)
        try:
            plan = make_plan(
                sc, space, design=design, points=points, policies=policies,
                replications=replications, days=days, seed=seed,
                command=["bordersim", *sys.argv[1:]],
            )  # fmt: skip
        except (SweepError, ValueError) as exc:
            app_module.fail(str(exc))
            raise AssertionError from exc
        summary = _execute(plan, out, workers, dask, resume)
        _print_sweep(plan, summary, out)

    @app.command()
    def sensitivity(
        scenario: ScenarioArg = None,
        method: Annotated[str, typer.Option(help="sobol | morris")] = "sobol",
        n: Annotated[
            int,
            typer.Option(
                "--n", min=2, help="sobol: base sample N (power of 2); morris: trajectories"
            ),
        ] = 64,
        metric: Annotated[
            str,
            typer.Option(
                help="true_rate, observed_rate, rate_gap, undetected, interdicted, ...; actor:metric"
            ),
        ] = "true_rate",
        replications: Annotated[int, typer.Option("--replications", "-r", min=1)] = 100,
        policy: Annotated[str, typer.Option(help="the policy to analyse")] = "baseline",
        days: DaysOpt = None,
        seed: SeedOpt = 2021,
        out: Annotated[
            Path, typer.Option(help="directory for the sweep and sensitivity.json")
        ] = Path("sensitivity"),
        workers: WorkersOpt = 1,
        dask: DaskOpt = None,
        resume: ResumeOpt = False,
        group_by: Annotated[
            str, typer.Option("--group-by", help="evidence (one factor per ledger key) or quantity")
        ] = "evidence",
        fix: FixOpt = None,
        range_: RangeOpt = None,
        experiment: ExperimentOpt = None,
    ) -> None:
        """Rank the uncertain assumptions by how much they move a metric (Sobol or Morris)."""
        from bordersim.cli import app as app_module
        from bordersim.experiments.sensitivity import (
            METHODS,
            SensitivityError,
            analyze,
            noise_share,
        )
        from bordersim.experiments.store import open_results, write_json
        from bordersim.experiments.sweep import SweepError, make_plan, parse_metric, point_metrics

        if method not in METHODS:
            app_module.fail(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
        sc, _ = app_module.load_or_fail(scenario)
        space, _pols = _space(sc, group_by, experiment, fix or [], range_ or [], [])
        _check_memory(sc, method, n, len(space), 1, replications, days, workers)
        try:
            plan = make_plan(
                sc, space, design=method, points=n, policies=[policy], replications=replications,
                days=days, seed=seed, command=["bordersim", *sys.argv[1:]],
            )  # fmt: skip
            actor, name = parse_metric(metric, plan.actors)
        except (SweepError, ValueError) as exc:
            app_module.fail(str(exc))
            raise AssertionError from exc
        summary = _execute(plan, out, workers, dask, resume)
        console = app_module.console
        console.print(
            f"{plan.n_points} design points x {replications} replications, {len(space)} factors, "
            f"{summary.computed} computed, {summary.reused} reused, {len(summary.failed)} failed "
            f"in {summary.seconds:.1f} s"
        )
        ds = open_results(out)
        y = ds[name].sel(policy=policy, metric_actor=actor).values
        covert = ds["covert"].sel(policy=policy).values  # (point, replication, actor, outcome)
        a_idx = [*plan.actors, "all"].index(actor)
        half = replications // 2
        share = float("nan")
        if half >= 1:
            y1 = point_metrics(covert[:, :half], name)[:, a_idx]
            y2 = point_metrics(covert[:, half : 2 * half], name)[:, a_idx]
            if np.all(np.isfinite(y1)) and np.all(np.isfinite(y2)):
                share = noise_share((y1, y2), y)
        try:
            rows = analyze(
                method, space.names, plan.unit_samples, y,
                sourced=[f.sourced for f in space.factors], seed=seed,
            )  # fmt: skip
        except SensitivityError as exc:
            for msg, k in summary.failure_reasons().items():
                app_module.err_console.print(f"failed {k} points: {msg}", highlight=False)
            app_module.fail(str(exc))
            raise AssertionError from exc
        kinds = {f.name: f for f in space.factors}
        for row in rows:
            row["quantities"] = [m.quantity for m in kinds[row["factor"]].members]
        write_json(out / "sensitivity.json", rows)
        write_json(
            out / "sensitivity_meta.json",
            {
                "method": method,
                "metric": f"{actor}:{name}",
                "policy": policy,
                "n": n,
                "points": plan.n_points,
                "replications": replications,
                "grouping": group_by,
                "noise_share": None if not np.isfinite(share) else share,
                "scenario_hash": plan.scenario_hash,
                "seed": seed,
            },
        )
        _print_sensitivity(method, f"{actor}:{name}", policy, rows, share)
        console.print(f"indices written to [bold]{out / 'sensitivity.json'}[/]")


def _print_sensitivity(
    method: str, metric: str, policy: str, rows: list[dict[str, Any]], share: float
) -> None:
    from rich.table import Table

    from bordersim.cli import app as app_module

    console = app_module.console
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
        ev = "sourced" if r["sourced"] else "[yellow]assumed[/]"
        if method == "sobol":
            cells = (f"{r['S1']:.3f} ± {r['S1_conf']:.3f}", f"{r['ST']:.3f} ± {r['ST_conf']:.3f}")
        else:
            cells = (f"{r['mu_star']:.4g} ± {r['mu_star_conf']:.2g}", f"{r['sigma']:.4g}")
        table.add_row(str(r["rank"]), r["factor"], *cells, ev)
    console.print(table)
    key = "ST" if method == "sobol" else "mu_star"
    conf = "ST_conf" if method == "sobol" else "mu_star_conf"
    find_out = [r["factor"] for r in rows if not r["sourced"] and r[key] - r[conf] > 0][:5]
    if find_out:
        console.print(
            "[bold]What to go and find out[/] (assumptions that matter most): "
            + ", ".join(find_out)
        )
    if np.isfinite(share):
        console.print(
            f"replication noise is {100 * share:.1f}% of the metric's variance across points"
            + (" -- raise --replications" if share > 0.1 else "")
        )

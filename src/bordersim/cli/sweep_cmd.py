"""`bordersim sweep` and `bordersim sensitivity`: experiments over the uncertainty space at scale.

User errors (unknown factor or policy, a bad range, an output directory holding another sweep) print
one message and exit with code 2. A design point that fails to compile or simulate does not stop the
sweep: it is recorded with its error and counted in the summary.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bordersim.cli.common import console, err_console, fail, load_or_fail
from bordersim.cli.intervals import (
    PosteriorOpt,
    UncertaintyChoice,
    posterior_space,
    print_posterior_factor,
)
from bordersim.cli.sensitivity_tables import (
    indices,
    mark_calibrated,
    noise_share_of,
    print_sensitivity,
)
from bordersim.report.formatting import MISSING, fmt_number

if TYPE_CHECKING:
    from bordersim.experiments.factors import Space

# The sweep machinery needs NumPy and the scenario schema (the factors), xarray/zarr (the results
# store), scipy.stats (the designs), SALib and dask: about two seconds of imports that `bordersim
# --help` must not pay. The functions below import what they use inside, for that reason only.

__all__ = ["sensitivity", "sweep"]

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
DrawsFromOpt = Annotated[
    UncertaintyChoice | None,
    typer.Option(
        "--uncertainty",
        help="the design over the ledger's ranges (prior, the default), or with the calibrated "
        "quantities as one factor over a calibration's posterior rows (--posterior DIR, else the "
        "built-in scenario's own calibration)",
        show_default=False,
    ),
]


def _space(
    sc: Any,
    group_by: str,
    experiment: Path | None,
    fix: list[str],
    ranges: list[str],
    policies: list[str],
    draws_from: tuple[UncertaintyChoice | None, Path | None, str] = (None, None, ""),
) -> tuple[Space, list[str]]:
    """The design's space; with a posterior (``draws_from``: --uncertainty, --posterior and the
    design), the calibrated quantities become one factor that picks posterior rows."""
    from bordersim.experiments.factors import (  # lazy: see the module top
        Experiment,
        FactorError,
        build_space,
        load_experiment,
        parse_fix,
        parse_range,
    )

    if group_by not in ("evidence", "quantity"):
        fail(f"--group-by must be 'evidence' or 'quantity', got {group_by!r}")
    try:
        exp = load_experiment(experiment) if experiment is not None else Experiment()
        exp = exp.merged(
            Experiment(factors=parse_range(ranges), fix=parse_fix(fix), policies=tuple(policies))
        )
        space = build_space(sc, grouping=group_by, experiment=exp)  # type: ignore[arg-type]
    except FactorError as exc:
        fail(str(exc))
    return posterior_space(sc, space, list(exp.factors), *draws_from), list(exp.policies)


def _plan(sc: Any, space: Space, **kwargs: Any) -> Any:
    """The sweep plan, or exit 2 with the reason (unknown policy, bad size)."""
    from bordersim.experiments.sweep import SweepError, make_plan  # lazy: see the module top

    try:
        return make_plan(sc, space, command=["bordersim", *sys.argv[1:]], **kwargs)
    except (SweepError, ValueError) as exc:
        fail(str(exc))


def _check_memory(
    sc: Any, design: str, points: int, k: int, policies: int, reps: int, days: Any, workers: int
) -> None:
    """Refuse a sweep whose design or results cannot fit in memory, before sampling it."""
    # the engine package imports xarray (slow): only when a sweep is about to run
    from bordersim.engine.memory import MemoryBudgetError, check_sweep

    try:
        check_sweep(
            sc, design=design, points=points, factors=k, policies=policies,
            replications=reps, days=days, workers=workers,
        )  # fmt: skip
    except MemoryBudgetError as exc:
        fail(str(exc))


def _execute(plan: Any, out: Path, workers: int, dask: str | None, resume: bool) -> Any:
    """Run the sweep with a progress bar; user errors exit 2."""
    from bordersim.engine.rundir import OutputError  # lazy: see the module top
    from bordersim.experiments.executors import BackendError, make_backend  # lazy: module top
    from bordersim.experiments.sweep import SweepError, prepare_dir, run_sweep

    try:  # connect first: an unreachable scheduler must leave nothing written in --out
        backend = make_backend(workers=workers, dask=dask)
    except BackendError as exc:
        fail(str(exc))
    try:
        todo = len(prepare_dir(plan, out, resume=resume))
    except (SweepError, OutputError) as exc:
        backend.close()
        fail(str(exc))
    try:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("points"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,
        ) as progress:
            task = progress.add_task(f"sweep on {backend.description}", total=todo)
            summary = run_sweep(
                plan, out, backend=backend, resume=True, on_point=lambda _o: progress.advance(task)
            )
    except (SweepError, OutputError) as exc:
        fail(str(exc))
    finally:
        backend.close()
    return summary


def _spread(v: Any, rate: bool) -> str:
    """Mean over design points [5th, 95th percentile] of one metric's values."""
    import numpy as np  # lazy: see the module top

    v = v[np.isfinite(v)]
    if v.size == 0:
        return MISSING
    m = float(v.mean())
    lo, hi = (float(x) for x in np.percentile(v, [5, 95]))
    if rate:
        return f"{100 * m:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"
    return f"{fmt_number(m)} [{fmt_number(lo)}, {fmt_number(hi)}]"


def _print_sweep(plan: Any, summary: Any, out: Path) -> None:
    from bordersim.experiments.store import open_results  # lazy: see the module top

    console.print(
        f"[bold]{plan.scenario.id}[/] {plan.design} design: {plan.n_points} points x "
        f"{len(plan.policies)} policies x {plan.replications} replications, "
        f"{len(plan.space)} factors ({plan.space.grouping}), seed {plan.seed}; "
        f"{summary.computed} computed, {summary.reused} reused, {len(summary.failed)} failed, "
        f"{summary.seconds:.1f} s on {summary.backend}"
    )
    print_posterior_factor(plan.space)
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
        cells = [
            _spread(
                ds[c].sel(policy=pol, metric_actor=actor).values,
                c.endswith("rate") or c == "rate_gap",
            )
            for c in cols
        ]
        table.add_row(pol, *cells)
    console.print(table)
    console.print(f"results in [bold]{out}[/] (results.zarr, summary.json, points/)")


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
        typer.Option("--group-by", help="quantity (one factor each) or evidence (per ledger key)"),
    ] = "quantity",
    fix: FixOpt = None,
    range_: RangeOpt = None,
    experiment: ExperimentOpt = None,
    uncertainty: DrawsFromOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Run a design over the uncertain quantities and policy levers, point by point, resumably."""
    from bordersim.experiments.designs import DESIGNS  # lazy: see the module top

    if design not in DESIGNS:
        fail(f"--design must be one of {', '.join(DESIGNS)}, got {design!r}")
    sc = load_or_fail(scenario).model
    space, policies = _space(
        sc, group_by, experiment, fix or [], range_ or [], policy or [],
        (uncertainty, posterior, design),
    )  # fmt: skip
    _check_memory(sc, design, points, len(space), len(policies), replications, days, workers)
    plan = _plan(
        sc, space, design=design, points=points, policies=policies,
        replications=replications, days=days, seed=seed,
    )  # fmt: skip
    summary = _execute(plan, out, workers, dask, resume)
    _print_sweep(plan, summary, out)


def sensitivity(
    scenario: ScenarioArg = None,
    method: Annotated[str, typer.Option(help="sobol | morris")] = "sobol",
    n: Annotated[
        int,
        typer.Option("--n", min=2, help="sobol: base sample N (power of 2); morris: trajectories"),
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
    out: Annotated[Path, typer.Option(help="directory for the sweep and sensitivity.json")] = Path(
        "sensitivity"
    ),
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    resume: ResumeOpt = False,
    group_by: Annotated[
        str, typer.Option("--group-by", help="evidence (one factor per ledger key) or quantity")
    ] = "evidence",
    fix: FixOpt = None,
    range_: RangeOpt = None,
    experiment: ExperimentOpt = None,
    uncertainty: DrawsFromOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Rank the uncertain assumptions by how much they move a metric (Sobol or Morris)."""
    from bordersim.experiments.sensitivity import METHODS  # lazy: see the module top
    from bordersim.experiments.store import open_results, write_json
    from bordersim.experiments.sweep import parse_metric

    if method not in METHODS:
        fail(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    sc = load_or_fail(scenario).model
    space, _pols = _space(
        sc, group_by, experiment, fix or [], range_ or [], [], (uncertainty, posterior, method)
    )
    _check_memory(sc, method, n, len(space), 1, replications, days, workers)
    plan = _plan(
        sc, space, design=method, points=n, policies=[policy], replications=replications,
        days=days, seed=seed,
    )  # fmt: skip
    try:
        actor, name = parse_metric(metric, plan.actors)
    except ValueError as exc:
        fail(str(exc))
    summary = _execute(plan, out, workers, dask, resume)
    console.print(
        f"{plan.n_points} design points x {replications} replications, {len(space)} factors, "
        f"{summary.computed} computed, {summary.reused} reused, {len(summary.failed)} failed "
        f"in {summary.seconds:.1f} s"
    )
    print_posterior_factor(space)
    ds = open_results(out)
    y = ds[name].sel(policy=policy, metric_actor=actor).values
    share = noise_share_of(ds, plan, policy, actor, name, y)
    rows = indices(method, plan, space, y, seed, summary)
    mark_calibrated(rows, sc)
    write_json(out / "sensitivity.json", rows)
    write_json(
        out / "sensitivity_meta.json",
        {
            "method": method, "metric": f"{actor}:{name}", "policy": policy, "n": n,
            "points": plan.n_points, "replications": replications, "grouping": group_by,
            "noise_share": None if not math.isfinite(share) else share,
            "scenario_hash": plan.scenario_hash, "seed": seed,
        },
    )  # fmt: skip
    print_sensitivity(method, f"{actor}:{name}", policy, rows, share)
    console.print(f"indices written to [bold]{out / 'sensitivity.json'}[/]")

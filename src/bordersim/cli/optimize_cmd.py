"""`bordersim optimize`: where to put the guards, checked by simulation; security games; siting.

Three questions, one command:

- ``bordersim optimize [SCENARIO]`` -- allocate the border guards of one phase against a best-responding
  (water-filling) or quantal (``--adversary quantal --lambda L``) adversary, next to the scenario's
  current allocation; ``--verify N`` re-runs the plan through the engine; ``--write-policy FILE.yaml``
  writes it as a policy for ``run``/``compare --policy-file``; ``--out DIR`` writes ``optimize.json``.
- ``bordersim optimize --game FILE.json`` -- a classic security game solved by ORIGAMI (``--check``
  cross-checks with the multiple-LPs formulation).
- ``bordersim optimize --sites K`` -- where to base ``K`` reserves to cut reinforcement times.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from rich.table import Table

from bordersim import api
from bordersim.cli.common import JsonOpt, ScenarioArg, console, fail, load_or_fail, parse_date
from bordersim.cli.intervals import PosteriorOpt, UncertaintyChoice
from bordersim.cli.optimize_armed import print_armed
from bordersim.cli.optimize_game import solve_game_file
from bordersim.cli.verify_table import print_metric_checks
from bordersim.scenario.options import finite_option

if TYPE_CHECKING:
    from bordersim.api import PlanResult
    from bordersim.experiments.verify import Verification
    from bordersim.plan.scenario_plan import ScenarioPlan, SitingReport


GameOpt = Annotated[Path | None, typer.Option(help="solve a security-game JSON file instead")]
SitesOpt = Annotated[int | None, typer.Option(min=1, help="site K reserve bases instead")]
CandidatesOpt = Annotated[
    list[str] | None, typer.Option(help="--sites: candidate base ids (repeat or comma-separate)")
]


def _dumps(data: Any) -> str:
    # importing bordersim.engine loads xarray (seconds): not at start-up, so --help stays fast
    from bordersim.engine.rundir import dumps_json

    return dumps_json(data) + "\n"


def optimize(
    scenario: ScenarioArg = None,
    guards: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1e7,
            callback=finite_option,
            help="on-duty guards to allocate (default: the phase's)",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="covert actor to plan against (default: all, weighted by rate)"),
    ] = None,
    adversary: Annotated[
        str, typer.Option(help="best (best response) or quantal (logit)")
    ] = "best",
    rationality: Annotated[
        float | None,
        typer.Option(
            "--lambda", min=0.0, max=1e3, callback=finite_option, help="quantal rationality lambda"
        ),
    ] = None,
    integer: Annotated[bool, typer.Option(help="whole guards per sector")] = False,
    verify: Annotated[
        int, typer.Option(min=0, help="verify with N simulated replications (0: no)")
    ] = 0,
    verify_days: Annotated[
        int, typer.Option(min=1, max=36600, help="days simulated to verify")
    ] = 60,
    verify_start: Annotated[
        str | None, typer.Option(help="first day of the verification window (default --date)")
    ] = None,
    seed: Annotated[int, typer.Option(min=0)] = 2021,
    date: Annotated[
        str | None, typer.Option(help="plan for this date (default: the last phase's start)")
    ] = None,
    policy: Annotated[str | None, typer.Option(help="base policy in force (a or a+b)")] = None,
    json_out: JsonOpt = False,
    write_policy: Annotated[
        Path | None, typer.Option(help="write the plan as a policy YAML file")
    ] = None,
    policy_name: Annotated[str, typer.Option(help="name of the written policy")] = "optimized",
    out: Annotated[Path | None, typer.Option(help="write optimize.json into this dir")] = None,
    game: GameOpt = None,
    check: Annotated[bool, typer.Option(help="--game: cross-check with multiple LPs")] = False,
    sites: SitesOpt = None,
    objective: Annotated[str, typer.Option(help="--sites: median or center")] = "median",
    candidates: CandidatesOpt = None,
    road_speed: Annotated[
        float, typer.Option(min=1e-6, max=1e4, callback=finite_option, help="--sites: road km/h")
    ] = 40.0,
    breach_weight: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=1e9,
            callback=finite_option,
            help="a breach costs as much as W undetected crossings (0: covert only; default 100)",
        ),
    ] = None,
    min_guards_per_sector: Annotated[
        float | None,
        typer.Option(
            min=0,
            callback=finite_option,
            help="guards every sector keeps (default: 10 per outpost of the post structure)",
        ),
    ] = None,
    allow_empty: Annotated[bool, typer.Option(help="allow sectors with no guards")] = False,
    robust: Annotated[
        bool, typer.Option(help="also plan against the worst case over draws")
    ] = False,
    robust_draws: Annotated[int, typer.Option(min=2, max=4096, help="--robust: draws")] = 32,
    robust_quantile: Annotated[
        str, typer.Option(help="--robust: 'worst' or a quantile q in (0, 1]")
    ] = "worst",
    uncertainty: Annotated[
        UncertaintyChoice | None,
        typer.Option(
            "--uncertainty",
            help="--robust: draws from the ledger's ranges (prior, the default) or a "
            "calibration's posterior (--posterior DIR, else the built-in scenario's own)",
            show_default=False,
        ),
    ] = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Recommend where the border guards stand (and check it by simulation), solve a security
    game file, or site reserve bases."""
    # Over 80 lines through typer's option declarations; the work is in api.optimize and the printers.
    if game is not None:
        solve_game_file(game, check, json_out)
        return
    sc = load_or_fail(scenario)
    when = parse_date(date, "--date")
    if sites is not None:
        if objective not in ("median", "center"):
            fail(f"--objective must be median or center, got {objective!r}")
        cands = [c.strip() for x in candidates or [] for c in x.split(",") if c.strip()]
        _sites(sc.model, sites, objective, cands, road_speed, when, policy, json_out)
        return
    if adversary not in ("best", "quantal"):
        fail(f"--adversary must be best or quantal, got {adversary!r}")
    if adversary == "quantal" and rationality is None:
        fail("--adversary quantal needs --lambda L (rationality, >= 0)")
    if verify:
        # the engine package imports xarray (slow): only when a plan is to be verified
        from bordersim.engine.memory import MemoryBudgetError, check_run

        try:  # the plan and the current allocation are each simulated
            check_run(
                sc.model, replications=verify, days=verify_days, daily=False, policies=2,
                option="--verify",
            )  # fmt: skip
        except MemoryBudgetError as exc:
            fail(str(exc))
    quant = _quantile(robust_quantile)
    try:
        result = api.optimize(
            sc, date=when, guards=guards, actor=actor, adversary=adversary,
            rationality=rationality, integer=integer, policy=policy, verify=verify,
            verify_days=verify_days, verify_start=parse_date(verify_start, "--verify-start"),
            seed=seed, breach_weight=breach_weight, min_guards=min_guards_per_sector,
            allow_empty=allow_empty, robust=robust, robust_draws=robust_draws,
            robust_quantile=quant, posterior=posterior,
            uncertainty=None if uncertainty is None else uncertainty.value,
        )  # fmt: skip
    except ValueError as exc:  # CompileError is a ValueError
        fail(str(exc))
    _report_plan(result, scenario, policy, policy_name, write_policy, out, json_out)


def _quantile(text: str) -> float | None:
    """--robust-quantile: 'worst' (None) or a number in (0, 1]."""
    if text.strip().lower() == "worst":
        return None
    try:
        q = float(text)
    except ValueError:
        q = float("nan")
    if not 0.0 < q <= 1.0:  # also NaN
        fail(f"--robust-quantile must be 'worst' or a number in (0, 1], got {text!r}")
    return q


def _report_plan(
    result: PlanResult,
    scenario: str | None,
    policy: str | None,
    policy_name: str,
    write_policy: Path | None,
    out: Path | None,
    json_out: bool,
) -> None:
    """Write the policy file and optimize.json when asked, then print the plan or its JSON."""
    # importing bordersim.engine loads xarray (seconds): not at start-up, so --help stays fast
    from bordersim.engine.rundir import OutputError, atomic_write, write_dir

    report = result.summary()
    name = "+".join([*([policy] if policy else []), policy_name])
    if write_policy is not None:
        body = {policy_name: result.as_policy().model_dump(mode="json", exclude_none=True)}
        header = (
            f"# written by bordersim optimize; use: bordersim run "
            f"{scenario + ' ' if scenario else ''}--policy-file {write_policy} --policy {name}\n"
        )
        try:
            atomic_write(write_policy, header + yaml.safe_dump(body, sort_keys=False))
        except OutputError as exc:
            fail(str(exc))
        report["policy_file"] = str(write_policy)
        report["policy_name"] = policy_name
    if out is not None:
        report["command"] = ["bordersim", *sys.argv[1:]]
        try:
            write_dir(out, {"optimize.json": _dumps(report)}, writer="optimize", partial=True)
        except OutputError as exc:
            fail(str(exc))
    if json_out:
        sys.stdout.write(_dumps(report))
        return
    _print_plan(result.plan, result.verification)
    print_armed(console, result.plan, result.robust, result.robust_posterior)
    if write_policy is not None:
        console.print(
            f"policy written to [bold]{write_policy}[/]: bordersim run --policy-file "
            f"{write_policy} --policy {name}"
        )
    if out is not None:
        console.print(f"plan written to [bold]{out / 'optimize.json'}[/]")


def _print_plan(plan: ScenarioPlan, verification: Verification | None) -> None:
    inp = plan.inputs
    adv = (
        "best-responding" if plan.adversary == "best" else f"quantal (lambda {plan.rationality:g})"
    )
    who = inp.actor or "all covert actors (weighted by rate)"
    console.print(
        f"[bold]{inp.scenario_id}[/] on {inp.date}"
        + (f" with policy {inp.policy}" if inp.policy else "")
        + f": {inp.budget:,.0f} on-duty guards against a {adv} adversary; values of {who}"
    )
    t = Table(title="Guards per sector", title_justify="left")
    for col in ("sector", "name", "km", "current", "recommended", "value before", "value after"):
        t.add_column(col, justify="left" if col in ("sector", "name") else "right")
    for k, sid in enumerate(inp.sector_ids):
        mark_b = " *" if k == plan.best_before else ""
        mark_a = " *" if plan.value_after[k] >= plan.value_after.max() * (1 - 1e-6) else ""
        t.add_row(
            sid,
            inp.sector_names[k],
            f"{inp.length_km[k]:.0f}",
            f"{plan.current[k]:,.1f}",
            f"{plan.recommended[k]:,.1f}",
            f"{plan.value_before[k]:.4f}{mark_b}",
            f"{plan.value_after[k]:.4f}{mark_a}",
        )
    console.print(t)
    kind = "best value" if plan.adversary == "best" else "expected value per attempt"
    console.print(
        f"current = the scenario's allocation (proportional to length today); * = the adversary's "
        f"best sector(s). Adversary's best target before: {inp.sector_ids[plan.best_before]} "
        f"({plan.value_before[plan.best_before]:.4f}); after: {inp.sector_ids[plan.best_after]} "
        f"({plan.value_after[plan.best_after]:.4f})."
    )
    console.print(
        f"Adversary's {kind}: {plan.predicted_before:.4f} -> [bold]{plan.predicted:.4f}[/] "
        f"(improvement {plan.improvement:.4f}, {100 * plan.relative_improvement:.1f}%). "
        f"Method: {plan.method}."
    )
    for note in plan.notes:
        console.print(f"[dim]note: {note}[/]")
    if verification is None:
        return
    v = verification
    vt = Table(
        title=(
            f"Verification: {v.replications:,} replications from {v.start} for {v.days} days "
            f"(value per attempt, 95% CI; flag if outside the CI widened by "
            f"{100 * v.tolerance:g}%)"
        ),
        title_justify="left",
    )
    for col in ("actor", "adversary", "attempts", "predicted", "simulated [95% CI]", "check"):
        vt.add_column(col, justify="left" if col in ("actor", "adversary", "check") else "right")
    for c in v.checks:
        s = c.simulated
        vt.add_row(
            c.actor,
            c.choice if c.choice != "adaptive" else f"adaptive (eta {v.learning_rate:g})",
            f"{c.attempts:,.0f}",
            f"{c.predicted:.4f}",
            f"{s.mean:.4f} [{s.lo:.4f}, {s.hi:.4f}]",
            "[red]FLAG[/]" if c.flagged else "[green]ok[/]",
        )
    console.print(vt)
    for c in v.checks:
        for r in c.reasons:
            console.print(f"  {c.actor} / {c.choice}: likely reason: {r}")
    if v.guards_error > 1e-6:
        console.print(
            f"[yellow]compiled guards differ from the plan by {100 * v.guards_error:.2g}%[/]"
        )
    print_metric_checks(console, v.metrics)  # every metric before and after (verify_table)


def _sites(
    sc: Any,
    k: int,
    objective: str,
    candidates: list[str],
    road_speed: float,
    when: Any,
    policy: str | None,
    json_out: bool,
) -> None:
    from bordersim.plan.scenario_plan import plan_sites, siting_problem  # scipy: lazy, as above

    try:
        problem = siting_problem(
            sc, date=when, road_speed_kmh=road_speed, candidates=candidates or None, policy=policy
        )
        if k > len(problem.candidate_ids):
            raise ValueError(
                f"--sites {k} exceeds the {len(problem.candidate_ids)} candidate bases"
            )
        report = plan_sites(problem, k, objective)  # type: ignore[arg-type]
    except ValueError as exc:
        fail(str(exc))
    data = _sites_dict(report)
    if json_out:
        sys.stdout.write(_dumps(data))
        return
    p = problem
    console.print(
        f"[bold]{sc.id}[/] on {p.date}: {k} reserve base(s) by p-{objective}, sectors weighted by "
        f"{p.weight_kind}; road distance = (base distance + |base km - sector km|) x tortuosity, "
        f"at {p.road_speed_kmh:g} km/h"
    )
    t = Table(title="Sectors and their reinforcement time (hours)", title_justify="left")
    for col in ("sector", "weight", "from", "hours", "current hours"):
        t.add_column(col, justify="left" if "from" in col or col == "sector" else "right")
    cur_times = p.current_times
    for s, sid in enumerate(p.sector_ids):
        a = int(report.plan.assignment[s])
        row = [sid, f"{p.weights[s]:.3g}", p.candidate_ids[a], f"{report.plan.times[s]:.1f}"]
        row.append(f"{cur_times[s]:.1f}" if cur_times is not None else "-")
        t.add_row(*row)
    console.print(t)
    chosen = ", ".join(f"{p.candidate_ids[i]} ({p.candidate_names[i]})" for i in report.plan.sites)
    console.print(f"chosen: [bold]{chosen}[/]")
    console.print(
        f"weighted mean {report.mean_hours:.1f} h, worst {report.worst_hours:.1f} h; current "
        f"garrisons ({', '.join(p.current_ids) or 'none'}): weighted mean "
        f"{report.current_mean_hours:.1f} h, worst {report.current_worst_hours:.1f} h"
    )


def _sites_dict(report: SitingReport) -> dict[str, Any]:
    p = report.problem
    return {
        "date": p.date.isoformat(),
        "objective": report.plan.kind,
        "weights": p.weight_kind,
        "road_speed_kmh": p.road_speed_kmh,
        "chosen": [p.candidate_ids[i] for i in report.plan.sites],
        "current": list(p.current_ids),
        "mean_hours": report.mean_hours,
        "worst_hours": report.worst_hours,
        "current_mean_hours": report.current_mean_hours,
        "current_worst_hours": report.current_worst_hours,
        "sectors": [
            {
                "id": sid,
                "weight": float(p.weights[s]),
                "from": p.candidate_ids[int(report.plan.assignment[s])],
                "hours": float(report.plan.times[s]),
            }
            for s, sid in enumerate(p.sector_ids)
        ],
    }

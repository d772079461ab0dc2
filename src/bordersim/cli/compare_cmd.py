"""`bordersim compare`: policies side by side on common random numbers."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table


def _fmt(e: dict[str, Any], pct: bool = False) -> str:
    from bordersim.report.formatting import fmt_estimate

    return fmt_estimate(e["mean"], e["lo"], e["hi"], pct)


def register(app: typer.Typer) -> None:
    """Add the `compare` command to the CLI."""

    @app.command()
    def compare(
        scenario: Annotated[str | None, typer.Argument(help="built-in name or YAML file")] = None,
        policy: Annotated[
            list[str] | None,
            typer.Option("--policy", "-p", help="policy (repeat; the first is the baseline)"),
        ] = None,
        replications: Annotated[int, typer.Option("--replications", "-n", min=2)] = 1000,
        days: Annotated[int | None, typer.Option(min=1, max=36600)] = None,
        start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD")] = None,
        seed: Annotated[int, typer.Option(min=0)] = 2021,
        out: Annotated[
            Path | None, typer.Option(help="write compare.json into this run dir")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json")] = False,
        policy_file: Annotated[
            Path | None, typer.Option(help="YAML file with one policy (optimize --write-policy)")
        ] = None,
    ) -> None:
        """Compare policies: each metric per policy, and paired differences against the first
        policy with 95% CIs and the probability that a policy beats it."""
        from bordersim.cli import app as app_module
        from bordersim.engine.memory import MemoryBudgetError, check_run
        from bordersim.experiments.compare import compare as compare_results

        sc, _ = app_module.load_or_fail(scenario)
        if policy_file is not None:
            sc = app_module.with_policy_file(sc, policy_file)
        policies = policy or ["tajik-only", *[p for p in sc.policies if p != "tajik-only"]]
        if len(policies) < 2:
            app_module.fail("give at least two --policy options (the first is the baseline)")
        twice = sorted({p for p in policies if policies.count(p) > 1})
        if twice:  # results are keyed by name: a repeat would silently compare nothing
            app_module.fail(f"--policy {twice[0]!r} is given twice: give each policy once")
        try:  # refuse what cannot fit before allocating it
            check_run(sc, replications=replications, days=days, daily=False, policies=len(policies))
        except MemoryBudgetError as exc:
            app_module.fail(str(exc))
        start_date = app_module.parse_date(start)
        results = {}
        for name in policies:
            results[name] = app_module.run_simulation(
                sc,
                policy=name,
                replications=replications,
                days=days,
                seed=seed,
                start=start_date,
                show_progress=not json_out and sys.stderr.isatty(),
            )
        report = compare_results(results)
        report["command"] = ["bordersim", *sys.argv[1:]]
        text = json.dumps(_clean(report), indent=2, sort_keys=True)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=out, prefix=".compare.", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            os.replace(tmp, out / "compare.json")
        if json_out:
            sys.stdout.write(text + "\n")
            return
        _print(report)

    def _print(report: dict[str, Any]) -> None:
        from bordersim.cli import app as app_module

        console = app_module.console
        console.print(
            f"[bold]{report['scenario']}[/] from {report['start']} for {report['days']} days, "
            f"{report['replications']:,} replications per policy on common random numbers, "
            f"seed {report['seed']}; baseline [bold]{report['baseline']}[/]"
        )
        t = Table(title="Each policy: mean [95% CI]", title_justify="left")
        t.add_column("metric")
        for name in report["policies"]:
            t.add_column(name, justify="right")
        for m in report["metrics"]:
            t.add_row(
                report["metric_labels"][m],
                *(_fmt(report["per_policy"][p][m], m == "true_rate") for p in report["policies"]),
            )
        console.print(t)
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
            cells = []
            for p in others:
                x = by[(p, m)]
                cells.append(f"{_fmt(x, m == 'true_rate')}  P={x['p_better']:.2f}")
            d.add_row(report["metric_labels"][m], *cells)
        console.print(d)
        console.print(
            "P(better) = share of paired replications in which the policy did better than the "
            "baseline (ties count half)."
        )


def _clean(o: Any) -> Any:
    from bordersim.engine.results import _clean as clean

    return clean(o)

"""`bordersim calibrate`: infer the assumed quantities the observations inform (issue 12).

A thin layer over :func:`bordersim.api.calibration.calibrate`: loads the scenario (``--set`` applies
before calibrating), the observations (the built-in ledger unless ``--observations``), runs with a
progress bar per stage, writes ``--out`` (posterior.csv, summary.json) and prints the parameters and
observations, or the summary as JSON (``--json``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from bordersim import api
from bordersim.cli.common import (
    AllowOutsideOpt,
    JsonOpt,
    ScenarioArg,
    SetOpt,
    console,
    err_console,
    fail,
    load_or_fail,
    show_progress,
    with_sets,
)
from bordersim.cli.fit import compact_table, fits
from bordersim.report.formatting import MISSING, fmt_number
from bordersim.report.uncertainty_text import observation_verdict, quantile_span

__all__ = ["calibrate"]


@contextmanager
def _progress(show: bool) -> Iterator[Any]:
    if not show:
        yield None
        return
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield advance


#: How ``identified`` reads in the table.
_IDENTIFIED = {True: "alone", "as a combination": "combined", False: "no"}


def _print(summary: dict[str, Any]) -> None:
    t = compact_table(
        "Free quantities: prior 5–95% vs posterior 5–95%",
        ["quantity", "prior", "posterior", "pinned down"],
    )
    rows = [
        (
            name,
            quantile_span(p["prior"]),
            quantile_span(p["posterior"]) if p["identified"] is True else MISSING,
            _IDENTIFIED.get(p["identified"], str(p["identified"])),
        )
        for name, p in summary["parameters"].items()
    ]
    for col in t.columns:
        col.no_wrap = True
    for row in rows:
        t.add_row(*row)
    if fits(console, t):
        console.print(t)
    else:  # long quantity names: each on its own line, its figures under it
        t = compact_table(
            "Free quantities: prior 5–95% vs posterior 5–95%",
            ["quantity / prior", "posterior", "pinned down"],
        )
        for name, prior, post, ident in rows:
            t.add_row(name)
            t.add_row(f"  {prior}", post, ident)
        console.print(t)
    for c in summary["combinations"]:
        console.print(
            f"identified as a combination: {c['expression']}: prior {quantile_span(c['prior'])}, "
            f"posterior {quantile_span(c['posterior'])}",
            highlight=False,
        )
    if c := summary.get("constrained"):
        console.print(
            f"the observations used constrain {len(c['identified'])} quantities alone and "
            f"{len(c['as_a_combination'])} only in a combination; {len(c['not_constrained'])} of "
            f"{len(summary['parameters'])} they leave at their prior (combined: pinned down only "
            "in a product with others, so no posterior of its own is given)",
            highlight=False,
        )
    o = compact_table(
        "Observations vs posterior predictive",
        ["observation", "observed", "predicted 50% [5–95%]", "verdict"],
    )
    o.columns[0].no_wrap = True
    by = set()
    for oid, ob in summary["observations"].items():
        obs = ob["observed"]
        seen = fmt_number(obs["value"]) if "value" in obs else f"{obs['low']:g}–{obs['high']:g}"
        pr = ob["predicted"]
        by.add(pr["by"])
        o.add_row(
            oid, seen, f"{fmt_number(pr['p50'])} [{fmt_number(pr['p5'])}–{fmt_number(pr['p95'])}]",
            observation_verdict(ob),
        )  # fmt: skip
    console.print(o)
    console.print(
        f"predicted by: {', '.join(sorted(by))}; LOO outside: the other observations alone "
        "would not predict it (leave-one-out, importance-reweighted)",
        highlight=False,
    )
    unused = {i for i, ob in summary["observations"].items() if not ob.get("used", True)}
    for oid in sorted(unused):
        a, b = summary["observations"][oid]["unreachable"]["model_range"]
        console.print(
            f"{oid}: the model cannot produce this over the prior: model range "
            f"{fmt_number(a)}–{fmt_number(b)}; not used",
            highlight=False,
        )
    for s in summary.get("set_aside", []):
        if s["id"] not in unused:
            console.print(f"set aside: {s['id']}: {s['reason']}", highlight=False)


def calibrate(
    scenario: ScenarioArg = None,
    out: Annotated[Path, typer.Option("--out", help="calibration directory to write")] = Path(
        "calibration"
    ),
    observations: Annotated[
        Path | None, typer.Option("--observations", help="file of observations (default: built-in)")
    ] = None,
    free: Annotated[
        list[str] | None,
        typer.Option(
            "--free",
            help="a quantity to infer (repeatable; default: those the observations depend on)",
        ),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="inference method: emcee")] = "emcee",
    steps: Annotated[int, typer.Option("--steps", min=200, max=100_000)] = 2000,
    draws: Annotated[
        int, typer.Option("--draws", min=2, max=1000, help="posterior draws run through the engine")
    ] = 12,
    replications: Annotated[int, typer.Option("--replications", "-n", min=2, max=10_000)] = 20,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**63 - 1)] = 1,
    force: Annotated[bool, typer.Option("--force", help="clear the directory first")] = False,
    sets: SetOpt = None,
    allow_outside_range: AllowOutsideOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Infer the assumed quantities the observations inform; say which they pin down."""
    if method != "emcee":
        fail(f"--method {method!r}: the method available is emcee")
    # imported here: they load NumPy and pydantic, which `bordersim --help` must not pay for
    from bordersim.api.calibration import json_summary
    from bordersim.engine.rundir import OutputError, dumps_json
    from bordersim.scenario.observations import ObservationError

    sc = with_sets(load_or_fail(scenario), sets or [], allow_outside_range)
    try:
        with _progress(show_progress(json_out)) as progress:
            cal = api.calibrate(
                sc, observations=observations, free=free, steps=steps, draws=draws,
                replications=replications, seed=seed, out=out, force=force, progress=progress,
            )  # fmt: skip
    except (ObservationError, ValueError, OutputError, FileNotFoundError) as exc:
        fail(str(exc))
    if json_out:
        print(dumps_json(json_summary(cal)))
        return
    _print(cal.summary)
    console.print(f"wrote {out}/posterior.csv and {out}/summary.json", highlight=False)

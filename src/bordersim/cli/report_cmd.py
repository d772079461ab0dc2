"""The `bordersim report` command: one self-contained HTML report of a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bordersim.cli.common import console, fail

__all__ = ["report"]


def report(
    run_dir: Annotated[Path, typer.Argument(help="directory written by `bordersim run --out`")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="HTML file to write (default RUN_DIR/report.html)"),
    ] = None,
    metric: Annotated[
        str,
        typer.Option(help="map colour: undetected_per_km, true_rate or observed_rate"),
    ] = "undetected_per_km",
    scenario: Annotated[
        Path | None,
        typer.Option(help="scenario file of the run, when it is not a built-in scenario"),
    ] = None,
    with_dirs: Annotated[
        list[Path] | None,
        typer.Option(
            "--with",
            help="also read compare.json / optimize.json / sensitivity.json from this "
            "directory (e.g. a sensitivity --out directory); repeatable",
        ),
    ] = None,
    explore: Annotated[
        int,
        typer.Option(
            help="add the policy explorer: every combination of the policy variants (at most "
            "64) at this many replications each, switched in the page offline (0: none)",
            min=0,
            max=5000,
        ),
    ] = 0,
    posterior: Annotated[
        Path | None,
        typer.Option(
            help="a calibration directory (bordersim calibrate --out): add what it pins down and "
            "re-estimate the headline's input interval over its posterior (a run drawn from a "
            "posterior shows its own without this)",
        ),
    ] = None,
) -> None:
    """Write a self-contained HTML report (map, time series, tables, sources) of a run."""
    # matplotlib and xarray take about a second to import: only this command needs them
    from bordersim.report.html import ReportError, render_report
    from bordersim.report.map import MAP_METRICS

    if metric not in MAP_METRICS:
        fail(f"--metric {metric!r}: choose one of {', '.join(MAP_METRICS)}")
    try:
        result = render_report(
            run_dir, output, metric=metric, scenario_path=scenario,
            extra_dirs=with_dirs or (), explore=explore, posterior=posterior,
        )  # fmt: skip
    except ReportError as exc:
        fail(str(exc))
    console.print(
        f"report written to [bold]{result.html_path}[/]; figures in "
        f"{Path(run_dir) / 'figures'} "
        f"({', '.join(p.name for p in result.figures.values())})",
        highlight=False,
    )

"""The input-uncertainty options of `run` and `compare`, and their two-interval tables.

``--uncertainty prior`` (the default) re-runs the figures on ``--draws`` draws of the ledger's
uncertain quantities; ``posterior`` draws them from a calibration (``--posterior DIR``); ``none``
reports simulation noise only. The tables put the two intervals side by side under labels that say
which is which; both fit 80 columns, and ``--wide`` adds the quantities each figure moves with most.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bordersim.api.uncertainty import (
    UncertaintyError,
    draw_replications,
    input_source,
    resolve_uncertainty,
)
from bordersim.cli.common import console, fail
from bordersim.cli.fit import compact_table
from bordersim.report.formatting import MISSING, fmt_count
from bordersim.report.uncertainty_text import (
    fmt_interval,
    fmt_value,
    headline_sentence,
    is_rate,
    source_words,
)

if TYPE_CHECKING:
    from bordersim.experiments.factors import Space
    from bordersim.scenario.schema import Scenario

#: Two-line column heads: which interval is which.
CI_HEAD = "simulation noise\n(95% CI)"
INPUT_HEAD = "input uncertainty\n(5–95% over draws)"
_METRIC = {"first_reinforcement_hours": "first reinforcement (h)",
           "cost_per_interdiction_rub": "cost per interdiction (RUB)"}  # fmt: skip
_SHORT = {"undetected_got_away": "undetected", "defender_losses": "defender losses"}

__all__ = [
    "DrawRepsOpt",
    "DrawsOpt",
    "PosteriorOpt",
    "UncertaintyChoice",
    "UncertaintyOpt",
    "check_uncertainty",
    "draw_work",
    "posterior_space",
    "print_compare_intervals",
    "print_headline",
    "print_posterior_factor",
]


class UncertaintyChoice(StrEnum):
    """Where the input interval's draws come from."""

    none = "none"
    prior = "prior"
    posterior = "posterior"


UncertaintyOpt = Annotated[
    UncertaintyChoice | None,
    typer.Option(
        "--uncertainty",
        help="input interval from draws of the ledger's ranges (prior: the default), a "
        "calibration's posterior (the --posterior DIR, else the built-in scenario's own "
        "calibration; the default when --posterior is given), or none (simulation noise only)",
        show_default=False,
    ),
]
DrawsOpt = Annotated[
    int, typer.Option("--draws", min=2, max=10_000, help="draws of the uncertain inputs")
]
DrawRepsOpt = Annotated[
    int | None,
    typer.Option(
        "--draw-replications", min=1, max=100_000, help="replications per draw (default 20)"
    ),
]
PosteriorOpt = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        help="draw the calibrated quantities from this calibration directory (bordersim "
        "calibrate --out), the others from the ledger's ranges",
    ),
]


def check_uncertainty(
    kind: UncertaintyChoice | None, posterior: Path | None, scenario: Scenario
) -> UncertaintyChoice:
    """The uncertainty asked for (``--posterior`` alone means posterior), its posterior read and
    checked against ``scenario``; an impossible request is refused before anything is simulated
    (one message, exit 2)."""
    try:
        resolved = resolve_uncertainty(None if kind is None else kind.value, posterior)
        input_source(resolved, posterior, scenario)
    except UncertaintyError as exc:
        fail(str(exc))
    return UncertaintyChoice(resolved)


def draw_work(kind: UncertaintyChoice, draws: int, replications: int, per_draw: int | None) -> int:
    """Replications the draws add to a policy's run (for the progress bar): 0 without draws."""
    if kind is UncertaintyChoice.none:
        return 0
    return draws * draw_replications(replications, per_draw)


def _headline_table(summary: dict[str, Any], wide: bool) -> Table:
    heads = ["actor / figure", "mean", CI_HEAD, INPUT_HEAD]
    if wide:
        heads.append("moves most with\n(rank correlation²)")
    t = compact_table("Headline figures and their two intervals", heads)
    last = None
    for e in summary["headline"]:
        if e["actor"] != last:
            t.add_row(e["actor"], style="bold")
            last = e["actor"]
        pct = is_rate(e["metric"])
        row = [
            "  " + _SHORT.get(e["metric"], e["metric"].replace("_", " ")),
            fmt_value(e["mean"], pct),
            fmt_interval(e["ci"], pct),
            fmt_interval(e["input_interval"], pct),
        ]
        if wide:
            row.append(", ".join(f"{f['factor']} {f['rho2']:.2f}" for f in e["top_factors"]))
        t.add_row(*row)
    return t


def print_headline(console: Console, summary: dict[str, Any], wide: bool = False) -> None:
    """The run's headline figures with both intervals, and the sentence that weighs them."""
    desc = summary.get("input_uncertainty")
    if not summary.get("headline") or desc is None:
        console.print(
            "[dim]input uncertainty not estimated (--uncertainty none): the intervals above are "
            "simulation noise only[/]"
        )
        return
    console.print(_headline_table(summary, wide))
    console.print(
        f"simulation noise: 95% CI over the {fmt_count(summary['replications'])} replications at "
        f"the scenario's values; input uncertainty: 5–95% over {source_words(desc)}."
    )
    first = summary["headline"][0]
    console.print(headline_sentence(first, desc, int(summary["replications"]), first["actor"]))


def print_compare_intervals(console: Console, report: dict[str, Any], wide: bool = False) -> None:
    """Per policy and metric: the input interval of its value and of its difference against the
    baseline, and P(better) within one draw (common random numbers) and across draws."""
    desc = report.get("input_uncertainty")
    if desc is None:
        console.print("[dim]input uncertainty not estimated (--uncertainty none)[/]")
        return
    base = report["baseline"]
    t = compact_table(
        f"Across input uncertainty ({source_words(desc)}; common random numbers in each draw)",
        ["metric / policy", "input uncertainty\n(5–95%)", f"minus {base}\n(5–95%)",
         "P(better)\nin a draw", "P(better)\nacross draws"],
    )  # fmt: skip
    by = {(x["policy"], x["metric"]): x for x in report["differences"]}
    for m in report["metrics"]:
        pct = m == "true_rate"
        t.add_row(
            report["metric_labels"][m] if wide else _METRIC.get(m, m.replace("_", " ")),
            style="bold",
        )
        for p in report["policies"]:
            x = by.get((p, m))
            t.add_row(
                f"  {p}",
                fmt_interval(report["per_policy"][p][m].get("input_interval"), pct, not wide),
                "" if x is None else fmt_interval(x.get("input_interval"), pct, not wide),
                "" if x is None else _p(x.get("p_better_within_draw")),
                "" if x is None else _p(x.get("p_better_across_draws")),
            )
    console.print(t)
    console.print(
        "P(better) in a draw: share of paired replications at the scenario's values in which the "
        "policy beats the baseline; across draws: share of the draws of the uncertain inputs in "
        "which its mean does (ties count half)."
    )


def _p(v: float | None) -> str:
    return MISSING if v is None else f"{v:.2f}"


def posterior_space(
    sc: Any,
    space: Space,
    ranged: list[str],
    kind: UncertaintyChoice | None,
    posterior: Path | None,
    design: str,
) -> Space:
    """A sweep's space with the calibrated quantities as one posterior factor, when the options
    ask for a posterior (exit 2 for a contradiction, morris, or a posterior that cannot serve)."""
    from bordersim.api.uncertainty import UncertaintyError, resolve_uncertainty
    from bordersim.experiments.posterior import PosteriorError, load_posterior, with_posterior

    try:
        resolved = resolve_uncertainty(None if kind is None else kind.value, posterior)
    except UncertaintyError as exc:
        fail(str(exc))
    if resolved == "none":
        fail("--uncertainty none: a sweep varies the uncertain inputs; say prior or posterior")
    if resolved == "prior":
        return space
    if design == "morris":
        fail(
            "--posterior with morris: elementary effects need an ordered factor, and the "
            "posterior's rows have no order; use sobol (the calibrated quantities are then one "
            "factor) or lhs"
        )
    try:
        return with_posterior(space, sc, load_posterior(sc, posterior), ranged=ranged)
    except PosteriorError as exc:
        fail(str(exc))


def print_posterior_factor(space: Space) -> None:
    """Say which factor stands for the calibrated quantities, when one does."""
    for f in space.factors:
        if f.kind == "posterior":
            console.print(
                f"factor {f.name}: {len(f.members)} calibrated quantities drawn jointly from the "
                f"{f.describe()['rows']} rows of the posterior of {f.origin}; the others from the "
                "ledger's ranges",
                highlight=False,
            )

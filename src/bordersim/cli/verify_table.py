"""The table of every metric before and after a plan, for `bordersim optimize --verify`.

Called by the optimize command's printer: each comparison metric under the base policy and under
the plan on common random numbers, the paired difference's 95% CI, and WORSE where a metric
worsens beyond that interval (:mod:`bordersim.experiments.verify_metrics`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from bordersim.report.formatting import fmt_estimate

if TYPE_CHECKING:  # the experiments layer imports NumPy: only for the type checker
    from bordersim.experiments.verify_metrics import MetricChecks

__all__ = ["print_metric_checks"]


def print_metric_checks(console: Console, checks: MetricChecks | None) -> None:
    """Print every metric before and after the plan, flagging those that worsened."""
    if checks is None:
        return
    t = Table(
        title=(
            f"Every metric: {checks.before_policy} vs {checks.after_policy} on common random "
            "numbers (mean [95% CI]; WORSE = worse beyond the paired 95% CI)"
        ),
        title_justify="left",
    )
    for col in ("metric", "before", "after", "after - before", "check"):
        t.add_column(col, justify="left" if col in ("metric", "check") else "right")
    for c in checks.checks:
        pct = c.metric == "true_rate"
        d = c.difference
        t.add_row(
            c.label,
            fmt_estimate(c.before.mean, c.before.lo, c.before.hi, pct),
            fmt_estimate(c.after.mean, c.after.lo, c.after.hi, pct),
            fmt_estimate(d.mean, d.lo, d.hi, pct),
            "[red]WORSE[/]" if c.flagged else "[green]ok[/]",
        )
    console.print(t)
    if checks.worsened:
        console.print(
            f"[red]The plan worsens {', '.join(checks.worsened)} beyond simulation noise[/] "
            "(a metric the plan's objective may not weigh)."
        )

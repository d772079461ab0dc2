"""Tables that fit the terminal: the full table when it fits (or ``--wide``), else a compact one.

The full tables give every figure as ``mean [95% CI]`` and need some 150 columns; under that they
wrapped every cell onto two or three lines. The compact layouts keep the means and the one interval
that matters most, as ``mean ±half-width``, and fit in 80 columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from bordersim.report.formatting import MISSING, fmt_estimate, fmt_number

__all__ = [
    "compact_table",
    "estimate",
    "fits",
    "fmt_pm",
    "fmt_rate",
    "print_fitting",
    "row_estimate",
]


def _nan(v: float | None) -> float:
    return math.nan if v is None else v


def estimate(m: float | None, lo: float | None, hi: float | None, pct: bool = False) -> str:
    """``mean [95% CI]`` of figures from a JSON summary, where undefined is ``None``."""
    return fmt_estimate(_nan(m), _nan(lo), _nan(hi), pct)


def row_estimate(row: dict[str, Any], key: str, pct: bool = False) -> str:
    """``key``'s mean [95% CI] of a summary row (``key``, ``key_lo``, ``key_hi``)."""
    return estimate(row[key], row[f"{key}_lo"], row[f"{key}_hi"], pct)


def _undefined(v: float | None) -> bool:
    return v is None or v != v


def fmt_rate(v: float | None) -> str:
    """A fraction as a percentage with one decimal (:data:`MISSING` when undefined)."""
    return MISSING if _undefined(v) else f"{100 * v:.1f}%"  # type: ignore[operator]


def fmt_pm(m: float | None, lo: float | None, hi: float | None, pct: bool = False) -> str:
    """``mean ±half-width`` of a 95% CI, the compact tables' cell."""
    if _undefined(m):
        return MISSING
    half = None if _undefined(lo) or _undefined(hi) else (hi - lo) / 2  # type: ignore[operator]
    if pct:
        tail = "" if half is None else f" ±{100 * half:.1f}"
        return f"{fmt_rate(m)}{tail}"
    return fmt_number(m) + ("" if half is None else f" ±{fmt_number(half)}")


def compact_table(title: str, columns: list[str], left: int = 1) -> Table:
    """A borderless table with a rule under its header; the first ``left`` columns left-aligned.
    Columns are two spaces apart (a one-space separator and one space of padding)."""
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    for k, col in enumerate(columns):
        table.add_column(col, justify="left" if k < left else "right")
    return table


def fits(console: Console, table: Table) -> bool:
    """Whether ``table`` prints at its natural width on ``console`` without wrapping cells."""
    return (
        Measurement.get(console, console.options.update_width(10_000), table).maximum
        <= console.width
    )


def print_fitting(
    console: Console, wide: Table, compact: Callable[[], list[Table]], force_wide: bool
) -> None:
    """Print ``wide`` if it fits the console (or ``force_wide``, then at its natural width), else
    the tables ``compact()`` builds."""
    need = Measurement.get(console, console.options.update_width(10_000), wide).maximum
    if need <= console.width:
        console.print(wide)
    elif force_wide:
        width = console.width
        console.width = need  # Console.print never renders wider than the console
        try:
            console.print(wide, crop=False)
        finally:
            console.width = width
    else:
        for table in compact():
            console.print(table)

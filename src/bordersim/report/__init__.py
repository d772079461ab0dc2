"""bordersim.report layer: tables, figures, the map, and one self-contained HTML report of a run.

``render_report(run_dir)`` reads what ``bordersim run --out run_dir`` wrote and produces
``run_dir/report.html`` (offline, printable) plus ``run_dir/figures/*.png``.

The HTML side (matplotlib, xarray) is imported on first use, so that the terminal, which needs only
:mod:`bordersim.report.formatting`, starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bordersim.report.formatting import MISSING, fmt_estimate, fmt_number

if TYPE_CHECKING:  # the real imports are lazy (matplotlib is slow to import)
    from bordersim.report.html import ReportError, ReportOutput, load_run, render_report

__all__ = [
    "MISSING",
    "ReportError",
    "ReportOutput",
    "fmt_estimate",
    "fmt_number",
    "load_run",
    "render_report",
]

_LAZY = {"ReportError", "ReportOutput", "load_run", "render_report"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from bordersim.report import html

        return getattr(html, name)
    raise AttributeError(f"module 'bordersim.report' has no attribute {name!r}")

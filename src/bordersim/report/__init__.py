"""bordersim.report layer: tables, figures, the map, and one self-contained HTML report of a run.

``render_report(run_dir)`` reads what ``bordersim run --out run_dir`` wrote and produces
``run_dir/report.html`` (offline, printable, rendered from the Jinja2 templates in
``report/templates``) plus ``run_dir/figures/*.png``.

The HTML side (matplotlib, xarray, Jinja2) and the map's metric list (numpy) are imported on first
use (PEP 562), so that the terminal, which needs only :mod:`bordersim.report.formatting`, starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bordersim.report.formatting import (
    MISSING,
    fmt_count,
    fmt_estimate,
    fmt_number,
    fmt_percent,
    fmt_quantity,
)

if TYPE_CHECKING:  # the real imports are lazy (matplotlib is slow to import)
    from bordersim.report.html import ReportError, ReportOutput, load_run, render_report
    from bordersim.report.map_metrics import MAP_METRICS

__all__ = [
    "MAP_METRICS",
    "MISSING",
    "ReportError",
    "ReportOutput",
    "fmt_count",
    "fmt_estimate",
    "fmt_number",
    "fmt_percent",
    "fmt_quantity",
    "load_run",
    "render_report",
]

#: Lazily imported names and the module each comes from.
_LAZY = {
    "MAP_METRICS": "bordersim.report.map_metrics",
    "ReportError": "bordersim.report.html",
    "ReportOutput": "bordersim.report.html",
    "load_run": "bordersim.report.html",
    "render_report": "bordersim.report.html",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bordersim.report' has no attribute {name!r}")

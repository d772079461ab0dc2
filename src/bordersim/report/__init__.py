"""bordersim.report layer: tables, figures, the map, and one self-contained HTML report of a run.

``render_report(run_dir)`` reads what ``bordersim run --out run_dir`` wrote and produces
``run_dir/report.html`` (offline, printable) plus ``run_dir/figures/*.png``.
"""

from bordersim.report.html import ReportError, ReportOutput, load_run, render_report

__all__ = ["ReportError", "ReportOutput", "load_run", "render_report"]

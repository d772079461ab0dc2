"""One self-contained HTML report of a run directory, rendered from Jinja2 templates.

The report reads only what ``bordersim run --out DIR`` wrote (see :mod:`bordersim.report.run_data`).
The page works offline: no scripts, fonts or stylesheets are fetched; the CSS is inline, figures are
inline SVG (text kept as text) and are also written as PNGs to ``DIR/figures`` for slides. The file
is written atomically (temporary file, then ``os.replace``).

Each section is a function that prepares plain data (:mod:`bordersim.report.sections`,
:mod:`bordersim.report.sources`, :mod:`bordersim.report.optional_sections`) and a small template in
``report/templates``. The environment autoescapes every ``{{ }}`` and strips control characters
from text (:func:`bordersim.report.text.clean_text`); the figures' SVG is the one piece marked
safe (matplotlib writes its text XML-escaped).

Sections (their element ids): ``headline``, ``map``, ``timeseries``, ``sectors``, ``actors``,
``fleeing`` (when people fleeing were simulated), ``compare``, ``optimize``, ``sensitivity`` (only
when their files exist), ``sources``, ``provenance``.

Optional inputs, rendered only when the file exists in the run directory or a ``--with`` directory
(extra keys are ignored):

``compare.json``
    written by ``bordersim compare --out RUN_DIR`` (:func:`bordersim.experiments.compare.compare`):
    ``{"baseline": str, "policies": [str], "metrics": [str], "metric_labels": {metric: str},
    "per_policy": {policy: {metric: {"mean", "lo", "hi", "se"}}}, "differences": [{"policy",
    "metric", "mean", "lo", "hi", "se", "p_better", "p_better_se", "n"}]}`` -- each metric per
    policy and the paired differences against the baseline on common random numbers.
``optimize.json``
    written by ``bordersim optimize --out DIR``: ``{"adversary", "actor", "guards", "date",
    "best_before", "best_after", "predicted_before", "predicted", "method", "sectors": [{"id",
    "name", "current", "recommended", "value_before", "value_after"}], "verification"}``; the
    minimal older shape ``{"method", "objective", "predicted", "simulated": {"mean", "lo", "hi"},
    "allocation": [{"sector", ...numbers}]}`` is shown as a generic table.
``sensitivity.json``
    written by ``bordersim sensitivity --out DIR``: a list of ``{"factor", "sourced", "mu_star",
    "mu_star_conf"}`` (Morris) or ``{"factor", "sourced", "S1", "S1_conf", "ST", "ST_conf"}``
    (Sobol), with ``sensitivity_meta.json`` beside it; or ``{"method", "metric", "factors":
    [{"name", "index", "lo", "hi"}]}``, ranked by ``index`` (descending).
``robust.json``
    written by ``bordersim robust --out DIR``: ``{"policies", "thresholds", "regret", "satisficing",
    "lever_activity", "lever_notes", "boxes", "draw_values", ...}`` (see
    :mod:`bordersim.report.robust_section`): the regret table, a distribution plot over draws and
    the PRIM box in words.

A file that does not parse or lacks the keys above is reported in its section, not fatal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from bordersim import __version__
from bordersim.engine.rundir import OutputError, check_into, write_into
from bordersim.report.calibration_section import (
    calibration_data,
    calibration_dir,
    drew_from,
    reestimated_summary,
)
from bordersim.report.figures import (
    TimelineMark,
    save_png,
    sector_bars_figure,
    svg_text,
    timeseries_figure,
)
from bordersim.report.map import MAP_METRICS, METRIC_SPECS, MapResult, draw_map, sector_metric
from bordersim.report.optional_sections import optional_sections
from bordersim.report.policy_explorer import explorer_data
from bordersim.report.run_data import OPTIONAL_FILES, ReportError, RunData, load_run
from bordersim.report.sections import (
    actor_names,
    actors_data,
    fleeing_data,
    headline_data,
    map_data,
    provenance_data,
    timeline_marks,
    timeseries_data,
)
from bordersim.report.sources import sources_data
from bordersim.report.text import clean_text

__all__ = [
    "OPTIONAL_FILES",
    "SECTION_IDS",
    "ReportError",
    "ReportOutput",
    "RunData",
    "build_html",
    "environment",
    "load_run",
    "render_report",
]

SECTION_IDS = ("headline", "map", "timeseries", "sectors", "actors", "sources", "provenance")


#: Marks a file as a bordersim report (the template's generator meta tag): only such a file, or the
#: run's registered report, may be overwritten.
GENERATOR_TAG = b'<meta name="generator" content="bordersim'


@dataclass(frozen=True)
class ReportOutput:
    """Where the report went, its figures, and the map's encoding (for checks)."""

    html_path: Path
    figures: dict[str, Path]
    map: MapResult


def _finalize(value: Any) -> Any:
    """Every ``{{ }}`` value: markup (the SVG) as is, None as nothing, text without control chars."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return clean_text(value)


def environment() -> Environment:
    """The templates' environment: autoescaped, strict about undefined names."""
    return Environment(
        loader=PackageLoader("bordersim.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
    )


def _nav(
    has_fleeing: bool,
    optional: Sequence[dict[str, Any]],
    explorer: bool = False,
    calibration: bool = False,
) -> list[tuple[str, str]]:
    """The top bar's links: (element id, label) for every section on the page."""
    return [
        ("headline", "Summary"),
        *([("calibration", "Calibration")] if calibration else []),
        *([("explorer", "Policy explorer")] if explorer else []),
        ("map", "Map"),
        ("timeseries", "Over time"),
        ("sectors", "By sector"),
        ("actors", "By actor"),
        *([("fleeing", "People fleeing")] if has_fleeing else []),
        *[(sec["id"], sec["id"].capitalize()) for sec in optional],
        ("sources", "Sources"),
        ("provenance", "Provenance"),
    ]


def build_html(
    run: RunData,
    metric: str,
    mres: MapResult,
    svgs: dict[str, str],
    marks: Sequence[TimelineMark],
    explorer: dict[str, Any] | None = None,
    calibration: dict[str, Any] | None = None,
) -> str:
    """The report page as one string; ``svgs`` holds the figures' inline SVG by section name;
    ``explorer`` the policy explorer's data (:func:`~bordersim.report.policy_explorer.explorer_data`);
    ``calibration`` the calibration section's
    (:func:`~bordersim.report.calibration_section.calibration_data`)."""
    fleeing = fleeing_data(run)
    optional = optional_sections(run.extras)
    policy = run.manifest.get("policy", "baseline")
    context = {
        "version": __version__,
        "title": f"{run.scenario.title} — {policy} — bordersim report",
        "nav": _nav(fleeing is not None, optional, explorer is not None, calibration is not None),
        "svg": {k: Markup(v) for k, v in svgs.items()},  # matplotlib's SVG, its text XML-escaped
        "headline": headline_data(run),
        "map": map_data(run, metric, mres.values),
        "timeseries": timeseries_data(run, marks),
        "actors": actors_data(run),
        "fleeing": fleeing,
        "optional": optional,
        "sources": sources_data(run),
        "provenance": provenance_data(run),
        "explorer": _explorer_context(explorer),
        "calibration": calibration,
    }
    return environment().get_template("report.html").render(context)


def _explorer_context(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The explorer's template values: its data as an HTML-safe JSON block, and what is shown."""
    if data is None:
        return None
    first = next(iter(data["combos"].values()))
    return {**data, "actor": first["headline"].get("actor", ""), "json": htmlsafe_json_dumps(data)}


def render_report(
    run_dir: Path,
    out: Path | None = None,
    metric: str = "undetected_per_km",
    scenario_path: Path | None = None,
    extra_dirs: Sequence[Path] = (),
    explore: int = 0,
    posterior: Path | None = None,
) -> ReportOutput:
    """Render ``run_dir`` to a self-contained HTML file (default ``run_dir/report.html``) and its
    figures to ``run_dir/figures/*.png``; ``explore`` > 0 adds the policy explorer, every
    combination of the policy variants at ``explore`` replications each. ``posterior`` (a
    calibration directory) adds its calibration section and, unless the run already drew from it,
    re-estimates the headline's input interval over it
    (:mod:`bordersim.report.calibration_section`); a run drawn from a posterior shows its own."""
    if metric not in METRIC_SPECS:
        raise ReportError(f"unknown metric {metric!r} (choose from {', '.join(MAP_METRICS)})")
    run = load_run(run_dir, scenario_path, extra_dirs)
    if posterior is not None and not drew_from(run, Path(posterior)):
        run = replace(run, summary=reestimated_summary(run, Path(posterior)))
    cal_dir = calibration_dir(run, posterior)
    calibration = calibration_data(cal_dir) if cal_dir is not None else None
    out = Path(out) if out is not None else run.run_dir / "report.html"
    try:  # refuse a foreign file at --output before any figure is written
        check_into(out, writer="report", marker=GENERATOR_TAG)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    names_by_id = actor_names(run)
    names = [names_by_id.get(a, a) for a in run.actor_ids]
    values = sector_metric(run.covert_mean, run.length_km, metric)
    control_date = np.datetime_as_string(run.days[-1], unit="D") if len(run.days) else ""
    control = run.compiled.phases[-1].control
    mres = draw_map(run.scenario, values, control, metric, control_date=control_date)
    marks = timeline_marks(run)
    ts = timeseries_figure(
        run.days, run.daily_mean, run.daily_sd, run.replications, names, marks, run.flee_daily_mean
    )
    bars = sector_bars_figure(run.sector_ids, run.sector_groups, run.covert_mean, names)
    figs = {"map": mres.figure, "timeseries": ts, "sectors": bars}
    svgs = {k: svg_text(f, k) for k, f in figs.items()}
    explorer = explorer_data(run, explore) if explore > 0 else None
    try:
        paths = {k: save_png(f, run.run_dir / "figures" / f"{k}.png") for k, f in figs.items()}
        page = build_html(run, metric, mres, svgs, marks, explorer, calibration)
        write_into(out, page, writer="report", marker=GENERATOR_TAG)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    return ReportOutput(html_path=out, figures=paths, map=mres)

"""The what-if page: levers on the left, the headline, the map, the daily series and the paired
difference against the baseline on the right, rerun on every change.

Built on Panel (HoloViz): a maintained dashboard library of the scientific Python stack whose server
serves every script and style itself (Bokeh's resources come from the installed package), so the
page works the same with the network cut off; its widgets, Bokeh plots and URL query binding cover
what the page needs without a JavaScript build. Each browser session gets its own :class:`WhatIf`.
A change schedules a run in a worker thread (the page stays live); a newer change supersedes an
older run, which stops at its next block of replications. The state lives in the URL query.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import math
from typing import Any
from urllib.parse import urlencode

import panel as pn
from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LinearColorMapper, Range1d
from bokeh.palettes import Viridis256
from bokeh.plotting import figure

import bordersim as bs
from bordersim.api.whatif import (
    METRIC_LABELS,
    MISSING,
    SECTOR_METRICS,
    fmt_estimate,
    fmt_number,
    sector_lines,
)
from bordersim.web.export import policy_yaml, scenario_yaml
from bordersim.web.runner import Runner, Superseded, View
from bordersim.web.settings import (
    MAX_REPLICATIONS,
    MIN_REPLICATIONS,
    Settings,
    from_query,
    to_query,
)

__all__ = ["WhatIf"]

_CSS = """
.bs-headline {font-size: 1.05em; line-height: 1.5}
.bs-headline b {font-size: 1.25em}
.bs-status {color: #555; font-size: 0.85em}
.bs-diff td, .bs-diff th {padding: 2px 8px; text-align: right}
.bs-diff td:first-child, .bs-diff th:first-child {text-align: left}
"""


#: Inline, not a class: each pane renders in its own shadow root, which the page's CSS cannot reach.
_ERROR_STYLE = {"color": "#b00020", "font-size": "0.85em"}

_WRAP = [":host {width: 370px} .bk-slider-title, label {white-space: normal !important}"]


def _pct(e: dict[str, float] | None) -> str:
    if not e or e.get("mean") is None or math.isnan(e["mean"]):
        return MISSING
    return fmt_estimate(e["mean"], e["lo"], e["hi"], pct=True)


class WhatIf:
    """One session of the what-if page for one scenario."""

    def __init__(self, scenario: bs.Scenario, runner: Runner) -> None:
        self.scenario = scenario
        self.runner = runner
        self.levers = {lv.key: lv for lv in bs.levers(scenario)}
        self._generation = itertools.count(1)
        self._current = 0
        self._task: asyncio.Task[None] | None = None
        self._syncing = False
        self._doc: Any = None
        self._query_errors: dict[str, str] = {}
        self._seed = Settings.seed  # no widget: set only by the URL query
        self._build_widgets()
        self._build_outputs()

    # ---- widgets --------------------------------------------------------------------------------
    def _lever_widget(self, lv: bs.Lever) -> Any:
        mark = {
            "sourced": "sourced",
            "assumed": "assumed",
            "calibrated": "calibrated",
            "structural": "model choice",
        }
        name = f"{lv.label} ({mark[lv.evidence]})"
        if lv.kind == "choice":
            return pn.widgets.Select(
                name=name, options=list(lv.options), value=str(lv.value), stylesheets=_WRAP
            )
        assert lv.low is not None and lv.high is not None
        if lv.kind == "integer":
            return pn.widgets.IntSlider(
                name=name, start=int(lv.low), end=int(lv.high), value=int(float(lv.value)),
                stylesheets=_WRAP,
            )  # fmt: skip
        span = lv.high - lv.low
        step = span / 100 if span > 0 else 1.0
        return pn.widgets.FloatSlider(
            name=name, start=lv.low, end=lv.high if span > 0 else lv.low + 1,
            value=float(lv.value), step=step, disabled=span == 0, stylesheets=_WRAP,
        )  # fmt: skip

    def _build_widgets(self) -> None:
        period = self.scenario.model.period
        self.w_policies = pn.widgets.CheckBoxGroup(
            name="policy variants", options=list(self.runner.order), value=[], inline=False
        )
        self.w_levers = {key: self._lever_widget(lv) for key, lv in self.levers.items()}
        self.w_errors = {
            key: pn.pane.HTML("", styles=_ERROR_STYLE, margin=(0, 5))
            for key in [*self.levers, "policy", "replications", "start", "days", "metric"]
        }
        self.w_start = pn.widgets.DatePicker(name="start", value=period.start)
        self.w_days = pn.widgets.IntInput(name="days", value=period.days, start=1, end=3660)
        self.w_reps = pn.widgets.IntSlider(
            name="replications", start=MIN_REPLICATIONS, end=MAX_REPLICATIONS,
            step=10, value=Settings.replications,
        )  # fmt: skip
        self.w_metric = pn.widgets.Select(
            name="map colour",
            options={label: key for key, (label, _) in SECTOR_METRICS.items()},
            value=Settings.metric,
        )
        self.w_export_policy = pn.widgets.FileDownload(
            callback=lambda: policy_yaml(self.scenario, self.settings()),
            filename="whatif-policy.yaml", label="export as policy YAML",
        )  # fmt: skip
        self.w_export_scenario = pn.widgets.FileDownload(
            callback=lambda: scenario_yaml(self.scenario, self.settings()),
            filename="whatif-scenario.yaml", label="export as scenario YAML",
        )  # fmt: skip
        self._keys = {id(w): key for key, w in self.w_levers.items()}
        self._keys.update({id(self.w_policies): "policy", id(self.w_start): "start",
                           id(self.w_days): "days", id(self.w_reps): "replications",
                           id(self.w_metric): "metric"})  # fmt: skip
        for w in [self.w_policies, self.w_start, self.w_days, self.w_reps, self.w_metric,
                  *self.w_levers.values()]:  # fmt: skip
            w.param.watch(self._changed, "value")

    def _build_outputs(self) -> None:
        self.headline = pn.pane.HTML("", css_classes=["bs-headline"], sizing_mode="stretch_width")
        self.status = pn.pane.HTML("", css_classes=["bs-status"])
        self.ignored = pn.pane.HTML("", styles=_ERROR_STYLE)
        self.diff = pn.pane.HTML("", sizing_mode="stretch_width")
        lines = sector_lines(self.scenario)
        self.map_source = ColumnDataSource(
            {
                "xs": [list(s.lon) for s in lines],
                "ys": [list(s.lat) for s in lines],
                "sector": [s.sector for s in lines],
                "group": [s.group for s in lines],
                "value": [math.nan] * len(lines),
                "label": [MISSING] * len(lines),
            }
        )
        self.mapper = LinearColorMapper(palette=Viridis256, low=0, high=1, nan_color="#bbbbbb")
        fig = figure(height=330, sizing_mode="stretch_width", match_aspect=True,
                     tools="pan,wheel_zoom,reset", title="sectors")  # fmt: skip
        fig.multi_line("xs", "ys", source=self.map_source, line_width=6,
                       line_color={"field": "value", "transform": self.mapper})  # fmt: skip
        fig.add_tools(HoverTool(tooltips=[("sector", "@sector"), ("area", "@group"),
                                          ("value", "@label")]))  # fmt: skip
        fig.add_layout(ColorBar(color_mapper=self.mapper, width=8, title="baseline range"), "right")
        fig.xaxis.axis_label, fig.yaxis.axis_label = "longitude", "latitude"
        self.map_fig = fig
        self.series_source = ColumnDataSource({"i": [], "attempts": [], "interdicted": []})
        # Explicit ranges, set from the data in _show: Bokeh's automatic ranges cannot start from
        # an empty source (it logs "could not set initial ranges" in the browser's console).
        self.series_x, self.series_y = (
            Range1d(0, self.scenario.model.period.days - 1),
            Range1d(0, 1),
        )
        sfig = figure(height=220, sizing_mode="stretch_width", title="per day (mean)",
                      x_range=self.series_x, y_range=self.series_y,
                      tools="pan,wheel_zoom,reset")  # fmt: skip
        sfig.line("i", "attempts", source=self.series_source, legend_label="attempts")
        sfig.line("i", "interdicted", source=self.series_source, color="#d95f02",
                  legend_label="interdicted")  # fmt: skip
        sfig.xaxis.axis_label = "day of the period"
        self.series_fig = sfig

    # ---- state ----------------------------------------------------------------------------------
    def settings(self) -> Settings:
        """The settings the widgets show now (levers only where moved from nominal)."""
        moved: dict[str, Any] = {}
        for key, w in self.w_levers.items():
            nominal = self.levers[key].value
            value = w.value
            if isinstance(nominal, float):
                if not math.isclose(float(value), nominal, rel_tol=1e-9, abs_tol=1e-12):
                    moved[key] = float(value)
            elif value != nominal:
                moved[key] = value
        period = self.scenario.model.period
        return Settings(
            policies=tuple(self.w_policies.value),
            levers=moved,
            replications=int(self.w_reps.value or Settings.replications),
            start=None if self.w_start.value == period.start else self.w_start.value,
            days=None if self.w_days.value in (None, period.days) else int(self.w_days.value),
            metric=str(self.w_metric.value),
            seed=self._seed,
        )

    def apply_query(self, query: dict[str, str]) -> None:
        """Set the widgets from a URL query; refused values are shown by their lever."""
        s, errors = from_query(query, self.scenario, metrics=list(SECTOR_METRICS))
        self._syncing = True
        try:
            self.w_policies.value = list(s.policies)
            for key, value in s.levers.items():
                w = self.w_levers[key]
                if isinstance(w, pn.widgets.Select):
                    w.value = value
                else:  # checked by from_query: a number within the range, whole for an integer
                    w.value = type(w.value)(float(value))
            self.w_reps.value = s.replications
            self._seed = s.seed
            if s.start is not None:
                self.w_start.value = s.start
            if s.days is not None:
                self.w_days.value = s.days
            self.w_metric.value = s.metric
        finally:
            self._syncing = False
        self._query_errors = dict(errors)
        self._show_errors(errors)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key, pane in self.w_errors.items():
            msg = errors.get(key, "")
            pane.object = (
                f'<span data-testid="error-{html.escape(key)}">{html.escape(msg)}</span>'
                if msg else ""
            )  # fmt: skip
        unknown = {k: v for k, v in errors.items() if k not in self.w_errors}
        self.ignored.object = (
            '<span data-testid="error-ignored">'
            + html.escape("ignored: " + "; ".join(f"{k}: {v}" for k, v in unknown.items()))
            + "</span>"
            if unknown
            else ""
        )

    # ---- running --------------------------------------------------------------------------------
    def _changed(self, event: Any) -> None:
        if self._syncing:
            return
        # A refused query value stays shown by its lever until the reader moves that lever.
        self._query_errors.pop(self._keys.get(id(event.obj), ""), None)
        self.schedule()

    def schedule(self) -> None:
        """Start a run for the current settings; a run still going is superseded."""
        gen = next(self._generation)
        self._current = gen
        s = self.settings()
        if pn.state.location is not None:
            query = to_query(s, self.scenario)  # one change of the URL, not clear-then-set
            pn.state.location.search = f"?{urlencode(query)}" if query else ""
        self.status.object = f'<span data-testid="status" data-run="{gen}">running…</span>'
        self._task = asyncio.ensure_future(self._run(gen, s))
        self._task.add_done_callback(self._report_crash)

    def _report_crash(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            msg = html.escape(" ".join(str(task.exception()).split()))
            self.status.object = f'<span data-testid="run-error">page error: {msg}</span>'

    async def _run(self, gen: int, s: Settings) -> None:
        try:
            view = await asyncio.to_thread(self.runner.compute, s, lambda: self._current != gen)
        except Superseded:
            return
        except Exception as exc:  # a failed run is shown in the page; the server keeps serving
            if gen == self._current:
                msg = html.escape(" ".join(str(exc).split()))
                self.status.object = f'<span data-testid="run-error">run failed: {msg}</span>'
            return
        if gen != self._current:
            return
        doc = self._doc
        if doc is None:  # not served (a test or a notebook): update directly
            self._show(view, gen)
        else:  # Bokeh models change only inside their document's lock
            doc.add_next_tick_callback(lambda: self._show(view, gen))

    def _show(self, v: View, gen: int) -> None:
        h = v.headline
        actor = html.escape(str(h.get("actor", "")))
        self.headline.object = (
            f"<div>{actor}, {html.escape(v.policy or 'baseline')}: "
            f'true interdiction rate <b data-testid="true-rate">{_pct(h.get("true_rate"))}</b>; '
            f'observed rate <b data-testid="observed-rate">{_pct(h.get("observed_rate"))}</b></div>'
            "<div class='bs-status'>[..] = 95% interval from simulation noise over replications; "
            "input uncertainty is not included in this view</div>"
        )
        label, _ = SECTOR_METRICS[v.metric]
        # One scale per baseline, not per view: a lever that raises a sector's value shows as a
        # change of colour (values beyond the baseline's range take the palette's end colours).
        self.mapper.low, self.mapper.high = v.scale
        # Only the changed columns go to the browser (not the border's coordinates again).
        self.map_source.data.update(
            value=v.sectors,
            label=[fmt_number(x) if math.isfinite(x) else MISSING for x in v.sectors],
        )
        self.map_fig.title = f"sectors coloured by {label}"
        n = len(v.daily["day"])
        self.series_x.end = max(n - 1, 1)
        self.series_y.end = 1.05 * max([*v.daily["attempts"], 1e-9])
        self.series_source.data = {
            "i": list(range(n)),
            "attempts": v.daily["attempts"],
            "interdicted": v.daily["interdicted"],
        }
        rows = "".join(
            f"<tr><td>{html.escape(METRIC_LABELS.get(d['metric'], d['metric']))}</td>"
            f"<td>{fmt_estimate(d['mean'], d['lo'], d['hi'])}</td>"
            f"<td>{fmt_number(d['p_better'])}</td></tr>"
            for d in v.differences
        )
        self.diff.object = (
            "<table class='bs-diff' data-testid='differences'><tr><th>vs baseline (same seed)"
            "</th><th>difference [95% CI]</th><th>P(better)</th></tr>" + rows + "</table>"
        )
        self.status.object = (
            f'<span data-testid="status" data-run="{gen}">updated in {v.seconds:.2f} s</span>'
        )
        self._show_errors({**self._query_errors, **v.lever_errors})

    # ---- layout ---------------------------------------------------------------------------------
    def view(self) -> pn.viewable.Viewable:
        """The page (remembers the session's document, to update its plots from a run)."""
        self._doc = pn.state.curdoc
        lever_rows: list[Any] = []
        for key, w in self.w_levers.items():
            lever_rows += [w, self.w_errors[key]]
        side = pn.Column(
            "### Policies", self.w_policies, self.w_errors["policy"],
            "### Levers", *lever_rows,
            "### Period", self.w_start, self.w_errors["start"], self.w_days,
            self.w_errors["days"], self.w_reps, self.w_errors["replications"],
            self.w_metric, self.w_export_policy, self.w_export_scenario,
            width=400, scroll=True, height=900,
        )  # fmt: skip
        main = pn.Column(
            f"## {html.escape(self.scenario.model.title)}",
            self.headline, self.status, self.ignored, self.map_fig, self.series_fig, self.diff,
            sizing_mode="stretch_width",
        )  # fmt: skip
        return pn.Row(side, main, sizing_mode="stretch_width", stylesheets=[_CSS])

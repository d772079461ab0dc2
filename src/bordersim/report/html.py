"""One self-contained HTML report of a run directory.

The report reads only what ``bordersim run --out DIR`` wrote -- ``results.zarr``, ``summary.json`` and
``manifest.json`` -- plus the scenario named in the manifest (a built-in name, or a file given
explicitly) for the map and the sources. The page works offline: no scripts, fonts or stylesheets are
fetched; figures are inline SVG (text kept as text) and are also written as PNGs to ``DIR/figures``
for slides. The file is written atomically (temporary file, then ``os.replace``).

Sections (their element ids): ``headline``, ``map``, ``timeseries``, ``sectors``, ``actors``,
``fleeing`` (when people fleeing were simulated), ``compare``, ``optimize``, ``sensitivity`` (only
when their files exist), ``sources``, ``provenance``.

Optional inputs, rendered only when the file exists in the run directory (the commands that write
them land later; this is the minimal shape the report reads, extra keys are ignored):

``compare.json``
    written by ``bordersim compare --out RUN_DIR`` (:func:`bordersim.experiments.compare.compare`):
    ``{"baseline": str, "policies": [str], "metrics": [str], "metric_labels": {metric: str},
    "per_policy": {policy: {metric: {"mean", "lo", "hi", "se"}}}, "differences": [{"policy",
    "metric", "mean", "lo", "hi", "se", "p_better", "p_better_se", "n"}]}`` -- each metric per
    policy and the paired differences against the baseline on common random numbers.
``optimize.json``
    ``{"method": str, "objective": str, "predicted": float, "simulated": {"mean": float, "lo":
    float, "hi": float}, "allocation": [{"sector": str, ...numbers}]}`` -- the plan's predicted and
    simulated value and its allocation per sector.
``sensitivity.json``
    ``{"method": str, "metric": str, "factors": [{"name": str, "index": float, "lo": float,
    "hi": float, ...}]}`` -- one row per uncertain quantity, ranked by ``index`` (descending).

A file that does not parse or lacks the keys above is reported in its section, not fatal.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from bordersim import __version__
from bordersim.engine.rundir import OutputError, check_into, verify, write_into
from bordersim.model.compile import Compiled, CompileError, compile_scenario
from bordersim.report.figures import (
    TimelineMark,
    save_png,
    sector_bars_figure,
    svg_text,
    timeseries_figure,
)
from bordersim.report.map import MAP_METRICS, METRIC_SPECS, MapResult, draw_map, sector_metric
from bordersim.scenario.evidence import Evidence, Quantity
from bordersim.scenario.schema import Scenario

SECTION_IDS = ("headline", "map", "timeseries", "sectors", "actors", "sources", "provenance")
OPTIONAL_FILES = ("compare", "optimize", "sensitivity")
REQUIRED_VARS = ("covert", "daily_mean", "daily_sd")
GENERATOR_TAG = b'<meta name="generator" content="bordersim'  # marks a file as a bordersim report


class ReportError(ValueError):
    """A run directory the report cannot use (missing, incomplete, or from an unknown scenario)."""


@dataclass(frozen=True)
class RunData:
    """What the report needs from a run directory, already reduced over replications."""

    run_dir: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    scenario: Scenario
    compiled: Compiled
    scenario_hash_matches: bool
    replications: int
    days: NDArray[np.datetime64]  # (T,)
    sector_ids: tuple[str, ...]
    sector_groups: tuple[str, ...]
    length_km: NDArray[np.float64]  # (S,)
    actor_ids: tuple[str, ...]
    covert_mean: NDArray[np.float64]  # (S, actors, 4) replication means
    daily_mean: NDArray[np.float64]  # (T, actors, 4)
    daily_sd: NDArray[np.float64]  # (T, actors, 4)
    flee_daily_mean: NDArray[np.float64] | None  # (T, 3) summed over crossings
    extras: dict[str, Any]  # optional compare/optimize/sensitivity JSON (or an error string)


@dataclass(frozen=True)
class ReportOutput:
    """Where the report went, its figures, and the map's encoding (for checks)."""

    html_path: Path
    figures: dict[str, Path]
    map: MapResult


# ---- loading ---------------------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: missing; is this a directory written by `run --out`?") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object")
    return data


def _load_scenario(name: str, scenario_path: Path | None) -> Scenario:
    from bordersim.scenario.builtin import builtin_names, load
    from bordersim.scenario.loading import ScenarioError, load_scenario

    try:
        if scenario_path is not None:
            return load_scenario(scenario_path)
        if name in builtin_names():
            return load(name)
    except (ScenarioError, OSError) as exc:
        raise ReportError(f"cannot load the run's scenario: {exc}") from None
    raise ReportError(
        f"the run's scenario {name!r} is not a built-in scenario; pass its file with --scenario"
    )


def load_run(
    run_dir: Path, scenario_path: Path | None = None, extra_dirs: Sequence[Path] = ()
) -> RunData:
    """Read and reduce a run directory; :class:`ReportError` with one clear message if unusable."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ReportError(f"{run_dir}: no such run directory")
    manifest = _read_json(run_dir / "manifest.json")
    summary = _read_json(run_dir / "summary.json")
    zpath = run_dir / "results.zarr"
    if not zpath.exists():
        raise ReportError(f"{zpath}: missing; is this a directory written by `run --out`?")
    try:  # checksums: a deleted or truncated chunk would be read back as zeros
        verify(run_dir, "run")
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    try:
        ds = xr.open_zarr(zpath, consolidated=None)
    except Exception as exc:  # zarr raises many kinds of errors for a damaged store
        raise ReportError(f"{zpath}: not a readable results store ({exc})") from None
    missing = [v for v in REQUIRED_VARS if v not in ds]
    if missing:
        raise ReportError(f"{zpath}: lacks variable(s) {', '.join(missing)}")
    for key in ("scenario", "start", "days", "seed", "replications"):
        if key not in manifest:
            raise ReportError(f"{run_dir / 'manifest.json'}: lacks {key!r}")

    scenario = _load_scenario(str(manifest["scenario"]), scenario_path)
    from bordersim.scenario.loading import content_hash

    policy = manifest.get("policy") or None
    try:
        compiled = compile_scenario(
            scenario,
            policy=None if policy == "baseline" else policy,
            start=dt.date.fromisoformat(str(manifest["start"])),
            days=int(manifest["days"]),
        )
    except (CompileError, ValueError) as exc:
        raise ReportError(f"cannot rebuild the run's scenario: {exc}") from None
    if tuple(ds["sector"].values.tolist()) != compiled.sector_ids:
        raise ReportError(
            f"{zpath}: its sectors do not match scenario {scenario.id!r}; "
            "was the run made from another scenario file? (pass it with --scenario)"
        )

    covert = ds["covert"].transpose("replication", "sector", "actor", "outcome")
    reps = int(covert.sizes["replication"])
    covert_mean = np.asarray(covert.mean("replication").values, dtype=float)  # dask reduction
    flee = None
    if "flee_daily_mean" in ds and ds.sizes.get("crossing", 0) and compiled.fleeing_ids:
        flee = np.asarray(
            ds["flee_daily_mean"].sum("crossing").transpose("day", "flee_quantity").values,
            dtype=float,
        )
    extras: dict[str, Any] = {}
    for d in (run_dir, *map(Path, extra_dirs)):
        if not d.is_dir():
            raise ReportError(f"{d}: no such directory")
        for name in OPTIONAL_FILES:
            p = d / f"{name}.json"
            if name in extras or not p.exists():
                continue
            try:
                extras[name] = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                extras[name] = f"could not read {p.name}: {exc}"
                continue
            meta = d / f"{name}_meta.json"
            if name == "sensitivity" and meta.exists():
                try:
                    extras["sensitivity_meta"] = json.loads(meta.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError):
                    pass
    return RunData(
        run_dir=run_dir,
        manifest=manifest,
        summary=summary,
        scenario=scenario,
        compiled=compiled,
        scenario_hash_matches=content_hash(scenario) == manifest.get("scenario_hash"),
        replications=reps,
        days=np.asarray(ds["day"].values),
        sector_ids=tuple(str(s) for s in ds["sector"].values),
        sector_groups=tuple(str(g) for g in ds["sector_group"].values),
        length_km=np.asarray(ds["length_km"].values, dtype=float),
        actor_ids=tuple(str(a) for a in ds["actor"].values),
        covert_mean=covert_mean,
        daily_mean=np.asarray(
            ds["daily_mean"].transpose("day", "actor", "outcome").values, dtype=float
        ),
        daily_sd=np.asarray(
            ds["daily_sd"].transpose("day", "actor", "outcome").values, dtype=float
        ),
        flee_daily_mean=flee,
        extras=extras,
    )


# ---- formatting helpers ----------------------------------------------------------------------------

e = html.escape


def _num(x: Any, digits: int = 1) -> str:
    """A count or amount: thousands grouped, ``digits`` decimals (two below 1)."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    x = float(x)
    if abs(x) < 1:
        digits = max(digits, 2)
    text = f"{x:,.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and not text.strip("-0.,") else text


def _qnum(x: float) -> str:
    """A scenario quantity as written: 8,000 not 8,000.000; 0.125 not 0.13."""
    x = float(x)
    if x.is_integer():
        return f"{int(x):,}"
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.1f}"


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    return f"{100 * float(x):.1f}%"


def _est(row: dict[str, Any], key: str, pct: bool = False) -> str:
    """'mean' with its 95% CI underneath, from a summary row."""
    f = _pct if pct else _num
    m, lo, hi = row.get(key), row.get(f"{key}_lo"), row.get(f"{key}_hi")
    return f'{f(m)}<span class="ci">[{f(lo)}, {f(hi)}]</span>'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """An HTML table; cells are already-escaped HTML."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _figure(svg: str, caption: str, fig_id: str) -> str:
    return f'<figure id="{fig_id}">{svg}<figcaption>{caption}</figcaption></figure>'


# ---- sections --------------------------------------------------------------------------------------


def _actor_names(run: RunData) -> list[str]:
    names = dict(zip(run.compiled.covert_ids, run.compiled.covert_names, strict=True))
    return [names.get(a, a) for a in run.actor_ids]


def _headline(run: RunData) -> str:
    m, c = run.manifest, run.compiled
    start = dt.date.fromisoformat(str(m["start"]))
    end = start + dt.timedelta(days=int(m["days"]) - 1)
    rows = [r for r in run.summary.get("covert", []) if r.get("group") == "all"]
    names = dict(zip(c.covert_ids, c.covert_names, strict=True))
    table = _table(
        [
            "actor",
            "attempts",
            "interdicted",
            "undetected got-aways",
            "true interdiction rate",
            "observed interdiction rate",
            "gap (observed − true)",
        ],
        [
            [
                e(names.get(r["actor"], r["actor"])),
                _est(r, "attempts"),
                _est(r, "interdicted"),
                _est(r, "undetected_got_away"),
                _est(r, "true_rate", pct=True),
                _est(r, "observed_rate", pct=True),
                _est(r, "rate_gap", pct=True),
            ]
            for r in rows
        ],
        "headline",
    )
    gap_sentence = ""
    finite = [r for r in rows if isinstance(r.get("rate_gap"), int | float)]
    if finite:
        r = max(finite, key=lambda r: r["rate_gap"])
        gap_sentence = (
            "A border agency can only count the crossings it detects, so the rate it observes, "
            "(interdicted + turned back) / all detected, leaves out every undetected crossing: for "
            f"{e(names.get(r['actor'], r['actor']))} it would report {_pct(r['observed_rate'])} "
            f"stopped while only {_pct(r['true_rate'])} of all attempts were interdicted, a gap "
            f"of {100 * r['rate_gap']:.1f} percentage points made of the "
            f"{_num(r['undetected_got_away'])} undetected got-aways it never sees."
        )
    warn = ""
    if not run.scenario_hash_matches:
        warn = (
            '<p class="warning">The scenario has changed since this run (its content hash differs '
            "from the manifest's): the map, timeline and sources below describe the current "
            "scenario, the numbers the run.</p>"
        )
    costs = run.summary.get("costs") or {}
    cost_line = ""
    if costs:
        cpi = costs.get("cost_per_interdiction_rub")
        cost_line = (
            f"<p>Personnel-days: TJ {_num(costs.get('personnel_days_TJ'), 0)}, "
            f"RU {_num(costs.get('personnel_days_RU'), 0)}, "
            f"CSTO {_num(costs.get('personnel_days_CSTO'), 0)}; cost "
            f"{_num((costs.get('cost_rub') or 0) / 1e9, 2)} bn RUB"
            + (f", {_num(cpi / 1e6, 2)} m RUB per interdiction" if cpi else "")
            + ".</p>"
        )
    policy = str(m.get("policy", "baseline"))
    pol = run.scenario.policies.get(policy)
    pol_desc = f" — {e(pol.description)}" if pol else ""
    return f"""
<section id="headline">
<h1>{e(run.scenario.title)}</h1>
{warn}
<dl class="facts">
<dt>scenario</dt><dd>{e(str(m["scenario"]))}</dd>
<dt>period</dt><dd>{start:%d %b %Y} – {end:%d %b %Y} ({int(m["days"])} days)</dd>
<dt>policy</dt><dd>{e(policy)}{pol_desc}</dd>
<dt>seed</dt><dd>{e(str(m["seed"]))}</dd>
<dt>replications</dt><dd>{int(m["replications"]):,}</dd>
</dl>
<h2>Key results over the period</h2>
<p class="note">Mean per period with its 95% confidence interval in brackets (counts: normal
interval across replications; rates: ratio estimator with a delta-method interval).</p>
{table}
<p class="gap">{gap_sentence}</p>
{cost_line}
</section>"""


def _map_section(run: RunData, metric: str, mres: MapResult, svg: str) -> str:
    spec = METRIC_SPECS[metric]
    order = np.argsort(-np.nan_to_num(mres.values, nan=-np.inf))
    if not spec.higher_is_worse:
        order = order[::-1]
    worst = [run.sector_ids[i] for i in order[:3]]
    names = dict(zip(run.compiled.sector_ids, run.compiled.sector_names, strict=True))
    fmt = _pct if spec.percent else (lambda v: _num(v, 2))
    rows = [
        [e(sid), e(names.get(sid, sid)), e(run.sector_groups[i]), fmt(mres.values[i])]
        for i, sid in enumerate(run.sector_ids)
    ]
    last_day = np.datetime_as_string(run.days[-1], unit="D") if len(run.days) else ""
    caption = (
        f"Sectors coloured by <b>{e(spec.label)}</b> (red: worse). The thin line on the Afghan "
        f"side shows who controls the district opposite at the end of the period ({last_day}). "
        f"Worst sectors: {', '.join(e(w) for w in worst)}. Other metrics: "
        + ", ".join(f"<code>--metric {m}</code>" for m in MAP_METRICS if m != metric)
        + "."
    )
    return f"""
<section id="map">
<h2>Where crossings get through</h2>
{_figure(svg, caption, "fig-map")}
<details><summary>Values per sector</summary>
{_table(["sector", "name", "detachment", e(metric)], rows, "compact")}
</details>
</section>"""


def _timeline_marks(run: RunData) -> list[TimelineMark]:
    start = dt.date.fromisoformat(str(run.manifest["start"]))
    end = start + dt.timedelta(days=int(run.manifest["days"]))
    events = [ev for ev in run.scenario.timeline if start <= ev.date < end]
    return [TimelineMark(i + 1, ev.date, ev.description) for i, ev in enumerate(events)]


def _timeseries_section(run: RunData, svg: str, marks: Sequence[TimelineMark]) -> str:
    items = "".join(
        f'<li value="{mk.number}"><b>{mk.date:%d %b %Y}</b>: {e(mk.label)}</li>' for mk in marks
    )
    events = (
        f'<ol class="events">{items}</ol>' if marks else "<p>No timeline events in the period.</p>"
    )
    caption = (
        "Mean count per day across replications. Light band: ±1 standard deviation across "
        "replications (how much one simulated day varies); dark band: ±1.96·sd/√R, the 95% "
        f"confidence interval of the mean (R = {run.replications:,}). Attempts are drawn without a "
        "band (the run stores each outcome's spread, not the total's). Numbered dashed lines: "
        "timeline events."
    )
    return f"""
<section id="timeseries">
<h2>Over the period</h2>
{_figure(svg, caption, "fig-timeseries")}
<h3>Timeline events</h3>
{events}
</section>"""


def _sectors_section(svg: str) -> str:
    caption = (
        "Mean attempts per sector over the period, split by outcome (stacked); sectors run west "
        "to east and are grouped by the historic border detachment."
    )
    return f"""
<section id="sectors">
<h2>By sector</h2>
{_figure(svg, caption, "fig-sectors")}
</section>"""


def _actors_section(run: RunData) -> str:
    names = dict(zip(run.compiled.covert_ids, run.compiled.covert_names, strict=True))
    parts = []
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for r in run.summary.get("covert", []):
        by_actor.setdefault(r["actor"], []).append(r)
    for actor, rows in by_actor.items():
        table = _table(
            [
                "detachment",
                "attempts",
                "interdicted",
                "turned back",
                "detected, got away",
                "undetected, got away",
                "true rate",
                "observed rate",
                "gap",
            ],
            [
                [
                    f"<b>{e(r['group'])}</b>" if r["group"] == "all" else e(r["group"]),
                    _est(r, "attempts"),
                    _est(r, "interdicted"),
                    _est(r, "turned_back"),
                    _est(r, "detected_got_away"),
                    _est(r, "undetected_got_away"),
                    _est(r, "true_rate", pct=True),
                    _est(r, "observed_rate", pct=True),
                    _est(r, "rate_gap", pct=True),
                ]
                for r in rows
            ],
        )
        parts.append(f"<h3>{e(names.get(actor, actor))}</h3>{table}")
    return f"""
<section id="actors">
<h2>By actor and detachment</h2>
<p class="note">Mean per period [95% CI].</p>
{"".join(parts)}
</section>"""


def _fleeing_section(run: RunData) -> str:
    rows = run.summary.get("fleeing") or []
    if not rows:
        return ""
    names = dict(zip(run.compiled.crossing_ids, run.compiled.crossing_names, strict=True))
    table = _table(
        ["reception crossing", "arrived", "received", "waiting at the end", "longest wait (days)"],
        [
            [
                e(names.get(r["crossing"], r["crossing"])),
                _est(r, "arrived"),
                _est(r, "received"),
                _est(r, "waiting"),
                _est(r, "longest_wait_days"),
            ]
            for r in rows
        ],
    )
    return f"""
<section id="fleeing">
<h2>People fleeing</h2>
<p class="note">Refugees and defecting soldiers are received up to each crossing's daily capacity;
the rest wait. They are never "interdicted". Mean per period [95% CI].</p>
{table}
</section>"""


def _generic_rows(rows: Any) -> str:
    """A list of flat dicts as a table (numbers formatted, everything escaped)."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return "<p>(no rows)</p>"
    cols = list(dict.fromkeys(k for r in rows for k in r))

    def cell(v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return e(json.dumps(v) if isinstance(v, dict | list) else str(v))
        return _num(v, 3)

    return _table([e(c) for c in cols], [[cell(r.get(c)) for c in cols] for r in rows])


def _scalars(data: dict[str, Any], skip: Iterable[str]) -> str:
    items = [(k, v) for k, v in data.items() if k not in set(skip) and not isinstance(v, list)]
    if not items:
        return ""

    def fmt(v: Any) -> str:
        if isinstance(v, dict) and {"mean", "lo", "hi"} <= set(v):
            return f"{_num(v['mean'], 3)} [{_num(v['lo'], 3)}, {_num(v['hi'], 3)}]"
        if isinstance(v, int | float) and not isinstance(v, bool):
            return _num(v, 3)
        return e(json.dumps(v) if isinstance(v, dict) else str(v))

    return (
        '<dl class="facts">'
        + "".join(f"<dt>{e(k)}</dt><dd>{fmt(v)}</dd>" for k, v in items)
        + "</dl>"
    )


def _compare_section(data: dict[str, Any]) -> str:
    """Policies side by side, then paired differences against the baseline with P(better)."""
    policies: list[str] = list(data["policies"])
    labels: dict[str, str] = data.get("metric_labels", {})
    per = data["per_policy"]

    def fmt(v: float, metric: str) -> str:
        if metric == "true_rate":
            return f"{100 * v:.1f}%"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"

    def ci(x: dict[str, Any] | None, metric: str) -> str:
        if not x or x.get("mean") is None:
            return "–"
        lo, hi = fmt(x["lo"], metric), fmt(x["hi"], metric)
        return f'{fmt(x["mean"], metric)} <span class="ci">[{lo}, {hi}]</span>'

    head = "".join(f"<th>{e(p)}</th>" for p in policies)
    rows = "".join(
        f"<tr><td>{e(labels.get(m, m))}</td>"
        + "".join(f'<td class="num">{ci(per.get(p, {}).get(m), m)}</td>' for p in policies)
        + "</tr>"
        for m in data["metrics"]
    )
    by = {(d["policy"], d["metric"]): d for d in data["differences"]}
    others = policies[1:]
    dhead = "".join(f"<th>{e(p)}</th>" for p in others)
    drows = ""
    for m in data["metrics"]:
        cells = ""
        for p in others:
            d = by.get((p, m))
            pb = (
                f" P(better) {_num(d['p_better'], 2)}"
                if d and d.get("p_better") is not None
                else ""
            )
            cells += f'<td class="num">{ci(d, m)}<br><span class="muted">{pb}</span></td>'
        drows += f"<tr><td>{e(labels.get(m, m))}</td>{cells}</tr>"
    return (
        f"<p>Every policy ran the same {e(str(data.get('replications', '')))} replications from seed "
        f"{e(str(data.get('seed', '')))} (common random numbers). Baseline: "
        f"<strong>{e(data['baseline'])}</strong>.</p>"
        f"<table><thead><tr><th>metric: mean [95% CI]</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<h3>Paired differences against {e(data['baseline'])}</h3>"
        f"<table><thead><tr><th>metric</th>{dhead}</tr></thead><tbody>{drows}</tbody></table>"
        '<p class="note">P(better): share of paired replications in which the policy did better '
        "than the baseline (ties count half).</p>"
    )


def _optimize_section(data: dict[str, Any]) -> str:
    """The recommended allocation next to the current one, and the plan's verification."""

    def f(v: Any, nd: int = 3) -> str:
        return "–" if v is None else e(f"{float(v):,.{nd}f}")

    rows = "".join(
        f'<tr><td class="text">{e(str(x.get("id", "")))}</td>'
        f'<td class="text">{e(str(x.get("name", "")))}</td>'
        f'<td class="num">{f(x.get("current"), 0)}</td><td class="num">{f(x.get("recommended"), 0)}</td>'
        f'<td class="num">{f(x.get("value_before"))}</td><td class="num">{f(x.get("value_after"))}</td></tr>'
        for x in data["sectors"]
    )

    def best(b: Any) -> str:
        if isinstance(b, dict):
            return f"{e(str(b.get('sector', '')))} (value {f(b.get('value'))})"
        return e(str(b))

    actor = data.get("actor") or "all covert actors, weighted by their rates"
    unguarded = [str(x.get("id")) for x in data["sectors"] if not x.get("recommended")]
    note = (
        f" The plan leaves {len(unguarded)} sector(s) without guards ({e(', '.join(unguarded))}):"
        " there the adversary's value stays below the level the plan reaches elsewhere, so a"
        " best-responding adversary gains nothing by going there; reserves still respond."
        if unguarded
        else ""
    )
    head = (
        f"<p>Adversary <strong>{e(str(data.get('adversary', '')))}</strong> ({e(str(actor))}), "
        f"{f(data.get('guards'), 0)} on-duty guards on {e(str(data.get('date', '')))}. Its best "
        f"target moves from <strong>{best(data.get('best_before'))}</strong> to "
        f"<strong>{best(data.get('best_after'))}</strong>; the value it can get falls from "
        f"{f(data.get('predicted_before'))} to {f(data.get('predicted'))} "
        f"({e(str(data.get('method', '')))}).{note}</p>"
    )
    table = (
        "<table><thead><tr><th>sector</th><th>name</th><th>guards now</th><th>recommended</th>"
        "<th>adversary value now</th><th>after</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    ver = data.get("verification")
    vhtml = ""
    if isinstance(ver, dict) and ver.get("checks"):
        vrows = ""
        for c in ver["checks"]:
            sim = c.get("simulated") or {}
            flag = '<span class="badge conflict">flagged</span>' if c.get("flagged") else "ok"
            reasons = "; ".join(c.get("reasons") or [])
            vrows += (
                f"<tr><td>{e(str(c.get('actor', '')))}</td><td>{e(str(c.get('choice', '')))}</td>"
                f'<td class="num">{f(c.get("predicted"), 4)}</td>'
                f'<td class="num">{f(sim.get("mean"), 4)} <span class="ci">[{f(sim.get("lo"), 4)}, '
                f"{f(sim.get('hi'), 4)}]</span></td><td>{flag}"
                + (f'<br><span class="muted">{e(reasons)}</span>' if reasons else "")
                + "</td></tr>"
            )
        vhtml = (
            "<h3>Verified by simulation</h3><p>The plan re-run through the engine: the adversary's "
            "value per attempt, predicted by the planner and simulated (95% CI).</p>"
            "<table><thead><tr><th>actor</th><th>adversary</th><th>predicted</th><th>simulated</th>"
            f"<th>check</th></tr></thead><tbody>{vrows}</tbody></table>"
        )
    return head + table + vhtml


def _sensitivity_section(rows: list[dict[str, Any]], meta: dict[str, Any] | None) -> str:
    """Ranked indices with bars (a tornado of what matters), sourced vs assumed marked."""
    sobol = any("ST" in r for r in rows)
    key, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    ranked = sorted(rows, key=lambda r: -float(r.get(key) or 0.0))
    top = max((float(r.get(key) or 0.0) for r in ranked), default=0.0) or 1.0
    body = ""
    for r in ranked:
        v = float(r.get(key) or 0.0)
        width = max(0.0, min(100.0, 100.0 * v / top))
        kind = "sourced" if r.get("sourced") else "assumed"
        extra = (
            f'<td class="num">{float(r.get("S1") or 0):.3f} <span class="ci">± {float(r.get("S1_conf") or 0):.3f}</span></td>'
            if sobol
            else ""
        )
        body += (
            f"<tr><td>{e(str(r.get('factor', r.get('name', ''))))}</td>"
            f'<td><span class="badge {kind}">{kind}</span></td>{extra}'
            f'<td class="num">{v:.3f} <span class="ci">± {float(r.get(conf) or 0):.3f}</span></td>'
            f'<td style="width:40%"><div style="background:#c0392b;height:.8em;width:{width:.1f}%"></div></td></tr>'
        )
    cols = "<th>S1</th><th>ST (total)</th>" if sobol else "<th>μ* (Morris)</th>"
    m = meta or {}
    intro = (
        f"<p>{e(str(m.get('method', 'sobol' if sobol else 'morris')).capitalize())} analysis of "
        f"<strong>{e(str(m.get('metric', '')))}</strong> over {e(str(m.get('points', '?')))} design "
        f"points × {e(str(m.get('replications', '?')))} replications (policy "
        f"{e(str(m.get('policy', '')))}). Factors are ledger entries: each moves all the quantities "
        "that share its evidence. The assumed factors at the top are what to go and find out.</p>"
    )
    return (
        intro
        + f"<table><thead><tr><th>factor</th><th>evidence</th>{cols}<th></th></tr></thead>"
        + f"<tbody>{body}</tbody></table>"
    )


def _optional_section(name: str, data: Any, meta: Any = None) -> str:
    dedicated = {
        "optimize": ("Optimised deployment", _optimize_section),
        "compare": ("Policy comparison", _compare_section),
    }
    if name == "sensitivity" and isinstance(data, list) and all(isinstance(r, dict) for r in data):
        body = _sensitivity_section(data, meta if isinstance(meta, dict) else None)
        return f'\n<section id="sensitivity">\n<h2>Which assumptions matter</h2>\n<p class="note">From sensitivity.json.</p>\n{body}\n</section>'
    if name == "optimize" and isinstance(data, dict) and "sectors" in data:
        body = _optimize_section(data)
        return f'\n<section id="optimize">\n<h2>{dedicated[name][0]}</h2>\n<p class="note">From optimize.json.</p>\n{body}\n</section>'
    if name == "compare" and isinstance(data, dict) and {"per_policy", "differences"} <= set(data):
        body = _compare_section(data)
        return f'\n<section id="compare">\n<h2>Policy comparison</h2>\n<p class="note">From compare.json.</p>\n{body}\n</section>'
    titles = {
        "compare": ("Policy comparison", "differences"),
        "optimize": ("Optimised deployment", "allocation"),
        "sensitivity": ("Which assumptions matter", "factors"),
    }
    title, key = titles[name]
    if isinstance(data, str):
        body = f'<p class="warning">{e(data)}</p>'
    elif not isinstance(data, dict) or key not in data:
        body = f'<p class="warning">{name}.json does not have the expected shape (a "{key}" list); see the report module\'s documentation.</p>'
    else:
        rows = data[key]
        if name == "sensitivity" and isinstance(rows, list):
            rows = sorted(
                rows,
                key=lambda r: -float(r.get("index", 0) or 0) if isinstance(r, dict) else 0,
            )
        body = _scalars(data, (key,)) + _generic_rows(rows)
    return f'\n<section id="{name}">\n<h2>{title}</h2>\n<p class="note">From {name}.json.</p>\n{body}\n</section>'


def _sources_section(run: RunData) -> str:
    sc = run.scenario
    ledger: dict[str, Evidence] = sc.evidence
    policies = set((run.manifest.get("policy") or "").split("+"))
    groups: dict[str, list[tuple[str, Quantity]]] = {}
    for name, q in sc.quantities():
        key = q.evidence if q.evidence is not None else f"@{name}"
        groups.setdefault(key, []).append((name, q))
    events_by_key: dict[str, list[str]] = {}
    for event in sc.timeline:
        events_by_key.setdefault(event.evidence, []).append(f"{event.date}: {event.description}")

    n_q = sum(len(v) for v in groups.values())
    n_src = sum(1 for v in groups.values() for _n, q in v if q.is_sourced(ledger))
    n_conf = sum(1 for v in groups.values() for _n, q in v if q.conflicting(ledger))

    def source_ref(sid: str) -> str:
        s = sc.sources.get(sid)
        if s is None:
            return e(sid)
        title = e(s.title)
        if s.url and s.url.startswith(("https://", "http://")):
            title = f'<a href="{e(s.url)}">{title}</a>'
        return f'{title} <span class="muted">({e(s.publisher)}, {e(s.date)}; [{e(sid)}])</span>'

    def used(name: str) -> bool:
        if not name.startswith("policies."):
            return True
        return name.split(".")[1] in policies

    blocks: list[str] = []
    conflict_links: list[str] = []
    keys = list(groups) + [k for k in events_by_key if k not in groups]
    for key in keys:
        items = groups.get(key, [])
        if key.startswith("@"):
            ev = items[0][1].resolved_evidence(ledger)
            title = f"<code>{e(key[1:])}</code> (its own evidence)"
        else:
            ev = ledger[key]
            title = f"<code>{e(key)}</code>"
        conflicting = any(q.conflicting(ledger) for _n, q in items)
        badges = (
            '<span class="badge sourced">sourced</span>'
            if ev.claims
            else '<span class="badge assumed">assumed</span>'
        )
        if conflicting:
            badges += ' <span class="badge conflict">sources disagree</span>'
        qrows = []
        for name, q in items:
            lo, hi = q.bounds(ledger)
            dist = q.distribution(ledger)
            cls = ' class="conflict"' if q.conflicting(ledger) else ""
            note = "" if used(name) else ' <span class="muted">(policy not in this run)</span>'
            qrows.append(
                f"<tr{cls}><td><code>{e(name)}</code>{note}</td><td>{_qnum(q.value)}</td>"
                f"<td>{e(q.unit or '')}</td><td>{_qnum(lo)} – {_qnum(hi)}</td>"
                f"<td>{e(dist)}</td></tr>"
            )
        qtable = (
            '<table class="compact"><thead><tr><th>quantity</th><th>value</th><th>unit</th>'
            "<th>range</th><th>distribution</th></tr></thead><tbody>"
            + "".join(qrows)
            + "</tbody></table>"
            if qrows
            else ""
        )
        claims = "".join(
            f"<li>{source_ref(c.source)}: “{e(c.quote)}” — <b>{_qnum(c.value)} {e(c.unit)}</b>"
            f' <span class="muted">(describes {e(c.date)})</span></li>'
            for c in ev.claims
        )
        evidence_html = f'<ul class="claims">{claims}</ul>' if claims else ""
        if ev.assumed is not None:
            evidence_html += f'<p class="rationale"><b>Assumed:</b> {e(ev.assumed.rationale)}</p>'
        evs = "".join(f"<li>{e(t)}</li>" for t in events_by_key.get(key, []))
        if evs:
            evidence_html += (
                f'<p class="muted">Timeline events resting on this entry:</p><ul>{evs}</ul>'
            )
        anchor = "ev-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)
        if conflicting:
            conflict_links.append(f'<a href="#{anchor}">{e(key.lstrip("@"))}</a>')
        blocks.append(
            f'<div class="ledger{" conflict" if conflicting else ""}" id="{anchor}">'
            f"<h3>{title} {badges}</h3>"
            f"{qtable}{evidence_html}</div>"
        )
    conflicts = (
        " Where the sources disagree: " + ", ".join(conflict_links) + "." if conflict_links else ""
    )
    return f"""
<section id="sources">
<h2>Sources and assumptions</h2>
<p>The scenario has {n_q} quantities: {n_src} sourced ({n_conf} where sources disagree, which
become the range the uncertainty analysis samples) and {n_q - n_src} assumed, each with its
rationale. Entries are grouped by evidence-ledger entry; ranges are the quantities' uncertainty
ranges and the distribution is what sampling uses.{conflicts}</p>
{"".join(blocks)}
</section>"""


def _provenance(run: RunData) -> str:
    m = run.manifest
    cmd = m.get("command")
    command = shlex.join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd or "")
    rows = [
        ("scenario", str(m.get("scenario", ""))),
        ("scenario hash", str(m.get("scenario_hash", ""))),
        ("policy", str(m.get("policy", ""))),
        ("start, days", f"{m.get('start', '')}, {m.get('days', '')}"),
        ("seed", str(m.get("seed", ""))),
        ("replications", str(m.get("replications", ""))),
        ("bordersim version of the run", str(m.get("bordersim_version", ""))),
        ("command", command),
        ("report made by", f"bordersim {__version__}"),
        ("run directory", str(run.run_dir)),
    ]
    dl = "".join(f"<dt>{e(k)}</dt><dd><code>{e(v)}</code></dd>" for k, v in rows)
    return f"""
<footer id="provenance">
<h2>Provenance</h2>
<dl class="facts">{dl}</dl>
<p class="muted">Re-running the command with the same version, scenario hash and seed reproduces
these numbers exactly.</p>
</footer>"""


CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
  margin: 0 auto; max-width: 1180px; padding: 1rem 1.5rem 3rem; color: #222; line-height: 1.45;
  font-size: 15px; background: #fff; }
h1 { font-size: 1.6rem; margin: .4rem 0 .6rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.02rem; margin: 1.2rem 0 .4rem; }
nav { font-size: .9rem; border-bottom: 1px solid #eee; padding: .3rem 0; }
nav a { margin-right: .9rem; color: #0b5394; text-decoration: none; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .86rem; width: 100%; }
th, td { border: 1px solid #ddd; padding: .25rem .45rem; text-align: right; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td:first-child, th:first-child, td.text, th.text { text-align: left; }
table.compact td, table.compact th { padding: .15rem .4rem; }
.ci { display: block; color: #777; font-size: .78rem; white-space: nowrap; }
.note, .muted { color: #666; font-size: .85rem; }
.gap { background: #f4f8fb; border-left: 4px solid #0072B2; padding: .5rem .8rem; }
.warning { background: #fff4e5; border-left: 4px solid #e69f00; padding: .5rem .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; color: #555; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: .8rem 0 1.2rem; }
figure svg { display: block; height: auto; }
figcaption { color: #555; font-size: .85rem; margin-top: .3rem; }
ol.events { font-size: .9rem; }
.ledger { border: 1px solid #e3e3e3; border-radius: 4px; padding: .2rem .8rem .5rem; margin: .7rem 0;
  break-inside: avoid; }
.ledger.conflict { border-color: #e69f00; background: #fffaf0; }
tr.conflict td { background: #fff1d6; }
.badge { font-size: .72rem; font-weight: 600; padding: .05rem .4rem; border-radius: 3px;
  vertical-align: middle; }
.badge.sourced { background: #e3f2e9; color: #1d6b3a; }
.badge.assumed { background: #eee; color: #555; }
.badge.conflict { background: #ffe0b2; color: #8a4b00; }
ul.claims { font-size: .88rem; padding-left: 1.2rem; }
.rationale { font-size: .88rem; }
code { font-size: .85em; }
footer { margin-top: 2.5rem; border-top: 2px solid #ddd; }
@media print {
  body { max-width: none; font-size: 10.5pt; padding: 0; }
  nav, details > summary { display: none; }
  details { display: block; }
  h2 { break-after: avoid; }
  figure, table, .ledger { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .gap, .warning, .ledger.conflict, tr.conflict td, th { print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }
}
"""


def build_html(
    run: RunData,
    metric: str,
    mres: MapResult,
    svgs: dict[str, str],
    marks: Sequence[TimelineMark],
) -> str:
    """The report page as one string."""
    optional = "".join(
        _optional_section(name, run.extras[name], run.extras.get(f"{name}_meta"))
        for name in OPTIONAL_FILES
        if name in run.extras
    )
    fleeing = _fleeing_section(run)
    nav_ids = [
        ("headline", "Summary"),
        ("map", "Map"),
        ("timeseries", "Over time"),
        ("sectors", "By sector"),
        ("actors", "By actor"),
        *([("fleeing", "People fleeing")] if fleeing else []),
        *[(n, n.capitalize()) for n in OPTIONAL_FILES if n in run.extras],
        ("sources", "Sources"),
        ("provenance", "Provenance"),
    ]
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in nav_ids)
    title = f"{run.scenario.title} — {run.manifest.get('policy', 'baseline')} — bordersim report"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bordersim {e(__version__)}">
<title>{e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<nav>{nav}</nav>
<main>
{_headline(run)}
{_map_section(run, metric, mres, svgs["map"])}
{_timeseries_section(run, svgs["timeseries"], marks)}
{_sectors_section(svgs["sectors"])}
{_actors_section(run)}
{fleeing}
{optional}
{_sources_section(run)}
</main>
{_provenance(run)}
</body>
</html>
"""


def render_report(
    run_dir: Path,
    out: Path | None = None,
    metric: str = "undetected_per_km",
    scenario_path: Path | None = None,
    extra_dirs: Sequence[Path] = (),
) -> ReportOutput:
    """Render ``run_dir`` to a self-contained HTML file (default ``run_dir/report.html``) and its
    figures to ``run_dir/figures/*.png``."""
    if metric not in METRIC_SPECS:
        raise ReportError(f"unknown metric {metric!r} (choose from {', '.join(MAP_METRICS)})")
    run = load_run(run_dir, scenario_path, extra_dirs)
    out = Path(out) if out is not None else run.run_dir / "report.html"
    try:  # refuse a foreign file at --output before any figure is written
        check_into(out, writer="report", marker=GENERATOR_TAG)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    names = _actor_names(run)

    values = sector_metric(run.covert_mean, run.length_km, metric)
    last = run.compiled.phases[-1]
    control_date = np.datetime_as_string(run.days[-1], unit="D") if len(run.days) else ""
    mres = draw_map(run.scenario, values, last.control, metric, control_date=control_date)
    marks = _timeline_marks(run)
    ts = timeseries_figure(
        run.days,
        run.daily_mean,
        run.daily_sd,
        run.replications,
        names,
        marks,
        run.flee_daily_mean,
    )
    bars = sector_bars_figure(run.sector_ids, run.sector_groups, run.covert_mean, names)
    figs = {"map": mres.figure, "timeseries": ts, "sectors": bars}
    svgs = {k: svg_text(f, k) for k, f in figs.items()}
    fig_dir = run.run_dir / "figures"
    try:
        paths = {k: save_png(f, fig_dir / f"{k}.png") for k, f in figs.items()}
        html = build_html(run, metric, mres, svgs, marks)
        write_into(out, html, writer="report", marker=GENERATOR_TAG)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    return ReportOutput(html_path=out, figures=paths, map=mres)


__all__ = [
    "OPTIONAL_FILES",
    "SECTION_IDS",
    "ReportError",
    "ReportOutput",
    "RunData",
    "build_html",
    "load_run",
    "render_report",
]

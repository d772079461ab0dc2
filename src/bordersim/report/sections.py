"""The report's core sections as plain data: one small function per section, no HTML.

Each ``*_data`` function takes what a run directory holds (:class:`RunData`) and returns dicts, lists
and already-formatted strings that a template of ``report/templates`` lays out; the templates
autoescape, so nothing here escapes. Numbers go through :mod:`bordersim.report.formatting`, the
formatter the terminal uses, so the page and the tables print the same figures and the same missing
mark.

A table is ``{"head": [str], "rows": [[cell]], "cls": str}``; a cell is a string or a dict with
``text`` and optionally ``ci`` (the 95% interval, shown under the figure), ``bold``, ``code``, ``note``
(a muted line under the figure) and ``cls``.
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim import __version__
from bordersim.report.figures import TimelineMark
from bordersim.report.formatting import (
    MISSING,
    fmt_count,
    fmt_number,
    fmt_percent,
)
from bordersim.report.intervals_section import intervals_data
from bordersim.report.map_metrics import MAP_METRICS, METRIC_SPECS
from bordersim.report.run_data import RunData

__all__ = [
    "Cell",
    "Table",
    "actor_names",
    "actors_data",
    "estimate",
    "fleeing_data",
    "headline_data",
    "map_data",
    "provenance_data",
    "timeline_marks",
    "timeseries_data",
    "yields_data",
]

Cell = dict[str, Any]
Table = dict[str, Any]

HEADLINE_HEAD = (
    "actor",
    "attempts",
    "interdicted",
    "undetected got-aways",
    "true interdiction rate",
    "observed interdiction rate",
    "gap (observed − true)",
)
ACTOR_HEAD = (
    "detachment",
    "attempts",
    "interdicted",
    "turned back",
    "detected, got away",
    "undetected, got away",
    "true rate",
    "observed rate",
    "gap",
)
#: Columns an actor's table gains when the scenario gives it a seizure or clash model.
YIELD_HEAD = {"seized_kg": "kg seized", "armed_clashes": "armed clashes", "clash_deaths": "killed"}
FLEEING_HEAD = (
    "reception crossing",
    "arrived",
    "received",
    "waiting at the end",
    "longest wait (days)",
)


def _defined(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def estimate(row: dict[str, Any], key: str, pct: bool = False) -> Cell:
    """The mean ``row[key]`` with its 95% CI ``row[key_lo], row[key_hi]`` as a table cell."""
    f = fmt_percent if pct else fmt_number
    m = row.get(key)
    if not _defined(m):
        return {"text": MISSING}
    return {"text": f(m), "ci": f"[{f(row.get(f'{key}_lo'))}, {f(row.get(f'{key}_hi'))}]"}


def actor_names(run: RunData) -> dict[str, str]:
    """Covert actor id -> display name."""
    return dict(zip(run.compiled.covert_ids, run.compiled.covert_names, strict=True))


def _period(run: RunData) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(str(run.manifest["start"]))
    return start, start + dt.timedelta(days=int(run.manifest["days"]) - 1)


def _gap_data(rows: Sequence[dict[str, Any]], names: dict[str, str]) -> dict[str, str] | None:
    """The actor with the largest gap between the observed and the true interdiction rate."""
    finite = [r for r in rows if _defined(r.get("rate_gap"))]
    if not finite:
        return None
    r = max(finite, key=lambda r: r["rate_gap"])
    return {
        "actor": names.get(r["actor"], r["actor"]),
        "observed": fmt_percent(r.get("observed_rate")),
        "true": fmt_percent(r.get("true_rate")),
        "points": fmt_number(100 * r["rate_gap"]),
        "undetected": fmt_number(r.get("undetected_got_away")),
    }


def _costs_data(costs: dict[str, Any]) -> dict[str, str] | None:
    if not costs:
        return None
    cpi = costs.get("cost_per_interdiction_rub")
    return {
        "tj": fmt_count(costs.get("personnel_days_TJ")),
        "ru": fmt_count(costs.get("personnel_days_RU")),
        "csto": fmt_count(costs.get("personnel_days_CSTO")),
        "bn_rub": fmt_number((costs.get("cost_rub") or 0) / 1e9),
        "m_rub_per_interdiction": fmt_number(cpi / 1e6) if _defined(cpi) and cpi else "",
    }


def headline_data(run: RunData) -> dict[str, Any]:
    """Scenario, period, policy and seed; the key results per actor; the rate gap; the costs."""
    m = run.manifest
    start, end = _period(run)
    names = actor_names(run)
    rows = [r for r in run.summary.get("covert", []) if r.get("group") == "all"]
    policy = str(m.get("policy", "baseline"))
    pol = run.scenario.policies.get(policy)
    table = [
        [names.get(r["actor"], r["actor"])]
        + [
            estimate(r, key, pct)
            for key, pct in (
                ("attempts", False),
                ("interdicted", False),
                ("undetected_got_away", False),
                ("true_rate", True),
                ("observed_rate", True),
                ("rate_gap", True),
            )
        ]
        for r in rows
    ]
    return {
        "title": run.scenario.title,
        "hash_changed": not run.scenario_hash_matches,
        "scenario": str(m["scenario"]),
        "period": f"{start:%d %b %Y} – {end:%d %b %Y}",
        "days": int(m["days"]),
        "policy": policy,
        "policy_description": pol.description if pol else "",
        "seed": str(m["seed"]),
        "replications": fmt_count(int(m["replications"])),
        "table": {"head": HEADLINE_HEAD, "rows": table, "cls": "headline"},
        "gap": _gap_data(rows, names),
        "costs": _costs_data(run.summary.get("costs") or {}),
        "intervals": intervals_data(run.summary, names),
        "yields": yields_data(run),
    }


def map_data(run: RunData, metric: str, values: NDArray[np.float64]) -> dict[str, Any]:
    """The map's caption (metric, worst sectors, control date) and its values per sector."""
    spec = METRIC_SPECS[metric]
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf))
    if not spec.higher_is_worse:
        order = order[::-1]
    names = dict(zip(run.compiled.sector_ids, run.compiled.sector_names, strict=True))
    fmt = fmt_percent if spec.percent else fmt_number
    rows = [
        [sid, names.get(sid, sid), run.sector_groups[i], fmt(float(values[i]))]
        for i, sid in enumerate(run.sector_ids)
    ]
    return {
        "metric": metric,
        "label": spec.label,
        "last_day": np.datetime_as_string(run.days[-1], unit="D") if len(run.days) else "",
        "worst": [run.sector_ids[i] for i in order[:3]],
        "other_metrics": [m for m in MAP_METRICS if m != metric],
        "table": {"head": ("sector", "name", "detachment", metric), "rows": rows, "cls": "compact"},
    }


def timeline_marks(run: RunData) -> list[TimelineMark]:
    """The scenario's timeline events inside the run's period, numbered from 1."""
    start = dt.date.fromisoformat(str(run.manifest["start"]))
    end = start + dt.timedelta(days=int(run.manifest["days"]))
    events = [ev for ev in run.scenario.timeline if start <= ev.date < end]
    return [TimelineMark(i + 1, ev.date, ev.description) for i, ev in enumerate(events)]


def timeseries_data(run: RunData, marks: Sequence[TimelineMark]) -> dict[str, Any]:
    """The numbered timeline events the chart marks, and R for its caption."""
    return {
        "replications": fmt_count(run.replications),
        "events": [
            {"number": mk.number, "date": f"{mk.date:%d %b %Y}", "label": mk.label} for mk in marks
        ],
    }


def actors_data(run: RunData) -> list[dict[str, Any]]:
    """One table per covert actor: every detachment and the whole border."""
    names = actor_names(run)
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for r in run.summary.get("covert", []):
        by_actor.setdefault(r["actor"], []).append(r)
    keys = (
        "attempts",
        "interdicted",
        "turned_back",
        "detected_got_away",
        "undetected_got_away",
    )
    out = []
    for actor, rows in by_actor.items():
        extra = [k for k in YIELD_HEAD if k in rows[0]]
        table = [
            [{"text": r["group"], "bold": r["group"] == "all"}]
            + [estimate(r, k) for k in keys]
            + [estimate(r, k, pct=True) for k in ("true_rate", "observed_rate", "rate_gap")]
            + [estimate(r, k) for k in extra]
            for r in rows
        ]
        head = (*ACTOR_HEAD, *(YIELD_HEAD[k] for k in extra))
        out.append({"name": names.get(actor, actor), "table": {"head": head, "rows": table}})
    return out


def yields_data(run: RunData) -> dict[str, Any]:
    """The headline's line on what interdictions yielded (kg seized, armed clashes) per actor that
    has them, and the share of the border's sectors that saw a clash or an incursion."""
    names = actor_names(run)
    rows = [r for r in run.summary.get("covert", []) if r.get("group") == "all"]
    per_actor = [
        {
            "actor": names.get(r["actor"], r["actor"]),
            "items": [f"{estimate(r, k)['text']} {YIELD_HEAD[k]}" for k in YIELD_HEAD if k in r],
        }
        for r in rows
        if any(k in r for k in YIELD_HEAD)
    ]
    c = run.summary.get("conflict") or {}
    share = estimate(c, "sector_share", pct=True) if c else None
    return {"actors": per_actor, "conflict": share, "kg_notes": _kg_notes(run, names)}


def _kg_notes(run: RunData, names: dict[str, str]) -> list[str]:
    """What each actor's kg seized rests on: its kg per interdicted group, assumed with a range,
    and whether a calibration pins it down (a sceptical reader's first question)."""
    notes = []
    for a in run.scenario.actors:
        q = getattr(a, "seizure_kg", None)
        if q is None:
            continue
        lo, hi = q.bounds(run.scenario.evidence)
        block = q.calibration(run.scenario.evidence)
        if block is None:
            cal = "no observation of this period constrains it (see bordersim calibrate)"
        else:
            how = {"alone": "pins it down", "as a combination": "pins it down only in a product "
                   "with other quantities", "no": "does not pin it down"}[block.identified]  # fmt: skip
            drew = (run.summary.get("input_uncertainty") or {}).get("source") == "posterior"
            cal = (
                f"the calibration {block.calibration} ({', '.join(block.observations)}) {how}; "
                + (
                    "this run's input interval drew it from that posterior"
                    if drew
                    else "the input interval can draw it from that posterior (--uncertainty posterior)"
                )
            )
        notes.append(
            f"{names.get(a.id, a.id)}: kg seized rests on {q.value:g} kg per interdicted group, "
            f"{'sourced' if q.is_sourced(run.scenario.evidence) else 'assumed'} with a range of "
            f"{lo:g}–{hi:g} kg; {cal}."
        )
    return notes


def fleeing_data(run: RunData) -> Table | None:
    """People fleeing per reception crossing, or None when the run simulated none."""
    rows = run.summary.get("fleeing") or []
    if not rows:
        return None
    names = dict(zip(run.compiled.crossing_ids, run.compiled.crossing_names, strict=True))
    keys = ("arrived", "received", "waiting", "longest_wait_days")
    table = [
        [names.get(r["crossing"], r["crossing"])] + [estimate(r, k) for k in keys] for r in rows
    ]
    return {"head": FLEEING_HEAD, "rows": table}


def provenance_data(run: RunData) -> list[tuple[str, str]]:
    """What reproduces the run: scenario and its hash, policy, period, seed, version, command."""
    m = run.manifest
    cmd = m.get("command")
    command = shlex.join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd or "")
    return [
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

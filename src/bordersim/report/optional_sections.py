"""The report's optional sections as plain data: policy comparison, optimised deployment and
sensitivity, each from its JSON file (``compare.json``, ``optimize.json``, ``sensitivity.json``).

The files' shapes are documented in :mod:`bordersim.report.html`. A file that does not parse or lacks
the expected keys becomes a warning in its section (``kind == "problem"``), never a failure; a file of
an older shape with a list of rows is shown as a generic table (``kind == "generic"``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from bordersim.report.formatting import MISSING, fmt_count, fmt_estimate, fmt_number, fmt_percent
from bordersim.report.robust_section import REQUIRED_KEYS as ROBUST_KEYS
from bordersim.report.robust_section import robust_data
from bordersim.report.run_data import OPTIONAL_FILES
from bordersim.report.sections import Cell, Table

__all__ = [
    "SECTION_TITLES",
    "compare_data",
    "generic_data",
    "optimize_data",
    "optional_sections",
    "sensitivity_data",
]

#: Section title and the list key a generic file of that name must have.
SECTION_TITLES = {
    "compare": ("Policy comparison", "differences"),
    "optimize": ("Optimised deployment", "allocation"),
    "sensitivity": ("Which assumptions matter", "factors"),
    "robust": ("Robustness across the uncertainty", "policies"),
}


def _ci_cell(x: dict[str, Any] | None, percent: bool) -> Cell:
    f = fmt_percent if percent else fmt_number
    if not x or not isinstance(x.get("mean"), int | float):
        return {"text": MISSING}
    return {"text": f(x["mean"]), "ci": f"[{f(x.get('lo'))}, {f(x.get('hi'))}]"}


def compare_data(data: dict[str, Any]) -> dict[str, Any]:
    """Policies side by side, then paired differences against the baseline with P(better)."""
    policies: list[str] = [str(p) for p in data["policies"]]
    labels: dict[str, str] = data.get("metric_labels", {})
    per = data["per_policy"]
    by = {(d["policy"], d["metric"]): d for d in data["differences"]}
    rows, diff_rows = [], []
    for m in data["metrics"]:
        pct = m == "true_rate"
        label = str(labels.get(m, m))
        rows.append([label] + [_ci_cell(per.get(p, {}).get(m), pct) for p in policies])
        cells: list[Any] = [label]
        for p in policies[1:]:
            d = by.get((p, m))
            cell = _ci_cell(d, pct)
            if d and isinstance(d.get("p_better"), int | float):
                cell["note"] = f"P(better) {fmt_number(d['p_better'])}"
            cells.append(cell)
        diff_rows.append(cells)
    return {
        "replications": str(data.get("replications", "")),
        "seed": str(data.get("seed", "")),
        "baseline": str(data["baseline"]),
        "table": {"head": ["metric: mean [95% CI]", *policies], "rows": rows},
        "differences": {"head": ["metric", *policies[1:]], "rows": diff_rows},
        "lever_notes": [str(n) for n in (data.get("lever_activity") or {}).get("notes") or []],
    }


def _best(b: Any) -> str:
    if isinstance(b, dict):
        return f"{b.get('sector', '')} (value {fmt_number(b.get('value'))})"
    return str(b)


def _verification_table(ver: Any) -> Table | None:
    if not isinstance(ver, dict) or not ver.get("checks"):
        return None
    rows = []
    for c in ver["checks"]:
        sim = c.get("simulated") or {}
        reasons = "; ".join(str(r) for r in c.get("reasons") or [])
        check: Cell = {"text": "flagged" if c.get("flagged") else "ok", "note": reasons}
        if c.get("flagged"):
            check["badge"] = "conflict"
        rows.append(
            [
                str(c.get("actor", "")),
                str(c.get("choice", "")),
                fmt_number(c.get("predicted")),
                _ci_cell(sim, percent=False),
                check,
            ]
        )
    return {"head": ("actor", "adversary", "predicted", "simulated", "check"), "rows": rows}


def optimize_data(data: dict[str, Any]) -> dict[str, Any]:
    """The recommended allocation next to the current one, and the plan's verification."""
    sectors = data["sectors"]
    rows = [
        [
            {"text": str(x.get("id", "")), "cls": "text"},
            {"text": str(x.get("name", "")), "cls": "text"},
            fmt_count(x.get("current")),
            fmt_count(x.get("recommended")),
            fmt_number(x.get("value_before")),
            fmt_number(x.get("value_after")),
        ]
        for x in sectors
    ]
    head = ("sector", "name", "guards now", "recommended", "adversary value now", "after")
    return {
        "adversary": str(data.get("adversary", "")),
        "actor": str(data.get("actor") or "all covert actors, weighted by their rates"),
        "guards": fmt_count(data.get("guards")),
        "date": str(data.get("date", "")),
        "best_before": _best(data.get("best_before")),
        "best_after": _best(data.get("best_after")),
        "predicted_before": fmt_number(data.get("predicted_before")),
        "predicted": fmt_number(data.get("predicted")),
        "method": str(data.get("method", "")),
        "unguarded": [str(x.get("id")) for x in sectors if not x.get("recommended")],
        "table": {"head": head, "rows": rows},
        "verification": _verification_table(data.get("verification")),
    }


def _as_float(v: Any) -> float:
    """A JSON number, 0 where absent or not a finite number (for ranking and bar widths)."""
    try:
        x = float(v or 0.0)
    except (TypeError, ValueError):
        return 0.0
    return x if math.isfinite(x) else 0.0


def sensitivity_data(rows: list[dict[str, Any]], meta: dict[str, Any] | None) -> dict[str, Any]:
    """Ranked indices with bars (a tornado of what matters), sourced, assumed or calibrated
    marked."""
    sobol = any("ST" in r for r in rows)
    key, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    ranked = sorted(rows, key=lambda r: -_as_float(r.get(key)))
    top = max((_as_float(r.get(key)) for r in ranked), default=0.0) or 1.0
    factors = [
        {
            "name": str(r.get("factor", r.get("name", ""))),
            "kind": "calibrated"
            if r.get("calibrated")
            else ("sourced" if r.get("sourced") else "assumed"),
            "s1": fmt_number(_as_float(r.get("S1"))),
            "s1_conf": fmt_number(_as_float(r.get("S1_conf"))),
            "index": fmt_number(_as_float(r.get(key))),
            "conf": fmt_number(_as_float(r.get(conf))),
            "width": f"{max(0.0, min(100.0, 100.0 * _as_float(r.get(key)) / top)):.1f}",
        }
        for r in ranked
    ]
    m = meta or {}
    return {
        "sobol": sobol,
        "method": str(m.get("method", "sobol" if sobol else "morris")).capitalize(),
        "metric": str(m.get("metric", "")),
        "points": str(m.get("points", "?")),
        "replications": str(m.get("replications", "?")),
        "policy": str(m.get("policy", "")),
        "factors": factors,
    }


def _generic_value(v: Any) -> str:
    if isinstance(v, dict) and {"mean", "lo", "hi"} <= set(v):
        return fmt_estimate(v["mean"], v["lo"], v["hi"])
    if isinstance(v, int | float) and not isinstance(v, bool):
        return fmt_number(v)
    return json.dumps(v) if isinstance(v, dict | list) else str(v)


def generic_data(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A file of the minimal documented shape: its scalar fields, then its ``key`` rows as a table."""
    rows = data[key]
    if key == "factors" and isinstance(rows, list):
        rows = sorted(rows, key=lambda r: -_as_float(r.get("index")) if isinstance(r, dict) else 0)
    scalars = [
        (str(k), _generic_value(v)) for k, v in data.items() if k != key and not isinstance(v, list)
    ]
    table = None
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
        cols = list(dict.fromkeys(k for r in rows for k in r))
        table = {
            "head": [str(c) for c in cols],
            "rows": [[_generic_value(r.get(c)) for c in cols] for r in rows],
        }
    return {"scalars": scalars, "table": table}


def _one_section(name: str, data: Any, meta: Any) -> dict[str, Any]:
    title, key = SECTION_TITLES[name]
    sec: dict[str, Any] = {"id": name, "title": title, "file": f"{name}.json"}
    if name == "sensitivity" and isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return sec | {"kind": "sensitivity", "data": sensitivity_data(data, meta)}
    if name == "optimize" and isinstance(data, dict) and "sectors" in data:
        return sec | {"kind": "optimize", "data": optimize_data(data)}
    if name == "compare" and isinstance(data, dict) and {"per_policy", "differences"} <= set(data):
        return sec | {"kind": "compare", "data": compare_data(data)}
    if name == "robust" and isinstance(data, dict) and ROBUST_KEYS <= set(data):
        return sec | {"kind": "robust", "data": robust_data(data)}  # robust_section (h-robust)
    if isinstance(data, str):
        return sec | {"kind": "problem", "data": data}
    if not isinstance(data, dict) or key not in data:
        problem = (
            f'{name}.json does not have the expected shape (a "{key}" list); '
            "see the report module's documentation."
        )
        return sec | {"kind": "problem", "data": problem}
    return sec | {"kind": "generic", "data": generic_data(data, key)}


def optional_sections(extras: dict[str, Any]) -> list[dict[str, Any]]:
    """One section per optional file that exists: ``{"id", "title", "file", "kind", "data"}``."""
    return [
        _one_section(
            name,
            extras[name],
            extras.get(f"{name}_meta") if isinstance(extras.get(f"{name}_meta"), dict) else None,
        )
        for name in OPTIONAL_FILES
        if name in extras
    ]

"""The report's robustness section, from a robust study's ``robust.json`` (``bordersim robust --out``).

Plain data for ``templates/robust.html``: the regret table (per metric and policy, mean and spread
over draws, regret mean / p90 / max), the satisficing shares, how often each conditional lever
acted (and the notes for levers that did not always act), the PRIM boxes in words, and a
distribution plot of the threshold metric over draws per policy (matplotlib, inline SVG).
A file without the expected keys becomes a warning in the section, never a failure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from markupsafe import Markup
from matplotlib.figure import Figure

from bordersim.report.figures import svg_text
from bordersim.report.formatting import MISSING, fmt_number, fmt_percent
from bordersim.report.text import mpl_text
from bordersim.report.uncertainty_text import posterior_words

__all__ = ["REQUIRED_KEYS", "robust_data", "robust_figure"]

#: The keys a robust.json must have for the section (else a warning is shown).
REQUIRED_KEYS = frozenset({"policies", "regret", "satisficing", "boxes", "thresholds"})
#: Metrics of the regret table, in order (those the file has).
SHOWN = (
    "breaches",
    "defender_losses",
    "interdictions",
    "undetected",
    "true_rate",
    "cost_per_interdiction_rub",
)
LEVER_LABELS = {
    "help_requested": "help asked",
    "csto_arrived": "CSTO arrived",
    "russian_guards_returned": "Russian guards returned",
    "russian_forces_moved": "Russian forces moved",
}


def _regret_rows(data: dict[str, Any], labels: dict[str, str]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for m in SHOWN:
        if not any(m in data["regret"].get(p, {}) for p in data["policies"]):
            continue
        pct = m == "true_rate"
        f = fmt_percent if pct else fmt_number
        for p in data["policies"]:
            r = data["regret"].get(p, {}).get(m)
            if not r:
                continue
            rows.append(
                [
                    {"text": labels.get(m, m.replace("_", " ")), "cls": "text"},
                    {"text": str(p), "cls": "text"},
                    {"text": f(r.get("mean")), "ci": f"sd {f(r.get('sd'))}"},
                    f(r.get("regret_mean")),
                    f(r.get("regret_p90")),
                    f(r.get("regret_max")),
                ]
            )
    return rows


def robust_figure(data: dict[str, Any]) -> Figure | None:
    """Per policy, the first threshold metric's value in every draw (a strip of points over a box
    plot), with the threshold as a line; ``None`` when the file has no per-draw values."""
    values = data.get("draw_values") or {}
    if not values:
        return None
    metric = next(iter(values))
    per = values[metric]
    policies = [p for p in data["policies"] if p in per]
    fig = Figure(figsize=(7.0, 0.6 + 0.55 * len(policies)))
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # jitter only, fixed so the SVG is deterministic
    series = [
        np.asarray([np.nan if v is None else v for v in per[p]], dtype=float) for p in policies
    ]
    ok = [s[np.isfinite(s)] for s in series]
    ax.boxplot(ok, orientation="horizontal", widths=0.5, showfliers=False)
    for k, s in enumerate(ok):
        ax.scatter(s, k + 1 + rng.uniform(-0.15, 0.15, s.size), s=8, alpha=0.6)
    ax.set_yticks(range(1, len(policies) + 1), [mpl_text(p) for p in policies])
    for t in data.get("thresholds", []):
        name, _, value = str(t).replace(">=", "<=").partition("<=")
        if name == metric:
            try:
                ax.axvline(float(value), color="0.3", linestyle="--", linewidth=1)
            except ValueError:
                pass
    ax.set_xlabel(mpl_text(f"{metric.replace('_', ' ')} (mean over a draw's replications)"))
    fig.tight_layout()
    return fig


def robust_data(data: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The section's data: tables, sentences and the inline SVG of :func:`robust_figure`."""
    labels = labels or {}
    policies = [str(p) for p in data["policies"]]
    sat = data["satisficing"]
    levers = data.get("lever_activity") or {}
    keys = [k for k in LEVER_LABELS if any(k in levers.get(p, {}) for p in policies)]
    lever_rows = [
        [{"text": p, "cls": "text"}, *(fmt_percent(levers.get(p, {}).get(k)) for k in keys)]
        for p in policies
    ]
    box = data["boxes"]
    fig = robust_figure(data)
    svg = None
    if fig is not None:
        svg = Markup(svg_text(fig, "robust"))  # matplotlib's SVG, its text XML-escaped
    return {
        "draws": str(data.get("draws", "?")),
        "replications": str(data.get("replications", "?")),
        "source": str(data.get("input_source", "prior")),
        "posterior": posterior_words(post)
        if isinstance(post := data.get("posterior"), dict)
        else "",
        "thresholds": " and ".join(str(t) for t in data["thresholds"]),
        "default_threshold": bool(data.get("default_threshold")),
        "favoured": str(data.get("favoured", "")),
        "regret": {
            "head": ["metric", "policy", "mean over draws", "regret mean", "p90", "max"],
            "rows": _regret_rows(data, labels),
        },
        "satisficing": {
            "head": ["policy", "share of draws meeting every threshold"],
            "rows": [
                [{"text": p, "cls": "text"}, fmt_percent((sat.get(p) or {}).get("share"))]
                for p in policies
            ],
        },
        "levers": {"head": ["policy", *(LEVER_LABELS[k] for k in keys)], "rows": lever_rows}
        if keys
        else None,
        "lever_notes": [str(n) for n in data.get("lever_notes") or []],
        "prim_policy": str(box.get("policy", "")),
        "fails": str(box.get("fails", "")),
        "failing": f"{box.get('failing_draws', MISSING)} of {box.get('draws', MISSING)}",
        "boxes": [str(b.get("sentence", "")) for b in box.get("boxes") or []],
        "caution": str(box["caution"]) if box.get("caution") else None,
        "svg": svg,
    }

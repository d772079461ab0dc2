"""The report headline's two intervals: simulation noise and input uncertainty, as plain data.

A run directory written with input uncertainty holds, in ``summary.json``, a ``headline`` entry per
figure (``ci``: the 95% confidence interval over replications; ``input_interval``: the 5–95% spread
over draws of the uncertain inputs; ``top_factors``) and ``input_uncertainty`` (how the draws were
made); the per-draw values are in ``input_draws.csv``. This section lays the two intervals side by
side, says in words how much of the uncertainty is the model's inputs, and names the three
quantities the lead figure moves with most. Without draws it says that the intervals are simulation
noise only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bordersim.report.uncertainty_text import (
    CI_LABEL,
    INPUT_LABEL,
    fmt_interval,
    fmt_value,
    headline_sentence,
    is_rate,
    source_words,
    width_ratio,
)

__all__ = ["INTERVALS_HEAD", "intervals_data"]

INTERVALS_HEAD = ("actor", "figure", "mean", CI_LABEL, INPUT_LABEL, "input ÷ noise width")


def intervals_data(summary: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``{"available", "sentence", "source", "table"}`` for the headline template; ``names`` maps
    actor ids to display names."""
    desc = summary.get("input_uncertainty")
    entries = list(summary.get("headline") or [])
    if desc is None or not entries:
        return {
            "available": False,
            "sentence": "",
            "source": "",
            "table": None,
            "reestimated": False,
            "outside_note": "",
        }
    rows = []
    posterior = desc.get("source") == "posterior"
    outside = 0
    for e in entries:
        pct = is_rate(str(e["metric"]))
        ratio = width_ratio(e)
        iv = e["input_interval"]
        off = posterior and iv is not None and not iv[0] <= e["mean"] <= iv[1]
        outside += off
        rows.append(
            [
                names.get(e["actor"], e["actor"]),
                str(e["label"]),
                {
                    "text": fmt_value(e["mean"], pct) + (" †" if off else ""),
                    "bold": e["metric"] == "true_rate",
                },
                fmt_interval(e["ci"], pct),
                fmt_interval(e["input_interval"], pct),
                "" if ratio is None else f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×",
            ]
        )
    first = entries[0]
    return {
        "available": True,
        "sentence": headline_sentence(
            first,
            desc,
            int(summary.get("replications", 0)),
            names.get(first["actor"], first["actor"]),
        ),
        "source": source_words(desc),
        "table": {"head": INTERVALS_HEAD, "rows": rows, "cls": "intervals"},
        "reestimated": bool(desc.get("reestimated_by_report")),
        "outside_note": (
            f"† {outside} figure{'s' if outside != 1 else ''} at the scenario's nominal values "
            "lie outside the posterior's input interval: those nominal values are not what the "
            "observations support; read the input interval."
            if outside
            else ""
        ),
    }

"""The report's policy explorer: every combination of the scenario's policy variants, run on
common random numbers, embedded in the page so that a reader toggles policies offline.

Each combination (all subsets of the first :data:`MAX_VARIANTS` variants: at most 64) is compiled
and simulated with the run's seed, start and period at a modest number of replications (the
``--explore N`` option of ``bordersim report``; 100 by default there), so the combinations differ
only by their policies. What the page switches per combination is plain data: the headline (the
first covert actor's true and observed interdiction rate over the whole border, with 95%
simulation-noise intervals), each covert actor's row, and a colour per sector (true interdiction
rate, one scale for all combinations). The page's small inline script reads it from a JSON block
(``<script type="application/json">``, written with Jinja2's ``tojson``, which escapes ``<``, ``>``
and ``&``) and fetches nothing.

Size: per combination about 150 bytes of headline and rows plus 8 bytes per sector, and the sector
lines once (about 40 kB for the built-in border): the 2021 scenario's 32 combinations add about
60 kB. :data:`SIZE_BUDGET` is the most the section may add; a larger one is refused, not written.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from bordersim.engine import simulate
from bordersim.model.compile import compile_scenario
from bordersim.report.formatting import fmt_estimate, fmt_number
from bordersim.report.run_data import ReportError, RunData
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.geometry import load_line

__all__ = ["MAX_VARIANTS", "SIZE_BUDGET", "explorer_data"]

#: Variants combined at most (2**6 = 64 combinations); later ones are listed but not combined.
MAX_VARIANTS = 6
#: The most the explorer may add to the page, in bytes (the whole report stays a few MB).
SIZE_BUDGET = 2_000_000
#: Width and height of the explorer's map, in SVG user units.
MAP_W, MAP_H = 760.0, 300.0


def _rate(row: dict[str, Any], key: str) -> str:
    return fmt_estimate(row[key], row[f"{key}_lo"], row[f"{key}_hi"], pct=True)


def _paths(run: RunData) -> list[str]:
    """SVG ``points`` of each sector's stretch of border, projected to the map box, and its label."""
    border = run.scenario.border
    line = load_line(str(DATA_DIR / border.geometry), border.geometry_feature)
    length = float(border.official_length_km.value)
    segs = [line.segment(float(s.start_km), float(s.end_km), length) for s in border.sectors]
    allxy = np.vstack(segs)
    lat0 = float(allxy[:, 1].mean())
    kx = float(np.cos(np.radians(lat0)))
    x0, x1 = allxy[:, 0].min() * kx, allxy[:, 0].max() * kx
    y0, y1 = allxy[:, 1].min(), allxy[:, 1].max()
    scale = min((MAP_W - 20) / max(x1 - x0, 1e-9), (MAP_H - 20) / max(y1 - y0, 1e-9))
    out = []
    for xy in segs:
        px = 10 + (xy[:, 0] * kx - x0) * scale
        py = MAP_H - 10 - (xy[:, 1] - y0) * scale
        out.append(" ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)))
    return out


def _one(run: RunData, policy: str | None, reps: int) -> tuple[dict[str, Any], np.ndarray]:
    """A combination's headline and rows, and its per-sector true interdiction rate."""
    days = len(run.days)
    start = np.datetime64(run.days[0], "D").astype(object) if days else None
    compiled = compile_scenario(run.scenario, policy=policy, start=start, days=days or None)
    res = simulate(compiled, reps, int(run.manifest.get("seed", 2021)))
    rows = [r for r in res.summary_rows() if r["group"] == "all"]
    table = [
        [r["actor"], fmt_number(r["attempts"]), fmt_number(r["interdicted"]),
         _rate(r, "true_rate"), _rate(r, "observed_rate")]
        for r in rows
    ]  # fmt: skip
    c = res.covert_totals.astype(float).sum(axis=2).mean(axis=0)  # (S, outcome)
    attempts = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        true = np.where(attempts > 0, c[:, 0] / attempts, np.nan)
    head = {"actor": table[0][0], "true": table[0][3], "observed": table[0][4]} if table else {}
    return {"headline": head, "rows": table}, true


def explorer_data(run: RunData, replications: int) -> dict[str, Any] | None:
    """The explorer's data for the page, or ``None`` when the scenario has no policy variants.

    Costs one simulation of ``replications`` replications per combination (32 for the 2021
    scenario's five variants). Raises :class:`ReportError` if the data would exceed
    :data:`SIZE_BUDGET`."""
    if replications < 1:
        raise ReportError(f"--explore {replications}: replications per combination must be >= 1")
    names = list(run.scenario.policies)
    if not names:
        return None
    combined = names[:MAX_VARIANTS]
    combos: dict[str, Any] = {}
    rates: dict[str, np.ndarray] = {}
    for k in range(len(combined) + 1):
        for subset in itertools.combinations(combined, k):
            key = "+".join(subset)
            combos[key], rates[key] = _one(run, key or None, replications)
    finite = np.concatenate([r[np.isfinite(r)] for r in rates.values()] or [np.zeros(1)])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    cmap = colormaps["viridis"]
    for key, r in rates.items():
        t = (r - lo) / (hi - lo) if hi > lo else np.zeros_like(r)
        combos[key]["colours"] = [to_hex(cmap(v)) if np.isfinite(v) else "#bbbbbb" for v in t]
    points = _paths(run)
    data = {
        "policies": combined,
        "not_combined": names[MAX_VARIANTS:],
        "replications": replications,
        "scale": [f"{100 * lo:.1f}%", f"{100 * hi:.1f}%"],
        "sectors": list(run.sector_ids),
        "points": points,
        "combos": combos,
        "size": {"w": MAP_W, "h": MAP_H},
    }  # fmt: skip
    size = len(json.dumps(data))
    if size > SIZE_BUDGET:
        raise ReportError(
            f"the policy explorer would add {size / 1e6:.1f} MB (budget {SIZE_BUDGET / 1e6:.0f} MB)"
        )
    return data

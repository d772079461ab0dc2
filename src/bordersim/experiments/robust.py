"""Decisions that hold across the uncertainty: regret, satisficing and scenario discovery (PRIM).

Given the policy × draw matrix of :func:`bordersim.experiments.uncertainty.evaluate_draws`:

- **regret** of a policy in a draw, for a metric, is its gap to the best policy in that same draw
  (``max_p x_pd - x_pd`` where more is better, ``x_pd - min_p x_pd`` where less is), so the best
  policy of a draw has regret 0; summarised per policy by its mean, 90th percentile and maximum
  over draws (Savage's minimax-regret criterion reads the maximum);
- **satisficing**: the share of draws in which a policy meets every threshold the user set
  (``breaches<=0.5``, ``true_rate>=0.5``);
- **scenario discovery**: for one policy, the draws in which it fails a threshold are a region of
  the input space; PRIM (Friedman & Fisher 1999) finds boxes (ranges of a few inputs) that hold many
  of the failures (coverage) and mostly failures (density). We use EMA Workbench's implementation
  (``ema_workbench.analysis.prim``), the maintained reference of the field (Kwakkel 2017), rather
  than write PRIM again.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bordersim.experiments.compare import METRIC_INFO

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "PrimBox",
    "RobustError",
    "Threshold",
    "favoured_policy",
    "parse_threshold",
    "prim_boxes",
    "regret_table",
    "satisficing",
]

FloatArray = NDArray[np.float64]

_THRESHOLD = re.compile(r"^\s*([a-z_]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")


class RobustError(ValueError):
    """A user-caused problem with a robustness study (a malformed threshold, an unknown metric)."""


@dataclass(frozen=True)
class Threshold:
    """``metric <= value`` or ``metric >= value``, met by a policy in a draw or not."""

    metric: str
    op: str
    value: float

    def met(self, x: FloatArray) -> NDArray[np.bool_]:
        """Where ``x`` meets the threshold (NaN never does)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(x <= self.value if self.op == "<=" else x >= self.value)

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


def parse_threshold(text: str, metrics: Sequence[str] = tuple(METRIC_INFO)) -> Threshold:
    """Parse ``METRIC<=VALUE`` or ``METRIC>=VALUE`` (``RobustError`` with the accepted form)."""
    m = _THRESHOLD.match(text)
    if m is None:
        raise RobustError(
            f"--threshold {text!r}: expected METRIC<=VALUE or METRIC>=VALUE, e.g. breaches<=0.5"
        )
    metric, op, raw = m.groups()
    if metric not in metrics:
        raise RobustError(
            f"--threshold {text!r}: unknown metric {metric!r} (known: {', '.join(metrics)})"
        )
    try:
        value = float(raw)
    except ValueError:
        raise RobustError(f"--threshold {text!r}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise RobustError(f"--threshold {text!r}: the value must be finite")
    return Threshold(metric, op, value)


def _regret(values: FloatArray, direction: int) -> FloatArray:
    """(policy, draw) regret against the best policy of each draw; NaN where a value is NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN draw gives NaN regret
        if direction > 0:
            best = np.nanmax(values, axis=0, keepdims=True)
            return np.asarray(best - values)
        best = np.nanmin(values, axis=0, keepdims=True)
        return np.asarray(values - best)


def regret_table(ds: xr.Dataset, metrics: Sequence[str] | None = None) -> dict[str, Any]:
    """Per policy and metric: mean and spread over draws, and regret (mean, p90, max).

    Returns ``{policy: {metric: {mean, sd, p05, p95, regret_mean, regret_p90, regret_max}}}``.
    """
    names = [str(p) for p in ds["policy"].values]
    chosen = [m for m in (metrics or METRIC_INFO) if m in ds.data_vars]
    out: dict[str, Any] = {p: {} for p in names}
    for metric in chosen:
        x = np.asarray(ds[metric].values, dtype=float)
        reg = _regret(x, METRIC_INFO[metric][0])
        for k, p in enumerate(names):
            row, r = x[k], reg[k]
            ok, rok = row[np.isfinite(row)], r[np.isfinite(r)]
            if ok.size == 0:
                continue
            out[p][metric] = {
                "mean": float(ok.mean()),
                "sd": float(ok.std(ddof=1)) if ok.size > 1 else 0.0,
                "p05": float(np.percentile(ok, 5)),
                "p95": float(np.percentile(ok, 95)),
                "regret_mean": float(rok.mean()),
                "regret_p90": float(np.percentile(rok, 90)),
                "regret_max": float(rok.max()),
            }
    return out


def satisficing(ds: xr.Dataset, thresholds: Sequence[Threshold]) -> dict[str, Any]:
    """Per policy: the share of draws meeting every threshold, and each threshold's own share."""
    names = [str(p) for p in ds["policy"].values]
    n = ds.sizes["draw"]
    out: dict[str, Any] = {}
    for k, p in enumerate(names):
        every = np.ones(n, dtype=bool)
        each: dict[str, float] = {}
        for t in thresholds:
            if t.metric not in ds.data_vars:
                raise RobustError(f"--threshold {t}: the runs have no metric {t.metric!r}")
            met = t.met(np.asarray(ds[t.metric].values[k], dtype=float))
            each[str(t)] = float(met.mean())
            every &= met
        out[p] = {"share": float(every.mean()) if thresholds else float("nan"), "each": each}
    return out


def favoured_policy(ds: xr.Dataset, thresholds: Sequence[Threshold], metric: str) -> str:
    """The policy the study favours: the highest satisficing share, ties broken by the lowest mean
    regret on ``metric``."""
    sat = satisficing(ds, thresholds)
    reg = regret_table(ds, [metric])
    names = [str(p) for p in ds["policy"].values]

    def key(p: str) -> tuple[float, float]:
        share = sat[p]["share"] if thresholds else 0.0
        r = reg[p].get(metric, {}).get("regret_mean", math.inf)
        return (-share, r)

    return min(names, key=key)


@dataclass(frozen=True)
class PrimBox:
    """One PRIM box: where (in the inputs) a policy fails its thresholds.

    Attributes:
        coverage: share of all failing draws that fall in the box.
        density: share of the draws in the box that fail.
        mass: share of all draws in the box.
        limits: per restricted input, its (low, high) range inside the box.
        n_fail, n_in: failing draws in the box, and all draws in it.
    """

    coverage: float
    density: float
    mass: float
    limits: dict[str, tuple[float, float]]
    n_fail: int
    n_in: int

    def describe(self, policy: str, failing: str) -> str:
        """The box in words: "P fails T when a in [.., ..] and b in [.., ..] (coverage, density)"."""
        parts = [f"{name} is in [{lo:.3g}, {hi:.3g}]" for name, (lo, hi) in self.limits.items()]
        where = " and ".join(parts) if parts else "anywhere (no input restricts it)"
        return (
            f"{policy} fails {failing} when {where} "
            f"(coverage {100 * self.coverage:.0f}%, density {100 * self.density:.0f}%)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "n_fail": self.n_fail,
            "n_in": self.n_in,
            "limits": {k: [lo, hi] for k, (lo, hi) in self.limits.items()},
        }


def prim_boxes(
    inputs: FloatArray,
    names: Sequence[str],
    failing: NDArray[np.bool_],
    *,
    threshold: float = 0.8,
    max_boxes: int = 2,
) -> list[PrimBox]:
    """PRIM boxes of the failing draws, by EMA Workbench's PRIM.

    ``inputs`` is (draws, factors) of input values, ``failing`` the draws where the policy fails.
    Each box is the point of its peeling trajectory with the highest density at or above
    ``threshold`` (EMA's default choice of box); after a box the covered draws are removed and PRIM
    peels again, up to ``max_boxes``. No failures (or only failures) give no box.
    """
    import pandas as pd  # PRIM works on DataFrames

    y = np.asarray(failing, dtype=bool)
    if y.sum() == 0 or y.all():
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional parallel backends
        from ema_workbench.analysis import prim
    x = pd.DataFrame(np.asarray(inputs, dtype=float), columns=list(names))
    boxes: list[PrimBox] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, threshold=threshold, peel_alpha=0.1)
        for _ in range(max_boxes):
            box = finder.find_box()
            if box is None:
                break
            # inspect(style="data") is PRIM's public view of the chosen box: its statistics and,
            # per restricted input, the box's min and max.
            stats, table = box.inspect(style="data")[0]
            if float(stats["density"]) < threshold or len(table.index) == 0:
                break  # what is left is no box worth naming
            lims: dict[str, tuple[float, float]] = {}
            for name in table.index:
                row = table.loc[name]
                lims[str(name)] = (float(row.iloc[0]), float(row.iloc[1]))
            inside = np.ones(len(x), dtype=bool)
            for name, (lo, hi) in lims.items():
                inside &= (x[name].to_numpy() >= lo) & (x[name].to_numpy() <= hi)
            n_in, n_fail = int(inside.sum()), int((inside & y).sum())
            boxes.append(
                PrimBox(
                    coverage=n_fail / int(y.sum()),
                    density=n_fail / n_in if n_in else float("nan"),
                    mass=n_in / len(x),
                    limits=lims,
                    n_fail=n_fail,
                    n_in=n_in,
                )
            )
    return boxes

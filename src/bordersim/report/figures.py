"""The report's charts (besides the map): daily time series and per-sector outcome bars.

Functions build matplotlib :class:`~matplotlib.figure.Figure` objects without pyplot (no global
state, no GUI backend) from arrays already reduced over replications; :func:`svg_text` and
:func:`save_png` turn them into an inline SVG for the HTML and a PNG for slides. Scenario names
(actors, sectors, detachments) pass through :func:`~bordersim.report.text.mpl_text`, so a ``$`` in
one is drawn, not parsed as mathtext.

Daily bands: ``daily_sd`` is the spread across replications of one day's count. The charts draw the
mean with two bands: a light one of +-1 sd (how much a single simulated day varies) and a darker one of
+-1.96 sd/sqrt(R), the 95% confidence interval of the mean itself.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.axes
import matplotlib.dates
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from bordersim.engine.rundir import atomic_write
from bordersim.model.outcomes import OUTCOMES
from bordersim.report.text import mpl_text

Z95 = 1.959963984540054

OUTCOME_COLOURS = {
    "interdicted": "#009E73",
    "turned_back": "#56B4E9",
    "detected_got_away": "#CC79A7",
    "undetected_got_away": "#D55E00",
}
OUTCOME_LABELS = {
    "interdicted": "interdicted",
    "turned_back": "turned back",
    "detected_got_away": "detected, got away",
    "undetected_got_away": "undetected, got away",
}
FLEE_COLOURS = {"arrived": "#0072B2", "received": "#009E73", "waiting": "#CC79A7"}


@dataclass(frozen=True)
class TimelineMark:
    """A dated event drawn as a numbered vertical line (the HTML lists the numbers' meaning)."""

    number: int
    date: dt.date
    label: str


def _mark_events(ax: matplotlib.axes.Axes, marks: Sequence[TimelineMark]) -> None:
    """Numbered dashed lines, the numbers in circles just inside the top of the panel."""
    for m in marks:
        x: Any = np.datetime64(m.date)
        ax.axvline(x, color="#555555", linestyle="--", linewidth=0.9, zorder=1)
        ax.annotate(
            str(m.number),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -3),
            textcoords="offset points",
            ha="center",
            va="top",
            zorder=6,
            fontsize=7.5,
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "#555555", "lw": 0.8},
        )


def timeseries_figure(
    days: NDArray[np.datetime64],
    daily_mean: NDArray[np.float64],
    daily_sd: NDArray[np.float64],
    replications: int,
    actor_names: Sequence[str],
    marks: Sequence[TimelineMark] = (),
    flee_daily_mean: NDArray[np.float64] | None = None,
) -> Figure:
    """Daily attempts and outcomes per covert actor (and people fleeing, when given).

    ``daily_mean``/``daily_sd``: (T, actors, 4) mean and across-replication sd of each day's count.
    ``flee_daily_mean``: (T, 3) arrived / received / waiting summed over crossings.
    """
    n_panels = len(actor_names) + (flee_daily_mean is not None)
    fig = Figure(figsize=(11.0, 2.5 * n_panels + 0.6), layout="constrained")
    axes = fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0]
    x = np.asarray(days)
    half_ci = Z95 * daily_sd / np.sqrt(max(replications, 1))
    for a, name in enumerate(actor_names):
        ax = axes[a]
        attempts = daily_mean[:, a, :].sum(axis=1)
        ax.plot(x, attempts, color="black", linewidth=1.4, label="attempts (mean)", zorder=4)
        for o, outcome in enumerate(OUTCOMES):
            m, sd, ci = daily_mean[:, a, o], daily_sd[:, a, o], half_ci[:, a, o]
            colour = OUTCOME_COLOURS[outcome]
            ax.fill_between(x, np.maximum(m - sd, 0), m + sd, color=colour, alpha=0.10, lw=0)
            ax.fill_between(x, np.maximum(m - ci, 0), m + ci, color=colour, alpha=0.45, lw=0)
            ax.plot(x, m, color=colour, linewidth=1.1, label=OUTCOME_LABELS[outcome], zorder=3)
        ax.set_title(f"{mpl_text(name)}: covert crossings per day", loc="left", fontsize=9.5)
        ax.set_ylabel("per day", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.tick_params(labelsize=8)
        _mark_events(ax, marks)
        if a == 0:
            handles, labels = ax.get_legend_handles_labels()
            fig.legend(
                handles, labels, loc="outside upper center", ncol=5, fontsize=8, frameon=False
            )
    if flee_daily_mean is not None:
        _flee_panel(axes[-1], x, flee_daily_mean, marks)
    axes[-1].xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%d %b\n%Y"))
    return fig


def _flee_panel(
    ax: matplotlib.axes.Axes,
    x: NDArray[np.datetime64],
    flee_daily_mean: NDArray[np.float64],
    marks: Sequence[TimelineMark],
) -> None:
    """People arrived, received and waiting per day, summed over the reception crossings."""
    for q, qname in enumerate(("arrived", "received", "waiting")):
        ax.plot(
            x,
            flee_daily_mean[:, q],
            color=FLEE_COLOURS[qname],
            linewidth=1.2,
            label=f"{qname} (mean)",
        )
    ax.set_title("People fleeing, all reception crossings", loc="left", fontsize=9.5)
    ax.set_ylabel("people per day", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.grid(True, color="#e5e5e5", linewidth=0.6)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7.5, ncol=3, loc="upper right", frameon=False)
    _mark_events(ax, marks)


def sector_bars_figure(
    sector_ids: Sequence[str],
    sector_groups: Sequence[str],
    covert_mean: NDArray[np.float64],
    actor_names: Sequence[str],
) -> Figure:
    """Per sector and covert actor: mean attempts over the period, stacked by outcome.

    ``covert_mean``: (S, actors, 4) replication means of the outcome counts.
    """
    n = len(actor_names)
    fig = Figure(figsize=(11.0, 2.4 * n + 0.9), layout="constrained")
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    xs = np.arange(len(sector_ids))
    tick_labels = [mpl_text(s.lstrip("s") if s[1:].isdigit() else s) for s in sector_ids]
    for a, name in enumerate(actor_names):
        ax = axes[a]
        bottom = np.zeros(len(sector_ids))
        for o, outcome in enumerate(OUTCOMES):
            h = covert_mean[:, a, o]
            ax.bar(
                xs,
                h,
                bottom=bottom,
                color=OUTCOME_COLOURS[outcome],
                width=0.8,
                label=OUTCOME_LABELS[outcome],
                edgecolor="white",
                linewidth=0.4,
            )
            bottom = bottom + h
        ax.set_title(
            f"{mpl_text(name)}: attempts per sector over the period (mean)",
            loc="left",
            fontsize=9.5,
        )
        ax.set_ylabel("attempts", fontsize=8)
        ax.grid(True, axis="y", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=8)
        _group_separators(ax, sector_groups, label=a == n - 1)
        if a == 0:
            handles, labels = ax.get_legend_handles_labels()
            fig.legend(
                handles, labels, loc="outside upper center", ncol=4, fontsize=8, frameon=False
            )
    axes[-1].set_xticks(xs, tick_labels)
    axes[-1].set_xlabel("sector (west to east); detachments named below", fontsize=8)
    axes[-1].set_xlim(-0.6, len(sector_ids) - 0.4)
    return fig


def _group_separators(ax: matplotlib.axes.Axes, groups: Sequence[str], label: bool) -> None:
    """Vertical lines between sector groups; with ``label``, the group names under the axis."""
    start = 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            if i < len(groups):
                ax.axvline(i - 0.5, color="#999999", linewidth=0.8)
            if label:
                ax.annotate(
                    mpl_text(groups[start]),
                    ((start + i - 1) / 2, 0.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(0, -30),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=8,
                    fontweight="bold",
                    color="#444444",
                )
            start = i


# ---- output ----------------------------------------------------------------------------------------

_SVG_START = re.compile(r"<svg\b")
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_text(fig: Figure, name: str) -> str:
    """The figure as an inline ``<svg>`` element: text kept as text, no metadata, ids unique per
    figure (the hash salt is the figure's name) and deterministic, width scaling to the page."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    m = _SVG_START.search(text)
    text = text[m.start() :] if m else text
    text = _METADATA.sub("", text)
    text = _SIZE.sub(
        lambda mm: (
            f'<svg{mm.group(1)} width="100%" style="max-width:{float(mm.group(2)) * 4 / 3:.0f}px;'
            f'height:auto" role="img" aria-label="{name}"'
        ),
        text,
        count=1,
    )
    return text


def save_png(fig: Figure, path: Path, dpi: int = 150) -> Path:
    """Write the figure as a PNG (for slides)."""
    return atomic_write(
        path, lambda fh: fig.savefig(fh, format="png", dpi=dpi, metadata={"Software": None})
    )


__all__ = [
    "OUTCOME_COLOURS",
    "OUTCOME_LABELS",
    "TimelineMark",
    "save_png",
    "sector_bars_figure",
    "svg_text",
    "timeseries_figure",
]

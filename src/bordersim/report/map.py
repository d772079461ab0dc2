"""The report's map: the border's sectors coloured by a metric, crossings, bases and Afghan control.

Everything is drawn in plain longitude/latitude with the axes' aspect set to 1/cos(latitude), which is
close to equal-area at this border's extent (about 7 degrees of longitude at 37 degrees north). The
Afghan side of the line is the right-hand side when walking the official chainage from the western
(Uzbek) tripoint to the eastern (Chinese) one, so the districts' control is drawn as a thin line offset
to that side, and the sector numbers beyond it; crossing names sit on the Tajik (left-hand) side.

:func:`sector_metric` computes the per-sector value from the replication means of the outcome counts;
:func:`draw_map` returns the figure together with the exact RGBA each sector was given, so tests can
check that the colours follow the metric's order without comparing images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from numpy.typing import NDArray

from bordersim.model.outcomes import (
    DETECTED_GOT_AWAY,
    INTERDICTED,
    TURNED_BACK,
    UNDETECTED_GOT_AWAY,
)
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.geometry import BorderLine, load_line
from bordersim.scenario.schema import CONTROLS, Scenario

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320

CONTROL_COLOURS = {"government": "#0072B2", "taliban": "#5e3c99", "contested": "#8c8c8c"}
CONTROL_OFFSET_KM = 9.0
SECTOR_LABEL_OFFSET_KM = 22.0


@dataclass(frozen=True)
class MetricSpec:
    """How a per-sector metric is named, formatted and coloured (red always means worse)."""

    key: str
    label: str
    cmap: str
    higher_is_worse: bool
    percent: bool


METRIC_SPECS: dict[str, MetricSpec] = {
    "undetected_per_km": MetricSpec(
        "undetected_per_km",
        "undetected got-aways per km of border over the period (mean, all covert actors)",
        "YlOrRd",
        True,
        False,
    ),
    "true_rate": MetricSpec(
        "true_rate", "true interdiction rate: interdicted / attempts", "YlOrRd_r", False, True
    ),
    "observed_rate": MetricSpec(
        "observed_rate",
        "observed interdiction rate: (interdicted + turned back) / detected",
        "YlOrRd_r",
        False,
        True,
    ),
}
MAP_METRICS: tuple[str, ...] = tuple(METRIC_SPECS)


@dataclass(frozen=True)
class MapResult:
    """The map figure and what it encoded: one value and one RGBA colour per sector."""

    figure: Figure
    sector_ids: tuple[str, ...]
    values: NDArray[np.float64]  # (S,)
    rgba: NDArray[np.float64]  # (S, 4)
    metric: str
    cmap: Colormap
    norm: Normalize


def sector_metric(
    covert_mean: NDArray[np.float64], length_km: NDArray[np.float64], metric: str
) -> NDArray[np.float64]:
    """Per-sector value of ``metric`` from replication-mean counts ``covert_mean`` (S, actors, 4).

    Rates are ratio estimators (sum of numerators over sum of denominators), the same as the summary;
    with equal replication counts a ratio of means equals the ratio of sums. NaN where undefined.
    """
    if metric not in METRIC_SPECS:
        raise ValueError(f"unknown map metric {metric!r} (choose from {', '.join(MAP_METRICS)})")
    c = np.asarray(covert_mean, dtype=float).sum(axis=1)  # (S, 4) summed over actors
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "undetected_per_km":
            out = c[:, UNDETECTED_GOT_AWAY] / np.asarray(length_km, dtype=float)
        elif metric == "true_rate":
            out = c[:, INTERDICTED] / c.sum(axis=1)
        else:
            seen = c[:, INTERDICTED] + c[:, TURNED_BACK]
            out = seen / (seen + c[:, DETECTED_GOT_AWAY])
    return np.where(np.isfinite(out), out, np.nan)


def _local_km(lon: NDArray, lat: NDArray, lat0: float) -> tuple[NDArray, NDArray]:
    return lon * KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)), lat * KM_PER_DEG_LAT


def offset_line(
    xy: NDArray[np.float64], km: float, lat0: float, smooth_km: float = 15.0
) -> NDArray[np.float64]:
    """Offset an (n, 2) lon/lat polyline by ``km`` to its right-hand side (negative: left).

    The normal comes from a moving average of the vertices over about ``smooth_km`` of line, so
    that river meanders do not make the offset line loop on itself.
    """
    lon, lat = xy[:, 0], xy[:, 1]
    x, y = _local_km(lon, lat, lat0)
    if len(x) < 2:
        return xy.copy()
    step = float(np.median(np.hypot(np.diff(x), np.diff(y)))) or 1.0
    k = int(max(1, min(round(smooth_km / step), len(x))))
    kernel = np.ones(k) / k
    xs = np.convolve(np.pad(x, (k // 2, k - 1 - k // 2), mode="edge"), kernel, mode="valid")
    ys = np.convolve(np.pad(y, (k // 2, k - 1 - k // 2), mode="edge"), kernel, mode="valid")
    tx, ty = np.gradient(xs), np.gradient(ys)
    norm = np.hypot(tx, ty)
    norm[norm == 0] = 1.0
    nx, ny = ty / norm, -tx / norm  # right-hand normal of the direction of travel
    dlon = nx * km / (KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)))
    dlat = ny * km / KM_PER_DEG_LAT
    return np.column_stack([lon + dlon, lat + dlat])


def offset_border(line: BorderLine, km: float, lat0: float) -> BorderLine:
    """The whole border offset by ``km`` (right-hand, i.e. Afghan, side when positive).

    It keeps the original chainage, so ``segment``/``point_at`` of the result give the offset
    counterpart of the same stretch of border.
    """
    off = offset_line(np.column_stack([line.lon, line.lat]), km, lat0)
    return BorderLine(lon=off[:, 0], lat=off[:, 1], cum_km=line.cum_km)


def _short(name: str) -> str:
    """A crossing's or base's name without its parenthesised or dashed detail."""
    for sep in (" (", " - ", " / "):
        name = name.split(sep)[0]
    return name.strip()


def _nice_length(km: float) -> float:
    """A round scale-bar length not longer than ``km``."""
    exp = 10 ** np.floor(np.log10(km))
    for m in (5, 2, 1):
        if m * exp <= km:
            return float(m * exp)
    return float(exp)


def _overlaps(box: Bbox, boxes: Sequence[Bbox], pad: float = 3.0) -> bool:
    b = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    return any(b.overlaps(o) for o in boxes)


def _place_labels(
    fig: Figure,
    texts: Sequence[Text],
    anchors: Sequence[tuple[float, float]],
    preferred: Sequence[tuple[float, float]],
    obstacles: list[Bbox],
) -> None:
    """Greedy label placement: try offsets (points) around each anchor, keep the first free one."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    candidates = [(6, 4), (6, -10), (-6, 4), (-6, -10), (10, -3), (-10, -3), (0, 9), (0, -14)]
    for text, _anchor, pref in zip(texts, anchors, preferred, strict=True):
        chosen = None
        for dx, dy in [pref, *candidates]:
            text.xyann = (dx, dy)  # type: ignore[attr-defined]
            text.set_horizontalalignment("left" if dx >= 0 else "right")
            box = text.get_window_extent(renderer)
            if not _overlaps(box, obstacles):
                chosen = box
                break
        if chosen is None:  # nothing free: keep the preferred spot
            text.xyann = pref  # type: ignore[attr-defined]
            text.set_horizontalalignment("left" if pref[0] >= 0 else "right")
            chosen = text.get_window_extent(renderer)
        obstacles.append(chosen)


def draw_map(
    scenario: Scenario,
    sector_values: NDArray[np.float64],
    control: NDArray[np.integer],
    metric: str,
    *,
    control_date: str = "",
    figsize: tuple[float, float] = (11.0, 6.2),
) -> MapResult:
    """Draw the border coloured by ``sector_values`` (one per sector, in scenario order).

    ``control`` is the Afghan districts' control per sector (indices into CONTROLS), e.g. the last
    compiled phase's; ``control_date`` names the day it describes for the legend.
    """
    spec = METRIC_SPECS[metric]
    border = scenario.border
    length = float(border.official_length_km.value)
    line: BorderLine = load_line(str(DATA_DIR / border.geometry), border.geometry_feature)
    values = np.asarray(sector_values, dtype=float)

    lons = [*line.lon, *(b.lon for b in scenario.bases)]
    lats = [*line.lat, *(b.lat for b in scenario.bases)]
    lon_min, lon_max = min(lons) - 0.35, max(lons) + 0.35
    lat_min, lat_max = min(lats) - 0.75, max(lats) + 0.3
    lat0 = 0.5 * (lat_min + lat_max)

    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor("#f7f7f4")
    ax.set_xlim(lon_min, lon_max)
    ax.set_ylim(lat_min, lat_max)
    ax.set_aspect(1.0 / np.cos(np.radians(lat0)))
    ax.grid(True, color="#dddddd", linewidth=0.5, zorder=0)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}°E")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.1f}°N" if v % 1 else f"{v:.0f}°N")
    ax.tick_params(labelsize=8)

    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmax <= vmin:
        vmin, vmax = vmin - 0.5 * abs(vmin or 1.0), vmax + 0.5 * abs(vmax or 1.0)
    norm = Normalize(vmin=vmin, vmax=vmax)
    cmap = colormaps[spec.cmap].with_extremes(bad="#9e9e9e")
    rgba = np.asarray(cmap(norm(np.ma.masked_invalid(values))), dtype=float)

    # the whole line underneath, then each sector in its colour with a dark casing
    ax.plot(line.lon, line.lat, color="#555555", linewidth=0.8, zorder=2)
    casing = [pe.Stroke(linewidth=5.6, foreground="#222222"), pe.Normal()]
    control_line = offset_border(line, CONTROL_OFFSET_KM, lat0)
    label_line = offset_border(line, SECTOR_LABEL_OFFSET_KM, lat0)
    tajik_side = offset_border(line, -10.0, lat0)
    for i, s in enumerate(border.sectors):
        seg = line.segment(s.start_km, s.end_km, length)
        ax.plot(
            seg[:, 0],
            seg[:, 1],
            color=rgba[i],
            linewidth=4.2,
            solid_capstyle="butt",
            path_effects=casing,
            zorder=3,
        )
        ctrl = CONTROLS[int(control[i])]
        off = control_line.segment(s.start_km, s.end_km, length)
        ax.plot(
            off[:, 0],
            off[:, 1],
            color=CONTROL_COLOURS[ctrl],
            linewidth=2.2,
            linestyle="-" if ctrl != "contested" else (0, (3, 1.5)),
            solid_capstyle="butt",
            zorder=2.5,
        )
    # sector numbers on the Afghan side, beyond the control line
    mids = np.array([(s.start_km + s.end_km) / 2 for s in border.sectors])
    llon, llat = label_line.point_at(mids, length)
    sector_texts: list[Text] = []
    for i, s in enumerate(border.sectors):
        sector_texts.append(
            ax.text(
                float(llon[i]),
                float(llat[i]),
                s.id.lstrip("s") if s.id[1:].isdigit() else s.id,
                fontsize=6.5,
                color="#444444",
                ha="center",
                va="center",
                zorder=4,
            )
        )

    halo = {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75}
    texts: list[Text] = []
    anchors: list[tuple[float, float]] = []
    preferred: list[tuple[float, float]] = []
    # official crossings and reception points on the line, named on the Tajik (left) side
    for c in border.crossings:
        clon, clat = line.point_at(c.km, length)
        x, y = float(clon), float(clat)
        ax.plot(
            x,
            y,
            marker="D",
            markersize=5.5,
            markerfacecolor="white" if not c.official else "black",
            markeredgecolor="black",
            linestyle="none",
            zorder=6,
        )
        tlon, tlat = tajik_side.point_at(c.km, length)
        direction = np.array([(float(tlon) - x) * np.cos(np.radians(lat0)), float(tlat) - y])
        direction = direction / (np.hypot(*direction) or 1.0)
        pref = (float(10 * direction[0]), float(10 * direction[1] - 3))
        t = ax.annotate(
            _short(c.name),
            (x, y),
            xytext=pref,
            textcoords="offset points",
            fontsize=7,
            bbox=halo,
            zorder=7,
        )
        texts.append(t)
        anchors.append((x, y))
        preferred.append(pref)
    # bases (the air base gets its own marker); a base named like a crossing shares its label
    crossing_names = {_short(c.name).lower() for c in border.crossings}
    for b in scenario.bases:
        is_air = "air" in b.name.lower()
        ax.plot(
            b.lon,
            b.lat,
            marker="^" if is_air else "s",
            markersize=8 if is_air else 5.5,
            markerfacecolor="#0072B2" if is_air else "#E69F00",
            markeredgecolor="black",
            linestyle="none",
            zorder=6,
        )
        name = "Aini air base" if is_air and "aini" in b.id.lower() else _short(b.name)
        if name.lower() in crossing_names:
            continue
        t = ax.annotate(
            name,
            (b.lon, b.lat),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=7,
            fontweight="bold" if is_air else "normal",
            bbox=halo,
            zorder=7,
        )
        texts.append(t)
        anchors.append((b.lon, b.lat))
        preferred.append((-6, 4) if is_air else (6, 4))

    # scale bar (km at the bar's latitude) and north arrow
    bar_lat = lat_min + 0.12 * (lat_max - lat_min)
    km_per_deg = KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(bar_lat))
    bar_km = _nice_length(0.18 * (lon_max - lon_min) * km_per_deg)
    x0 = lon_min + 0.04 * (lon_max - lon_min)
    half = bar_km / 2 / km_per_deg
    for j, colour in enumerate(("black", "white")):
        ax.fill_between(
            [x0 + j * half, x0 + (j + 1) * half],
            bar_lat,
            bar_lat + 0.035,
            facecolor=colour,
            edgecolor="black",
            linewidth=0.8,
            zorder=8,
        )
    for frac, lbl in ((0, "0"), (1, f"{bar_km / 2:g}"), (2, f"{bar_km:g} km")):
        ax.text(x0 + frac * half, bar_lat - 0.03, lbl, fontsize=7, ha="center", va="top", zorder=8)
    ax.annotate(
        "N",
        xy=(0.965, 0.95),
        xytext=(0.965, 0.82),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
        zorder=8,
    )

    handles = [
        Line2D([], [], color=cmap(0.75), linewidth=6, label="border sector (colour: metric)"),
        *(
            Line2D(
                [],
                [],
                color=CONTROL_COLOURS[c],
                linewidth=2.2,
                linestyle="-" if c != "contested" else (0, (3, 1.5)),
                label=f"Afghan district: {c}" + (f" ({control_date})" if control_date else ""),
            )
            for c in CONTROLS
        ),
        Line2D([], [], marker="D", color="black", linestyle="none", label="official crossing"),
        Line2D(
            [],
            [],
            marker="D",
            markerfacecolor="white",
            markeredgecolor="black",
            linestyle="none",
            label="reception point (not official)",
        ),
        Line2D(
            [],
            [],
            marker="s",
            markerfacecolor="#E69F00",
            markeredgecolor="black",
            linestyle="none",
            label="base / garrison",
        ),
        Line2D(
            [],
            [],
            marker="^",
            markersize=8,
            markerfacecolor="#0072B2",
            markeredgecolor="black",
            linestyle="none",
            label="air base",
        ),
        Line2D([], [], linestyle="none", marker="$01$", color="#444444", label="sector number"),
    ]
    leg = ax.legend(
        handles=handles, loc="lower right", fontsize=7, framealpha=0.92, title_fontsize=7.5
    )
    leg.set_zorder(9)
    sm = colormaps[spec.cmap]
    from matplotlib.cm import ScalarMappable

    cb = fig.colorbar(
        ScalarMappable(norm=norm, cmap=sm), ax=ax, orientation="horizontal", shrink=0.6, pad=0.02
    )
    cb.set_label(spec.label, fontsize=8)
    cb.ax.tick_params(labelsize=7)
    if spec.percent:
        cb.ax.xaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")

    # place names last, avoiding each other, the legend and the scale bar
    for label in texts:
        label.set_in_layout(False)
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    obstacles = [leg.get_window_extent(renderer)]
    obstacles += [t.get_window_extent(renderer) for t in sector_texts]
    for x, y in anchors:  # the markers themselves
        px, py = ax.transData.transform((x, y))
        obstacles.append(Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
    every = np.arange(0.0, length, 4.0)  # the border itself, sampled every 4 km
    for px, py in ax.transData.transform(np.column_stack(line.point_at(every, length))):
        obstacles.append(Bbox.from_extents(px - 2, py - 2, px + 2, py + 2))
    _place_labels(fig, texts, anchors, preferred, obstacles)

    return MapResult(
        figure=fig,
        sector_ids=tuple(s.id for s in border.sectors),
        values=values,
        rgba=rgba,
        metric=metric,
        cmap=cmap,
        norm=norm,
    )


__all__ = [
    "MAP_METRICS",
    "METRIC_SPECS",
    "MapResult",
    "MetricSpec",
    "draw_map",
    "offset_line",
    "sector_metric",
]

"""The report's map: the border's sectors coloured by a metric, crossings, bases and Afghan control.

Everything is drawn in plain longitude/latitude with the axes' aspect set to 1/cos(latitude), which is
close to equal-area at this border's extent (about 7 degrees of longitude at 37 degrees north). The
Afghan side of the line is the right-hand side when walking the official chainage from the western
(Uzbek) tripoint to the eastern (Chinese) one, so the districts' control is drawn as a thin line offset
to that side, and the sector numbers beyond it; crossing names sit on the Tajik (left-hand) side.

:func:`draw_map` returns the figure together with the exact RGBA each sector was given, so tests can
check that the colours follow the metric's order without comparing images. It is a short sequence of
steps, each its own function: the frame (extent and projection), the colour scale, the sectors with
the control line, the sector numbers, crossings, bases, scale bar and north arrow, legend and colour
bar, and last the place names (:mod:`bordersim.report.map_labels`). Every scenario name drawn goes
through :func:`~bordersim.report.text.mpl_text`, so a ``$`` in it is never read as mathtext.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.typing import LineStyleType
from numpy.typing import NDArray

from bordersim.report.map_geometry import km_per_deg_lon, nice_length, offset_border, offset_line
from bordersim.report.map_labels import place_map_labels
from bordersim.report.map_metrics import MAP_METRICS, METRIC_SPECS, MetricSpec, sector_metric
from bordersim.report.text import mpl_text
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.geometry import BorderLine, load_line
from bordersim.scenario.schema import CONTROLS, Scenario

__all__ = [
    "MAP_METRICS",
    "METRIC_SPECS",
    "MapResult",
    "MetricSpec",
    "draw_map",
    "offset_line",
    "sector_metric",
]

CONTROL_COLOURS = {"government": "#0072B2", "taliban": "#5e3c99", "contested": "#8c8c8c"}
CONTROL_OFFSET_KM = 9.0
SECTOR_LABEL_OFFSET_KM = 22.0
TAJIK_LABEL_OFFSET_KM = -10.0
HALO = {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75}

#: A place name to be placed: the text, its anchor (lon, lat) and its preferred offset (points).
Label = tuple[Text, tuple[float, float], tuple[float, float]]


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


@dataclass(frozen=True)
class MapFrame:
    """The map's extent (degrees) and the latitude its aspect and offsets are computed at."""

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float

    @property
    def lat0(self) -> float:
        return 0.5 * (self.lat_min + self.lat_max)


def _short(name: str) -> str:
    """A crossing's or base's name without its parenthesised or dashed detail."""
    for sep in (" (", " - ", " / "):
        name = name.split(sep)[0]
    return name.strip()


def _control_style(ctrl: str) -> LineStyleType:
    return "-" if ctrl != "contested" else (0, (3, 1.5))


def map_frame(line: BorderLine, scenario: Scenario) -> MapFrame:
    """The extent: the border and every base, with a margin (more below, for the legend)."""
    lons = [*line.lon, *(b.lon for b in scenario.bases)]
    lats = [*line.lat, *(b.lat for b in scenario.bases)]
    return MapFrame(min(lons) - 0.35, max(lons) + 0.35, min(lats) - 0.75, max(lats) + 0.3)


def _axes(fig: Figure, frame: MapFrame) -> Axes:
    """Axes in lon/lat with aspect 1/cos(lat0), a light grid and degree tick labels."""
    ax = fig.add_subplot()
    ax.set_facecolor("#f7f7f4")
    ax.set_xlim(frame.lon_min, frame.lon_max)
    ax.set_ylim(frame.lat_min, frame.lat_max)
    ax.set_aspect(1.0 / np.cos(np.radians(frame.lat0)))
    ax.grid(True, color="#dddddd", linewidth=0.5, zorder=0)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}°E")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.1f}°N" if v % 1 else f"{v:.0f}°N")
    ax.tick_params(labelsize=8)
    return ax


def colour_scale(
    values: NDArray[np.float64], spec: MetricSpec
) -> tuple[Normalize, Colormap, NDArray[np.float64]]:
    """The normalisation over the finite values, the colour map (grey for NaN) and each value's RGBA."""
    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmax <= vmin:
        vmin, vmax = vmin - 0.5 * abs(vmin or 1.0), vmax + 0.5 * abs(vmax or 1.0)
    norm = Normalize(vmin=vmin, vmax=vmax)
    cmap = colormaps[spec.cmap].with_extremes(bad="#9e9e9e")
    return norm, cmap, np.asarray(cmap(norm(np.ma.masked_invalid(values))), dtype=float)


def _draw_sectors(
    ax: Axes,
    scenario: Scenario,
    line: BorderLine,
    rgba: NDArray[np.float64],
    control: NDArray[np.integer],
    lat0: float,
) -> None:
    """The whole line underneath; each sector in its colour with a dark casing; and, offset to the
    Afghan side, a thin line coloured by who controls the district opposite."""
    border = scenario.border
    length = float(border.official_length_km.value)
    ax.plot(line.lon, line.lat, color="#555555", linewidth=0.8, zorder=2)
    casing = [pe.Stroke(linewidth=5.6, foreground="#222222"), pe.Normal()]
    control_line = offset_border(line, CONTROL_OFFSET_KM, lat0)
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
            linestyle=_control_style(ctrl),
            solid_capstyle="butt",
            zorder=2.5,
        )


def _draw_sector_numbers(ax: Axes, scenario: Scenario, line: BorderLine, lat0: float) -> list[Text]:
    """Sector numbers on the Afghan side, beyond the control line."""
    border = scenario.border
    length = float(border.official_length_km.value)
    mids = np.array([(s.start_km + s.end_km) / 2 for s in border.sectors])
    llon, llat = offset_border(line, SECTOR_LABEL_OFFSET_KM, lat0).point_at(mids, length)
    return [
        ax.text(
            float(llon[i]),
            float(llat[i]),
            mpl_text(s.id.lstrip("s") if s.id[1:].isdigit() else s.id),
            fontsize=6.5,
            color="#444444",
            ha="center",
            va="center",
            zorder=4,
        )
        for i, s in enumerate(border.sectors)
    ]


def _draw_crossings(ax: Axes, scenario: Scenario, line: BorderLine, lat0: float) -> list[Label]:
    """Official crossings (black) and reception points (white) on the line, named on the Tajik side."""
    border = scenario.border
    length = float(border.official_length_km.value)
    tajik_side = offset_border(line, TAJIK_LABEL_OFFSET_KM, lat0)
    labels: list[Label] = []
    for c in border.crossings:
        clon, clat = line.point_at(c.km, length)
        x, y = float(clon), float(clat)
        ax.plot(
            x,
            y,
            marker="D",
            markersize=5.5,
            markerfacecolor="black" if c.official else "white",
            markeredgecolor="black",
            linestyle="none",
            zorder=6,
        )
        tlon, tlat = tajik_side.point_at(c.km, length)
        direction = np.array([(float(tlon) - x) * np.cos(np.radians(lat0)), float(tlat) - y])
        direction = direction / (np.hypot(*direction) or 1.0)
        pref = (float(10 * direction[0]), float(10 * direction[1] - 3))
        t = ax.annotate(
            mpl_text(_short(c.name)),
            (x, y),
            xytext=pref,
            textcoords="offset points",
            fontsize=7,
            bbox=HALO,
            zorder=7,
        )
        labels.append((t, (x, y), pref))
    return labels


def _draw_bases(ax: Axes, scenario: Scenario) -> list[Label]:
    """Bases (the air base gets its own marker); a base named like a crossing shares its label."""
    crossing_names = {_short(c.name).lower() for c in scenario.border.crossings}
    labels: list[Label] = []
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
            mpl_text(name),
            (b.lon, b.lat),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=7,
            fontweight="bold" if is_air else "normal",
            bbox=HALO,
            zorder=7,
        )
        labels.append((t, (b.lon, b.lat), (-6, 4) if is_air else (6, 4)))
    return labels


def _draw_scale_and_north(ax: Axes, frame: MapFrame) -> None:
    """A two-part scale bar (km at the bar's latitude) bottom left, a north arrow top right."""
    width = frame.lon_max - frame.lon_min
    bar_lat = frame.lat_min + 0.12 * (frame.lat_max - frame.lat_min)
    km_per_deg = km_per_deg_lon(bar_lat)
    bar_km = nice_length(0.18 * width * km_per_deg)
    x0 = frame.lon_min + 0.04 * width
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
        zorder=8,
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
    )


def _marker(marker: str, face: str, label: str, size: float = 6.0) -> Line2D:
    return Line2D(
        [],
        [],
        marker=marker,
        markersize=size,
        markerfacecolor=face,
        markeredgecolor="black",
        linestyle="none",
        label=label,
    )


def _legend(ax: Axes, cmap: Colormap, control_date: str) -> Legend:
    """What the line colours, the control line and each marker mean."""
    when = f" ({mpl_text(control_date)})" if control_date else ""
    handles = [
        Line2D([], [], color=cmap(0.75), linewidth=6, label="border sector (colour: metric)"),
        *(
            Line2D(
                [],
                [],
                color=CONTROL_COLOURS[c],
                linewidth=2.2,
                linestyle=_control_style(c),
                label=f"Afghan district: {c}{when}",
            )
            for c in CONTROLS
        ),
        Line2D([], [], marker="D", color="black", linestyle="none", label="official crossing"),
        _marker("D", "white", "reception point (not official)"),
        _marker("s", "#E69F00", "base / garrison"),
        _marker("^", "#0072B2", "air base", size=8),
        Line2D([], [], linestyle="none", marker="$01$", color="#444444", label="sector number"),
    ]
    leg = ax.legend(
        handles=handles, loc="lower right", fontsize=7, framealpha=0.92, title_fontsize=7.5
    )
    leg.set_zorder(9)
    return leg


def _colour_bar(fig: Figure, ax: Axes, spec: MetricSpec, norm: Normalize) -> None:
    """A horizontal colour bar under the map, labelled with the metric (percent for rates)."""
    mappable = ScalarMappable(norm=norm, cmap=colormaps[spec.cmap])
    cb = fig.colorbar(mappable, ax=ax, orientation="horizontal", shrink=0.6, pad=0.02)
    cb.set_label(spec.label, fontsize=8)
    cb.ax.tick_params(labelsize=7)
    if spec.percent:
        cb.ax.xaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")


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
    compiled phase's; ``control_date`` names the day it describes for the legend. ``figsize`` in
    inches.
    """
    spec = METRIC_SPECS[metric]
    border = scenario.border
    line = load_line(str(DATA_DIR / border.geometry), border.geometry_feature)
    values = np.asarray(sector_values, dtype=float)
    frame = map_frame(line, scenario)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = _axes(fig, frame)
    norm, cmap, rgba = colour_scale(values, spec)
    _draw_sectors(ax, scenario, line, rgba, control, frame.lat0)
    numbers = _draw_sector_numbers(ax, scenario, line, frame.lat0)
    labels = _draw_crossings(ax, scenario, line, frame.lat0) + _draw_bases(ax, scenario)
    _draw_scale_and_north(ax, frame)
    leg = _legend(ax, cmap, control_date)
    _colour_bar(fig, ax, spec, norm)
    # place names last, avoiding each other, the legend and the sector numbers
    place_map_labels(fig, ax, labels, [leg, *numbers], line, float(border.official_length_km.value))
    return MapResult(
        figure=fig,
        sector_ids=tuple(s.id for s in border.sectors),
        values=values,
        rgba=rgba,
        metric=metric,
        cmap=cmap,
        norm=norm,
    )

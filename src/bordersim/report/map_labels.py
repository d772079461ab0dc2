"""Placing the map's place names so that they avoid each other, the markers, the border line, the
legend and the sector numbers: greedy, each label takes the first free offset around its anchor."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bordersim.scenario.geometry import BorderLine

__all__ = ["place_labels", "place_map_labels"]

#: Offsets (points) tried around each anchor after the label's preferred one.
CANDIDATES = ((6, 4), (6, -10), (-6, 4), (-6, -10), (10, -3), (-10, -3), (0, 9), (0, -14))


def _overlaps(box: Bbox, boxes: Sequence[Bbox], pad: float = 3.0) -> bool:
    b = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    return any(b.overlaps(o) for o in boxes)


def place_labels(
    fig: Figure,
    texts: Sequence[Text],
    preferred: Sequence[tuple[float, float]],
    obstacles: list[Bbox],
) -> None:
    """Greedy label placement: try offsets (points) around each anchor, keep the first free one.

    ``obstacles`` (display-space boxes) grows by each placed label.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for text, pref in zip(texts, preferred, strict=True):
        chosen = None
        for dx, dy in [pref, *CANDIDATES]:
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


def place_map_labels(
    fig: Figure,
    ax: Axes,
    labels: Sequence[tuple[Text, tuple[float, float], tuple[float, float]]],
    fixed: Sequence[Artist],
    line: BorderLine,
    length_km: float,
) -> None:
    """Lay the figure out, then place ``labels`` (text, anchor lon/lat, preferred offset) clear of
    the ``fixed`` artists (legend, sector numbers), the markers and the border sampled every 4 km."""
    for text, _anchor, _pref in labels:
        text.set_in_layout(False)
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    obstacles = [a.get_window_extent(renderer) for a in fixed]
    for _text, (x, y), _pref in labels:  # the markers themselves
        px, py = ax.transData.transform((x, y))
        obstacles.append(Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
    every = np.arange(0.0, length_km, 4.0)
    for px, py in ax.transData.transform(np.column_stack(line.point_at(every, length_km))):
        obstacles.append(Bbox.from_extents(px - 2, py - 2, px + 2, py + 2))
    place_labels(fig, [t for t, _a, _p in labels], [p for _t, _a, p in labels], obstacles)

"""Plane geometry for the map: local kilometres from longitude/latitude, polylines offset to one
side of the border (the Afghan side is the right-hand side walking the chainage west to east), and
the round length of a scale bar. No matplotlib here."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bordersim.scenario.geometry import BorderLine

__all__ = [
    "KM_PER_DEG_LAT",
    "KM_PER_DEG_LON_EQUATOR",
    "km_per_deg_lon",
    "nice_length",
    "offset_border",
    "offset_line",
]

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


def km_per_deg_lon(lat: float) -> float:
    """Kilometres per degree of longitude at latitude ``lat`` (degrees)."""
    return float(KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat)))


def offset_line(
    xy: NDArray[np.float64], km: float, lat0: float, smooth_km: float = 15.0
) -> NDArray[np.float64]:
    """Offset an (n, 2) lon/lat polyline by ``km`` to its right-hand side (negative: left).

    The normal comes from a moving average of the vertices over about ``smooth_km`` of line, so
    that river meanders do not make the offset line loop on itself. ``lat0``: the latitude (degrees)
    at which a degree of longitude is converted to km.
    """
    lon, lat = xy[:, 0], xy[:, 1]
    x, y = lon * km_per_deg_lon(lat0), lat * KM_PER_DEG_LAT
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
    return np.column_stack([lon + nx * km / km_per_deg_lon(lat0), lat + ny * km / KM_PER_DEG_LAT])


def offset_border(line: BorderLine, km: float, lat0: float) -> BorderLine:
    """The whole border offset by ``km`` (right-hand, i.e. Afghan, side when positive).

    It keeps the original chainage, so ``segment``/``point_at`` of the result give the offset
    counterpart of the same stretch of border.
    """
    off = offset_line(np.column_stack([line.lon, line.lat]), km, lat0)
    return BorderLine(lon=off[:, 0], lat=off[:, 1], cum_km=line.cum_km)


def nice_length(km: float) -> float:
    """A round scale-bar length (1, 2 or 5 times a power of ten) not longer than ``km``."""
    exp = 10 ** np.floor(np.log10(km))
    for m in (5, 2, 1):
        if m * exp <= km:
            return float(m * exp)
    return float(exp)

"""The border line: official chainage (km from the western tripoint) to longitude/latitude.

The packaged GSHHG line is shorter than the official length because it cuts river meanders; chainage is
mapped proportionally (scale = official / line length), as the shared data README prescribes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Great-circle distance in km (vectorised)."""
    lo1, la1, lo2, la2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)), dtype=float)


@dataclass(frozen=True)
class BorderLine:
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    cum_km: NDArray[np.float64]  # along the line, haversine

    @property
    def length_km(self) -> float:
        return float(self.cum_km[-1])

    def point_at(
        self, official_km: ArrayLike, official_length_km: float
    ) -> tuple[NDArray, NDArray]:
        """(lon, lat) of points at official chainage (scaled onto the line)."""
        s = np.asarray(official_km, dtype=float) * self.length_km / official_length_km
        return np.interp(s, self.cum_km, self.lon), np.interp(s, self.cum_km, self.lat)

    def segment(self, start_km: float, end_km: float, official_length_km: float) -> NDArray:
        """The line's vertices between two official chainages, as an (n, 2) lon/lat array."""
        f = self.length_km / official_length_km
        a, b = start_km * f, end_km * f
        inside = (self.cum_km > a) & (self.cum_km < b)
        la, lb = self.point_at([start_km, end_km], official_length_km)
        lon = np.concatenate([[la[0]], self.lon[inside], [la[1]]])
        lat = np.concatenate([[lb[0]], self.lat[inside], [lb[1]]])
        return np.column_stack([lon, lat])


@lru_cache(maxsize=8)
def load_line(path: str, feature: str) -> BorderLine:
    """Read one LineString feature of a GeoJSON file."""
    gj = json.loads(Path(path).read_text(encoding="utf-8"))
    for f in gj["features"]:
        if f["properties"].get("id") == feature:
            coords = np.asarray(f["geometry"]["coordinates"], dtype=float)
            seg = haversine_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
            cum = np.concatenate([[0.0], np.cumsum(seg)])
            return BorderLine(lon=coords[:, 0], lat=coords[:, 1], cum_km=cum)
    raise KeyError(f"feature {feature!r} not in {path}")


def find_geometry(name: str, scenario_dir: Path, data_dir: Path) -> Path | None:
    """The line file a scenario's ``border.geometry`` names, or None if there is none.

    A package data file comes first (the built-ins and their exports name one), then a path relative to
    the directory of the scenario file that gave the name (a user's border written by ``bordersim new``
    beside its scenario), or an absolute path.
    """
    p = Path(name)
    if p.is_absolute():
        return p if p.is_file() else None
    if (data_dir / p).is_file():
        return data_dir / p
    if (scenario_dir / p).is_file():
        return (scenario_dir / p).resolve()
    return None

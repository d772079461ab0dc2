"""The border line: official chainage (km from the western tripoint) to longitude/latitude.

The packaged GSHHG line is shorter than the official length because it cuts river meanders; chainage is
mapped proportionally (scale = official / line length), as the shared data README prescribes.

A geometry file that is missing, too large, not JSON, lacks the named feature or holds a feature that
is not a line of finite lon/lat pairs raises :class:`GeometryError` with what is wrong, which the
loader turns into a message located at the scenario's ``border.geometry`` field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordersim.scenario.builtin import DATA_DIR

EARTH_RADIUS_KM = 6371.0088
#: Largest geometry file read, bytes: the built-in full-resolution line is 0.1 MB; 64 MiB holds a
#: continent's borders at full resolution.
MAX_GEOMETRY_BYTES = 64 * 2**20


class GeometryError(ValueError):
    """A geometry file that cannot give the named border line (``feature_missing``: the file is
    fine but has no such feature)."""

    def __init__(self, message: str, *, feature_missing: bool = False) -> None:
        self.feature_missing = feature_missing
        super().__init__(message)


def geometry_path(name: str) -> Path:
    """Where a scenario's ``border.geometry`` is read from (the built-in data folder; an absolute
    path stands for itself), as ``compile`` reads it."""
    return DATA_DIR / name


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
    """Read one LineString feature of a GeoJSON file (:class:`GeometryError` when it cannot)."""
    name = Path(path).name
    try:
        p = Path(path)
        if p.stat().st_size > MAX_GEOMETRY_BYTES:
            raise GeometryError(f"geometry file {name} is over {MAX_GEOMETRY_BYTES >> 20} MiB")
        gj = json.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise GeometryError(f"geometry file {path} not found") from None
    except OSError as exc:
        raise GeometryError(f"cannot read geometry file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise GeometryError(f"geometry file {name} is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        msg = f"geometry file {name} is not JSON: {exc.msg} at line {exc.lineno}"
        raise GeometryError(msg) from None
    features = gj.get("features") if isinstance(gj, dict) else None
    if not isinstance(features, list):
        raise GeometryError(f"geometry file {name} is not a GeoJSON FeatureCollection")
    for f in features:
        props = f.get("properties") if isinstance(f, dict) else None
        if isinstance(props, dict) and props.get("id") == feature:
            return _line(_coordinates(f, feature, name))
    raise GeometryError(f"feature {feature!r} not in {name}", feature_missing=True)


def _coordinates(f: dict[str, Any], feature: str, name: str) -> NDArray[np.float64]:
    geom = f.get("geometry")
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    try:
        arr = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        arr = np.zeros((0, 0))
    ok = arr.ndim == 2 and arr.shape[0] >= 2 and arr.shape[1] >= 2 and np.isfinite(arr).all()
    if not ok or not (np.abs(arr[:, 0]) <= 180).all() or not (np.abs(arr[:, 1]) <= 90).all():
        raise GeometryError(
            f"feature {feature!r} in {name} is not a line of at least two finite lon/lat points"
        )
    return arr


def _line(coords: NDArray[np.float64]) -> BorderLine:
    seg = haversine_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if not cum[-1] > 0:
        raise GeometryError("the border line has zero length")
    return BorderLine(lon=coords[:, 0], lat=coords[:, 1], cum_km=cum)


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

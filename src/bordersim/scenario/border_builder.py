"""Build a border description from a line, an elevation profile and a list of places.

This is the one way bordersim turns geography into sectors: ``bordersim new`` uses it for a user's
border and ``scripts/build_border.py`` for the built-in Tajik-Afghan one, so both are made alike.

- **Line**: a GeoJSON LineString or MultiLineString (a FeatureCollection, a Feature or a bare
  geometry), WGS84 lon/lat. A MultiLineString's pieces are joined in the order given; each must start
  within :data:`JOIN_TOLERANCE_KM` of where the previous one ends, else a located error.
- **Chainage**: km along the line, great-circle (haversine) on a sphere of the WGS84 mean radius,
  6,371.0088 km (:data:`bordersim.scenario.geometry.EARTH_RADIUS_KM`; error < 0.5% against the
  ellipsoid at these scales). Given an official length, chainage is scaled by official / measured (a
  generalised map line cuts river meanders and so measures short).
- **Sectors**: N equal sectors, or sectors of K km (the last one takes the remainder).
- **Terrain**: the median elevation of the profile points inside a sector, classed by
  :data:`TERRAIN_BREAKS_M` (assumptions, written into the scenario file).
- **Places**: crossings and bases snapped to the nearest point of the line, with their official
  chainage and their distance to the line.

Every bad input raises :class:`~bordersim.scenario.input_files.BuildError`: one message naming the
file, the field path or CSV line, and what is wrong. Nothing here writes files.
"""

from __future__ import annotations

import itertools
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.scenario.geometry import EARTH_RADIUS_KM, haversine_km
from bordersim.scenario.input_files import BuildError, check_lonlat, number, read_csv, read_text

#: Pieces of a MultiLineString must meet within this distance (km); a digitised line's pieces share
#: their end vertices, so 100 m allows for rounding and nothing more.
JOIN_TOLERANCE_KM = 0.1

#: Terrain by the median elevation (m) of a sector's profile points: below 600 m plain, below 1,400 m
#: foothill, below 2,600 m gorge, else high mountain. Assumed: they separate the Tajik-Afghan border's
#: lowland (300-450 m), the Darvoz-Vanj gorges (1,500-3,000 m) and the Wakhan and crest (2,500-4,900 m)
#: as shared/data/README.md describes them; another border may need others (``terrain_breaks``).
TERRAIN_BREAKS_M: tuple[tuple[float, str], ...] = (
    (600.0, "plain"),
    (1400.0, "foothill"),
    (2600.0, "gorge"),
)
TOP_TERRAIN = "high_mountain"
PLACE_KINDS = ("crossing", "base")


@dataclass(frozen=True)
class Line:
    """The border line: vertices (deg) and the haversine chainage of each (km from the first)."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    cum_km: NDArray[np.float64]

    @property
    def length_km(self) -> float:
        """Measured length in km."""
        return float(self.cum_km[-1])

    def snap(self, lon: float, lat: float) -> tuple[float, float]:
        """(chainage km, distance km) of the point of the line nearest to (lon, lat).

        Each segment is projected in a local equirectangular plane centred on the point (exact
        enough within a few hundred km); the distance is then the haversine to the snapped point.
        """
        k = math.pi / 180 * EARTH_RADIUS_KM
        cos0 = math.cos(math.radians(lat))
        x = (self.lon - lon) * k * cos0
        y = (self.lat - lat) * k
        dx, dy = np.diff(x), np.diff(y)
        d2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(d2 > 0, -(x[:-1] * dx + y[:-1] * dy) / d2, 0.0)
        t = np.clip(t, 0.0, 1.0)
        px, py = x[:-1] + t * dx, y[:-1] + t * dy
        i = int(np.argmin(px * px + py * py))
        seg = self.cum_km[i + 1] - self.cum_km[i]
        km = float(self.cum_km[i] + t[i] * seg)
        slon = float(self.lon[i] + t[i] * (self.lon[i + 1] - self.lon[i]))
        slat = float(self.lat[i] + t[i] * (self.lat[i + 1] - self.lat[i]))
        return km, float(haversine_km(lon, lat, slon, slat))


@dataclass(frozen=True)
class Place:
    """A crossing or a base, snapped to the line. ``km`` is official chainage."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    km: float
    distance_km: float
    official: bool = True


def line_from_coords(coords: Sequence[Sequence[float]]) -> Line:
    """A :class:`Line` from (lon, lat) pairs already checked."""
    a = np.asarray([(c[0], c[1]) for c in coords], dtype=float)
    seg = haversine_km(a[:-1, 0], a[:-1, 1], a[1:, 0], a[1:, 1])
    return Line(lon=a[:, 0], lat=a[:, 1], cum_km=np.concatenate([[0.0], np.cumsum(seg)]))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def read_line(path: str | Path, feature: str | None = None) -> tuple[Line, dict[str, Any]]:
    """The border line of a GeoJSON file and the properties of its feature.

    ``feature`` picks a feature of a FeatureCollection by ``properties.id`` (or ``name``); without it
    the collection must hold exactly one line feature.
    """
    text = read_text(path)
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BuildError(path, exc.lineno, f"not JSON: {exc.msg}") from None
    except ValueError as exc:  # NaN, Infinity: locate the first one
        first = min((i for c in ("NaN", "Infinity") if (i := text.find(c)) >= 0), default=0)
        line = text[:first].count("\n") + 1
        raise BuildError(path, line, f"not valid JSON: {exc}") from None
    geom, where, props = _pick_geometry(path, doc, feature)
    return _geometry_line(path, geom, where), props


def _pick_geometry(
    path: str | Path, doc: Any, feature: str | None
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    if not isinstance(doc, dict):
        raise BuildError(path, "(top level)", "a GeoJSON object is expected")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise BuildError(path, "features", "a list of features is expected")
        found = []
        for i, f in enumerate(feats):
            g = f.get("geometry") if isinstance(f, dict) else None
            props = (f.get("properties") or {}) if isinstance(f, dict) else {}
            if not isinstance(g, dict) or g.get("type") not in ("LineString", "MultiLineString"):
                continue
            if feature is None or feature in (props.get("id"), props.get("name")):
                found.append((g, f"features[{i}].geometry", dict(props)))
        if not found:
            what = f"no line feature with id or name {feature!r}" if feature else "no line feature"
            raise BuildError(path, "features", f"{what} (LineString or MultiLineString)")
        if len(found) > 1:
            raise BuildError(path, "features", f"{len(found)} line features: choose one by id")
        return found[0]
    if kind == "Feature":
        g = doc.get("geometry")
        if not isinstance(g, dict):
            raise BuildError(path, "geometry", "a geometry object is expected")
        return g, "geometry", dict(doc.get("properties") or {})
    return doc, "", {}


def _at(where: str, field: str) -> str:
    return f"{where}.{field}" if where else field


def _geometry_line(path: str | Path, geom: dict[str, Any], where: str) -> Line:
    kind = geom.get("type")
    coords = geom.get("coordinates")
    if kind == "LineString":
        pieces = [coords]
    elif kind == "MultiLineString":
        pieces = coords if isinstance(coords, list) else [None]
    else:
        raise BuildError(
            path, _at(where, "type"), f"{kind!r}: a LineString or MultiLineString is needed"
        )
    joined: list[tuple[float, float]] = []
    for k, piece in enumerate(pieces):
        pw = _at(where, "coordinates") + (f"[{k}]" if kind == "MultiLineString" else "")
        pts = _points(path, piece, pw)
        if joined:
            gap = float(haversine_km(*joined[-1], *pts[0]))
            if gap > JOIN_TOLERANCE_KM:
                back = float(haversine_km(*joined[-1], *pts[-1]))
                hint = " (its end does: is it reversed?)" if back <= JOIN_TOLERANCE_KM else ""
                raise BuildError(
                    path,
                    f"{pw}[0]",
                    f"piece {k} starts {gap:.3f} km from where piece {k - 1} ends; pieces must "
                    f"meet within {JOIN_TOLERANCE_KM} km{hint}",
                )
            if gap == 0.0:
                pts = pts[1:]
        joined.extend(pts)
    line = line_from_coords(joined) if len(joined) >= 2 else None
    if line is None or line.length_km <= 0:
        raise BuildError(
            path, _at(where, "coordinates"), "the line is empty (needs two distinct points)"
        )
    return line


def _points(path: str | Path, piece: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(piece, list) or not piece:
        raise BuildError(path, where, "the line is empty: a list of [lon, lat] positions is needed")
    out = []
    for i, c in enumerate(piece):
        ok = isinstance(c, list) and len(c) >= 2
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in c[:2])
        if not ok:
            raise BuildError(path, f"{where}[{i}]", "a position [lon, lat] of two numbers expected")
        lon, lat = float(c[0]), float(c[1])
        check_lonlat(path, f"{where}[{i}]", lon, lat)
        out.append((lon, lat))
    return out


def read_profile(
    path: str | Path, line: Line, km_col: str = "km", elev_col: str = "elevation_m"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(line km, elevation m) of an elevation profile CSV.

    The CSV gives either ``km`` (chainage measured along the given line from its first point, before
    any scaling to an official length) or ``lat`` and ``lon`` (snapped to the line), and the elevation.
    """
    rows = read_csv(path, [[km_col, elev_col], ["lat", "lon", elev_col]])
    by_km = km_col in rows[0][1]
    kms, elevs = [], []
    for n, row in rows:
        if by_km:
            km = number(path, n, row, km_col)
            if not -1e-6 <= km <= line.length_km + JOIN_TOLERANCE_KM:
                raise BuildError(
                    path, n, f"{km_col}: {km:g} is off the line (0 to {line.length_km:.1f} km)"
                )
        else:
            lat, lon = number(path, n, row, "lat"), number(path, n, row, "lon")
            check_lonlat(path, n, lon, lat)
            km = line.snap(lon, lat)[0]
        elevs.append(number(path, n, row, elev_col))
        kms.append(km)
    return np.asarray(kms), np.asarray(elevs)


def read_places(path: str | Path, line: Line, scale: float) -> list[Place]:
    """Crossings and bases of a places CSV (``id,name,kind,lat,lon`` and optionally ``official``),
    snapped to the line; ``km`` is official chainage (line km times ``scale``)."""
    rows = read_csv(path, [["id", "name", "kind", "lat", "lon"]])
    out: list[Place] = []
    seen: dict[tuple[str, str], int] = {}
    for n, row in rows:
        pid, kind = row["id"].strip(), row["kind"].strip()
        if not pid.replace("_", "").replace("-", "").isalnum():
            raise BuildError(path, n, f"id: {pid!r} must be letters, digits, '_' or '-'")
        if kind not in PLACE_KINDS:
            raise BuildError(path, n, f"kind: {kind!r} must be one of {', '.join(PLACE_KINDS)}")
        if (kind, pid) in seen:
            raise BuildError(
                path, n, f"id: {pid!r} already used by the {kind} on line {seen[(kind, pid)]}"
            )
        seen[(kind, pid)] = n
        lat, lon = number(path, n, row, "lat"), number(path, n, row, "lon")
        check_lonlat(path, n, lon, lat)
        official_text = (row.get("official") or "true").strip().lower()
        if official_text not in ("true", "false"):
            raise BuildError(path, n, f"official: {official_text!r} must be true or false")
        km, dist = line.snap(lon, lat)
        out.append(
            Place(
                pid,
                row["name"].strip() or pid,
                kind,
                lat,
                lon,
                km * scale,
                dist,
                official_text == "true",
            )
        )
    return out


def cut_sectors(
    length_km: float, n: int | None = None, sector_km: float | None = None
) -> list[tuple[float, float]]:
    """(start, end) official km of sectors tiling ``[0, length_km]``: ``n`` equal ones, or ones of
    ``sector_km`` with the remainder in the last (merged into the one before if under half a sector)."""
    if (n is None) == (sector_km is None):
        raise ValueError("give exactly one of n and sector_km")
    if n is not None:
        if n < 1:
            raise ValueError("n must be >= 1")
        width = length_km / n
        return [(i * width, (i + 1) * width if i < n - 1 else length_km) for i in range(n)]
    assert sector_km is not None
    if not (math.isfinite(sector_km) and sector_km > 0):
        raise ValueError("sector_km must be > 0")
    full = max(1, int(length_km // sector_km))
    if length_km - full * sector_km >= sector_km / 2:
        full += 1
    edges = [min(i * sector_km, length_km) for i in range(full)] + [length_km]
    return list(itertools.pairwise(edges))


def terrain_of(elev_m: float, breaks: Sequence[tuple[float, str]] = TERRAIN_BREAKS_M) -> str:
    """The terrain class of a median elevation (m)."""
    for limit, name in breaks:
        if elev_m < limit:
            return name
    return TOP_TERRAIN


def sector_terrain(
    profile_km: NDArray[np.float64],
    profile_elev: NDArray[np.float64],
    sectors: Sequence[tuple[float, float]],
    scale: float,
    breaks: Sequence[tuple[float, str]] = TERRAIN_BREAKS_M,
) -> list[tuple[str, float]]:
    """(terrain class, median elevation m) per sector. A sector's profile points are those with line
    km in [start / scale, end / scale); a sector with none takes the point nearest its start."""
    out = []
    for a, b in sectors:
        ga, gb = a / scale, b / scale
        inside = (profile_km >= ga) & (profile_km < gb)
        if inside.any():
            med = float(statistics.median(profile_elev[inside].tolist()))
        else:
            med = float(profile_elev[int(np.argmin(np.abs(profile_km - ga)))])
        out.append((terrain_of(med, breaks), med))
    return out

"""Generate the synthetic lake-river border of the tutorial (docs/new-border.md): deterministic.

A made-up border of about 340 km between two imaginary states: a
meandering river (west) that leaves a lake, then an overland stretch climbing into hills and a high
ridge (east). Written as two pieces, a MultiLineString (river, then land) that meet exactly; an
elevation profile by chainage every 5 km; and six places. Everything here is invented: public domain
(CC0 1.0), see README.md.

    python examples/lake-river-border/make_example.py
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAT0, LON0 = 9.0, 30.0  # an empty box of the map; the geometry is synthetic


def river(n: int = 120) -> list[list[float]]:
    """A meandering river running east for about 2 degrees of longitude."""
    pts = []
    for i in range(n + 1):
        x = 2.0 * i / n
        y = 0.06 * math.sin(9 * x) + 0.02 * math.sin(23 * x)
        pts.append([round(LON0 + x, 5), round(LAT0 + y, 5)])
    return pts


def land(start: list[float], n: int = 40) -> list[list[float]]:
    """The overland stretch: north-east from the river's end, gently bending."""
    pts = [start]
    for i in range(1, n + 1):
        t = i / n
        pts.append(
            [round(start[0] + 0.7 * t, 5), round(start[1] + 0.5 * t + 0.04 * math.sin(6 * t), 5)]
        )
    return pts


def elevation(frac: float) -> float:
    """Elevation (m) along the border: a river plain, then foothills, a gorge and a high ridge."""
    if frac < 0.55:
        return 350 + 150 * frac
    if frac < 0.75:
        return 450 + 4500 * (frac - 0.55)
    if frac < 0.9:
        return 1350 + 9000 * (frac - 0.75)
    return 2700 + 3000 * (frac - 0.9)


def main() -> None:
    r = river()
    lnd = land(r[-1])
    gj = {
        "type": "FeatureCollection",
        "name": "lake-river-border",
        "licence": "CC0-1.0 (synthetic, public domain)",
        "features": [{
            "type": "Feature",
            "properties": {"id": "lake-river", "name": "Synthetic lake-river border, west to east"},
            "geometry": {"type": "MultiLineString", "coordinates": [r, lnd]},
        }],
    }  # fmt: skip
    (HERE / "border.geojson").write_text(json.dumps(gj, indent=1) + "\n", encoding="utf-8")
    # measured length, to place the profile by chainage
    pts = r + lnd[1:]
    cum = [0.0]
    for (a, b), (c, d) in itertools.pairwise(pts):
        p1, p2, dl = math.radians(b), math.radians(d), math.radians(c - a)
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        cum.append(cum[-1] + 2 * 6371.0088 * math.asin(math.sqrt(h)))
    total = cum[-1]
    with (HERE / "profile.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["km", "elevation_m"])
        km = 0.0
        while km <= total:
            w.writerow([f"{km:.1f}", f"{elevation(km / total):.0f}"])
            km += 5.0
    places = [
        ("ferry", "Ferry crossing (river)", "crossing", pts[30], 0.01, "true"),
        ("bridge", "Bridge crossing (river)", "crossing", pts[95], -0.01, "true"),
        ("pass", "Mountain pass (informal)", "crossing", pts[150], 0.005, "false"),
        ("riverport", "River port garrison", "base", pts[60], 0.2, ""),
        ("hilltown", "Hill town garrison", "base", pts[135], 0.3, ""),
    ]
    with (HERE / "places.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "kind", "lat", "lon", "official"])
        for pid, name, kind, (lon, lat), dlat, official in places:
            w.writerow([pid, name, kind, f"{lat + dlat:.5f}", f"{lon:.5f}", official or "true"])
    print(f"wrote border.geojson ({total:.1f} km), profile.csv, places.csv in {HERE}")


if __name__ == "__main__":
    main()

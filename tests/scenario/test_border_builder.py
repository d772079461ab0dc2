"""The border builder on a synthetic line whose length, profile and places are known in closed form.

The line runs along the equator from 0 to 1 degree east, so it measures R * pi / 180 km (R the WGS84
mean radius); scaled to an official 120 km, each km of line is 120 / that official km.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from bordersim.scenario.border_builder import (
    JOIN_TOLERANCE_KM,
    cut_sectors,
    read_line,
    read_places,
    read_profile,
    sector_terrain,
    terrain_of,
)
from bordersim.scenario.geometry import EARTH_RADIUS_KM
from bordersim.scenario.input_files import BuildError

DEG_KM = EARTH_RADIUS_KM * math.pi / 180  # 111.195 km: one degree of the equator
OFFICIAL = 120.0
SCALE = OFFICIAL / DEG_KM


def write_line(tmp: Path, coords: object, kind: str = "LineString") -> Path:
    p = tmp / "line.geojson"
    feat = {
        "type": "Feature",
        "properties": {"id": "x"},
        "geometry": {"type": kind, "coordinates": coords},
    }
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [feat]}), encoding="utf-8")
    return p


def elevation_at_official_km(km: float) -> float:
    """A stepped profile: 0-30 km 200 m, 30-60 km 1,000 m, 60-90 km 2,000 m, 90-120 km 3,500 m."""
    return (200.0, 1000.0, 2000.0, 3500.0)[min(3, int(km // 30))]


@pytest.fixture
def line_file(tmp_path: Path) -> Path:
    return write_line(tmp_path, [[0.0, 0.0], [0.4, 0.0], [1.0, 0.0]])


def test_length_is_the_great_circle_degree(line_file: Path) -> None:
    line, props = read_line(line_file)
    assert props["id"] == "x"
    assert line.length_km == pytest.approx(DEG_KM, rel=1e-12)
    assert line.cum_km[1] == pytest.approx(0.4 * DEG_KM, rel=1e-12)


def test_sectors_tile_the_official_length() -> None:
    assert cut_sectors(OFFICIAL, n=4) == [(0.0, 30.0), (30.0, 60.0), (60.0, 90.0), (90.0, 120.0)]
    assert cut_sectors(OFFICIAL, sector_km=40) == [(0, 40), (40, 80), (80, 120.0)]
    # a remainder under half a sector goes into the last one; half or more makes its own
    assert cut_sectors(OFFICIAL, sector_km=50) == [(0, 50), (50, 120.0)]
    assert cut_sectors(OFFICIAL, sector_km=45) == [(0, 45), (45, 90), (90, 120.0)]


def test_terrain_classes_from_a_known_profile(tmp_path: Path, line_file: Path) -> None:
    line, _ = read_line(line_file)
    prof = tmp_path / "profile.csv"
    rows = ["km,elevation_m"]
    for line_km in np.arange(0.5, DEG_KM, 1.0):
        rows.append(f"{line_km:.3f},{elevation_at_official_km(line_km * SCALE):.0f}")
    prof.write_text("\n".join(rows) + "\n", encoding="utf-8")
    km, elev = read_profile(prof, line)
    got = sector_terrain(km, elev, cut_sectors(OFFICIAL, n=4), SCALE)
    assert got == [
        ("plain", 200.0),
        ("foothill", 1000.0),
        ("gorge", 2000.0),
        ("high_mountain", 3500.0),
    ]
    assert [terrain_of(e) for e in (599.9, 600.0, 1399.0, 2600.0)] == [
        "plain", "foothill", "foothill", "high_mountain",
    ]  # fmt: skip


def test_profile_by_lat_lon_is_snapped(tmp_path: Path, line_file: Path) -> None:
    line, _ = read_line(line_file)
    prof = tmp_path / "profile.csv"
    prof.write_text("lat,lon,elevation_m\n0.01,0.25,300\n-0.02,0.75,2000\n", encoding="utf-8")
    km, elev = read_profile(prof, line)
    assert km == pytest.approx([0.25 * DEG_KM, 0.75 * DEG_KM], rel=1e-6)
    assert elev.tolist() == [300.0, 2000.0]


def test_places_get_official_chainage_and_distance(tmp_path: Path, line_file: Path) -> None:
    line, _ = read_line(line_file)
    places = tmp_path / "places.csv"
    places.write_text(
        "id,name,kind,lat,lon,official\n"
        "bridge,Bridge,crossing,0.01,0.25,true\n"
        "ford,Ford,crossing,0.0,0.8,false\n"
        "hq,HQ,base,0.5,0.5,\n",
        encoding="utf-8",
    )
    got = {p.id: p for p in read_places(places, line, SCALE)}
    assert got["bridge"].km == pytest.approx(0.25 * OFFICIAL, rel=1e-6)
    assert got["bridge"].distance_km == pytest.approx(0.01 * DEG_KM, rel=1e-4)
    assert got["ford"].km == pytest.approx(0.8 * OFFICIAL, rel=1e-6)
    assert got["ford"].distance_km == pytest.approx(0.0, abs=1e-9)
    assert not got["ford"].official and got["hq"].kind == "base"
    assert got["hq"].km == pytest.approx(0.5 * OFFICIAL, rel=1e-4)
    assert got["hq"].distance_km == pytest.approx(0.5 * DEG_KM, rel=1e-3)


def test_multilinestring_joins_in_order(tmp_path: Path) -> None:
    p = write_line(tmp_path, [[[0, 0], [0.5, 0]], [[0.5, 0], [1, 0]]], "MultiLineString")
    line, _ = read_line(p)
    assert len(line.lon) == 3
    assert line.length_km == pytest.approx(DEG_KM, rel=1e-12)


def test_multilinestring_with_a_gap_is_a_located_error(tmp_path: Path) -> None:
    p = write_line(tmp_path, [[[0, 0], [0.5, 0]], [[0.51, 0], [1, 0]]], "MultiLineString")
    with pytest.raises(BuildError) as exc:
        read_line(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: features[0].geometry.coordinates[1][0]: piece 1 starts 1.112 km")
    assert f"within {JOIN_TOLERANCE_KM} km" in msg


def test_a_reversed_piece_is_named(tmp_path: Path) -> None:
    p = write_line(tmp_path, [[[0, 0], [0.5, 0]], [[1, 0], [0.5, 0]]], "MultiLineString")
    with pytest.raises(BuildError, match="is it reversed"):
        read_line(p)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"type": "Point", "coordinates": [0, 0]}',
            "type: 'Point': a LineString or MultiLineString",
        ),
        ('{"type": "LineString", "coordinates": []}', "coordinates: the line is empty"),
        ('{"type": "LineString", "coordinates": [[0, 0], [0, 0]]}', "the line is empty"),
        ('{"type": "LineString", "coordinates": [[0, 0], [1, NaN]]}', ":1: not valid JSON: NaN"),
        ('{"type": "LineString", "coordinates": [[0, 0], [1, 91]]}', "coordinates[1]: latitude 91"),
        ('{"type": "LineString", "coordinates": [[0, 0], [181, 1]]}', "longitude 181 out of range"),
        ('{"type": "LineString", "coordinates": [[0, 0], ["a", 1]]}', "a position [lon, lat]"),
        ('{"type": "LineString",\n "coordinates": [[0, 0], [1, 1]', ":2: not JSON"),
    ],
)
def test_bad_lines_are_located(tmp_path: Path, text: str, expected: str) -> None:
    p = tmp_path / "bad.geojson"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        read_line(p)
    assert expected in str(exc.value)
    assert str(exc.value).startswith(str(p))


def test_bad_csv_rows_name_their_line(tmp_path: Path, line_file: Path) -> None:
    line, _ = read_line(line_file)
    p = tmp_path / "places.csv"
    p.write_text("id,name,kind,lat,lon\na,A,crossing,0,0.5\nb,B,base,nan,0.5\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"places.csv:3: lat: 'nan' is not a finite number"):
        read_places(p, line, 1.0)
    p.write_text("id,name,kind,lat,lon\na,A,airport,0,0.5\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"places.csv:2: kind: 'airport'"):
        read_places(p, line, 1.0)
    p.write_text("km,elevation_m\n1,100\n500,100\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"places.csv:3: km: 500 is off the line"):
        read_profile(p, line)
    p.write_bytes(b"km,elevation_m\n1,100\n2,\xff\n")
    with pytest.raises(BuildError, match=r"places.csv:3: not UTF-8"):
        read_profile(p, line)

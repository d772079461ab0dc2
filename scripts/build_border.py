"""Build the packaged Tajik-Afghan border description with the builder `bordersim new` uses.

Writes src/bordersim/scenario/data/tj-af-border.yaml (sectors, crossings, bases) from
scripts/data/tj-af/ (copies of shared/data's border-profile.csv and places.csv) and the packaged GSHHG
line. With ``--shared DIR`` it reads DIR/data instead and also re-extracts the packaged line
(src/bordersim/scenario/data/border-tj-af.geojson) from DIR/data/border-tj-af.geojson. ``--check``
writes nothing and exits 1 if the shipped YAML differs from what the script makes (tests run it).

The sectors and terrain come from bordersim.scenario.border_builder (cut_sectors, sector_terrain,
read_line, read_profile), as a user's border does; what stays specific to this border is named below:
the scale uses the README's 1,203.7 km (the builder would measure 1,203.739 km: same classes, only the
last sector's median-elevation comment would move), the crossings' GSHHG km (some are positions
assumed from the data README, not coordinates), and the bases' km and distance as places.csv gives
them (the builder's snap agrees within 0.3 km on km and 0.7 km on distance).

    python scripts/build_border.py [--shared ../shared] [--check]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from bordersim.scenario.border_builder import (
    TERRAIN_BREAKS_M,
    cut_sectors,
    read_line,
    read_profile,
    sector_terrain,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = ROOT / "src/bordersim/scenario/data"
REPO_DATA = ROOT / "scripts/data/tj-af"

OFFICIAL_KM = 1344.15  # Tajik foreign ministry, 2013 (shared/data/README.md)
GSHHG_KM = 1203.7  # haversine length of the GSHHG line (shared/data/README.md)
SCALE = OFFICIAL_KM / GSHHG_KM  # generalised lines cut river meanders: stretch to official chainage
N_SECTORS = 24  # 56 km each: a detachment's company areas are of this order; 20-30 asked for

# Terrain by the median GLOBE elevation of the profile points in a sector (profile mixes valley floor
# and walls, so the median is used): the builder's TERRAIN_BREAKS_M, which follow shared/data/README.md
# (lowland 300-450 m in Khatlon, gorges 1,500-3,000 m (Darvoz, Vanj, Rushon), Wakhan and crest
# 2,500-4,900 m).
TERRAIN_BREAKS = TERRAIN_BREAKS_M

# Historic detachment areas by official km (Pyanj + Moskovsky about 400 km, Moskovsky alone 232 km,
# Pamir about 880 km: shared/data/README.md and timeline.csv). Boundaries inside the Pamir are
# approximate (assumed from the detachment towns' positions).
GROUPS = (
    (168.0, "Pyanj"),
    (400.0, "Moskovsky"),
    (640.0, "Kalai-Khumb"),
    (830.0, "Khorog"),
    (1100.0, "Ishkashim"),
    (OFFICIAL_KM + 1, "Murgab"),
)

# Afghan district opposite, by GSHHG km (approximate, from the towns in places.csv: Sher Khan Bandar
# 97, Imam Sahib 166, Taloqan 227, Fayzabad 359, Qal'ai Khumb 513, Khorog 705, Ishkashim 797).
DISTRICTS_GSHHG = (
    (60.0, "Kaldar", "Balkh"),
    (130.0, "Qala-i-Zal (Sher Khan Bandar)", "Kunduz"),
    (195.0, "Imam Sahib", "Kunduz"),
    (300.0, "Darqad / Yangi Qala", "Takhar"),
    (420.0, "Khwahan", "Badakhshan"),
    (560.0, "Darwaz", "Badakhshan"),
    (720.0, "Shighnan", "Badakhshan"),
    (830.0, "Ishkashim", "Badakhshan"),
    (GSHHG_KM + 1, "Wakhan", "Badakhshan"),
)

# Official crossings and 2021 reception points (timeline.csv, 5 Jul 2021), GSHHG km from places.csv
# where listed; the others are placed from the data README's positions (assumed, +- 10 km).
CROSSINGS = (
    ("panji_poyon", "Panji Poyon - Sher Khan Bandar bridge", 113.5, True),
    ("kokul", "Kokul (Farkhor)", 280.3, True),
    ("shamsiddin_shohin", "Shamsiddin Shohin (Shohon) bridge", 330.0, True),
    ("ruzvai", "Ruzvai (Darvoz, Qal'ai Khumb)", 512.9, True),
    ("nulvand", "Nulvand (Darvoz)", 470.0, False),
    ("vanj", "Vanj - Khumrogi bridge", 580.0, True),
    ("khorog", "Tem bridge (Khorog)", 705.4, True),
    ("ishkashim", "Ishkashim bridge", 798.3, True),
    ("langar", "Langar", 905.0, True),
)

# The bases, by the start of their name in places.csv.
BASES = {
    "Dushanbe": ("dushanbe", "Dushanbe (201st base HQ garrison)"),
    "Bokhtar": ("bokhtar", "Bokhtar / Kurgan-Tyube (201st garrison)"),
    "Kulob": ("kulob", "Kulob / Kulyab (201st garrison until Dec 2015)"),
    "Ayni": ("aini", "Aini air base (Gissar district)"),
    "Khorog": ("khorog", "Khorog (border detachment HQ, GBAO)"),
    "Panji Poyon": ("panji_poyon", "Panji Poyon (Pyanj detachment)"),
    "Panj town": ("panj", "Panj town (Khatlon)"),
    "Farkhor": ("farkhor", "Farkhor"),
    "Qal'ai Khumb": ("qalai_khumb", "Qal'ai Khumb (Kalai-Khumb detachment)"),
    "Ishkoshim": ("ishkoshim", "Ishkoshim (Ishkashim detachment)"),
    "Norak": ("nurek", "Norak / Nurek"),
}


def lookup(table: tuple, km: float) -> tuple:
    for row in table:
        if km < row[0]:
            return row[1:]
    return table[-1][1:]


def build_yaml(data_dir: Path, line_file: Path) -> str:
    """The text of tj-af-border.yaml from the profile and places in ``data_dir`` and the line file."""
    line, _ = read_line(line_file, "gshhg_wdbii_full")
    prof_km, prof_elev = read_profile(
        data_dir / "border-profile.csv", line, km_col="km_from_UZ_tripoint", elev_col="globe_elev_m"
    )
    sectors = cut_sectors(OFFICIAL_KM, N_SECTORS)
    terrain = sector_terrain(prof_km, prof_elev, sectors, SCALE, TERRAIN_BREAKS)
    lines = [
        "# Generated by scripts/build_border.py from shared/data (border-profile.csv, places.csv).",
        "# Do not edit by hand: change the script and run it again.",
        "# Sectors tile the official line (1,344.15 km, Tajik MFA 2013); GSHHG km are scaled by",
        f"# {SCALE:.5f}. Terrain from the median GLOBE elevation in the sector (NOAA, public domain).",
        "border:",
        "  geometry: border-tj-af.geojson",
        "  geometry_feature: gshhg_wdbii_full",
        "  official_length_km: {value: 1344.15, unit: km, evidence: border-length, dist: triangular}",
        "  sectors:",
    ]
    for i, ((a, b), (terr, med)) in enumerate(zip(sectors, terrain, strict=True)):
        mid_g = (a / SCALE + b / SCALE) / 2
        district, province = lookup(DISTRICTS_GSHHG, mid_g)
        (group,) = lookup(GROUPS, (a + b) / 2)
        lines += [
            f"    - id: s{i + 1:02d}",
            f'      name: "{group} {i + 1:02d} (km {a:.0f}-{b:.0f}, opposite {district})"',
            f"      start_km: {a:.4f}",
            f"      end_km: {b:.4f}",
            f"      terrain: {terr}  # median elevation {med:.0f} m",
            f"      group: {group}",
            f'      afghan_district: "{district}"',
            f"      afghan_province: {province}",
            "      control: government",
        ]
    lines.append("  crossings:")
    for cid, name, gkm, official in CROSSINGS:
        lines += [
            f"    - id: {cid}",
            f'      name: "{name}"',
            f"      km: {gkm * SCALE:.1f}",
            f"      official: {'true' if official else 'false'}",
            "      capacity_per_day: {value: 150, unit: people/day, evidence: reception-capacity, low: 50, high: 400}",
        ]
    lines.append("bases:")
    with (data_dir / "places.csv").open(encoding="utf-8") as fh:
        places = list(csv.DictReader(fh))
    for row in places:
        key = next((k for k in BASES if row["name"].startswith(k)), None)
        if key is None:
            continue
        bid, bname = BASES[key]
        lines += [
            f"  - id: {bid}",
            f'    name: "{bname}"',
            f"    lat: {float(row['lat']):.5f}",
            f"    lon: {float(row['lon']):.5f}",
            f"    km: {float(row['border_km_from_UZ_tripoint']) * SCALE:.1f}",
            f"    distance_km: {float(row['dist_to_border_km']):.1f}",
        ]
    return "\n".join(lines) + "\n"


def extract_line(shared_geojson: Path, out: Path) -> None:
    """Write the GSHHG feature of the shared GeoJSON, attributed, as the packaged line."""
    gj = json.loads(shared_geojson.read_text(encoding="utf-8"))
    gj["features"] = [f for f in gj["features"] if f["properties"]["id"] == "gshhg_wdbii_full"]
    gj["attribution"] = (
        "GSHHG political boundaries (CIA World Data Bank II); LGPL-3.0-or-later as distributed, "
        "WDB II itself US-government public domain. Extracted by the bordersim project."
    )
    out.write_text(json.dumps(gj), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=None, help="the shared folder (reads DIR/data)")
    ap.add_argument("--check", action="store_true", help="compare with the shipped YAML only")
    args = ap.parse_args()
    data_dir = Path(args.shared) / "data" if args.shared else REPO_DATA
    line_file = (
        data_dir / "border-tj-af.geojson" if args.shared else PACKAGE_DATA / "border-tj-af.geojson"
    )
    text = build_yaml(data_dir, line_file)
    target = PACKAGE_DATA / "tj-af-border.yaml"
    if args.check:
        same = target.read_text(encoding="utf-8") == text
        print(f"{target}: {'up to date' if same else 'differs from what the script makes'}")
        sys.exit(0 if same else 1)
    target.write_text(text, encoding="utf-8")
    if args.shared:
        extract_line(line_file, PACKAGE_DATA / "border-tj-af.geojson")
    print(f"wrote {target}" + (" and border-tj-af.geojson" if args.shared else ""))


if __name__ == "__main__":
    main()

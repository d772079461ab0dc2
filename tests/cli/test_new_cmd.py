"""`bordersim new` and `bordersim export` through the CLI.

A synthetic equator line of known length (see test_border_builder) gives known sectors, terrain and
crossing chainages in the written scenario; bad inputs exit 2 and write nothing; `validate` warns about
placeholders with exit code 0; an exported built-in runs to byte-identical ``--json`` output.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bordersim.cli.app import app
from bordersim.scenario.builtin import builtin_names, load
from bordersim.scenario.geometry import EARTH_RADIUS_KM
from bordersim.scenario.loading import content_hash, load_scenario
from bordersim.scenario.placeholders import PLACEHOLDER, placeholders

ROOT = Path(__file__).resolve().parents[2]
DEG_KM = EARTH_RADIUS_KM * math.pi / 180
runner = CliRunner()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Line 0-1 deg E on the equator in two pieces; profile stepped every 30 official km of 120."""
    gj = {"type": "MultiLineString", "coordinates": [[[0, 0], [0.5, 0]], [[0.5, 0], [1, 0]]]}
    (tmp_path / "line.geojson").write_text(json.dumps(gj), encoding="utf-8")
    rows = ["km,elevation_m"]
    for i in range(111):
        official = (i + 0.5) * 120 / DEG_KM
        rows.append(f"{i + 0.5},{(200, 1000, 2000, 3500)[min(3, int(official // 30))]}")
    (tmp_path / "profile.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "places.csv").write_text(
        "id,name,kind,lat,lon,official\nbridge,Bridge,crossing,0.01,0.25,true\n"
        "pass,Pass,crossing,0,0.9,false\nhq,HQ,base,0.3,0.5,true\n",
        encoding="utf-8",
    )
    return tmp_path


def _new(d: Path, *extra: str, out: str = "b.yaml") -> object:
    args = ["new", "b", "--line", str(d / "line.geojson"), "--length-km", "120", "--sectors", "4",
            "--profile", str(d / "profile.csv"), "--places", str(d / "places.csv"),
            "--out", str(d / out), *extra]  # fmt: skip
    return runner.invoke(app, args)


def test_new_writes_the_expected_border(inputs: Path) -> None:
    r = _new(inputs)
    assert r.exit_code == 0, r.output
    sc = load_scenario(inputs / "b.yaml")
    assert [(s.start_km, s.end_km) for s in sc.border.sectors] == [
        (0, 30), (30, 60), (60, 90), (90, 120),
    ]  # fmt: skip
    assert [s.terrain for s in sc.border.sectors] == ["plain", "foothill", "gorge", "high_mountain"]
    km = {c.id: c.km for c in sc.border.crossings}
    assert km == {"bridge": 30.0, "pass": 108.0}
    assert not {c.id: c for c in sc.border.crossings}["pass"].official
    (hq,) = sc.bases
    assert hq.km == 60.0 and hq.distance_km == pytest.approx(0.3 * DEG_KM, abs=0.1)
    assert sc.border.official_length_km.value == 120
    # the joined line is written beside it and is what compile reads
    assert Path(sc.border.geometry) == (inputs / "b.line.geojson").resolve()
    # forces and threats are placeholders, every one listed
    assert {u.id for u in sc.units} == {"guards", "reserve"}
    left = placeholders(sc)
    assert any(
        p.startswith("evidence.guard-strength (used by units.guards.strength)") for p in left
    )
    assert all(
        ev.assumed.rationale.startswith(PLACEHOLDER)
        for k, ev in sc.evidence.items()
        if ev.assumed and k in {p.split()[0].removeprefix("evidence.") for p in left}
    )
    v = runner.invoke(app, ["validate", str(inputs / "b.yaml")])
    assert v.exit_code == 0
    assert f"warning: {len(left)} placeholders left" in v.stderr
    assert all(f"  {p}" in v.stderr for p in left)


def test_validate_of_a_builtin_has_no_placeholder_warning() -> None:
    v = runner.invoke(app, ["validate", "tajik-afghan-2021"])
    assert v.exit_code == 0 and "placeholder" not in v.output


def test_new_runs_and_compares(inputs: Path) -> None:
    assert _new(inputs).exit_code == 0
    r = runner.invoke(app, ["compare", str(inputs / "b.yaml"), "-p", "baseline", "-p",
                            "reserve-on-border", "-n", "20", "--days", "20", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["policies"] == ["baseline", "reserve-on-border"]


def test_new_refuses_to_overwrite_a_file_it_did_not_write(inputs: Path) -> None:
    (inputs / "b.yaml").write_text("mine\n", encoding="utf-8")
    r = _new(inputs)
    assert r.exit_code == 2 and "use --force" in r.output
    assert (inputs / "b.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (inputs / "b.line.geojson").exists()
    assert _new(inputs, "--force").exit_code == 0
    assert _new(inputs).exit_code == 0  # its own file: rewritten without --force


def test_new_from_a_builtin_copies_its_forces(inputs: Path) -> None:
    r = _new(inputs, "--from", "tajik-afghan-2015")
    assert r.exit_code == 0, r.output
    sc = load_scenario(inputs / "b.yaml")
    src = load("tajik-afghan-2015")
    assert [u.id for u in sc.units] == [u.id for u in src.units]
    assert set(sc.policies) == set(src.policies)
    assert all(u.base == "hq" for u in sc.units)  # rebased, and said so
    assert "unit tj_border_troops moved from base dushanbe to hq" in r.output
    assert sc.units[0].strength == src.units[0].strength
    assert not sc.timeline


def test_new_from_a_calibrated_builtin_drops_its_calibrations(inputs: Path) -> None:
    """2008's calibration held the Tajik-Afghan border against its observations: a new border
    keeps the priors, not the claim that they were calibrated."""
    r = _new(inputs, "--from", "tajik-afghan-2008")
    assert r.exit_code == 0, r.output
    assert "4 `calibrated` blocks dropped" in " ".join(r.output.split())  # those of 2008.yaml
    sc = load_scenario(inputs / "b.yaml")
    assert not any(q.calibration(sc.evidence) for _n, q in sc.quantities())
    src = load("tajik-afghan-2008")
    assert sc.evidence["seizure-per-group"].assumed == src.evidence["seizure-per-group"].assumed


def _tree(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda d: (d / "line.geojson").unlink(), "line.geojson: no such file"),
        (lambda d: (d / "line.geojson").write_text("{oops", encoding="utf-8"), "line.geojson:1: not JSON"),
        (lambda d: (d / "line.geojson").write_text('{"type": "Polygon", "coordinates": []}'),
         "type: 'Polygon': a LineString or MultiLineString is needed"),
        (lambda d: (d / "line.geojson").write_text('{"type": "LineString", "coordinates": []}'),
         "coordinates: the line is empty"),
        (lambda d: (d / "line.geojson").write_bytes(b'{"type": "\xe9"}'), "line.geojson:1: not UTF-8"),
        (lambda d: (d / "line.geojson").write_text('{"type": "LineString", "coordinates": [[0, 0], [1, NaN]]}'),
         "line.geojson:1: not valid JSON: NaN"),
        (lambda d: (d / "line.geojson").write_text('{"type": "LineString", "coordinates": [[0, 0], [1, -91]]}'),
         "coordinates[1]: latitude -91 out of range"),
        (lambda d: (d / "line.geojson").write_text(
            '{"type": "MultiLineString", "coordinates": [[[0, 0], [0.5, 0]], [[0.6, 0], [1, 0]]]}'),
         "coordinates[1][0]: piece 1 starts 11.120 km from where piece 0 ends"),
        (lambda d: (d / "places.csv").write_text("id,name,kind,lat,lon\na,A,base,0,0.5\nb,B,base,0,x\n"),
         "places.csv:3: lon: 'x' is not a number"),
        (lambda d: (d / "places.csv").write_text("id,name,kind,lat,lon\na,A,base,95,0.5\n"),
         "places.csv:2: latitude 95 out of range"),
        (lambda d: (d / "profile.csv").write_text("km,elevation_m\n1,100\n2\n"),
         "profile.csv:3: 2 fields expected"),
        (lambda d: (d / "profile.csv").write_text("distance,height\n1,100\n"),
         "profile.csv:1: header must name the columns"),
    ],
)  # fmt: skip
def test_bad_input_is_one_located_message_and_nothing_written(
    inputs: Path, setup: object, expected: str
) -> None:
    setup(inputs)  # type: ignore[operator]
    before = _tree(inputs)
    r = _new(inputs)
    assert r.exit_code == 2, r.output
    assert expected in r.stderr, r.stderr
    assert r.stderr.count("error:") == 1 and "Traceback" not in r.output
    assert _tree(inputs) == before


def test_sector_options_are_checked(inputs: Path) -> None:
    r = _new(inputs, "--sector-km", "10")
    assert r.exit_code == 2 and "not both" in r.output
    r = runner.invoke(app, ["new", "b", "--line", str(inputs / "line.geojson"), "--length-km",
                            "nan", "--out", str(inputs / "b.yaml")])  # fmt: skip
    assert r.exit_code == 2 and "--length-km nan" in r.output


@pytest.mark.parametrize("name", builtin_names())
def test_an_exported_builtin_runs_to_byte_identical_json(tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.yaml"
    r = runner.invoke(app, ["export", name, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "\ninclude:" not in out.read_text(encoding="utf-8")
    assert content_hash(load_scenario(out)) == content_hash(load(name))
    args = ["-n", "40", "--days", "45", "--seed", "11", "--json"]
    a = runner.invoke(app, ["run", name, *args])
    b = runner.invoke(app, ["run", str(out), *args])
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout
    # and export refuses to overwrite a file it did not write
    other = tmp_path / "other.yaml"
    other.write_text("x: 1\n", encoding="utf-8")
    assert runner.invoke(app, ["export", name, "--out", str(other)]).exit_code == 2


def test_build_border_regenerates_the_shipped_sectors() -> None:
    spec = importlib.util.spec_from_file_location("build_border", ROOT / "scripts/build_border.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = mod.build_yaml(mod.REPO_DATA, mod.PACKAGE_DATA / "border-tj-af.geojson")
    assert text == (mod.PACKAGE_DATA / "tj-af-border.yaml").read_text(encoding="utf-8")


def test_a_line_file_beside_the_scenario_is_found_and_a_missing_one_is_located(
    inputs: Path,
) -> None:
    assert _new(inputs).exit_code == 0
    moved = inputs / "elsewhere"
    moved.mkdir()
    for f in ("b.yaml", "b.line.geojson"):
        (inputs / f).rename(moved / f)
    assert runner.invoke(app, ["validate", str(moved / "b.yaml")]).exit_code == 0
    (moved / "b.line.geojson").unlink()
    r = runner.invoke(app, ["validate", str(moved / "b.yaml")])
    assert r.exit_code == 2
    assert "border.geometry: line file 'b.line.geojson' not found beside b.yaml" in r.stderr

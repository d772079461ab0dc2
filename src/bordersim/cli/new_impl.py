"""`bordersim new` (a scenario for any border, from a GeoJSON line) and `bordersim export` (a built-in
as one self-contained YAML file to start from).

Both write nothing unless the whole result validates: the files are made in a temporary directory
beside the output, loaded and compiled there, then moved into place. Neither overwrites a file it did
not write (its first line carries the command's mark) unless ``--force``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.markup import escape

from bordersim.cli.common import console, fail, load_or_fail
from bordersim.cli.new_cmd import DEFAULT_SECTOR_KM
from bordersim.model.compile import CompileError, compile_scenario
from bordersim.scenario.border_builder import (
    Line,
    Place,
    cut_sectors,
    read_line,
    read_places,
    read_profile,
)
from bordersim.scenario.builtin import DATA_DIR, builtin_names, resolve
from bordersim.scenario.from_builtin import copy_from
from bordersim.scenario.geometry import find_geometry
from bordersim.scenario.input_files import BuildError
from bordersim.scenario.loading import ScenarioError, content_hash, load_scenario
from bordersim.scenario.new_scenario import (
    EXPORT_MARK,
    NEW_MARK,
    START,
    border_block,
    dump_yaml,
    export_data,
    header,
    placeholder_forces,
)
from bordersim.scenario.placeholders import placeholders

GENERATOR = "bordersim new"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _ours(path: Path, mark: str) -> bool:
    """True when ``path`` is missing or was written by the command whose mark is ``mark``."""
    if not path.exists():
        return True
    try:
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return False
    if path.suffix == ".geojson":
        return f'"generator": "{GENERATOR}"' in first
    return first.startswith(mark)


def _refuse(paths: list[Path], mark: str, force: bool) -> None:

    for p in paths:
        if p.is_dir():
            fail(f"{p}: is a directory")
        if not force and not _ours(p, mark):
            fail(f"{p}: exists and was not written by this command; use --force to overwrite")


def _write_checked(files: dict[Path, str], main: Path) -> Any:
    """Write ``files`` into a temporary directory beside them, load and compile ``main`` there, then
    move every file into place; exit 2 (nothing written) if the scenario does not validate."""

    out_dir = main.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir, prefix=".bordersim-"))
    try:
        for p, text in files.items():
            (tmp / p.name).write_text(text, encoding="utf-8")
        try:
            sc = load_scenario(tmp / main.name)
            compile_scenario(sc)
        except (ScenarioError, CompileError) as exc:
            fail(f"the scenario written for {main} does not validate (a bug):\n{exc}")
        for p in files:
            (tmp / p.name).replace(p)
        return sc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _scenario_files(
    name: str,
    line_name: str,
    line_out_name: str,
    border_line: Line,
    props: dict[str, Any],
    length_km: float | None,
    cuts: list[tuple[float, float]],
    prof: tuple[NDArray[np.float64], NDArray[np.float64]] | None,
    pl: list[Place],
    from_: str | None,
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(scenario data, the joined line as GeoJSON, notes) of `bordersim new`."""
    official = length_km if length_km is not None else border_line.length_km
    border, bases, border_ev = border_block(
        border_line, cuts, geometry=line_out_name, feature=name, length_km=length_km,
        profile=prof, places=pl,
    )  # fmt: skip
    notes: list[str] = []
    if from_ is not None:
        rest, notes = copy_from(
            export_data(resolve(from_)), from_, {s["id"] for s in border["sectors"]},
            [b["id"] for b in bases], [c["id"] for c in border["crossings"]],
        )  # fmt: skip
    else:
        rest = placeholder_forces(official, bases[0]["id"])
    data: dict[str, Any] = {
        "id": name,
        "title": f"{name}: a new border from {line_name}",
        "description": f"Made by `bordersim new` from {line_name}"
        + (f"; forces, threats, policies and ledger from {from_}." if from_ else "."),
        "period": rest.pop("period", {"start": START, "days": 365}),
        "sources": rest.pop("sources", {}),
        "evidence": {**border_ev, **rest.pop("evidence", {})},
        "border": border,
        "terrain": rest.pop("terrain"),
        "bases": bases,
        **rest,
    }
    gj = {"type": "FeatureCollection", "generator": GENERATOR, "features": [{
        "type": "Feature", "properties": {**props, "id": name, "source_file": line_name},
        "geometry": {"type": "LineString", "coordinates": [
            [float(x), float(y)] for x, y in zip(border_line.lon, border_line.lat, strict=True)
        ]}}]}  # fmt: skip
    return data, gj, notes


def new(
    name: str,
    line: Path,
    out: Path,
    length_km: float | None,
    sectors: int | None,
    sector_km: float | None,
    profile: Path | None,
    places: Path | None,
    from_: str | None,
    feature: str | None,
    force: bool,
) -> None:
    """Write a complete scenario for a new border: sectors, terrain, crossings and bases from the
    line, profile and places; forces and threats as placeholders (or copied with --from)."""

    if not _NAME_RE.match(name):
        fail(f"NAME {name!r}: letters, digits, '.', '_' or '-' only")
    if sectors is not None and sector_km is not None:
        fail("give --sectors or --sector-km, not both")
    for opt, v in (("--length-km", length_km), ("--sector-km", sector_km)):
        if v is not None and not (math.isfinite(v) and 0 < v < 50_000):
            fail(f"{opt} {v:g}: must be a length in km, > 0 and < 50,000")
    if from_ is not None and from_ not in builtin_names():
        fail(f"--from {from_!r}: not a built-in scenario ({', '.join(builtin_names())})")
    line_out = out.with_name(f"{out.stem}.line.geojson")
    _refuse([out, line_out], NEW_MARK, force)
    try:
        border_line, props = read_line(line, feature)
        official = length_km if length_km is not None else border_line.length_km
        scale = official / border_line.length_km
        prof = read_profile(profile, border_line) if profile is not None else None
        pl = read_places(places, border_line, scale) if places is not None else []
    except BuildError as exc:
        fail(escape(str(exc)))
        raise AssertionError from exc  # unreachable
    data, gj, notes = _scenario_files(
        name, line.name, line_out.name, border_line, props, length_km,
        cut_sectors(official, sectors, None if sectors else sector_km or DEFAULT_SECTOR_KM),
        prof, pl, from_,
    )  # fmt: skip
    text = dump_yaml(data, header(line.name, border_line, length_km, prof is not None, notes))
    sc = _write_checked({line_out: json.dumps(gj) + "\n", out: text}, out)
    terr = Counter(s.terrain for s in sc.border.sectors)
    console.print(
        f"wrote {out} and {line_out.name}: {len(sc.border.sectors)} sectors over "
        f"{official:,.1f} km (line {border_line.length_km:,.1f} km, scale {scale:.4f}; "
        + ", ".join(f"{n} {t}" for t, n in terr.items())
        + f"), {_n(len(sc.border.crossings), 'crossing')}, {_n(len(sc.bases), 'base')}",
        highlight=False,
        soft_wrap=True,
    )
    for n in notes:
        console.print(f"note: {n}", highlight=False, soft_wrap=True)
    left = placeholders(sc)
    console.print(
        f"{len(left)} placeholders to replace with sources: `bordersim validate {out}` lists them",
        highlight=False,
        soft_wrap=True,
    )


def export(scenario: str, out: Path, force: bool) -> None:
    """Write a scenario as one self-contained YAML file (its includes merged) that validates and
    runs to the same numbers: a starting point for your own."""

    loaded = load_or_fail(scenario)
    sc, path = loaded.model, loaded.path
    assert path is not None  # load_or_fail reads a file
    data = export_data(path)
    files: dict[Path, str] = {}
    geometry = str(data["border"]["geometry"])
    src = find_geometry(geometry, Path(path).parent, DATA_DIR)
    if src is not None and src != DATA_DIR / geometry:  # a user's line: copy it beside
        line_out = out.with_name(f"{out.stem}.line.geojson")
        files[line_out] = src.read_text(encoding="utf-8")
        data["border"]["geometry"] = line_out.name
        note = f"# The border line is copied beside it as {line_out.name}."
    else:
        note = (
            f"# The border line stays the package data file {geometry} (it ships with "
            "bordersim), so the numbers and the content hash are the built-in's."
        )
    _refuse([*files, out], EXPORT_MARK, force)
    comments = [
        f"{EXPORT_MARK} from {scenario}: every include merged into this one file.",
        note,
    ]
    files[out] = dump_yaml(data, comments)
    new_sc = _write_checked(files, out)
    same = content_hash(new_sc) == content_hash(sc)
    console.print(
        f"wrote {out}: scenario {sc.id!r}, {len(sc.border.sectors)} sectors, "
        f"{len(sc.units)} units, {len(sc.actors)} actors"
        + ("; same content hash as the original" if same else ""),
        highlight=False,
        soft_wrap=True,
    )

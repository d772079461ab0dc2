"""`bordersim new` and `bordersim export`: the commands' options; the work is in
:mod:`bordersim.cli.new_impl`, imported when a command runs (it needs NumPy and the border builder,
which `bordersim --help` should not load).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["export", "new"]

#: The default sector length in km (the built-in's sectors are 56 km: a company area of a border
#: detachment).
DEFAULT_SECTOR_KM = 50.0


def new(
    name: Annotated[str, typer.Argument(help="scenario id, e.g. lake-river-2025")],
    line: Annotated[Path, typer.Option(help="border line: GeoJSON LineString/MultiLineString")],
    out: Annotated[Path, typer.Option(help="scenario YAML to write")],
    length_km: Annotated[
        float | None, typer.Option(help="official length: chainage is scaled to it")
    ] = None,
    sectors: Annotated[int | None, typer.Option(min=1, help="number of equal sectors")] = None,
    sector_km: Annotated[
        float | None, typer.Option(help=f"sector length (default {DEFAULT_SECTOR_KM:g} km)")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option(help="elevation CSV: km or lat,lon, and elevation_m")
    ] = None,
    places: Annotated[
        Path | None, typer.Option(help="places CSV: id,name,kind (crossing|base),lat,lon")
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="copy forces, threats, policies, ledger of a built-in"),
    ] = None,
    feature: Annotated[
        str | None, typer.Option(help="the line feature's id or name in a FeatureCollection")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="overwrite files not written by this command")
    ] = False,
) -> None:
    """Write a complete scenario for a new border: sectors, terrain, crossings and bases from the
    line, profile and places; forces and threats as placeholders (or copied with --from)."""
    from bordersim.cli import new_impl  # NumPy and the border builder: loaded when it runs

    new_impl.new(
        name, line, out, length_km, sectors, sector_km, profile, places, from_, feature, force
    )


def export(
    scenario: Annotated[str, typer.Argument(help="built-in name or scenario YAML")],
    out: Annotated[Path, typer.Option(help="the YAML file to write")],
    force: Annotated[
        bool, typer.Option(help="overwrite files not written by this command")
    ] = False,
) -> None:
    """Write a scenario as one self-contained YAML file (its includes merged) that validates and
    runs to the same numbers: a starting point for your own."""
    from bordersim.cli import new_impl  # the scenario loader: loaded when it runs

    new_impl.export(scenario, out, force)

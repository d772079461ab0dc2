"""Reading a user's input files with located errors: UTF-8 text, CSV rows with line numbers, numbers
and coordinates checked where they enter.

Every problem is a :class:`BuildError` whose message names the file, the CSV line or the JSON field
path, and what is wrong, so the CLI can print it as one message and exit with code 2.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path


class BuildError(Exception):
    """Bad input to the builder; ``str()`` is the whole user-facing message."""

    def __init__(self, file: str | Path, where: str | int | None, what: str) -> None:
        loc = f"{file}:{where}" if isinstance(where, int) else f"{file}"
        if isinstance(where, str) and where:
            loc += f": {where}"
        super().__init__(f"{loc}: {what}")


def read_text(path: str | Path) -> str:
    """A file's text as UTF-8 (a BOM is allowed), or a located :class:`BuildError`."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise BuildError(p, None, "no such file") from None
    except OSError as exc:
        raise BuildError(p, None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(p, line, f"not UTF-8 text (byte {exc.start})") from None


def check_lonlat(file: str | Path, where: str | int, lon: float, lat: float) -> None:
    """Raise a located :class:`BuildError` unless lon/lat are finite and in range (degrees)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise BuildError(file, where, f"coordinates must be finite numbers, got ({lon}, {lat})")
    if not -90.0 <= lat <= 90.0:
        raise BuildError(file, where, f"latitude {lat:g} out of range [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise BuildError(file, where, f"longitude {lon:g} out of range [-180, 180]")


def read_csv(
    path: str | Path, required: Sequence[Sequence[str]]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with their line numbers; ``required`` lists alternative column sets, one of
    which the header must hold (e.g. ``[["km", "elevation_m"], ["lat", "lon", "elevation_m"]]``)."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if not header:
        raise BuildError(path, 1, "the file is empty (a header row is needed)")
    if not any(all(c in header for c in alt) for alt in required):
        want = " or ".join("(" + ", ".join(alt) + ")" for alt in required)
        raise BuildError(
            path, 1, f"header must name the columns {want}; it has {', '.join(header)}"
        )
    rows = []
    try:
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise BuildError(path, reader.line_num, f"{len(header)} fields expected")
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise BuildError(path, reader.line_num, f"CSV error: {exc}") from None
    if not rows:
        raise BuildError(path, 2, "no data rows")
    return rows


def number(file: str | Path, line: int, row: dict[str, str], col: str) -> float:
    """A finite float from a CSV cell, or a located :class:`BuildError`."""
    text = row[col].strip()
    try:
        v = float(text)
    except ValueError:
        raise BuildError(file, line, f"{col}: {text!r} is not a number") from None
    if not math.isfinite(v):
        raise BuildError(file, line, f"{col}: {text!r} is not a finite number")
    return v

"""Game files are JSON; these helpers give an error in one the line it stands on.

The json module does not keep positions, so :func:`json_positions` walks valid JSON text once and
records the character offset of every value by its path; :func:`json_line_of` turns a validation
error's path into a line number (a missing field points at its parent object).
"""

from __future__ import annotations

import json
import re

__all__ = ["format_path", "json_line_of", "json_positions"]


def format_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


_WS = re.compile(r"[ \t\n\r]*")


def json_positions(text: str) -> dict[tuple[int | str, ...], int]:
    """Character offset of every value in valid JSON ``text``, keyed by its path (for line numbers
    in error messages; the json module does not keep positions)."""
    decoder = json.JSONDecoder()
    positions: dict[tuple[int | str, ...], int] = {}

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, path: tuple[int | str, ...]) -> int:
        i = skip(i)
        positions[path] = i
        ch = text[i : i + 1]
        if ch == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                i = skip(i) + 1  # the colon
                i = skip(value(i, (*path, key)))
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if ch == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            k = 0
            while True:
                i = skip(value(i, (*path, k)))
                k += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        _, end = decoder.raw_decode(text, i)
        return int(end)

    try:
        value(0, ())
    except (ValueError, IndexError):
        return positions
    return positions


def json_line_of(text: str | None, loc: tuple[int | str, ...]) -> int | None:
    if text is None:
        return None
    positions = json_positions(text)
    # The deepest existing prefix of the path (a missing field points at its parent object).
    for cut in range(len(loc), -1, -1):
        offset = positions.get(tuple(loc[:cut]))
        if offset is not None:
            return text.count("\n", 0, offset) + 1
    return None

"""Security-game files: JSON read into a :class:`~bordersim.plan.security_game.SecurityGame`, and back.

A file is validated with pydantic v2; every error raises :class:`GameFileError` naming the file, the
field path (``targets[3].attacker_covered``) and the line, so a user sees one clear message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bordersim.plan.security_game import SecurityGame

__all__ = [
    "GameFileError",
    "first_error",
    "format_path",
    "game_to_dict",
    "json_line_of",
    "json_object",
    "json_positions",
    "load_game",
    "parse_game",
]


class GameFileError(ValueError):
    """A game file a user wrote is wrong: one message naming the file, the field path and the line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        where = file or "<game>"
        if line is not None:
            where += f":{line}"
        text = f"{where}: {path}: {message}" if path else f"{where}: {message}"
        super().__init__(text)


class _TargetModel(BaseModel):
    """One target in a game file. Field order matters: uncovered values are validated first so the
    covered ones can be checked against them and the error lands on the covered field."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    name: str = Field(min_length=1)
    defender_uncovered: float
    defender_covered: float
    attacker_uncovered: float
    attacker_covered: float

    @field_validator("defender_covered")
    @classmethod
    def _defender_covered_not_worse(cls, value: float, info: ValidationInfo) -> float:
        uncovered = info.data.get("defender_uncovered")
        if uncovered is not None and value < uncovered:
            raise ValueError(
                f"defender_covered ({value:g}) must be >= defender_uncovered ({uncovered:g}): "
                "covering a target cannot make the defender worse off"
            )
        return value

    @field_validator("attacker_covered")
    @classmethod
    def _attacker_covered_not_better(cls, value: float, info: ValidationInfo) -> float:
        uncovered = info.data.get("attacker_uncovered")
        if uncovered is not None and value > uncovered:
            raise ValueError(
                f"attacker_covered ({value:g}) must be <= attacker_uncovered ({uncovered:g}): "
                "covering a target cannot make the attacker better off"
            )
        return value


class _GameModel(BaseModel):
    """A game file: ``{"resources": m, "targets": [...]}``."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    resources: float = Field(ge=0)
    targets: list[_TargetModel] = Field(min_length=1)


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


def json_object(
    data: Mapping[str, Any] | str, source: str, text: str | None
) -> tuple[Mapping[str, Any], str | None]:
    """A game file's top-level object, parsed from JSON text if given as text, and the text (for
    line numbers). Raises :class:`GameFileError` for text that is not JSON or not an object."""
    if isinstance(data, str):
        text = data
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GameFileError(
                f"not valid JSON: {exc.msg} (column {exc.colno})", file=source, line=exc.lineno
            ) from None
    if not isinstance(data, Mapping):
        raise GameFileError("a game file must be a JSON object", file=source, line=1)
    return data, text


def first_error(exc: ValidationError) -> tuple[tuple[int | str, ...], str]:
    """The first validation error's path and a plain message (with how many more there are)."""
    errors = exc.errors()
    first = errors[0]
    message = {"missing": "field required", "extra_forbidden": "unknown field"}.get(
        first["type"], first["msg"]
    )
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return tuple(first["loc"]), message


def parse_game(
    data: Mapping[str, Any] | str, source: str = "<string>", *, text: str | None = None
) -> SecurityGame:
    """Validate a game given as a mapping or as JSON text; ``source`` names it in errors.

    Raises:
        GameFileError: with the file, the field path and (for JSON text) the line.
    """
    data, text = json_object(data, source, text)
    try:
        model = _GameModel.model_validate(data)
    except ValidationError as exc:
        loc, message = first_error(exc)
        raise GameFileError(
            message, file=source, path=format_path(loc), line=json_line_of(text, loc)
        ) from None
    seen: dict[str, int] = {}
    for i, target in enumerate(model.targets):
        if target.name in seen:
            loc = ("targets", i, "name")
            raise GameFileError(
                f"duplicate target name {target.name!r} (first used by targets[{seen[target.name]}])",
                file=source,
                path=format_path(loc),
                line=json_line_of(text, loc),
            )
        seen[target.name] = i
    ts = model.targets
    return SecurityGame.from_arrays(
        [t.defender_covered for t in ts],
        [t.defender_uncovered for t in ts],
        [t.attacker_covered for t in ts],
        [t.attacker_uncovered for t in ts],
        model.resources,
        [t.name for t in ts],
    )


def load_game(path: str | Path) -> SecurityGame:
    """Read and validate a JSON game file (raises :class:`GameFileError`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise GameFileError(f"cannot read: {exc.strerror or exc}", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise GameFileError(f"not UTF-8 text (byte {exc.start})", file=str(p)) from None
    return parse_game(text, source=str(p))


def game_to_dict(game: SecurityGame) -> dict[str, Any]:
    """The game-file form of ``game`` (``json.dumps`` it to write a file)."""
    return {
        "resources": game.resources,
        "targets": [
            {
                "name": game.names[i],
                "defender_covered": float(game.defender_covered[i]),
                "defender_uncovered": float(game.defender_uncovered[i]),
                "attacker_covered": float(game.attacker_covered[i]),
                "attacker_uncovered": float(game.attacker_uncovered[i]),
            }
            for i in range(game.n_targets)
        ],
    }

"""Game files with attacker types: ``{"resources": m, "targets": [...], "types": [...]}``.

Each type carries a name, its prior ``probability`` and four payoff lists with one entry per target
(``defender_covered``, ``defender_uncovered``, ``attacker_covered``, ``attacker_uncovered``);
probabilities sum to 1. Errors name the file, the field path (``types[1].attacker_covered[3]``) and
the line. :func:`load_any_game` reads either this format or the one-attacker format of
:mod:`bordersim.plan.stackelberg` (``targets`` as objects).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bordersim.plan.bayesian import BayesianGame
from bordersim.plan.game_file import (
    GameFileError,
    first_error,
    format_path,
    json_line_of,
    json_object,
    parse_game,
)
from bordersim.plan.security_game import SecurityGame

__all__ = ["is_bayesian_file", "load_any_game", "parse_bayesian_game"]


class _TypeModel(BaseModel):
    """One attacker type in a game file; payoff lists have one entry per target."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    name: str = Field(min_length=1)
    probability: float = Field(gt=0, le=1)
    defender_covered: list[float] = Field(min_length=1)
    defender_uncovered: list[float] = Field(min_length=1)
    attacker_covered: list[float] = Field(min_length=1)
    attacker_uncovered: list[float] = Field(min_length=1)


class _BayesianGameModel(BaseModel):
    """``{"resources": m, "targets": ["t0", ...], "types": [...]}``."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    resources: float = Field(ge=0)
    targets: list[str] = Field(min_length=1)
    types: list[_TypeModel] = Field(min_length=1)


def is_bayesian_file(data: object) -> bool:
    """Whether parsed game-file JSON is in the attacker-types format (it has a ``types`` key)."""
    return isinstance(data, Mapping) and "types" in data


def _check_types(model: _BayesianGameModel) -> tuple[tuple[int | str, ...], str] | None:
    """The first semantic problem of a validated file: (path, message), or None."""
    n = len(model.targets)
    seen: dict[str, int] = {}
    for i, name in enumerate(model.targets):
        if name in seen:
            return (
                "targets",
                i,
            ), f"duplicate target name {name!r} (first at targets[{seen[name]}])"
        seen[name] = i
    type_seen: dict[str, int] = {}
    for k, t in enumerate(model.types):
        if t.name in type_seen:
            return ("types", k, "name"), f"duplicate type name {t.name!r}"
        type_seen[t.name] = k
        for field in ("defender_covered", "defender_uncovered", "attacker_covered",
                      "attacker_uncovered"):  # fmt: skip
            values = getattr(t, field)
            if len(values) != n:
                return ("types", k, field), f"{len(values)} values for {n} targets"
        for j in range(n):
            if t.defender_covered[j] < t.defender_uncovered[j]:
                return ("types", k, "defender_covered", j), (
                    "defender_covered must be >= defender_uncovered: covering a target cannot "
                    "make the defender worse off"
                )
            if t.attacker_covered[j] > t.attacker_uncovered[j]:
                return ("types", k, "attacker_covered", j), (
                    "attacker_covered must be <= attacker_uncovered: covering a target cannot "
                    "make the attacker better off"
                )
    total = sum(t.probability for t in model.types)
    if abs(total - 1.0) > 1e-9:
        return ("types",), f"type probabilities must sum to 1, they sum to {total:.12g}"
    return None


def parse_bayesian_game(
    data: Mapping[str, Any] | str, source: str = "<string>", *, text: str | None = None
) -> BayesianGame:
    """Validate a game file in the attacker-types format (mapping or JSON text).

    Raises:
        GameFileError: with the file, the field path (``types[1].attacker_covered[3]``) and, for
        JSON text, the line.
    """
    data, text = json_object(data, source, text)
    try:
        model = _BayesianGameModel.model_validate(data)
    except ValidationError as exc:
        loc, message = first_error(exc)
        raise GameFileError(
            message, file=source, path=format_path(loc), line=json_line_of(text, loc)
        ) from None
    problem = _check_types(model)
    if problem is not None:
        loc, message = problem
        raise GameFileError(
            message, file=source, path=format_path(loc), line=json_line_of(text, loc)
        )
    return BayesianGame.from_types(
        [t.model_dump() for t in model.types], model.resources, model.targets
    )


def load_any_game(path: str | Path) -> SecurityGame | BayesianGame:
    """Read a game file in either format: ``targets`` as objects (one attacker) or ``types``."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise GameFileError(f"cannot read: {exc.strerror or exc}", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise GameFileError(f"not UTF-8 text (byte {exc.start})", file=str(p)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GameFileError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=str(p), line=exc.lineno
        ) from None
    if is_bayesian_file(data):
        return parse_bayesian_game(data, str(p), text=text)
    return parse_game(data, str(p), text=text)

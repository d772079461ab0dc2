"""Scenarios as the public API hands them out: loaded, overridden by ledger name, given a policy file.

:class:`Scenario` wraps the immutable schema object (``.model``) with where it came from and which
quantities were overridden, so that a run folder's manifest can say so. It lives here, above the
model layer, because overriding re-uses :func:`bordersim.model.compile.with_overrides` (the scenario
layer may not import the model layer). The range check (a value must lie in its quantity's
low-high range unless the caller allows otherwise) is the API's: experiments override freely.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from bordersim.model.compile import with_overrides
from bordersim.scenario.builtin import describe_builtins, resolve
from bordersim.scenario.loading import (
    Located,
    Problem,
    ScenarioError,
    content_hash,
    load_data,
    load_scenario,
    pydantic_problems,
)
from bordersim.scenario.schema import Policy
from bordersim.scenario.schema import Scenario as ScenarioModel

__all__ = [
    "OverrideError",
    "PolicyFileError",
    "Scenario",
    "ScenarioLike",
    "as_scenario",
    "check_overrides",
    "load",
    "parse_date",
    "policies",
]


class OverrideError(ValueError):
    """An override the scenario cannot take: unknown name, not a finite number, out of range."""


class PolicyFileError(ScenarioError):
    """A policy file that cannot be added; ``str()`` lists each located problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.args = (str(self.args[0]).replace("invalid scenario", "invalid policy file", 1),)


def check_overrides(
    model: ScenarioModel, overrides: Mapping[str, Any], *, allow_outside_range: bool = False
) -> tuple[dict[str, float], list[str]]:
    """Validated overrides (name -> float) and the names set outside their range.

    Raises :class:`OverrideError` naming the quantity for an unknown name (with the closest names),
    a value that is not a finite number, or one outside the quantity's low-high range unless
    ``allow_outside_range``.
    """
    quantities = dict(model.quantities())
    values: dict[str, float] = {}
    outside: list[str] = []
    for name, raw in overrides.items():
        if name not in quantities:
            close = difflib.get_close_matches(name, list(quantities), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise OverrideError(
                f"{name}: no such quantity in scenario {model.id}{hint}; "
                f"`bordersim sources {model.id}` lists the names"
            )
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise OverrideError(f"{name}: {raw!r} is not a number")
        value = float(raw)
        if not math.isfinite(value):
            raise OverrideError(f"{name}: {raw!r} is not a finite number")
        q = quantities[name]
        low, high = q.bounds(model.evidence)
        if not low <= value <= high:
            unit = f" {q.unit}" if q.unit else ""
            if not allow_outside_range:
                raise OverrideError(
                    f"{name}: {value:g} is outside the quantity's range {low:g} to {high:g}{unit}"
                    " (allow it with --allow-outside-range, or allow_outside_range=True)"
                )
            outside.append(name)
        values[name] = value
    return values, outside


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, where it came from, and the quantities overridden in it.

    ``model`` is the immutable :class:`bordersim.scenario.schema.Scenario` (sectors, units, actors,
    policies, evidence); ``overrides`` maps ledger names (``bordersim sources`` lists them) to the
    values that replaced their nominal ones, and ``outside_range`` names those set outside their
    quantity's low-high range. Get one with :func:`load`.

    Example:
        >>> import bordersim as bs
        >>> sc = bs.load("tajik-afghan-2021")
        >>> sc.id, len(sc.model.border.sectors)
        ('tajik-afghan-2021', 24)
    """

    model: ScenarioModel
    path: Path | None = None
    overrides: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    outside_range: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The scenario's id (e.g. ``tajik-afghan-2021``)."""
        return self.model.id

    @property
    def content_hash(self) -> str:
        """SHA-256 of the validated content, overrides included (what results record)."""
        return content_hash(self.model)

    def quantity_names(self) -> list[str]:
        """Every ledger name that :meth:`with_overrides` accepts, in file order.

        Example:
            >>> import bordersim as bs
            >>> "actors.drug_traffickers.rate_per_day" in bs.load().quantity_names()
            True
        """
        return [name for name, _ in self.model.quantities()]

    def with_overrides(
        self, overrides: Mapping[str, float], *, allow_outside_range: bool = False
    ) -> Scenario:
        """A copy with some quantities' nominal values replaced, by ledger name.

        Raises :class:`OverrideError` for an unknown name, a value that is not a finite number, a
        value outside the quantity's low-high range (unless ``allow_outside_range``; the range then
        widens to include it) or one the scenario's validation rejects (e.g. a negative strength).

        Example:
            >>> import bordersim as bs
            >>> sc = bs.load("tajik-afghan-2021")
            >>> sc2 = sc.with_overrides({"actors.drug_traffickers.rate_per_day": 15})
            >>> dict(sc2.overrides)
            {'actors.drug_traffickers.rate_per_day': 15.0}
        """
        values, outside = check_overrides(
            self.model, overrides, allow_outside_range=allow_outside_range
        )
        try:
            model = with_overrides(self.model, values)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            names = ", ".join(f"{k}={v:g}" for k, v in values.items())
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise OverrideError(f"{names}: the scenario rejects it: {detail}") from None
        merged = MappingProxyType({**self.overrides, **values})
        kept = tuple(n for n in self.outside_range if n not in values)
        return Scenario(model, self.path, merged, (*kept, *outside))

    def with_policy_file(self, path: str | Path) -> Scenario:
        """A copy with the one policy of a YAML policy file added.

        The file holds one mapping ``NAME: {description: ..., actions: [...]}``, the shape of an
        entry of a scenario's ``policies``, as ``bordersim optimize --write-policy`` writes it.
        Raises :class:`PolicyFileError` with located problems.

        Example:
            >>> import bordersim as bs, pathlib, tempfile
            >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
            >>> _ = f.write_text("mine: {description: nothing changes}\\n")
            >>> "mine" in bs.policies(bs.load().with_policy_file(f))
            True
        """
        file = str(path)
        try:
            loc = load_data(path)
        except ScenarioError as exc:
            raise PolicyFileError(exc.problems) from None
        if len(loc.data) != 1 or not isinstance(next(iter(loc.data.values())), dict):
            msg = "a policy file holds one policy: `NAME: {description: ..., actions: [...]}`"
            raise PolicyFileError([Problem(file, 1, (), msg)])
        name, body = next(iter(loc.data.items()))
        where = {k[1:]: v for k, v in loc.where.items() if k[:1] == (name,)}
        if name in self.model.policies:
            line = loc.where.get((name,), (file, None))[1]
            msg = f"scenario {self.id} already has a policy {name!r}"
            raise PolicyFileError([Problem(file, line, (name,), msg)])
        try:
            policy = Policy.model_validate(body)
        except ValidationError as exc:
            sub = Located(data=body, where=where)
            raise PolicyFileError(
                [
                    Problem(p.file, p.line, (name, *p.path), p.message)
                    for p in pydantic_problems(exc, sub, file)
                ]
            ) from None
        new = self.model.model_copy(update={"policies": {**self.model.policies, name: policy}})
        try:
            model = ScenarioModel.model_validate(new.model_dump(mode="python", exclude_none=True))
        except ValidationError as exc:
            full = Located(data={}, where={("policies", name, *k): v for k, v in where.items()})
            full.where[()] = (file, 1)
            problems = pydantic_problems(exc, full, file)
            raise PolicyFileError(
                [Problem(p.file, p.line, p.path[1:], p.message) for p in problems]
            ) from None
        return Scenario(model, self.path, self.overrides, self.outside_range)

    def provenance(self) -> dict[str, Any]:
        """What a run folder's manifest records about the scenario beyond its hash."""
        return {
            "scenario_file": str(self.path) if self.path is not None else None,
            "overrides": dict(self.overrides),
            "outside_range": list(self.outside_range),
        }


#: What the API functions accept as a scenario: a loaded one, a schema object, a name or a path.
ScenarioLike = Scenario | ScenarioModel | str | Path


def load(name_or_path: str | Path | None = None) -> Scenario:
    """Load a built-in scenario by name, or a scenario YAML file by path (default: the built-in
    ``tajik-afghan-2021``). Raises :class:`ScenarioError` with located problems for a bad file, and
    :class:`FileNotFoundError` for a name that is neither.

    Example:
        >>> import bordersim as bs
        >>> bs.load("tajik-afghan-2015").id
        'tajik-afghan-2015'
    """
    path = resolve(None if name_or_path is None else str(name_or_path))
    if not path.exists():
        known = ", ".join(n for n, _ in describe_builtins())
        raise FileNotFoundError(
            f"{name_or_path}: no such scenario file or built-in scenario (built-ins: {known})"
        )
    return Scenario(load_scenario(path), path)


def parse_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """``value`` as a date (ISO text accepted); ``ValueError`` naming ``what`` otherwise."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def as_scenario(scenario: ScenarioLike) -> Scenario:
    """``scenario`` as a :class:`Scenario` (a name or path is loaded)."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, ScenarioModel):
        return Scenario(scenario)
    return load(scenario)


def policies(scenario: ScenarioLike) -> dict[str, str]:
    """The scenario's policies: name -> one-line description, in file order.

    Example:
        >>> import bordersim as bs
        >>> "russian-guards-return" in bs.policies(bs.load("tajik-afghan-2021"))
        True
    """
    sc = as_scenario(scenario)
    return {name: " ".join(p.description.split()) for name, p in sc.model.policies.items()}

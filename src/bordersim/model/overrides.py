"""Factor overrides: a scenario with some quantities' nominal values replaced.

Quantities are named as in :meth:`Scenario.quantities` (dotted, ids for list items); that is how
experiments sample the uncertainty space and how a user sets one number from the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bordersim.model.compiled import CompileError
from bordersim.scenario.schema import Scenario

__all__ = ["quantity_names", "with_overrides"]


def quantity_names(scenario: Scenario) -> dict[str, tuple[str | int, ...]]:
    """Factor name (dotted, ids for list items) -> field path in the scenario."""
    names = {}
    for (name, _q), (path, _q2) in zip(
        scenario.quantities(), scenario.quantity_paths(), strict=True
    ):
        names[name] = path
    return names


def with_overrides(scenario: Scenario, overrides: Mapping[str, float]) -> Scenario:
    """A copy of the scenario with some quantities' nominal values replaced (re-validated).

    Raises:
        CompileError: an unknown factor name."""
    if not overrides:
        return scenario
    names = quantity_names(scenario)
    data: Any = scenario.model_dump(mode="python", exclude_none=True)
    for name, value in overrides.items():
        if name not in names:
            raise CompileError(f"unknown factor {name!r}")
        node = data
        for p in names[name]:
            node = node[p]
        node["value"] = float(value)
        for k in ("low", "high"):  # keep the range valid around the new value
            if k in node and (
                (k == "low" and node[k] > value) or (k == "high" and node[k] < value)
            ):
                node[k] = float(value)
    return Scenario.model_validate(data)

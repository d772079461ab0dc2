"""The built-in scenarios shipped as package data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # the schema (pydantic) is slow to import; `bordersim --help` needs only names
    from bordersim.scenario.schema import Scenario

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_SCENARIO = "tajik-afghan-2021"


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (YAML files with an ``id``; shared fragments excluded)."""
    return sorted(p.stem for p in DATA_DIR.glob("tajik-afghan-*.yaml"))


def builtin_path(name: str) -> Path:
    return DATA_DIR / f"{name}.yaml"


def describe_builtins() -> list[tuple[str, str]]:
    """(name, one-line description) for each built-in, read without full validation."""
    out = []
    for name in builtin_names():
        with builtin_path(name).open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        out.append((name, str(data.get("title", ""))))
    return out


def resolve(name_or_path: str | None) -> Path:
    """A built-in name or a path to a YAML file."""
    if name_or_path is None:
        return builtin_path(DEFAULT_SCENARIO)
    if name_or_path in builtin_names():
        return builtin_path(name_or_path)
    return Path(name_or_path)


def load(name_or_path: str | None = None) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path."""
    from bordersim.scenario.loading import load_scenario

    return load_scenario(resolve(name_or_path))

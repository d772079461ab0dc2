"""Experiment files and the ``--fix`` / ``--range`` options: what a user asks an experiment to
vary or hold, parsed and checked (every number finite) before any factor is built.

Split from :mod:`bordersim.experiments.factors`, which re-exports these names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bordersim.scenario.safe_yaml import UnsafeYamlError, load_plain
from bordersim.scenario.validation import require_finite

__all__ = ["Experiment", "FactorError", "load_experiment", "parse_fix", "parse_range"]


class FactorError(ValueError):
    """A user-caused problem with factors (unknown name, bad range, bad experiment file)."""


def _parse_assignment(text: str, what: str) -> tuple[str, str]:
    if "=" not in text:
        raise FactorError(f"{what} {text!r}: expected NAME=VALUE")
    name, _, value = text.partition("=")
    return name.strip(), value.strip()


def parse_fix(items: Sequence[str]) -> dict[str, float]:
    """``name=value`` strings (``--fix``) to a mapping."""
    out: dict[str, float] = {}
    for text in items:
        name, value = _parse_assignment(text, "--fix")
        try:
            number = float(value)
        except ValueError:
            raise FactorError(f"--fix {text!r}: {value!r} is not a number") from None
        try:
            out[name] = require_finite(number, "the value")
        except ValueError as exc:
            raise FactorError(f"--fix {text!r}: {exc}") from None
    return out


def parse_range(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``name=lo:hi`` or ``name=lo:hi:dist`` strings (``--range``) to factor specs."""
    out: dict[str, dict[str, Any]] = {}
    for text in items:
        name, spec = _parse_assignment(text, "--range")
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise FactorError(f"--range {text!r}: expected NAME=LOW:HIGH[:uniform|triangular]")
        try:
            lo, hi = float(parts[0]), float(parts[1])
            require_finite(lo, "low"), require_finite(hi, "high")
        except ValueError:
            raise FactorError(f"--range {text!r}: low and high must be finite numbers") from None
        out[name] = {"low": lo, "high": hi, **({"dist": parts[2]} if len(parts) == 3 else {})}
    return out


@dataclass(frozen=True)
class Experiment:
    """What the user changed about the default space: ranges, fixed values, policies."""

    factors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fix: Mapping[str, float] = field(default_factory=dict)
    policies: tuple[str, ...] = ()

    def merged(self, other: Experiment) -> Experiment:
        """This experiment with ``other``'s entries taking precedence (command line over file)."""
        return Experiment(
            factors={**self.factors, **other.factors},
            fix={**self.fix, **other.fix},
            policies=other.policies or self.policies,
        )


def load_experiment(path: Path) -> Experiment:
    """Read a small YAML experiment file: ``factors: {name: {low, high, dist}}``, ``fix: {name:
    value}``, ``policies: [...]``."""
    try:  # bounded like a scenario file: size, UTF-8, no aliases, nesting
        data = load_plain(Path(path), "experiment file") or {}
    except UnsafeYamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise FactorError(f"{where}: {exc.message}") from None
    if not isinstance(data, dict):
        raise FactorError(f"{path}: an experiment file is a mapping (factors, fix, policies)")
    unknown = set(data) - {"factors", "fix", "policies"}
    if unknown:
        raise FactorError(f"{path}: unknown keys {sorted(unknown)} (known: factors, fix, policies)")
    factors = data.get("factors") or {}
    fix = data.get("fix") or {}
    policies = data.get("policies") or []
    if not isinstance(factors, dict) or not all(isinstance(v, dict) for v in factors.values()):
        raise FactorError(f"{path}: factors: expected {{name: {{low, high, dist}}}}")
    for name, spec in factors.items():
        bad = set(spec) - {"low", "high", "dist"}
        if bad or "low" not in spec or "high" not in spec:
            raise FactorError(f"{path}: factors.{name}: needs low and high (and optional dist)")
        try:
            for k in ("low", "high"):
                if isinstance(spec[k], bool):
                    raise ValueError(k)
                require_finite(float(spec[k]), k)
        except (TypeError, ValueError):
            msg = "low and high must be finite numbers"
            raise FactorError(f"{path}: factors.{name}: {msg}") from None
    if not isinstance(fix, dict):
        raise FactorError(f"{path}: fix: expected {{name: value}}")
    try:
        if any(isinstance(v, bool) for v in fix.values()):
            raise ValueError("a boolean is not a number")
        fix_f = {str(k): require_finite(float(v), str(k)) for k, v in fix.items()}
    except (TypeError, ValueError):
        raise FactorError(f"{path}: fix: values must be finite numbers") from None
    if not isinstance(policies, list):
        raise FactorError(f"{path}: policies: expected a list of policy names")
    return Experiment(
        factors={str(k): dict(v) for k, v in factors.items()},
        fix=fix_f,
        policies=tuple(str(p) for p in policies),
    )

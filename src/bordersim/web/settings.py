"""The what-if page's state, as plain data: what the URL query holds and what a run needs.

Everything a view shows follows from a :class:`Settings`: the policy variants switched on, the lever
values, the period and the number of replications. :func:`from_query` reads a URL query (as the
browser sends it) into settings plus, per key, why a value was refused: a refused value is shown
next to its lever and ignored, never a traceback. :func:`to_query` is its inverse, so a link
reproduces a view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import bordersim as bs

__all__ = [
    "MAX_REPLICATIONS",
    "Settings",
    "from_query",
    "policy_string",
    "to_query",
]

#: Bounds of the replications a page may ask for (a page run must stay interactive).
MIN_REPLICATIONS, MAX_REPLICATIONS = 20, 5000
#: The longest period a page may ask for, in days.
MAX_DAYS = 3660
#: Query keys that are not levers.
RESERVED = ("policy", "replications", "start", "days", "metric", "seed")


@dataclass(frozen=True)
class Settings:
    """One view of the what-if page."""

    policies: tuple[str, ...] = ()
    levers: Mapping[str, Any] = field(default_factory=dict)
    replications: int = 200
    start: dt.date | None = None
    days: int | None = None
    metric: str = "true_rate"
    seed: int = 2021

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


def policy_string(policies: Sequence[str], order: Sequence[str]) -> str | None:
    """Switched-on variants combined as ``a+b`` in the scenario's order (``None``: none on)."""
    on = [p for p in order if p in set(policies)]
    return "+".join(on) if on else None


def _int(raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low} to {high}")
    return value


def from_query(
    query: Mapping[str, str], scenario: bs.Scenario, *, metrics: Sequence[str]
) -> tuple[Settings, dict[str, str]]:
    """Settings from a URL query, and per key why a value was refused (and ignored)."""
    errors: dict[str, str] = {}
    known_policies = list(bs.policies(scenario))
    lever_keys = {lv.key for lv in bs.levers(scenario)}
    s = Settings()
    for key, raw in query.items():
        try:
            if key == "policy":
                names = [p for p in raw.split("+") if p]
                bad = [p for p in names if p not in known_policies]
                if bad:
                    raise ValueError(f"unknown policy {bad[0]!r}")
                if len(set(names)) != len(names):
                    raise ValueError("a policy appears twice")
                s = s.with_(policies=tuple(names))
            elif key == "replications":
                s = s.with_(replications=_int(raw, MIN_REPLICATIONS, MAX_REPLICATIONS))
            elif key == "days":
                s = s.with_(days=_int(raw, 1, MAX_DAYS))
            elif key == "seed":
                s = s.with_(seed=_int(raw, 0, 2**32 - 1))
            elif key == "start":
                day = dt.date.fromisoformat(raw)
                if not 1900 <= day.year <= 2200:
                    raise ValueError("the year must be between 1900 and 2200")
                s = s.with_(start=day)
            elif key == "metric":
                if raw not in metrics:
                    raise ValueError(f"unknown metric (known: {', '.join(metrics)})")
                s = s.with_(metric=raw)
            elif key in lever_keys:
                s = s.with_(levers={**s.levers, key: raw})
            else:
                raise ValueError("no such setting in this scenario")
        except ValueError as exc:
            errors[key] = str(exc)
    _, lever_errors = bs.apply_levers(scenario, s.levers)
    for key, msg in lever_errors.items():
        errors[key] = msg
    kept = {k: v for k, v in s.levers.items() if k not in lever_errors}
    return s.with_(levers=kept), errors


def to_query(s: Settings, scenario: bs.Scenario) -> dict[str, str]:
    """The URL query of a view (only what differs from the defaults)."""
    out: dict[str, str] = {}
    pol = policy_string(s.policies, list(bs.policies(scenario)))
    if pol:
        out["policy"] = pol
    for key, value in s.levers.items():
        out[key] = f"{value:g}" if isinstance(value, float) else str(value)
    if s.replications != Settings.replications:
        out["replications"] = str(s.replications)
    if s.start is not None:
        out["start"] = s.start.isoformat()
    if s.days is not None:
        out["days"] = str(s.days)
    if s.metric != Settings.metric:
        out["metric"] = s.metric
    if s.seed != Settings.seed:
        out["seed"] = str(s.seed)
    return out

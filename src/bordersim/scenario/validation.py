"""Input validation to the number: the field types and physical bounds every scenario value must obey.

Pydantic's lax ``float`` reads ``true`` as 1.0 and accepts ``.nan`` and ``.inf``; a NaN equipment
multiplier then silently zeroes every interdiction and an infinite rate crashes the engine's Poisson
draw. So the schema uses the types here instead:

- :data:`Real` -- a finite float; booleans are refused (text such as ``1e3``, which YAML 1.1 reads as
  a string, still converts, so hand-written files keep working);
- :data:`Count` -- an integer, booleans refused;
- :data:`Day` -- a calendar date with its year in [:data:`MIN_YEAR`, :data:`MAX_YEAR`];
- :data:`Text` / :data:`Name` -- text without control characters (terminal escapes, bidi overrides);
  a name (ids, keys, titles) may not hold line breaks or tabs either.

:data:`QUANTITY_BOUNDS` gives each quantity's physical domain by field name, each with the reason for
its bound; :func:`quantity_problem` checks a quantity's whole range (value, low, high and its claims)
against it. :func:`policy_names` parses a policy combination ``a+b`` and refuses duplicates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

# --- scalar types --------------------------------------------------------------------------------

#: Years a scenario date may name. The sources describe 1992-2021; 1900-2200 leaves room for history
#: and projections while keeping ``start + days`` far from ``datetime.date``'s year-9999 overflow.
MIN_YEAR, MAX_YEAR = 1900, 2200

#: No scenario number may exceed this magnitude, whatever its field: 1e15 is above every physical
#: quantity the model uses (the largest, a programme cost in RUB, is ~1e11) and far below where
#: float64 sums of such numbers over days x replications lose all precision.
MAX_MAGNITUDE = 1e15

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidi overrides/isolates that
# can make a terminal show text other than what is stored ("Trojan source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029\x85]")


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(f"expected a number, got the boolean {str(v).lower()}")
    return v


def _finite_input(v: Any) -> Any:
    """Before any ge/le bound is compared (NaN compares false with all, so a bound's message would
    mislead): refuse booleans and non-finite numbers or number text."""
    _no_bool(v)
    x = v
    if isinstance(v, str):
        try:
            x = float(v)
        except ValueError:
            return v  # pydantic reports "not a valid number"
    if isinstance(x, float) and not math.isfinite(x):
        raise ValueError(f"must be a finite number, got {v}")
    return v


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError(f"must be a finite number, got {v}")
    if abs(v) > MAX_MAGNITUDE:
        raise ValueError(f"{v:g} is beyond any plausible value (|x| <= {MAX_MAGNITUDE:g})")
    return v


def require_finite(value: float, what: str) -> float:
    """``value`` if finite and within :data:`MAX_MAGNITUDE`, else ValueError naming ``what``."""
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"{what} {value:g} is beyond any plausible value")
    return value


def _year_in_range(v: dt.date) -> dt.date:
    if not MIN_YEAR <= v.year <= MAX_YEAR:
        raise ValueError(f"year {v.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return v


def check_text(v: str) -> str:
    """``v`` unchanged, or ValueError when it holds a control character (tab and newline allowed)."""
    m = _CONTROL.search(v)
    if m:
        raise ValueError(
            f"text holds the control character U+{ord(m.group()):04X} at position {m.start()}"
        )
    return v


def check_name(v: str) -> str:
    """A name or id: no control characters, no line breaks or tabs, not blank."""
    check_text(v)
    m = _LINE_BREAK.search(v)
    if m:
        raise ValueError(f"a name may not hold a line break or tab (U+{ord(m.group()):04X})")
    if not v.strip():
        raise ValueError("a name may not be empty")
    return v


Real = Annotated[float, BeforeValidator(_finite_input), AfterValidator(_finite)]
Count = Annotated[int, BeforeValidator(_no_bool)]
Day = Annotated[dt.date, AfterValidator(_year_in_range)]
Text = Annotated[str, AfterValidator(check_text)]
Name = Annotated[str, AfterValidator(check_name)]

# --- physical bounds of quantities ---------------------------------------------------------------

#: Longest border or distance a scenario may name, km: the longest land border on Earth (Canada-US)
#: is 8,891 km and Earth's circumference 40,075 km; 1e5 km leaves room while refusing typos of 1e9.
MAX_KM = 1e5
#: Most days a period or a delay may span (100 years, as Period.days).
MAX_DAYS = 36600.0

_FRACTION = (0.0, 1.0, "a fraction or probability")
_RATE = (
    0.0,
    1e6,
    "events or people per day: 1e6/day is ~20x the largest refugee flow ever recorded",
)
_STRENGTH = (0.0, 1e7, "people: 1e7 exceeds the largest army ever fielded")
_HOURS = (0.0, 1e5, "hours: 1e5 h is 11 years, far beyond any response or engagement time")
_DAYS = (0.0, MAX_DAYS, "days: no longer than the longest period (100 years)")
_SPEED = (0.0, 1e4, "km/h: 1e4 km/h is ~8x the speed of sound, above any aircraft in use")
_MULT = (0.0, 1e3, "a multiplier: beyond 1000x the model's closed forms are meaningless")
_KILL = (0.0, 1e3, "kills per capita per hour: 1e3/h is instantaneous annihilation")
_WEIGHT = (0.0, 1e6, "a relative weight: 1e6 between two options is already certainty")

#: field name -> (lowest, highest, why). A quantity whose field is not listed must be >= 0 and
#: <= :data:`MAX_MAGNITUDE`.
QUANTITY_BOUNDS: dict[str, tuple[float, float, str]] = {
    **dict.fromkeys(
        (
            "availability",
            "turn_back",
            "break_defender",
            "break_attacker",
            "local_fraction",
            "reserve_fraction",
            "air_fraction",
            "breach_detection_factor",
        ),
        _FRACTION,
    ),
    "rate_per_day": _RATE,
    "capacity_per_day": _RATE,
    "strength": _STRENGTH,
    "attackers": _STRENGTH,
    "total": _STRENGTH,
    "group_size": (0.0, 1e6, "people per group: a million moving as one group is a migration"),
    "team_size": (0.0, 1e4, "guards per patrol team: beyond 1e4 it is a division, not a team"),
    "lift_per_sortie": (0.0, 1e4, "people per sortie: the largest transport aircraft lift ~1e3"),
    "sorties_per_day": (0.0, 1e3, "sorties per day per unit: over 1e3 is one a minute"),
    "official_length_km": (0.0, MAX_KM, "km: see MAX_KM"),
    "post_spacing_km": (0.0, MAX_KM, "km: see MAX_KM"),
    "sweep_width_km": (0.0, MAX_KM, "km: see MAX_KM"),
    "patrol_speed_kmh": _SPEED,
    "road_speed_kmh": _SPEED,
    "air_speed_kmh": _SPEED,
    "readiness_hours": _HOURS,
    "base_delay_hours": _HOURS,
    "vanish_mean_hours": _HOURS,
    "time_limit_hours": _HOURS,
    "delay_days": _DAYS,
    "ramp_days": _DAYS,
    "breach_detection_days": _DAYS,
    "memory_days": _DAYS,
    "cost_years": (0.0, 1000.0, "years a programme serves: 1000 years is beyond any plan"),
    "road_tortuosity": (1.0, 100.0, "road / straight-line distance: >= 1 by definition"),
    "multiplier": (1.0, 1e3, "equipment multiplier: >= 1 by definition (aid raises detection)"),
    "factor": _MULT,
    "fortification": _MULT,
    "alpha": _KILL,
    "beta": _KILL,
    "rationality": (0.0, 1e3, "quantal lambda: beyond 1e3 it is a best response"),
    "learning_rate": (0.0, 1e3, "displacement learning rate per day"),
    "value": (0.0, 1e6, "adversary's value of a crossing, relative units"),
    "cost_per_person_day": (0.0, 1e9, "RUB per person-day: 1e9 RUB/day for one person is absurd"),
    "cost_rub": (0.0, MAX_MAGNITUDE, "RUB: see MAX_MAGNITUDE"),
    # terrain_weight / control_weight entries are keyed by class name
    **dict.fromkeys(
        ("plain", "foothill", "gorge", "high_mountain", "government", "taliban", "contested"),
        _WEIGHT,
    ),
}
#: Fields that must be strictly positive (they divide or set a time scale).
POSITIVE_FIELDS = frozenset(
    {"sweep_width_km", "vanish_mean_hours", "patrol_speed_kmh", "road_speed_kmh", "cost_years"}
)


def quantity_problem(field: str, value: float, lo: float, hi: float) -> str | None:
    """What is wrong with a quantity of ``field`` whose nominal is ``value`` and range [lo, hi]
    (the range already including its claims), or None."""
    low, high, why = QUANTITY_BOUNDS.get(field, (0.0, MAX_MAGNITUDE, "see MAX_MAGNITUDE"))
    name = field or "quantity"
    if low == 0.0 and high == 1.0:
        if not (lo >= 0.0 and hi <= 1.0):
            return f"{name} must lie in [0, 1], got {value:g} (range {lo:g}-{hi:g})"
        return None
    if field in POSITIVE_FIELDS and lo <= 0:
        return f"{name} must be > 0, got {lo:g}"
    if field == "multiplier" and lo < 1.0:
        return f"equipment multiplier must be >= 1, got {lo:g}"
    if lo < low:
        return f"{name} must be >= {low:g}, got {lo:g}"
    if hi > high:
        return f"{name} must be <= {high:g} ({why}), got {hi:g}"
    return None


# --- policy combinations -------------------------------------------------------------------------


class PolicyNameError(ValueError):
    """A policy combination that names an unknown policy or one policy twice."""


def policy_names(policy: str | None, known: Iterable[str], scenario_id: str) -> list[str]:
    """The policies of a combination ``a+b`` (none for None or ''), each known and each once.

    A policy given twice would apply its actions and charge its programme twice, so it is refused.
    """
    if not policy:
        return []
    known = set(known)
    names = [p.strip() for p in policy.split("+") if p.strip()]
    seen: set[str] = set()
    for n in names:
        if n not in known:
            raise PolicyNameError(
                f"unknown policy {n!r} for scenario {scenario_id} (known: {', '.join(sorted(known))})"
            )
        if n in seen:
            raise PolicyNameError(
                f"policy {n!r} appears twice in {policy!r}: give each policy once"
            )
        seen.add(n)
    return names

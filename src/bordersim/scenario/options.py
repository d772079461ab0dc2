"""Checks for numeric command-line options: finite values only, and years that stay in range.

Click reads ``nan`` and ``inf`` as floats, and typer's ``min``/``max`` compare false against NaN,
so ``engage --attackers nan`` and ``optimize --lambda inf`` reached the model and ended in
tracebacks. :func:`finite_option` is a typer callback that refuses them as a usage error (exit 2,
naming the option); give it with the option's ``min``/``max``:
``typer.Option(min=0, max=1e3, callback=finite_option)``.
"""

from __future__ import annotations

import datetime as dt

import typer

# bordersim.scenario.validation (pydantic) is imported inside the checks: this module is imported by
# the command line at start-up, which should not pay for pydantic.


def finite_option(
    value: float | list[float] | tuple[float, ...] | None,
) -> float | list[float] | tuple[float, ...] | None:
    """Typer callback: the option's value (or each of a repeated option's values) must be finite."""
    if value is None:
        return None
    from bordersim.scenario.validation import require_finite

    for v in value if isinstance(value, list | tuple) else (value,):
        try:
            require_finite(float(v), "the value")
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def bounded_date(text: str, option: str) -> dt.date:
    """An ISO date from an option, with its year in the scenario's range (ValueError otherwise)."""
    from bordersim.scenario.validation import MAX_YEAR, MIN_YEAR

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"{option} {text!r}: the year must lie in {MIN_YEAR}-{MAX_YEAR}")
    return day

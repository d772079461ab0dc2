"""One number formatter for the terminal tables and the HTML report.

Both show a figure with "enough digits to see a difference, no more", and the same mark, ``-``, for a
figure that is undefined (NaN or missing): a reader comparing the table with the page sees the same
text.
"""

from __future__ import annotations

import math

__all__ = ["MISSING", "fmt_count", "fmt_estimate", "fmt_number", "fmt_percent", "fmt_quantity"]

#: The mark shown for an undefined figure (no attempts, never happened), in tables and pages alike.
MISSING = "-"


def _undefined(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_number(v: float | None) -> str:
    """Enough digits to see a difference, no more: 9,540,000 / 32.8 / 3.01 / 0.072."""
    if _undefined(v):
        return MISSING
    assert v is not None
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:,.1f}"
    if a >= 1 or a == 0:
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_percent(v: float | None, digits: int = 1) -> str:
    """A share (0.125) as a percentage ("12.5%"); :data:`MISSING` when undefined."""
    if _undefined(v):
        return MISSING
    assert v is not None
    return f"{100 * float(v):.{digits}f}%"


def fmt_count(v: float | None) -> str:
    """A whole number of things (guards, replications): "8,000"; :data:`MISSING` when undefined."""
    if _undefined(v):
        return MISSING
    assert v is not None
    return f"{round(float(v)):,}"


def fmt_quantity(v: float | None) -> str:
    """A scenario quantity as written: "8,000" not "8,000.0", "0.125" not "0.13"."""
    if _undefined(v):
        return MISSING
    assert v is not None
    x = float(v)
    if x.is_integer():
        return f"{int(x):,}"
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.1f}"


def fmt_estimate(m: float | None, lo: float, hi: float, pct: bool = False) -> str:
    """A mean with its 95% CI, as the tables print it (:data:`MISSING` when undefined)."""
    if _undefined(m):
        return MISSING
    assert m is not None
    if pct:
        return f"{100 * m:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"
    return f"{fmt_number(m)} [{fmt_number(lo)}, {fmt_number(hi)}]"

"""Scenario sections that stand alone: the armed-incursion model's parameters and the escalation
lever (when Tajikistan asks for help). Re-exported by :mod:`bordersim.scenario.schema`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bordersim.scenario.evidence import Frozen, Quantity
from bordersim.scenario.validation import MAX_DAYS, Count, Day

__all__ = ["Escalation", "Incursions"]


class Incursions(Frozen):
    """Parameters of the armed-incursion model (DESIGN "Armed incursions"). Every field is optional:
    a scenario that gives none gets the engine's assumed placeholders (listed in
    :data:`bordersim.model.compile.INCURSION_DEFAULTS`), so older scenario files stay valid.

    Kill rates are per capita per hour (Lanchester's square law); fractions lie in [0, 1].
    """

    post_spacing_km: Quantity | None = Field(
        default=None,
        description="km of border per outpost: garrison = guards_s * spacing / length_s",
    )
    fortification: Quantity | None = Field(
        default=None, description="multiplier on the defenders' kill rate at a fortified post"
    )
    alpha: Quantity | None = Field(
        default=None, description="attackers' kill rate: defenders per attacker per hour"
    )
    beta: Quantity | None = Field(
        default=None, description="defenders' kill rate: attackers per defender per hour"
    )
    break_defender: Quantity | None = Field(
        default=None, description="defenders break at this fraction of their committed strength"
    )
    break_attacker: Quantity | None = Field(
        default=None, description="attackers break at this fraction of their initial strength"
    )
    time_limit_hours: Quantity | None = Field(
        default=None, description="an attack not decided by then is undecided (withdrawal)"
    )
    local_fraction: Quantity | None = Field(
        default=None, description="share of a neighbouring post's garrison sent to help"
    )
    reserve_fraction: Quantity | None = Field(
        default=None, description="share of a ground reserve unit's on-duty strength committed"
    )
    air_fraction: Quantity | None = Field(
        default=None, description="share of an air-mobile unit's on-duty strength flown in"
    )
    breach_detection_factor: Quantity | None = Field(
        default=None, description="p_detect multiplier in a sector after a breach"
    )
    breach_detection_days: Quantity | None = Field(
        default=None, description="days the lowered detection lasts (the breach day included)"
    )


class Escalation(Frozen):
    """When Tajikistan asks for help (policy lever)."""

    mode: Literal["never", "threshold", "date"] = "never"
    window_days: Count = Field(default=7, ge=1, le=int(MAX_DAYS))
    threshold: Count = Field(default=3, ge=1, le=10**6)
    date: Day | None = None

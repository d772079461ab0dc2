"""The compiled form of a scenario: :class:`Compiled` (static labels and arrays) and its :class:`Phase`
tuple (the arrays in force from each phase's first day), plus the typed incursion parameters.

These containers are what the compiler (:mod:`bordersim.model.compiler`) produces and what the engine
and the planner read; they hold no logic beyond indexing. Integer codes in them are the enums of
:mod:`bordersim.model.codes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bordersim.model.seizures import CovertYield
from bordersim.scenario.evidence import Quantity
from bordersim.scenario.schema import Incursions

__all__ = [
    "DEFAULT_TEAM_SIZE",
    "CompileError",
    "Compiled",
    "IncursionParams",
    "Phase",
    "nominal",
]

#: Guards per patrol team when a unit gives no ``team_size`` (an assumption of the model).
DEFAULT_TEAM_SIZE = 6.0


class CompileError(ValueError):
    """A scenario/policy/override combination that cannot be compiled (e.g. unknown policy)."""


def nominal(q: Quantity | None, default: float = 0.0) -> float:
    """A quantity's nominal value, or ``default`` where the scenario leaves the quantity out."""
    return default if q is None else float(q.value)


@dataclass(frozen=True)
class IncursionParams:
    """Nominal parameters of the armed-incursion model (see :mod:`bordersim.engine.incursions`).

    The defaults are assumed placeholders for a scenario with no ``incursions`` section (the
    built-ins declare their own, with ledger entries). Kill rates per capita per hour: with a 3x
    fortified post, 48 defenders against 225 attackers lose about 2 men an hour and break after some
    14 hours, the order of the 13 July 1993 fight at the 12th outpost (25 killed, timeline)."""

    post_spacing_km: float = 10.0  # km of border per outpost
    fortification: float = 3.0  # multiplier on the defenders' kill rate at a fortified post
    alpha: float = 0.01  # defenders killed per attacker per hour
    beta: float = 0.05  # attackers killed per defender per hour (before fortification)
    break_defender: float = 0.3  # defenders break at this fraction of their strength
    break_attacker: float = 0.5  # attackers break at this fraction of their strength
    time_limit_hours: float = 24.0  # an engagement undecided by then ends
    local_fraction: float = 0.5  # share of a neighbouring post's garrison that comes to help
    reserve_fraction: float = 0.1  # share of a ground reserve's on-duty strength committed
    air_fraction: float = 1.0  # share of an air-mobile unit's on-duty strength flown in
    breach_detection_factor: float = 0.5  # p_detect multiplier in a sector after a breach
    breach_detection_days: float = 7.0  # days the lowered detection lasts

    @classmethod
    def of(cls, incursions: Incursions) -> IncursionParams:
        """The scenario's nominal values, the defaults where it gives none.

        Raises:
            CompileError: ``post_spacing_km`` is not > 0."""
        given: dict[str, float] = {}
        for f in fields(cls):
            q = getattr(incursions, f.name)
            if q is not None:
                given[f.name] = float(q.value)
        params = cls(**given)
        if params.post_spacing_km <= 0:
            raise CompileError("incursions.post_spacing_km must be > 0")
        return params


@dataclass(frozen=True)
class Phase:
    """Everything the engine needs, constant from ``start_day`` until the next phase.

    Unit arrays (U,) follow ``Compiled.unit_ids``; covert-actor arrays (Ac,) ``Compiled.covert_ids``."""

    start_day: int
    control: NDArray[np.int8]  # (S,) index into CONTROLS
    guards: NDArray[np.float64]  # (S,) on-duty guards
    equipment: NDArray[np.float64]  # (S,)
    p_detect: NDArray[np.float64]  # (S,)
    response_hours: NDArray[np.float64]  # (S,)
    p_interdict: NDArray[np.float64]  # (S,)
    outcome_p: NDArray[np.float64]  # (S, Ac, 4) indexed by Outcome
    covert_rate: NDArray[np.float64]  # (Ac,) attempts/day
    choice_code: NDArray[np.int8]  # (Ac,) ChoiceMode
    choice_q: NDArray[np.float64]  # (Ac, S) initial / static choice
    choice_values: NDArray[np.float64]  # (Ac, S) adversary value of each sector
    learning_rate: NDArray[np.float64]  # (Ac,) adaptive displacement eta
    fleeing_rate: NDArray[np.float64]  # (Af, P) people/day per reception crossing
    armed_rate: NDArray[np.float64]  # (Aa, S) events/day (simulated from the incursion model on)
    unit_active: NDArray[np.float64]  # (U,) fraction of the unit acting (0..1)
    unit_posture: tuple[str, ...]  # (U,)
    unit_strength: NDArray[np.float64]  # (U,) persons (before availability and activation)
    unit_base: tuple[str, ...]  # (U,) base id
    personnel: NDArray[np.float64]  # (3,) persons deployed per day, indexed by Side
    cost_rub_per_day: float
    # --- for per-replication state in the engine (incursions, escalation by threshold) ---
    unit_window: NDArray[np.float64]  # (U,) 0/1: inside the unit's active_from/active_until
    unit_guards: NDArray[np.float64]  # (U, S) on-duty guards at full activation
    unit_teams: NDArray[np.float64]  # (U, S) patrol teams at full activation
    reserve_hours: NDArray[np.float64]  # (S,) fastest active reserve's response (inf: none)
    reinf_hours: NDArray[np.float64]  # (J, S) reinforcement slot arrival hours
    reinf_size: NDArray[np.float64]  # (J, S) reinforcement slot sizes at full activation


@dataclass(frozen=True)
class Compiled:
    """A scenario as arrays: static labels plus the phases of the period."""

    scenario_id: str
    policy: str
    start: dt.date
    days: int
    sector_ids: tuple[str, ...]
    sector_names: tuple[str, ...]
    sector_groups: tuple[str, ...]
    sector_terrain: NDArray[np.int8]  # index into TERRAINS
    length_km: NDArray[np.float64]  # (S,)
    covert_ids: tuple[str, ...]
    covert_names: tuple[str, ...]
    fleeing_ids: tuple[str, ...]
    armed_ids: tuple[str, ...]
    crossing_ids: tuple[str, ...]
    crossing_names: tuple[str, ...]
    crossing_capacity: NDArray[np.float64]  # (P,)
    unit_ids: tuple[str, ...]
    unit_sides: tuple[str, ...]  # (U,) TJ, RU or CSTO: which conditional lever a unit belongs to
    unit_availability: NDArray[np.float64]  # (U,) on-duty fraction
    unit_team_size: NDArray[np.float64]  # (U,) guards per patrol team
    unit_base_posture: tuple[str, ...]  # (U,) after the base policies, before any dated event
    phases: tuple[Phase, ...]
    batches: tuple[tuple[int, int, NDArray[np.int64]], ...]  # (day, fleeing actor, arrivals (P,))
    memory_days: NDArray[np.float64]  # (Ac,)
    request_day: float  # day Tajikistan asks for help (inf: never / decided by the engine)
    escalation: dict[str, Any]
    aid_cost_rub_per_day: float  # programmes (e.g. aid) spread over their service life
    # --- armed incursions (see bordersim.engine.incursions) ---
    incursion: IncursionParams
    armed_attackers: NDArray[np.float64]
    """(Aa, 4): low, mode (the nominal value), high, distribution code (AttackerDist)."""
    posts: NDArray[np.float64]  # (S,) outposts
    local_hours: NDArray[np.float64]  # (S,)
    reinf_unit: NDArray[np.int64]
    """(J,) unit index of each reinforcement slot (air-mobile units have one slot per wave)."""
    unit_activation: NDArray[np.int8]  # (U,) ActivationMode
    unit_delay_days: NDArray[np.float64]  # (U,)
    unit_ramp_days: NDArray[np.float64]  # (U,)
    turn_back: NDArray[np.float64]  # (Ac,) phi
    sector_sweep: NDArray[np.float64]  # (S,) sweep width, km
    sector_vanish: NDArray[np.float64]  # (S,) mean vanishing time, hours
    sector_speed: NDArray[np.float64]  # (S,) patrol speed, km/h
    sector_r0: NDArray[np.float64]  # (S,) base delay of a local response, hours
    covert_yield: CovertYield  # (Ac,) kg seized per interdiction, P(resist), deaths per clash

    @property
    def n_sectors(self) -> int:
        return len(self.sector_ids)

    def phase_index(self) -> NDArray[np.int64]:
        """(days,) index of the phase in force on each day."""
        starts = np.array([p.start_day for p in self.phases])
        return np.searchsorted(starts, np.arange(self.days), side="right") - 1

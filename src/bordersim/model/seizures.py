"""What interdictions yield in the units border agencies report: kg seized, armed clashes, deaths,
and the share of the border that saw conflict -- the formulas once, for the engine, the planner and
calibration.

Per covert actor a (all optional in the scenario; an actor without them seizes and clashes nothing):

- seized mass = interdicted groups x ``seizure_kg`` (the actor's mean kg per interdicted group). The
  mass is the expected mass given the interdictions: the per-group spread is not modelled, so the
  mass seized varies between replications only through the number of groups interdicted;
- armed clashes: each interdicted group resists with probability ``resist_probability``, so clashes
  ~ Binomial(interdicted, r) per replication and sector (the engine draws them from their own stream);
- people killed = clashes x ``clash_deaths`` (mean deaths per clash, both sides);
- conflict share: the fraction of the border's sectors that saw at least one clash or armed
  incursion in the period, per replication.

:func:`expected_outcomes` is the closed form of the mean outcome counts over a period from the
compiled phases (rate x sector choice x outcome probabilities, summed over days): exact for fixed,
best-response and quantal choice without breaches or per-replication escalation, which is what the
calibration's likelihood uses and the engine's simulations then check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordersim.scenario.evidence import Quantity
from bordersim.scenario.schema import Actor

__all__ = [
    "CovertYield",
    "clash_deaths",
    "conflict_share",
    "expected_clashes",
    "expected_outcomes",
    "seized_kg",
]

FloatArray = NDArray[np.float64]


def _value(q: Quantity | None) -> float:
    return 0.0 if q is None else float(q.value)


@dataclass(frozen=True)
class CovertYield:
    """Per covert actor (Ac,): kg per interdicted group, P(resist), deaths per clash, and which
    actors the scenario gives a seizure or a clash model (the others report neither)."""

    kg_per_group: FloatArray
    resist: FloatArray
    deaths_per_clash: FloatArray
    has_seizure: NDArray[np.bool_]
    has_clash: NDArray[np.bool_]

    @classmethod
    def of(cls, actors: tuple[Actor, ...]) -> CovertYield:
        """The nominal values of the covert ``actors`` (0 where a field is absent)."""
        return cls(
            kg_per_group=np.array([_value(a.seizure_kg) for a in actors], dtype=float),
            resist=np.array([_value(a.resist_probability) for a in actors], dtype=float),
            deaths_per_clash=np.array([_value(a.clash_deaths) for a in actors], dtype=float),
            has_seizure=np.array([a.seizure_kg is not None for a in actors], dtype=bool),
            has_clash=np.array([a.resist_probability is not None for a in actors], dtype=bool),
        )


def seized_kg(interdicted: ArrayLike, kg_per_group: ArrayLike) -> FloatArray:
    """kg seized: interdicted groups x mean kg per group (broadcast; the actor on the last axis)."""
    return np.asarray(np.asarray(interdicted, dtype=float) * np.asarray(kg_per_group, dtype=float))


def expected_clashes(interdicted: ArrayLike, resist: ArrayLike) -> FloatArray:
    """Mean armed clashes given the interdictions: interdicted x P(resist)."""
    return np.asarray(np.asarray(interdicted, dtype=float) * np.asarray(resist, dtype=float))


def clash_deaths(clashes: ArrayLike, deaths_per_clash: ArrayLike) -> FloatArray:
    """People killed in clashes: clashes x mean deaths per clash."""
    return np.asarray(np.asarray(clashes, dtype=float) * np.asarray(deaths_per_clash, dtype=float))


def conflict_share(events: ArrayLike) -> FloatArray:
    """Per replication, the share of sectors with at least one event: ``events`` is (R, S) counts
    of clashes plus incursions (any non-negative counts)."""
    e = np.asarray(events)
    return np.asarray((e > 0).mean(axis=-1), dtype=float)


def expected_outcomes(
    covert_rate: FloatArray, choice_q: FloatArray, outcome_p: FloatArray, days: ArrayLike
) -> FloatArray:
    """(S, Ac, 4) expected outcome counts over a period from its phases: phases stacked on the first
    axis -- rates (P, Ac), choice (P, Ac, S), outcome probabilities (P, S, Ac, 4) -- and the days
    each phase is in force (P,)."""
    d = np.asarray(days, dtype=float)
    per_day = covert_rate[:, None, :, None] * np.moveaxis(choice_q, 1, 2)[..., None] * outcome_p
    return np.asarray(np.tensordot(d, per_day, axes=(0, 0)), dtype=float)

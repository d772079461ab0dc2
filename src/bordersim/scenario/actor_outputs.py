"""The fields that let a covert actor's interdictions speak the units agencies report: kg seized per
interdicted group, the probability an interdicted group resists (an armed clash) and the people
killed per clash. All optional: an actor without them seizes and clashes nothing.

They came after v0.1, so an actor's dump leaves them out while unset: a scenario that does not use
them keeps its content hash, and every stored run its provenance. :class:`Actor` inherits them.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field, model_serializer, model_validator

from bordersim.scenario.consistency import ScenarioConsistencyError
from bordersim.scenario.evidence import Frozen, Quantity

__all__ = ["LATER_ACTOR_FIELDS", "InterdictionOutputs"]

#: The fields below, omitted from a dump while unset.
LATER_ACTOR_FIELDS = ("seizure_kg", "resist_probability", "clash_deaths")
#: Upper bound of each (None: none).
_TOP = {"seizure_kg": None, "resist_probability": 1.0, "clash_deaths": None}


class InterdictionOutputs(Frozen):
    """Seizure and clash fields of a covert actor (see the module docstring)."""

    seizure_kg: Quantity | None = Field(
        default=None, description="covert: mean kg of drugs seized per interdicted group"
    )
    resist_probability: Quantity | None = Field(
        default=None, description="covert: P(an interdicted group resists: an armed clash)"
    )
    clash_deaths: Quantity | None = Field(
        default=None, description="covert: people killed per armed clash (both sides)"
    )

    @model_serializer(mode="wrap")
    def _dump(
        self, handler: Callable[[InterdictionOutputs], dict[str, object]]
    ) -> dict[str, object]:
        out = handler(self)
        for name in LATER_ACTOR_FIELDS:
            if out.get(name) is None:
                out.pop(name, None)
        return out

    @model_validator(mode="after")
    def _domain(self) -> InterdictionOutputs:
        """Covert actors only; kg and deaths >= 0, a probability in [0, 1] (value and range)."""
        for name, top in _TOP.items():
            q = getattr(self, name)
            if q is None:
                continue
            if getattr(self, "kind", "covert") != "covert":
                raise ScenarioConsistencyError([((name,), f"`{name}` is for covert actors only")])
            for part in (q.value, q.low, q.high):
                if part is not None and (part < 0 or (top is not None and part > top)):
                    bound = "in [0, 1]" if top is not None else ">= 0"
                    raise ScenarioConsistencyError([((name,), f"`{name}` must be {bound}")])
        return self

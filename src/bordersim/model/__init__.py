"""The physics as pure functions, and compile() from a scenario to the arrays the engine runs.

Every function here is vectorised (NumPy broadcasting) and free of randomness except where it takes an
explicit ``rng``. The engine and the planner call the same functions, so a plan's predicted value and
its simulated value are the same quantity.

- physics: :mod:`.detection`, :mod:`.interdiction`, :mod:`.outcomes`, :mod:`.choice`,
  :mod:`.activation`, :mod:`.engagement`
- compile: :mod:`.timeline` (the timeline replayed once), :mod:`.phases` (one phase's arrays),
  :mod:`.reinforcement` (reserve logistics), :mod:`.overrides`, :mod:`.compiler`; the containers
  in :mod:`.compiled` and their integer codes in :mod:`.codes`

Names are imported on first use, so that importing one small module (``bordersim.model.outcomes``)
stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports are lazy (importing compile loads the scenario layer)
    from bordersim.model.activation import (
        air_lift_arrivals,
        csto_strength_fraction,
        escalation_request_day,
        on_request_active,
        reserve_response_hours,
        road_distance_km,
    )
    from bordersim.model.choice import (
        best_response,
        displace,
        expected_values,
        fixed_choice,
        quantal_response,
    )
    from bordersim.model.codes import ActivationMode, AttackerDist, ChoiceMode, Side
    from bordersim.model.compiled import Compiled, CompileError, IncursionParams, Phase
    from bordersim.model.compiler import compile_scenario
    from bordersim.model.detection import (
        detection_probability,
        guards_for_detection,
        search_density,
    )
    from bordersim.model.engagement import (
        EngagementOutcome,
        EngagementResult,
        OutcomeProbabilities,
        resolve_engagements,
    )
    from bordersim.model.interdiction import (
        interdiction_probability,
        patrol_teams,
        response_time_hours,
    )
    from bordersim.model.lanchester import square_law_invariant
    from bordersim.model.outcomes import (
        OUTCOMES,
        Outcome,
        observed_interdiction_rate,
        outcome_probabilities,
        success_probability,
        true_interdiction_rate,
    )
    from bordersim.model.overrides import quantity_names, with_overrides
    from bordersim.model.reinforcement import fastest_reserve_hours
    from bordersim.model.timeline import Timeline, TimelineState, replay_timeline

__all__ = [
    "OUTCOMES",
    "ActivationMode",
    "AttackerDist",
    "ChoiceMode",
    "CompileError",
    "Compiled",
    "EngagementOutcome",
    "EngagementResult",
    "IncursionParams",
    "Outcome",
    "OutcomeProbabilities",
    "Phase",
    "Side",
    "Timeline",
    "TimelineState",
    "air_lift_arrivals",
    "best_response",
    "compile_scenario",
    "csto_strength_fraction",
    "detection_probability",
    "displace",
    "escalation_request_day",
    "expected_values",
    "fastest_reserve_hours",
    "fixed_choice",
    "guards_for_detection",
    "interdiction_probability",
    "observed_interdiction_rate",
    "on_request_active",
    "outcome_probabilities",
    "patrol_teams",
    "quantal_response",
    "quantity_names",
    "replay_timeline",
    "reserve_response_hours",
    "resolve_engagements",
    "response_time_hours",
    "road_distance_km",
    "search_density",
    "square_law_invariant",
    "success_probability",
    "true_interdiction_rate",
    "with_overrides",
]

_MODULE_OF = {  # name -> the submodule that defines it
    "air_lift_arrivals": "activation",
    "csto_strength_fraction": "activation",
    "escalation_request_day": "activation",
    "on_request_active": "activation",
    "reserve_response_hours": "activation",
    "road_distance_km": "activation",
    "best_response": "choice",
    "displace": "choice",
    "expected_values": "choice",
    "fixed_choice": "choice",
    "quantal_response": "choice",
    "ActivationMode": "codes",
    "AttackerDist": "codes",
    "ChoiceMode": "codes",
    "Side": "codes",
    "Compiled": "compiled",
    "CompileError": "compiled",
    "IncursionParams": "compiled",
    "Phase": "compiled",
    "compile_scenario": "compiler",
    "detection_probability": "detection",
    "guards_for_detection": "detection",
    "search_density": "detection",
    "EngagementOutcome": "engagement",
    "EngagementResult": "engagement",
    "OutcomeProbabilities": "engagement",
    "resolve_engagements": "engagement",
    "square_law_invariant": "lanchester",
    "interdiction_probability": "interdiction",
    "patrol_teams": "interdiction",
    "response_time_hours": "interdiction",
    "OUTCOMES": "outcomes",
    "Outcome": "outcomes",
    "observed_interdiction_rate": "outcomes",
    "outcome_probabilities": "outcomes",
    "success_probability": "outcomes",
    "true_interdiction_rate": "outcomes",
    "quantity_names": "overrides",
    "with_overrides": "overrides",
    "fastest_reserve_hours": "reinforcement",
    "Timeline": "timeline",
    "TimelineState": "timeline",
    "replay_timeline": "timeline",
}


def __getattr__(name: str) -> Any:
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f"bordersim.model.{_MODULE_OF[name]}"), name)
    raise AttributeError(f"module 'bordersim.model' has no attribute {name!r}")

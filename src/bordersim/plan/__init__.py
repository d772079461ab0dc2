"""The planner: security-game and allocation solvers, and the bridge from a compiled scenario to them.

- allocation against an adversary: :mod:`.water_filling` (best responder, exact), :mod:`.integer`
  (whole teams, MILP on HiGHS), :mod:`.stackelberg` (ORIGAMI and multiple LPs) on a
  :mod:`.security_game` read from a :mod:`.game_file`, :mod:`.quantal`
  (quantal-response attacker), :mod:`.siting` (p-median / p-center reserve siting)
- for a scenario: :mod:`.scenario_inputs` (the planner's view of one compiled phase),
  :mod:`.scenario_plan` (recommended allocation, and the plan as a policy), :mod:`.scenario_siting`
- armed incursions and robustness: :mod:`.breach` (each outpost's breach probability from the
  engagement model), :mod:`.armed_plan` (covert + breaches, MILP over guard levels, the minimum per
  sector), :mod:`.robust_plan` (worst case / quantile over draws, and the price of robustness)

The plan layer uses the model's functions, never the engine. Names are imported on first use: the
solvers pull in SciPy/HiGHS, which is slow to import and not needed by every command.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports are lazy (SciPy is slow to import)
    from bordersim.plan.armed_plan import MixedPlan, Terms, default_min_guards, solve_mixed
    from bordersim.plan.breach import BreachModel, breach_model
    from bordersim.plan.game_file import GameFileError, game_to_dict, load_game, parse_game
    from bordersim.plan.integer import IntegerPlan, integer_teams, solve_value_table
    from bordersim.plan.quantal import QuantalSolution, quantal_defender_utility, solve_quantal
    from bordersim.plan.robust_plan import RobustPlan, solve_robust
    from bordersim.plan.scenario_inputs import BorderUnit, PlanInputs, default_date, plan_inputs
    from bordersim.plan.scenario_plan import ScenarioPlan, plan_as_policy, plan_scenario
    from bordersim.plan.scenario_siting import (
        SitingProblem,
        SitingReport,
        plan_sites,
        siting_problem,
    )
    from bordersim.plan.security_game import SecurityGame
    from bordersim.plan.siting import SitingPlan, site_reserves, travel_times
    from bordersim.plan.stackelberg import StackelbergSolution, solve_multiple_lps, solve_origami
    from bordersim.plan.water_filling import PatrolInterdiction, WaterFillingPlan, water_fill

__all__ = [
    "BorderUnit",
    "BreachModel",
    "GameFileError",
    "IntegerPlan",
    "MixedPlan",
    "PatrolInterdiction",
    "PlanInputs",
    "QuantalSolution",
    "RobustPlan",
    "ScenarioPlan",
    "SecurityGame",
    "SitingPlan",
    "SitingProblem",
    "SitingReport",
    "StackelbergSolution",
    "Terms",
    "WaterFillingPlan",
    "breach_model",
    "default_date",
    "default_min_guards",
    "game_to_dict",
    "integer_teams",
    "load_game",
    "parse_game",
    "plan_as_policy",
    "plan_inputs",
    "plan_scenario",
    "plan_sites",
    "quantal_defender_utility",
    "site_reserves",
    "siting_problem",
    "solve_mixed",
    "solve_multiple_lps",
    "solve_origami",
    "solve_quantal",
    "solve_robust",
    "solve_value_table",
    "travel_times",
    "water_fill",
]

_MODULE_OF = {  # name -> the submodule that defines it
    "BreachModel": "breach",
    "breach_model": "breach",
    "MixedPlan": "armed_plan",
    "Terms": "armed_plan",
    "default_min_guards": "armed_plan",
    "solve_mixed": "armed_plan",
    "RobustPlan": "robust_plan",
    "solve_robust": "robust_plan",
    "IntegerPlan": "integer",
    "integer_teams": "integer",
    "solve_value_table": "integer",
    "QuantalSolution": "quantal",
    "quantal_defender_utility": "quantal",
    "solve_quantal": "quantal",
    "BorderUnit": "scenario_inputs",
    "PlanInputs": "scenario_inputs",
    "default_date": "scenario_inputs",
    "plan_inputs": "scenario_inputs",
    "ScenarioPlan": "scenario_plan",
    "plan_as_policy": "scenario_plan",
    "plan_scenario": "scenario_plan",
    "SitingProblem": "scenario_siting",
    "SitingReport": "scenario_siting",
    "plan_sites": "scenario_siting",
    "siting_problem": "scenario_siting",
    "SitingPlan": "siting",
    "site_reserves": "siting",
    "travel_times": "siting",
    "GameFileError": "game_file",
    "SecurityGame": "security_game",
    "StackelbergSolution": "stackelberg",
    "game_to_dict": "game_file",
    "load_game": "game_file",
    "parse_game": "game_file",
    "solve_multiple_lps": "stackelberg",
    "solve_origami": "stackelberg",
    "PatrolInterdiction": "water_filling",
    "WaterFillingPlan": "water_filling",
    "water_fill": "water_filling",
}


def __getattr__(name: str) -> Any:
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f"bordersim.plan.{_MODULE_OF[name]}"), name)
    raise AttributeError(f"module 'bordersim.plan' has no attribute {name!r}")

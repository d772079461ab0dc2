"""The compiler's public names in one place, kept so ``from bordersim.model.compile import ...`` works.

The compiler itself lives in focused modules: the containers in :mod:`bordersim.model.compiled`, the
timeline replay in :mod:`bordersim.model.timeline`, one phase's arrays in :mod:`bordersim.model.phases`,
reinforcement logistics in :mod:`bordersim.model.reinforcement`, factor overrides in
:mod:`bordersim.model.overrides` and :func:`compile_scenario` in :mod:`bordersim.model.compiler`.
"""

from __future__ import annotations

from bordersim.model.compiled import Compiled, CompileError, IncursionParams, Phase
from bordersim.model.compiler import compile_scenario
from bordersim.model.overrides import quantity_names, with_overrides
from bordersim.model.reinforcement import fastest_reserve_hours

__all__ = [
    "CompileError",
    "Compiled",
    "IncursionParams",
    "Phase",
    "compile_scenario",
    "fastest_reserve_hours",
    "quantity_names",
    "with_overrides",
]

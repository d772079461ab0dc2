"""bordersim.api layer: the public Python face, re-exported by ``import bordersim``.

A notebook needs only these names::

    import bordersim as bs
    sc = bs.load("tajik-afghan-2021")                 # or a path to a YAML file
    sc2 = sc.with_overrides({"actors.drug_traffickers.rate_per_day": 15})
    res = bs.run(sc2, policy="russian-guards-return", replications=500, seed=1)
    res.summary()        # the same dict `bordersim run --json` prints
    cmp = bs.compare(sc, ["tajik-only", "russian-guards-return"], replications=500, seed=1)
    bs.policies(sc)      # names and one-line descriptions

The command line is a thin layer over these functions. Every argument after the scenario (and,
for ``compare``, the policies) is keyword-only.

Each name is imported from its module on first use: the modules need NumPy, pydantic and the
scenario schema (about 0.4 s), which ``bordersim --help`` and ``import bordersim`` should not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bordersim.api.calibration import calibrate
    from bordersim.api.lever_set import Lever, apply_levers, levers
    from bordersim.api.plans import EngageResult, PlanResult, engage, optimize
    from bordersim.api.robustness import RobustError, RobustStudy, robust
    from bordersim.api.runs import Comparison, RunResult, compare, run
    from bordersim.api.scenarios import (
        OverrideError,
        PolicyFileError,
        Scenario,
        load,
        policies,
    )
    from bordersim.model.compile import CompileError
    from bordersim.scenario.loading import ScenarioError

#: Public name -> the module that defines it.
_HOME = {
    "CompileError": "bordersim.model.compile",
    "Comparison": "bordersim.api.runs",
    "EngageResult": "bordersim.api.plans",
    "Lever": "bordersim.api.lever_set",
    "apply_levers": "bordersim.api.lever_set",
    "calibrate": "bordersim.api.calibration",
    "levers": "bordersim.api.lever_set",
    "OverrideError": "bordersim.api.scenarios",
    "PlanResult": "bordersim.api.plans",
    "PolicyFileError": "bordersim.api.scenarios",
    "RobustError": "bordersim.api.robustness",
    "RobustStudy": "bordersim.api.robustness",
    "RunResult": "bordersim.api.runs",
    "Scenario": "bordersim.api.scenarios",
    "ScenarioError": "bordersim.scenario.loading",
    "compare": "bordersim.api.runs",
    "engage": "bordersim.api.plans",
    "load": "bordersim.api.scenarios",
    "optimize": "bordersim.api.plans",
    "policies": "bordersim.api.scenarios",
    "robust": "bordersim.api.robustness",
    "run": "bordersim.api.runs",
}

__all__ = [
    "Comparison",
    "CompileError",
    "EngageResult",
    "Lever",
    "OverrideError",
    "PlanResult",
    "PolicyFileError",
    "RobustError",
    "RobustStudy",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "apply_levers",
    "calibrate",
    "compare",
    "engage",
    "levers",
    "load",
    "optimize",
    "policies",
    "robust",
    "run",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'bordersim.api' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

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
"""

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
    "compare",
    "engage",
    "levers",
    "load",
    "optimize",
    "policies",
    "robust",
    "run",
]

"""bordersim: simulate, compare and plan the security of a long land border.

The public Python API (:mod:`bordersim.api`) is re-exported here::

    import bordersim as bs
    sc = bs.load("tajik-afghan-2021")
    res = bs.run(sc, policy="russian-guards-return", replications=500, seed=1)
    res.summary()

The names are resolved on first use, so that ``import bordersim`` (and the command line's start-up,
which imports this package) does not pay for NumPy, pydantic and the scenario schema up front.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("bordersim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from bordersim.api import (
        Comparison,
        CompileError,
        EngageResult,
        Lever,
        OverrideError,
        PlanResult,
        PolicyFileError,
        RobustError,
        RobustStudy,
        RunResult,
        Scenario,
        ScenarioError,
        apply_levers,
        compare,
        engage,
        levers,
        load,
        optimize,
        policies,
        robust,
        run,
    )

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
    "__version__",
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


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bordersim import api  # lazy: the API imports NumPy and pydantic (see the docstring)

        return getattr(api, name)
    raise AttributeError(f"module 'bordersim' has no attribute {name!r}")

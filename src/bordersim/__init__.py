"""bordersim: simulate, compare and plan the security of a long land border.

The public Python API (:mod:`bordersim.api`) is re-exported here::

    import bordersim as bs
    sc = bs.load("tajik-afghan-2021")
    res = bs.run(sc, policy="russian-guards-return", replications=500, seed=1)
    res.summary()

The names (and ``__version__``, read from the installed package's metadata) are resolved on first
use, so that ``import bordersim`` and the command line's start-up do not pay for NumPy, pydantic
and the scenario schema up front.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bordersim import api

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
        calibrate,
        compare,
        engage,
        levers,
        load,
        optimize,
        policies,
        robust,
        run,
    )

    __version__: str

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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # ~40 ms: only when asked

    try:
        return version("bordersim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in api.__all__:
        value = getattr(api, name)
    else:
        raise AttributeError(f"module 'bordersim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

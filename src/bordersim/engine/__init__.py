"""The vectorised Monte Carlo kernel: ``simulate(compiled, replications, seed) -> Results``.

The package loads its modules on first use (PEP 562 ``__getattr__``), so that ``import
bordersim.engine.rundir`` (every writer needs it) pulls in neither the kernel nor xarray. The kernel
lives in :mod:`bordersim.engine.kernel`, not in a submodule named ``simulate``: importing such a
submodule would bind the package attribute ``simulate`` to the module and shadow the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bordersim.engine.kernel import simulate
    from bordersim.engine.results import Results

__all__ = ["Results", "simulate"]


def __getattr__(name: str) -> Any:
    if name == "simulate":
        from bordersim.engine.kernel import simulate  # lazy: see the module docstring

        return simulate
    if name == "Results":
        from bordersim.engine.results import Results  # lazy: see the module docstring

        return Results
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The vectorised Monte Carlo kernel: ``simulate(compiled, replications, seed) -> Results``."""

from bordersim.engine.results import Results
from bordersim.engine.simulate import simulate

__all__ = ["Results", "simulate"]

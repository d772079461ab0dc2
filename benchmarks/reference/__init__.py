"""Reference implementations of bordersim's model, independent of the engine, for cross-checks."""

from benchmarks.reference.simpy_model import ReferenceModel, ReferenceResults, simulate_reference

__all__ = ["ReferenceModel", "ReferenceResults", "simulate_reference"]

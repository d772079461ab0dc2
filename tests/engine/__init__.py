"""Tests of bordersim.engine: the simulation, crossings, incursions, memory estimates, the run folder; one test file per module (the map: tests/README.md)."""

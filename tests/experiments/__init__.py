"""Tests of bordersim.experiments: compare, designs, factors, sweeps, executors, stores, verify, robust; one test file per module (the map: tests/README.md)."""

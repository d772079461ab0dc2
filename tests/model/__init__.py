"""Tests of bordersim.model: the formulas, the compiler, the timeline, engagements, activation; one test file per module (the map: tests/README.md)."""

"""Tests of bordersim.scenario: loading, validation, evidence, the built-ins, the border builder; one test file per module (the map: tests/README.md)."""

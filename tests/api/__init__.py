"""Tests of bordersim.api: the public Python API and the README's code block; one test file per module (the map: tests/README.md)."""

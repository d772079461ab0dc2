"""Tests of bordersim.cli: each command file (`*_cmd.py`) and the shared terminal helpers; one test file per module (the map: tests/README.md)."""

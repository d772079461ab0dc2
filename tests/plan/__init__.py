"""Tests of bordersim.plan: the security games, integer and quantal plans, siting, the scenario planner; one test file per module (the map: tests/README.md)."""

"""Tests of bordersim.web (`bordersim serve`): tests/web/test_<module>.py for src/bordersim/web/<module>.py (the map: tests/README.md)."""

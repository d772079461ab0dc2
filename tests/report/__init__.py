"""Tests of bordersim.report: the HTML report, its sections, names as text, the page in Chromium; one test file per module (the map: tests/README.md)."""

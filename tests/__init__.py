"""bordersim's tests, as a package so that test modules are named by their path.

``tests/<layer>/test_<module>.py`` imports as ``tests.<layer>.test_<module>``: two test files with the
same basename in different layers do not clash, and one test module imports another's helpers by its
rootdir-relative name (pytest's ``pythonpath`` has ``.``). The layout is mapped in ``tests/README.md``.
"""

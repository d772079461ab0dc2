"""bordersim's benchmarks and reference models (not part of the installed package).

A package so that ``benchmarks.reference`` imports plainly: the tests find it through pytest's
``pythonpath = ["tests", "."]`` (pyproject.toml), and the scripts run as modules from the repository
root, e.g. ``python -m benchmarks.peers``.
"""

__all__: list[str] = []

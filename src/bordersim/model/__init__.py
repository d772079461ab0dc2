"""The physics as pure functions: detection, interdiction, outcome split, sector choice.

Every function here is vectorised (NumPy broadcasting) and free of randomness except where it takes an
explicit ``rng``. The engine and the planner call the same functions, so a plan's predicted value and
its simulated value are the same quantity.
"""

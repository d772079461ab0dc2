"""How long a robustness study takes, per policy × draw and in all, serially and on 2 workers.

Run: ``.venv/bin/python benchmarks/robust.py [DRAWS] [REPLICATIONS]`` (default 8 draws, 100
replications: a slice of the done-when study of 64 draws). Prints the wall time and the seconds per
policy × draw for 1 and 2 local worker processes over draws, their ratio, the extrapolation to
64 draws, and checks the two matrices are identical (the draws carry their own seeds). No
assertions on time: a measurement, not a test.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bordersim.experiments.executors import make_backend
from bordersim.experiments.uncertainty import draw_inputs, evaluate_draws
from bordersim.scenario.builtin import resolve
from bordersim.scenario.loading import load_scenario

POLICIES = ["tajik-only", "russian-guards-return", "201st-to-border", "csto-on-call"]


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    sc = load_scenario(resolve("tajik-afghan-2021"))
    inputs = draw_inputs(sc, draws, seed=2021)
    out = {}
    for workers in (1, 2):
        backend = make_backend(workers)
        t0 = time.perf_counter()
        ds = evaluate_draws(sc, POLICIES, inputs, replications=reps, seed=2021, backend=backend)
        wall = time.perf_counter() - t0
        backend.close()
        out[workers] = (wall, ds)
        per = wall / (draws * len(POLICIES))
        print(
            f"{workers} worker(s): {wall:7.1f} s for {draws} draws x {len(POLICIES)} policies x "
            f"{reps} replications ({per:.2f} s per policy x draw; 64 draws ~ {per * 256:.0f} s)"
        )
    same = all(
        np.array_equal(out[1][1][v].values, out[2][1][v].values, equal_nan=True)
        for v in out[1][1].data_vars
    )
    print(f"speed-up of 2 workers: {out[1][0] / out[2][0]:.2f}x; identical matrices: {same}")


if __name__ == "__main__":
    main()

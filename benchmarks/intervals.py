"""What the input interval costs the default run: `bordersim run` with and without draws.

Runs the default command (tajik-afghan-2021, 1,000 replications x 365 days, seed 2021) in fresh
processes, alternately with ``--uncertainty none`` (the nominal run alone, as before issue 12 §3),
the default ``--uncertainty prior`` (plus 32 draws x 20 replications) and, when the scenario ships a
calibration, ``--uncertainty posterior`` (the same draws, the calibrated quantities from its
posterior: reading and checking the posterior is the only extra work), and prints wall and CPU time
(the child's user + system) for each, best of ``--repeat``, and their ratios to ``none``. The CPU
ratio holds on a loaded machine; wall times do not.

    .venv/bin/python benchmarks/intervals.py [--repeat 3] [--draws 32] [--scenario tajik-afghan-2008]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

BASE = ["-m", "bordersim", "run", "--replications", "1000", "--days", "365", "--seed", "2021"]


def timed(scenario: str, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh `bordersim run` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *BASE[:3], scenario, *BASE[3:], *extra], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "80"})  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=32)
    ap.add_argument("--scenario", default="tajik-afghan-2021")
    args = ap.parse_args()
    from bordersim.experiments.posterior import shipped_calibration

    modes = {"none": ["--uncertainty", "none"], "prior": ["--draws", str(args.draws)]}
    if shipped_calibration(args.scenario) is not None:
        modes["posterior"] = ["--draws", str(args.draws), "--uncertainty", "posterior"]
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, extra in modes.items():  # alternate, so all see the same load
            w, c = timed(args.scenario, extra)
            bw, bc = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(w, bw), min(c, bc))
    print(f"{args.scenario}, 1,000 replications x 365 days, {args.draws} draws x 20 replications")
    for name, (w, c) in best.items():
        print(f"--uncertainty {name:9s}: wall {w:6.2f} s, CPU {c:6.2f} s (best of {args.repeat})")
    wn, cn = best["none"]
    for name in modes:
        if name != "none":
            wp, cp = best[name]
            print(f"{name} / none: wall x{wp / wn:.2f} (+{wp - wn:.2f} s), "
                  f"CPU x{cp / cn:.2f} (+{cp - cn:.2f} s)")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

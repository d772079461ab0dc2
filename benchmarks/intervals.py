"""What the input interval costs the default run: `bordersim run` with and without draws.

Runs the default command (tajik-afghan-2021, 1,000 replications x 365 days, seed 2021) in fresh
processes, alternately with ``--uncertainty none`` (the nominal run alone, as before issue 12 §3)
and with the default ``--uncertainty prior`` (plus 32 draws x 20 replications), and prints wall and
CPU time (the child's user + system) for each, best of ``--repeat``, and their ratio. The CPU ratio
holds on a loaded machine; wall times do not.

    .venv/bin/python benchmarks/intervals.py [--repeat 3] [--draws 32]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

BASE = ["-m", "bordersim", "run", "tajik-afghan-2021", "--replications", "1000", "--days", "365",
        "--seed", "2021"]  # fmt: skip


def timed(extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh `bordersim run` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *BASE, *extra], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "COLUMNS": "80"})  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=32)
    args = ap.parse_args()
    modes = {"none": ["--uncertainty", "none"], "prior": ["--draws", str(args.draws)]}
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, extra in modes.items():  # alternate, so both see the same load
            w, c = timed(extra)
            bw, bc = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(w, bw), min(c, bc))
    for name, (w, c) in best.items():
        print(f"--uncertainty {name:5s}: wall {w:6.2f} s, CPU {c:6.2f} s (best of {args.repeat})")
    (wn, cn), (wp, cp) = best["none"], best["prior"]
    print(f"with {args.draws} draws x 20 replications: wall x{wp / wn:.2f} (+{wp - wn:.2f} s), "
          f"CPU x{cp / cn:.2f} (+{cp - cn:.2f} s); load average {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()

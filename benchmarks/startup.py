"""How fast the command line starts: `bordersim --help` and `import bordersim`, wall time.

Run: ``.venv/bin/python benchmarks/startup.py [--repeat N]``. Each command runs in a fresh process
N times (default 7); the script prints the fastest and the median wall time, and each as a ratio to
the floor that typer and rich alone cost (``import typer, rich.console, rich.table``) measured in
the same run, so that the ratio holds on a loaded machine where absolute times do not. Target:
``bordersim --help`` under 0.5 s. Also lists the heavy libraries that start-up imported (should be
none). No assertions: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("numpy", "pydantic", "xarray", "pandas", "matplotlib", "scipy", "dask", "zarr")

CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "typer+rich floor": [sys.executable, "-c", "import typer, rich.console, rich.table"],
    "import bordersim": [sys.executable, "-c", "import bordersim"],
    "bordersim --help": [sys.executable, "-m", "bordersim", "--help"],
}


def wall(cmd: list[str], repeat: int) -> list[float]:
    """Wall times (s) of ``repeat`` fresh runs of ``cmd``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    results = {name: wall(cmd, args.repeat) for name, cmd in CASES.items()}
    floor = min(results["typer+rich floor"])
    print(f"{'command':<20} {'fastest s':>10} {'median s':>10} {'fastest / floor':>16}")
    for name, times in results.items():
        best, med = min(times), statistics.median(times)
        print(f"{name:<20} {best:>10.3f} {med:>10.3f} {best / floor:>16.2f}")
    probe = (
        "import sys, runpy; sys.argv = ['bordersim', '--help']\n"
        "try:\n    runpy.run_module('bordersim', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stderr.strip()
    print(f"heavy libraries imported by `bordersim --help`: {out}")


if __name__ == "__main__":
    main()

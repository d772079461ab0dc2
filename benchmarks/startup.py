"""How fast the command line starts: `bordersim --help` and `import bordersim`, wall time.

Run: ``.venv/bin/python benchmarks/startup.py [--repeat N]``. Each command runs in a fresh process
N times (default 7); the script prints the fastest and the median wall time, and each as a ratio to
the floor that typer and rich alone cost (``import typer, rich.console, rich.table``) measured in
the same run, so that the ratio holds on a loaded machine where absolute times do not. Target:
``bordersim --help`` under 0.5 s, and ``bordersim run --replications 10 --days 10`` under 0.5 s of
which its imports are a small part. Also lists the heavy libraries that start-up imported (none for
``--help``; ``run`` needs NumPy and pydantic, never xarray or pandas, which only writing results
loads). No assertions: a measurement, not a test.
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
    "run -n 10 --days 10": [
        sys.executable, "-m", "bordersim", "run", "--replications", "10", "--days", "10",
    ],
}  # fmt: skip


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
    shares = sorted(import_share() for _ in range(args.repeat))
    imp, total = shares[len(shares) // 2]
    print(f"run -n 10 --days 10 in one process (median of {args.repeat}): {total:.3f} s, of which "
          f"imports {imp:.3f} s ({imp / total:.0%}); target run < 0.5 s")  # fmt: skip
    for argv in (["--help"], ["run", "--replications", "10", "--days", "10"]):
        print(f"heavy libraries imported by `bordersim {' '.join(argv)}`: {heavy(argv)}")


def import_share() -> tuple[float, float]:
    """(import s, whole s) of `bordersim run -n 10 --days 10` inside one fresh process: the modules
    run needs are imported first and timed, then the command runs (its own imports then cost 0)."""
    probe = (
        "import time; t0 = time.perf_counter()\n"
        "import bordersim.cli.app, bordersim.api.runs, bordersim.scenario.builtin\n"
        "import bordersim.model.compile, bordersim.engine.kernel\n"
        "t1 = time.perf_counter()\n"
        "import sys, runpy; sys.argv = ['bordersim', 'run', '--replications', '10', '--days', '10']\n"
        "try:\n    runpy.run_module('bordersim', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(t1 - t0, time.perf_counter() - t0, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    imp, total = map(float, out.stderr.split()[-2:])
    return imp, total


def heavy(argv: list[str]) -> str:
    """The heavy libraries a fresh `bordersim ARGV` process has imported when it ends."""
    probe = (
        f"import sys, runpy; sys.argv = ['bordersim', *{argv!r}]\n"
        "try:\n    runpy.run_module('bordersim', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stderr.strip()
    return out.splitlines()[-1] if out else ""


if __name__ == "__main__":
    main()

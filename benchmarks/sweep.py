"""Sweep benchmark: wall time on 1 and 2 local workers and a 2-worker Dask LocalCluster (speedup),
and peak memory of totals-mode sweeps of 1,000 vs 100,000 total replications (should be flat).

Run: ``.venv/bin/python benchmarks/sweep.py [--points 80 --replications 1000 --days 60]``
(``--quick`` for a reduced configuration). Each memory run is a fresh subprocess that reports its
own peak RSS (VmHWM from /proc/self/status), so the figures are not polluted by this process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _plan(points: int, replications: int, days: int, seed: int = 1) -> object:
    from bordersim.experiments.factors import build_space
    from bordersim.experiments.sweep import make_plan
    from bordersim.scenario.builtin import load

    sc = load()
    return make_plan(
        sc, build_space(sc, grouping="evidence"), design="lhs", points=points,
        replications=replications, days=days, seed=seed,
    )  # fmt: skip


def timed_sweep(points: int, replications: int, days: int, workers: int, dask: str | None) -> float:
    """Wall time of a whole sweep (backend start-up included) into a fresh directory."""
    from bordersim.experiments.executors import make_backend
    from bordersim.experiments.sweep import run_sweep

    plan = _plan(points, replications, days)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        backend = make_backend(workers=workers, dask=dask)
        try:
            run_sweep(plan, Path(tmp) / "s", backend=backend)  # type: ignore[arg-type]
        finally:
            backend.close()
        return time.perf_counter() - t0


def _memory_child(points: int, replications: int, days: int) -> None:
    from bordersim.experiments.sweep import run_sweep

    plan = _plan(points, replications, days)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_sweep(plan, Path(tmp) / "s")  # type: ignore[arg-type]
        secs = time.perf_counter() - t0
    status = Path("/proc/self/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"peak_rss_mb": hwm / 1024, "seconds": secs}))


def peak_rss(points: int, replications: int, days: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(points), str(replications), str(days)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, default=80)
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--mem-days", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="reduced configuration")
    ap.add_argument("--memory-child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        _memory_child(*args.memory_child)
        return
    if args.quick:
        args.points, args.replications, args.days = 8, 200, 30

    p, r, d = args.points, args.replications, args.days
    print(f"sweep: {p} LHS points x {r} replications x {d} days, baseline, evidence grouping")
    rows = []
    t1 = timed_sweep(p, r, d, 1, None)
    rows.append(("1 worker (in process)", t1))
    rows.append(("2 local processes", timed_sweep(p, r, d, 2, None)))
    rows.append(("Dask LocalCluster, 2 workers", timed_sweep(p, r, d, 2, "local")))
    print(f"{'backend':32s} {'wall s':>8s} {'speedup':>8s}")
    for name, t in rows:
        print(f"{name:32s} {t:8.2f} {t1 / t:7.2f}x")

    print(f"\nmemory, totals mode, {args.mem_days} days, 1 worker (peak RSS of a fresh process)")
    print(f"{'run':40s} {'peak RSS MB':>12s} {'wall s':>8s}")
    mems = []
    for pts, reps in ((10, 100), (100, 1000)):
        m = peak_rss(pts, reps, args.mem_days)
        mems.append(m["peak_rss_mb"])
        label = f"{pts} points x {reps} reps = {pts * reps:,}"
        print(f"{label:40s} {m['peak_rss_mb']:12.1f} {m['seconds']:8.1f}")
    print(f"ratio 100,000 / 1,000 replications: {mems[1] / mems[0]:.3f}")


if __name__ == "__main__":
    main()

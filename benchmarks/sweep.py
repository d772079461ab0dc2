"""Sweep benchmark: wall time on 1 and 2 local workers and a 2-worker Dask LocalCluster (speedup),
and peak memory of totals-mode sweeps of 1,000 vs 100,000 total replications (should be flat).

Run: ``.venv/bin/python benchmarks/sweep.py [--points 80 --replications 1000 --days 60]``
(``--quick`` for a reduced configuration). Each memory run is a fresh subprocess that reports its
own peak RSS (VmHWM from /proc/self/status), so the figures are not polluted by this process.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _descendants_cpu() -> float:
    """CPU seconds so far of every live descendant process (pool workers are the forkserver's
    children, Dask workers the nannies': all descendants of this process)."""
    import psutil  # a Dask dependency

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def timed_sweep(
    points: int, replications: int, days: int, workers: int, dask: str | None
) -> tuple[float, float, float]:
    """(wall s, CPU s of this process and its worker processes, CPU s of this process alone) of a
    whole sweep (backend start-up and shut-down included) into a fresh directory. For a
    LocalCluster this process also runs the scheduler."""
    from bordersim.experiments.executors import make_backend
    from bordersim.experiments.sweep import run_sweep

    plan = _plan(points, replications, days)
    with tempfile.TemporaryDirectory() as tmp:
        t0, s0 = time.perf_counter(), time.process_time()
        backend = make_backend(workers=workers, dask=dask)
        try:
            run_sweep(plan, Path(tmp) / "s", backend=backend)  # type: ignore[arg-type]
            kids = _descendants_cpu()  # before the workers end
        finally:
            backend.close()
        own = time.process_time() - s0
        return time.perf_counter() - t0, own + kids, own


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
    ap.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    ap.add_argument("--memory-child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        _memory_child(*args.memory_child)
        return
    if args.quick:
        args.points, args.replications, args.days = 8, 200, 30

    p, r, d = args.points, args.replications, args.days
    print(f"sweep: {p} LHS points x {r} replications x {d} days, baseline, evidence grouping")
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores)")
    rows = []
    one = timed_sweep(p, r, d, 1, None)
    rows.append(("1 worker (in process)", one))
    rows.append(("2 local processes", timed_sweep(p, r, d, 2, None)))
    rows.append(("Dask LocalCluster, 2 workers", timed_sweep(p, r, d, 2, "local")))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    head = f"{'backend':30s} {'wall s':>7s} {'speedup':>8s} {'CPU s':>7s} {'client CPU s':>13s}"
    print(head + f" {'CPU / 1 worker':>15s} {'cores used':>11s}")
    for name, (t, cpu, client) in rows:
        print(
            f"{name:30s} {t:7.2f} {one[0] / t:7.2f}x {cpu:7.2f} {client:13.2f}"
            f" {cpu / one[1]:15.2f} {cpu / t:11.2f}"
        )
    if args.no_memory:
        return

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

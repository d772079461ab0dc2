"""Sweeps at cluster scale (issue 14): the client's own serial work per design point, and the wall
time of the 33,792-point Sobol study projected onto 100 workers.

The study: the 31 default factors (evidence grouping), Saltelli's design at N = 1,024 (N (D + 2) =
33,792 points), 200 replications x 365 days per point, the baseline policy. Its projected wall time on
W workers is ``points x compute per point / W + points x client per point``: the client's share is
added, not overlapped, so the projection is an upper bound on the client's cost.

* compute per point: CPU time (``process_time``) of :func:`simulate_point` at 200 replications x 365
  days, mean over a few Sobol points (the work a worker does per point, compile included);
* client per point: CPU time of *this* process (the client: making the tasks, sending them, taking the
  results back, writing the batch files, consolidating results.zarr and summary.json) over a whole
  sweep run on 2 local worker processes, divided by its points. The points are cheap (1 day) so the
  sweep is short, but they carry the study's 200 replications, so the results the client receives
  and writes are as large as the study's. The same sweep with one point per task (``--batch 1``,
  the unbatched way) is measured in the same run for comparison.

Run: ``.venv/bin/python benchmarks/cluster.py [--points 512 --workers 2]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

STUDY_POINTS = 1024 * (31 + 2)
STUDY_REPS, STUDY_DAYS, CLUSTER = 200, 365, 100


def _plan(design: str, points: int, replications: int, days: int) -> object:
    from bordersim.experiments.factors import build_space
    from bordersim.experiments.sweep import make_plan
    from bordersim.scenario.builtin import load

    sc = load()
    space = build_space(sc, grouping="evidence")
    return make_plan(
        sc, space, design=design, points=points, replications=replications, days=days, seed=1
    )


def compute_per_point(samples: int) -> float:
    """Mean CPU seconds of one study point (200 replications x 365 days, compile included)."""
    from bordersim.experiments.points import SweepContext, simulate_point

    plan = _plan("sobol", 4, STUDY_REPS, STUDY_DAYS)
    ctx = SweepContext(
        plan.key(), plan.scenario, plan.space, plan.policies,  # type: ignore[attr-defined]
        STUDY_REPS, STUDY_DAYS, plan.seed, len(plan.actors),  # type: ignore[attr-defined]
    )  # fmt: skip
    simulate_point(ctx, 0, plan.unit_samples[0])  # type: ignore[attr-defined]  # warm
    t0 = time.process_time()
    for i in range(1, samples + 1):
        simulate_point(ctx, i, plan.unit_samples[i])  # type: ignore[attr-defined]
    return (time.process_time() - t0) / samples


def client_per_point(points: int, workers: int, batch: int | None) -> tuple[float, float, int]:
    """(client CPU s per point, wall s, files written) of a sweep of ``points`` 1-day points with the
    study's 200 replications, on ``workers`` local processes."""
    from bordersim.experiments import store
    from bordersim.experiments.executors import make_backend
    from bordersim.experiments.sweep import run_sweep

    plan = _plan("lhs", points, STUDY_REPS, 1)
    backend = make_backend(workers=workers)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "s"
            c0, w0 = time.process_time(), time.perf_counter()
            summary = run_sweep(plan, out, backend=backend, batch=batch)  # type: ignore[arg-type]
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            files = sum(1 for _ in (out / store.POINTS_DIR).iterdir())
            assert summary.computed == points and not summary.failed
    finally:
        backend.close()
    return cpu / points, wall, files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, nargs=2, default=[256, 1024], help="client-sweep sizes")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--samples", type=int, default=3, help="study points timed for compute")
    args = ap.parse_args()
    small, large = args.points

    print(f"client CPU: sweeps of {STUDY_REPS} reps x 1 day on {args.workers} worker processes")
    print(f"{'tasks':34s} {'client ms/point':>16s} {'wall s':>8s} {'files':>6s}")
    runs = {}
    for label, pts, batch in (
        (f"one point per task, {small} points", small, 1),
        (f"batched, {small} points", small, None),
        (f"batched, {large} points", large, None),
    ):
        per, wall, files = client_per_point(pts, args.workers, batch)
        runs[(pts, batch)] = per * pts
        print(f"{label:34s} {per * 1e3:16.3f} {wall:8.1f} {files:6d}")
    slope = (runs[(large, None)] - runs[(small, None)]) / (large - small)
    fixed = runs[(small, None)] - slope * small
    client = slope + fixed / STUDY_POINTS
    print(
        f"batched: {slope * 1e3:.3f} ms per extra point + {fixed:.2f} s fixed (start-up, the plan, "
        f"the store's first write) -> {client * 1e3:.3f} ms/point at {STUDY_POINTS:,} points; "
        f"unbatched {runs[(small, 1)] / small * 1e3:.3f} ms/point; target < 0.2 ms/point"
    )

    compute = compute_per_point(args.samples)
    total = STUDY_POINTS * compute
    share = STUDY_POINTS * client
    wall = total / CLUSTER + share
    print(f"\nstudy: {STUDY_POINTS:,} Sobol points (31 factors, N = 1,024) x {STUDY_REPS} reps x "
          f"{STUDY_DAYS} days")  # fmt: skip
    print(
        f"compute per point {compute:.3f} s CPU -> {total:,.0f} s on one core ({total / 60:.0f} min)"
    )
    print(
        f"projected wall on {CLUSTER} workers: {total / CLUSTER:.1f} s compute + "
        f"{share:.1f} s client = {wall:.1f} s ({wall / 60:.1f} min); client share {share / wall:.1%}"
    )


if __name__ == "__main__":
    main()

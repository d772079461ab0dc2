"""Daily-mode memory (issue 14): peak RSS of `bordersim run --daily --out DIR` in fresh processes at
1,000 and 10,000 replications; the daily arrays stream into results.zarr chunk by chunk (of
``engine.kernel.STREAM_CHUNK`` replications), so the ratio should stay within 1.3x.

Run: ``.venv/bin/python benchmarks/daily.py [--days 60] [--reps 1000 10000]``. Each run is a fresh
process whose peak RSS (VmHWM) is read by a small wrapper in that process, so this script's own
memory does not count. Fewer days than the scenario's 365 keep it short; the chunk's memory grows
with days, the ratio does not.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, runpy, sys, time
sys.argv = ["bordersim", *sys.argv[1:]]
t0 = time.perf_counter()
try:
    runpy.run_module("bordersim", run_name="__main__")
except SystemExit as exc:
    assert not exc.code, exc.code
status = open("/proc/self/status").read().splitlines()
hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(json.dumps({"peak_rss_mb": hwm / 1024, "seconds": time.perf_counter() - t0}), file=sys.stderr)
"""


def peak(reps: int, days: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", CHILD, "run", "--replications", str(reps), "--days",
               str(days), "--daily", "--out", str(Path(tmp) / "run")]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        size = sum(f.stat().st_size for f in (Path(tmp) / "run").rglob("*") if f.is_file())
    res = json.loads(out.stderr.strip().splitlines()[-1])
    res["store_mb"] = size / 2**20
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--reps", type=int, nargs=2, default=[1000, 10000])
    args = ap.parse_args()
    t0 = time.perf_counter()
    print(f"bordersim run --daily, default scenario, {args.days} days, fresh processes")
    print(f"{'replications':>12s} {'peak RSS MB':>12s} {'wall s':>8s} {'store MB':>9s}")
    rows = []
    for r in args.reps:
        m = peak(r, args.days)
        rows.append(m["peak_rss_mb"])
        print(f"{r:12,d} {m['peak_rss_mb']:12.1f} {m['seconds']:8.1f} {m['store_mb']:9.1f}")
    print(f"ratio {args.reps[1]:,} / {args.reps[0]:,} replications: {rows[1] / rows[0]:.3f} "
          f"(target <= 1.3); {time.perf_counter() - t0:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()

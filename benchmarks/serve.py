"""What-if latency benchmark: from a lever change to the updated headline, 200 replications of the
2021 scenario (a year), against the engine alone in the same run.

(a) in process: :meth:`bordersim.web.runner.Runner.compute` after a warm-up (the baseline cached),
    one change of the drug traffickers' crossing rate each time;
(b) end to end: ``bordersim serve`` in a subprocess and Debian's Chromium driven by Playwright: one
    key press on the same lever's slider, until ``[data-testid=status]`` shows that run's
    "updated in" (the server runs, Bokeh patches the page, the browser renders);
(c) reference: ``bs.run`` alone for the same settings.

Prints the median of ``--changes`` changes of each and the ratios (a)/(c), (b)/(c). Target: (b) < 1 s.

    .venv/bin/python benchmarks/serve.py [--reps 200] [--changes 5] [--profile]

``--profile`` prints a pyinstrument profile of the in-process path.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bordersim as bs
from bordersim.web.runner import Runner
from bordersim.web.settings import Settings

RATE = "actors.drug_traffickers.rate_per_day"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DEEP = """
window.__bsDeep = (sel, root = document) => {
  const hit = root.querySelector(sel);
  if (hit) return hit;
  for (const el of root.querySelectorAll("*")) {
    if (el.shadowRoot) { const f = window.__bsDeep(sel, el.shadowRoot); if (f) return f; }
  }
  return null;
};
"""
STARTED = """after => { const s = window.__bsDeep("[data-testid=status]");
  return s !== null && Number(s.dataset.run) > after; }"""
DONE = """after => { const s = window.__bsDeep("[data-testid=status]");
  return s !== null && Number(s.dataset.run) > after && s.textContent.includes("updated in"); }"""


def engine_only(sc: bs.Scenario, reps: int, values: list[float]) -> list[float]:
    out = []
    for v in values:
        moved, _ = bs.apply_levers(sc, {RATE: v})
        t0 = time.perf_counter()
        bs.run(moved, replications=reps, seed=2021)
        out.append(time.perf_counter() - t0)
    return out


def in_process(sc: bs.Scenario, reps: int, values: list[float], profile: bool) -> list[float]:
    runner = Runner(sc)
    runner.compute(Settings(replications=reps))  # warm-up: the baseline is cached
    out = []
    profiler: Any = None
    if profile:
        from pyinstrument import Profiler  # optional, only for --profile

        profiler = Profiler()
        profiler.start()
    for v in values:
        t0 = time.perf_counter()
        runner.compute(Settings(replications=reps, levers={RATE: v}))
        out.append(time.perf_counter() - t0)
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return out


def end_to_end(reps: int, changes: int) -> tuple[list[float], list[float], list[float]]:
    """Per change: seconds until the page shows the new run started, the server's compute time (as
    the page reports it), and seconds until the page shows the result."""
    from playwright.sync_api import sync_playwright  # optional: the browser benchmark only

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bordersim", "serve", "--port", str(port), "--no-browser"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("bordersim serve did not start") from None
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"http://127.0.0.1:{port}/?replications={reps}", timeout=90_000)
            page.evaluate(DEEP)
            page.wait_for_function(DONE, arg=0, timeout=90_000)
            handle = page.locator(".bk-input-group", has_text="Drug traffickers").locator(
                ".noUi-handle"
            )
            handle.focus()
            out, started, computed = [], [], []
            for i in range(changes + 1):  # the first change warms the page's paths up
                run = page.evaluate(
                    "() => Number(window.__bsDeep('[data-testid=status]').dataset.run)"
                )
                t0 = time.perf_counter()
                handle.press("ArrowRight")
                page.wait_for_function(STARTED, arg=run, timeout=90_000, polling=10)
                t1 = time.perf_counter()
                page.wait_for_function(DONE, arg=run, timeout=90_000, polling=10)
                if i:
                    out.append(time.perf_counter() - t0)
                    started.append(t1 - t0)
                    text = page.evaluate(
                        "() => window.__bsDeep('[data-testid=status]').textContent"
                    )
                    computed.append(float(text.split("updated in")[1].split()[0]))
            browser.close()
        return started, computed, out
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--changes", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-browser", action="store_true", help="skip the end-to-end measurement")
    a = ap.parse_args()
    sc = bs.load("tajik-afghan-2021")
    values = [10.5 + 0.5 * i for i in range(a.changes)]
    eng = statistics.median(engine_only(sc, a.reps, values))
    inp = statistics.median(in_process(sc, a.reps, values, a.profile))
    print(f"{a.reps} replications x 365 days, median of {a.changes} lever changes")
    print(f"  engine only (bs.run)          {eng:6.3f} s")
    print(f"  in process (Runner.compute)   {inp:6.3f} s   ratio to engine {inp / eng:5.2f}")
    if not a.no_browser:
        started, computed, done = end_to_end(a.reps, a.changes)
        e2e = statistics.median(done)
        print(f"  page shows 'running'          {statistics.median(started):6.3f} s after the key")
        print(f"  server's compute (page says)  {statistics.median(computed):6.3f} s")
        print(f"  end to end (Chromium)         {e2e:6.3f} s   ratio to engine {e2e / eng:5.2f}")
        print(f"  target < 1 s end to end: {'met' if e2e < 1 else 'NOT met'}")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

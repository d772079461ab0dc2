"""Regenerate the calibrations the built-in scenarios ship with: ``make calibrations`` (which runs
``python scripts/calibrate_builtins.py``; ``--only tajik-afghan-2008`` regenerates one).

Every built-in scenario is calibrated on the ledger of observations
(``scenario/data/tj-af-observations.yaml``: its targets for that scenario and the scenario-free
12th outpost fight) through the public API, with the defaults of ``bordersim calibrate`` (emcee) and
seed 1, into ``src/bordersim/scenario/data/calibration/<scenario>/`` (cleared first, like
``--force``): posterior.csv, summary.json and a manifest whose fields give the provenance -- the
observations used and those set aside with why, method, seed, bordersim version, the command that
regenerates it and ``scenario_hash`` (``bordersim.scenario.loading.content_hash`` of the scenario with
its own ``calibrated`` marks left out, ``ignore_calibration=True``,
which tests/experiments/test_shipped_calibrations.py holds the scenario against).

Prints, per scenario, the wall and CPU time it took.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bordersim.api.calibration import calibrate
from bordersim.scenario.builtin import DATA_DIR

#: The built-in scenarios, each shipped with its calibration.
SCENARIOS = ("tajik-afghan-2004", "tajik-afghan-2008", "tajik-afghan-2015", "tajik-afghan-2021")
#: What regenerates them (recorded in each manifest).
COMMAND = "make calibrations"
SEED = 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=SCENARIOS, action="append", help="regenerate only this one")
    args = ap.parse_args(argv)
    for name in args.only or SCENARIOS:
        out = Path(DATA_DIR) / "calibration" / name
        wall, cpu = time.perf_counter(), time.process_time()
        cal = calibrate(name, out=out, force=True, seed=SEED, command=COMMAND)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        used = [i for i, o in cal.summary["observations"].items() if o["used"]]
        print(
            f"wrote {out}: {len(cal.names)} free quantities, observations used {used}, "
            f"{wall:.0f} s wall, {cpu:.0f} s CPU",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

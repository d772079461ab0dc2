"""Regenerate the calibrations the built-in scenarios ship with: ``python scripts/calibrate_builtins.py``.

Each built-in scenario the ledger of observations (``scenario/data/tj-af-observations.yaml``) has
targets for is calibrated with the defaults of ``bordersim calibrate`` (emcee, seed 1) into
``src/bordersim/scenario/data/calibration/<scenario>/`` (posterior.csv, summary.json, and a
manifest whose fields give the provenance: scenario, method, seed, bordersim version, observations
used). Only the 2008 scenario has targets today (kg seized and armed clashes in 2008; the 12th
outpost); the 2004 and 2015 targets need seizure and clash fields those scenarios do not have yet.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bordersim.api.calibration import calibrate
from bordersim.scenario.builtin import DATA_DIR

SCENARIOS = ("tajik-afghan-2008",)


def main() -> None:
    for name in SCENARIOS:
        out = Path(DATA_DIR) / "calibration" / name
        calibrate(name, out=out, force=True, seed=1)
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

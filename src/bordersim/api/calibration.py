"""``bs.calibrate`` (this module is ``calibration``, not ``calibrate``: a submodule named like the
function would replace it as an attribute of the package once imported): hold a scenario against observations and infer what they pin down.

Example:
    >>> import bordersim as bs  # doctest: +SKIP
    >>> cal = bs.calibrate("tajik-afghan-2008", out="calib-2008")  # doctest: +SKIP
    >>> cal.json_summary()["parameters"]["actors.drug_traffickers.rate_per_day"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bordersim.api.scenarios import Scenario, load
from bordersim.experiments.calibration import Calibration
from bordersim.experiments.calibration import calibrate as _run_calibration
from bordersim.experiments.calibration_store import write_calibration
from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.loading import content_hash
from bordersim.scenario.observations import ObservationSet, check_against, load_observations

__all__ = ["BUILTIN_OBSERVATIONS", "calibrate", "json_summary"]

#: The built-in ledger of observations of the Tajik-Afghan border.
BUILTIN_OBSERVATIONS = DATA_DIR / "tj-af-observations.yaml"


def json_summary(cal: Calibration) -> dict[str, Any]:
    """What ``calibrate --json`` prints: ``parameters`` (name -> prior, posterior, identified),
    ``combinations``, ``constrained`` (the free quantities by verdict), ``observations`` (id -> observed, predicted, outside, loo, used, and
    ``unreachable`` where the model cannot produce it over the prior), ``set_aside`` and provenance."""
    s = cal.summary
    return {
        **{k: s[k] for k in ("scenario", "method", "seed", "bordersim_version", "samples")},
        "parameters": {
            n: {"prior": p["prior"], "posterior": p["posterior"], "identified": p["identified"]}
            for n, p in s["parameters"].items()
        },
        "combinations": s["combinations"],
        "constrained": s["constrained"],
        "observations": {
            i: {
                **{k: o[k] for k in ("observed", "predicted", "outside", "loo", "used")},
                **({"unreachable": o["unreachable"]} if "unreachable" in o else {}),
            }
            for i, o in s["observations"].items()
        },
        "set_aside": s["set_aside"],
    }


def calibrate(
    scenario: str | Path | Scenario,
    *,
    observations: str | Path | ObservationSet | None = None,
    free: Sequence[str] | None = None,
    steps: int = 2000,
    draws: int = 12,
    replications: int = 20,
    seed: int = 1,
    out: str | Path | None = None,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    command: str | None = None,
) -> Calibration:
    """Calibrate ``scenario`` on the target observations of it (default: the built-in ledger),
    writing ``out`` (posterior.csv, summary.json) when given; its manifest records the scenario's
    content hash (``scenario_hash``) and, when given, the ``command`` that regenerates it. The
    summary's ``set_aside`` lists the observations not used, with why: unreachable by the model,
    no closed form, or the ledger's own ``use: input``/``excluded`` observations of the scenario.

    Raises:
        bordersim.scenario.observations.ObservationError: a bad observations file or a name the
            scenario does not have.
        ValueError: nothing to calibrate, or an unknown ``free`` quantity."""
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    obs = observations
    if not isinstance(obs, ObservationSet):
        obs = load_observations(BUILTIN_OBSERVATIONS if obs is None else obs)
    targets = obs.targets(sc.model.id)
    check_against(ObservationSet(observations=targets), sc.model)
    cal = _run_calibration(
        sc.model, targets, free=free, steps=steps, check_draws=draws,
        check_replications=replications, seed=seed, progress=progress,
    )  # fmt: skip
    cal.summary["set_aside"] = [
        *cal.summary["set_aside"],
        *cal.summary["skipped"],
        *(
            {"id": o.id, "reason": f"use: {o.use}: {o.reason}"}
            for o in obs.observations
            if o.use != "target" and o.scenario == sc.model.id
        ),
    ]
    if out is not None:
        # the hash of the scenario as fitted: its own "calibrated" marks (which cite this
        # calibration) left out, so that marking a scenario does not outdate its calibration
        prov: dict[str, Any] = {"scenario_hash": content_hash(sc.model, ignore_calibration=True)}
        if command is not None:
            prov["command"] = command
        write_calibration(Path(out), cal, force=force, provenance=prov)
    return cal

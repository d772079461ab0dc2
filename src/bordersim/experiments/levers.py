"""How often each conditional lever actually acted in a run: help asked, CSTO arrived, Russians moved.

A policy that relies on a conditional lever (the CSTO on call, the Russian guards returning after
their delay, the 201st base moving to the border) only differs from one without it in the
replications where the lever acted. Where it never acted, the two policies run the same arrays on
common random numbers, so their difference is 0 *by construction*, not a finding. This module
counts, per replication, whether

- Tajikistan requested help (the engine's per-replication request day falls inside the period);
- the CSTO arrived: request + the unit's delay + its ramp to full strength fall inside the period;
- the Russian border guards returned: request + their delay inside the period (``on_request``
  units of kind ``border_guard`` on the Russian side);
- other Russian forces on call moved (the 201st base's garrisons, the helicopters at Aini): request
  + delay inside the period (the remaining ``on_request`` units of the Russian side),

from the compiled units' activation codes and delays and the engine's ``request_day`` (day 0 = the
first day of the run; ``inf`` = never asked). :func:`lever_notes` turns the shares into the
sentences that ``compare``, ``robust`` and the report print.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from bordersim.engine.results import Results
from bordersim.model.codes import ActivationMode

__all__ = ["LEVERS", "lever_activity", "lever_notes"]

#: lever key -> (what happened, what did not happen), for tables and notes.
LEVERS: dict[str, tuple[str, str]] = {
    "help_requested": ("Tajikistan requested help", "help was never asked"),
    "csto_arrived": ("the CSTO arrived", "the CSTO never arrived within the period"),
    "russian_guards_returned": (
        "the Russian border guards returned",
        "the Russian border guards never returned within the period",
    ),
    "russian_forces_moved": (
        "Russian forces on call moved (the 201st base, helicopters)",
        "the Russian forces on call never moved within the period",
    ),
}


def _request_days(results: Results) -> np.ndarray[Any, np.dtype[np.float64]]:
    """(R,) day help was requested in each replication (inf: never)."""
    if results.incursions is not None:
        return np.asarray(results.incursions.request_day, dtype=float)
    return np.full(results.replications, float(results.compiled.request_day))


def lever_activity(results: Results, unit_kinds: Mapping[str, str]) -> dict[str, Any]:
    """Per lever: the share of replications in which it acted, and the units behind it.

    ``unit_kinds`` maps each unit id to its kind (``border_guard``, ``motor_rifle``...), from the
    scenario. Returns ``{"escalation": mode, "levers": {key: {"share", "units"}}}``; a lever whose
    units the scenario does not have is left out (``help_requested`` is always there).
    """
    c = results.compiled
    req = _request_days(results)
    days = float(results.days)
    asked = np.isfinite(req) & (req < days)
    levers: dict[str, Any] = {"help_requested": {"share": float(asked.mean()), "units": []}}
    groups: dict[str, list[int]] = {"csto_arrived": [], "russian_guards_returned": []}
    groups["russian_forces_moved"] = []
    for u, (uid, side) in enumerate(zip(c.unit_ids, c.unit_sides, strict=True)):
        code = int(c.unit_activation[u]) if u < c.unit_activation.size else 0
        if code == ActivationMode.CSTO:
            groups["csto_arrived"].append(u)
        elif code == ActivationMode.ON_REQUEST and side == "RU":
            guards = unit_kinds.get(uid) == "border_guard"
            groups["russian_guards_returned" if guards else "russian_forces_moved"].append(u)
    for key, members in groups.items():
        if not members:
            continue
        acted = np.zeros(req.shape, dtype=bool)
        for u in members:
            ramp = float(c.unit_ramp_days[u]) if key == "csto_arrived" else 0.0
            with np.errstate(invalid="ignore"):
                acted |= asked & (req + float(c.unit_delay_days[u]) + ramp < days)
        levers[key] = {"share": float(acted.mean()), "units": [c.unit_ids[u] for u in members]}
    return {"escalation": str(c.escalation.get("mode", "never")), "levers": levers}


def lever_notes(activity: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Sentences for the policies whose conditional levers did not always act.

    ``activity`` is ``{policy: lever_activity(...)}``. Only policies that can ask for help (an
    escalation mode other than ``never``) get notes. Where help was not always asked, that is the
    one note (every other lever waits for the request); otherwise each lever that did not always
    act within the period gets one.
    """
    notes: list[str] = []
    for policy, act in activity.items():
        if act.get("escalation", "never") == "never":
            continue
        levers = act["levers"]
        asked = levers.get("help_requested", {}).get("share")
        keys = ["help_requested"] if asked is not None and asked < 1.0 else list(levers)
        for key in keys:
            share = levers[key].get("share")
            if share is None or share >= 1.0:
                continue
            missing = LEVERS[key][1]
            if share <= 0.0:
                notes.append(
                    f"{policy}: {missing} in any replication -- its differences from a policy "
                    "without this lever are ties by construction"
                )
            else:
                notes.append(
                    f"{policy}: {missing} in {100 * (1 - share):.0f}% of replications -- "
                    "differences are ties by construction there"
                )
    return notes

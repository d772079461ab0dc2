"""Export a what-if view as YAML that ``bordersim run`` accepts.

- :func:`scenario_yaml`: the whole scenario with every lever applied, self-contained; exact:
  ``bordersim run FILE --policy P --seed S -n R`` (the command is written at its top) gives the
  numbers the page showed.
- :func:`policy_yaml`: one policy (``--policy-file``) that combines the switched-on variants and the
  levers a policy can express (strength, crossing rate, equipment, the escalation threshold, a unit
  sent to the border from day 1). A lever no policy action can carry (a return delay, keeping a unit
  in reserve against the timeline) is listed in a comment at the top: use the scenario export.
"""

from __future__ import annotations

import io
from typing import Any

import yaml

import bordersim as bs
from bordersim.web.settings import Settings, policy_string

__all__ = ["policy_yaml", "scenario_yaml"]

#: The name of the exported policy.
POLICY_NAME = "whatif"


def _command(s: Settings, scenario_arg: str, policy: str | None) -> str:
    parts = ["bordersim run", scenario_arg]
    if policy:
        parts += ["--policy", policy]
    parts += ["-n", str(s.replications), "--seed", str(s.seed)]
    if s.start is not None:
        parts += ["--start", s.start.isoformat()]
    if s.days is not None:
        parts += ["--days", str(s.days)]
    return " ".join(parts)


def scenario_yaml(scenario: bs.Scenario, s: Settings) -> io.StringIO:
    """The scenario with the view's levers applied, as one YAML file (a file-like object)."""
    sc, _ = bs.apply_levers(scenario, s.levers)
    data = sc.model.model_dump(mode="json", exclude_none=True)
    policy = policy_string(s.policies, list(bs.policies(scenario)))
    head = (
        f"# Exported from bordersim serve ({scenario.id}); levers: "
        f"{', '.join(f'{k}={v}' for k, v in s.levers.items()) or 'none moved'}\n"
        f"# Reproduce the view: {_command(s, 'THIS_FILE.yaml', policy)}\n"
    )
    return io.StringIO(head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _quantity(value: float, rationale: str) -> dict[str, Any]:
    return {"value": value, "assumed": {"rationale": rationale}}


def _lever_actions(
    scenario: bs.Scenario, s: Settings
) -> tuple[list[dict[str, Any]], int | None, list[str]]:
    """Policy actions for the levers, the escalation threshold if moved, and what cannot be said."""
    model = scenario.model
    nominal = {lv.key: lv for lv in bs.levers(scenario)}
    why = "set in bordersim serve (a what-if, not a source)"
    actions: list[dict[str, Any]] = []
    threshold: int | None = None
    lost: list[str] = []
    for key, raw in s.levers.items():
        parts = key.split(".")
        if key.startswith("units.") and key.endswith(".strength"):
            actions.append({"kind": "set_strength", "unit": parts[1],
                            "strength": _quantity(float(raw), why)})  # fmt: skip
        elif key.startswith("actors.") and key.endswith(".rate_per_day"):
            base = float(nominal[key].value)
            actions.append({"kind": "scale_rate", "actor": parts[1],
                            "factor": _quantity(float(raw) / base, why)})  # fmt: skip
        elif key.startswith("policies.") and key.endswith(".multiplier"):
            actions.append({"kind": "set_equipment", "multiplier": _quantity(float(raw), why)})
        elif key.startswith("escalation."):
            threshold = int(float(raw))
        elif key.startswith("posture.") and raw == "border":
            unit = next(u for u in model.units if u.id == parts[1])
            alloc = unit.allocation.model_dump(mode="json", exclude_none=True)
            actions.append(
                {"kind": "set_posture", "unit": parts[1], "posture": "border", "allocation": alloc}
            )
        elif not (key.startswith("posture.") and raw == "timeline"):
            lost.append(f"{key}={raw}")
    return actions, threshold, lost


def policy_yaml(scenario: bs.Scenario, s: Settings) -> io.StringIO:
    """The view as one policy file for ``bordersim run --policy-file`` (a file-like object)."""
    model = scenario.model
    actions: list[dict[str, Any]] = []
    escalation: dict[str, Any] | None = None
    cost: dict[str, Any] = {}
    for name in s.policies:
        pol = model.policies[name]
        actions += [a.model_dump(mode="json", exclude_none=True) for a in pol.actions]
        if pol.escalation is not None and escalation is None:
            escalation = pol.escalation.model_dump(mode="json", exclude_none=True)
        if pol.cost_rub is not None and pol.cost_years is not None and not cost:
            cost = {
                "cost_rub": pol.cost_rub.model_dump(mode="json", exclude_none=True),
                "cost_years": pol.cost_years.model_dump(mode="json", exclude_none=True),
            }
    extra, threshold, lost = _lever_actions(scenario, s)
    actions += extra
    if threshold is not None:
        escalation = {**(escalation or {"mode": "threshold", "window_days": 7}),
                      "threshold": threshold}  # fmt: skip
    desc = (
        "What-if from bordersim serve: "
        + (" + ".join(s.policies) or "baseline")
        + ("; levers " + ", ".join(f"{k}={v}" for k, v in s.levers.items()) if s.levers else "")
    )
    body: dict[str, Any] = {"description": desc, "actions": actions, **cost}
    if escalation is not None:
        body["escalation"] = escalation
    head = f"# Run it: {_command(s, scenario.id, POLICY_NAME)} --policy-file THIS_FILE.yaml\n"
    if lost:
        head += f"# Not expressible as a policy (use the scenario export): {', '.join(lost)}\n"
    return io.StringIO(head + yaml.safe_dump({POLICY_NAME: body}, sort_keys=False))

"""The levers an analyst moves first, for the what-if page and notebooks.

A lever is either a quantity of the evidence ledger (its key is the quantity's ledger name, e.g.
``actors.drug_traffickers.rate_per_day``, bounded by the ledger's range and labelled sourced or
assumed) or a structural choice no quantity carries:

- ``posture.<unit>``: a unit that a dated event sends to the border (the 2021 reservists) can follow
  the timeline, stand on the border from day 1, or stay in reserve;
- ``escalation.<policy>.threshold``: how many breaches or clashes in the policy's window make
  Tajikistan ask for help (the CSTO lever), a whole number from 1 to 20.

:func:`levers` lists them for a scenario; :func:`apply_levers` returns the scenario with a set of
values applied and, per key, why a value was refused (unknown key, not a number, outside the
range): a refused value is reported and ignored, never half-applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bordersim.api.scenarios import OverrideError, Scenario, ScenarioLike, as_scenario
from bordersim.scenario.schema import Scenario as ScenarioModel
from bordersim.scenario.schema import SetEquipment, SetPosture

__all__ = ["Lever", "apply_levers", "levers"]

#: Posture choices of a unit a dated event sends to the border.
POSTURE_CHOICES = ("timeline", "border", "reserve")
#: Bounds of an escalation threshold (breaches or clashes in the window).
THRESHOLD_RANGE = (1, 20)


@dataclass(frozen=True)
class Lever:
    """One lever: what it is, its current value and the values it may take.

    Attributes:
        key: the name used in URLs and overrides.
        label: what a reader sees.
        kind: ``number`` (a quantity), ``integer`` or ``choice``.
        value: the scenario's nominal value (a number, or one of ``options``).
        low, high: the range for numbers (the ledger's range for a quantity).
        options: the choices of a ``choice`` lever.
        evidence: ``sourced``, ``assumed``, ``calibrated`` (held against observations by a
            calibration; its range is still the prior's) or ``structural`` (a choice of the model,
            not a number any source gives).
        unit: the quantity's unit, if any.
    """

    key: str
    label: str
    kind: Literal["number", "integer", "choice"]
    value: float | str
    low: float | None = None
    high: float | None = None
    options: tuple[str, ...] = ()
    evidence: Literal["sourced", "assumed", "calibrated", "structural"] = "structural"
    unit: str | None = None


def _quantity_lever(
    model: ScenarioModel, quantities: Mapping[str, Any], name: str, label: str
) -> Lever | None:
    q = quantities.get(name)
    if q is None:
        return None
    lo, hi = q.bounds(model.evidence)
    sourced = q.is_sourced(model.evidence)
    calibrated = q.calibration(model.evidence) is not None
    return Lever(
        key=name,
        label=label,
        kind="number",
        value=float(q.value),
        low=lo,
        high=hi,
        evidence="calibrated" if calibrated else ("sourced" if sourced else "assumed"),
        unit=q.unit,
    )


def _posture_units(model: ScenarioModel) -> list[str]:
    """Units that start off the border and that a dated event sends to it."""
    moved = {
        a.unit
        for ev in model.timeline
        for a in ev.actions
        if isinstance(a, SetPosture) and a.posture == "border"
    }
    return [u.id for u in model.units if u.id in moved and u.posture != "border"]


def levers(scenario: ScenarioLike) -> list[Lever]:
    """The analyst's first levers for ``scenario``, in a stable order.

    Example:
        >>> import bordersim as bs
        >>> keys = [lv.key for lv in bs.levers("tajik-afghan-2021")]
        >>> "actors.drug_traffickers.rate_per_day" in keys
        True
    """
    model = as_scenario(scenario).model
    qs = dict(model.quantities())  # one walk of the scenario, not one per lever
    out: list[Lever] = []
    for u in model.units:
        if u.side == "TJ" and u.posture == "border":
            lv = _quantity_lever(model, qs, f"units.{u.id}.strength", f"{u.name}: strength")
            if lv is not None:
                out.append(lv)
    for uid in _posture_units(model):
        unit = next(u for u in model.units if u.id == uid)
        out.append(
            Lever(f"posture.{uid}", f"{unit.name}: posture", "choice", "timeline",
                  options=POSTURE_CHOICES)
        )  # fmt: skip
    for u in model.units:
        if u.side == "RU" and u.kind == "border_guard":
            lv = _quantity_lever(
                model, qs, f"units.{u.id}.activation.delay_days", f"{u.name}: days to return"
            )
            if lv is not None:
                out.append(lv)
    for pname, pol in model.policies.items():
        if pol.escalation is not None and pol.escalation.mode == "threshold":
            lo, hi = THRESHOLD_RANGE
            out.append(
                Lever(
                    f"escalation.{pname}.threshold",
                    f"{pname}: breaches or clashes in {pol.escalation.window_days} days that "
                    "trigger a request",
                    "integer", float(pol.escalation.threshold), float(lo), float(hi),
                )
            )  # fmt: skip
        for i, act in enumerate(pol.actions):
            if isinstance(act, SetEquipment):
                lv = _quantity_lever(
                    model, qs, f"policies.{pname}.actions[{i}].multiplier",
                    f"{pname}: equipment multiplier (detection per guard)",
                )  # fmt: skip
                if lv is not None:
                    out.append(lv)
    for a in model.actors:
        lv = _quantity_lever(model, qs, f"actors.{a.id}.rate_per_day", f"{a.name}: crossing rate")
        if lv is not None:
            out.append(lv)
    return out


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError("not a number")
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _with_posture(model: ScenarioModel, unit: str, choice: str) -> ScenarioModel:
    if choice == "timeline":
        return model
    timeline = []
    for ev in model.timeline:
        acts = tuple(a for a in ev.actions if not (isinstance(a, SetPosture) and a.unit == unit))
        timeline.append(ev.model_copy(update={"actions": acts}))
    units = list(model.units)
    if choice == "border":
        units = [u.model_copy(update={"posture": "border"}) if u.id == unit else u for u in units]
    data = model.model_copy(update={"timeline": tuple(timeline), "units": tuple(units)})
    return ScenarioModel.model_validate(data.model_dump(mode="python", exclude_none=True))


def _with_threshold(model: ScenarioModel, policy: str, threshold: int) -> ScenarioModel:
    pol = model.policies[policy]
    assert pol.escalation is not None
    new_pol = pol.model_copy(
        update={"escalation": pol.escalation.model_copy(update={"threshold": threshold})}
    )
    return model.model_copy(update={"policies": {**model.policies, policy: new_pol}})


def apply_levers(
    scenario: ScenarioLike, values: Mapping[str, Any]
) -> tuple[Scenario, dict[str, str]]:
    """``scenario`` with lever values applied, and why each refused value was refused.

    Values may be text (from a URL) or numbers. A key that is no lever of the scenario, a value
    that is not a number or not one of the choices, or one outside the lever's range is refused:
    its message is returned under its key and the lever keeps its nominal value.

    Example:
        >>> import bordersim as bs
        >>> sc, errors = bs.apply_levers("tajik-afghan-2021",
        ...                              {"actors.drug_traffickers.rate_per_day": "15"})
        >>> errors, dict(sc.overrides)
        ({}, {'actors.drug_traffickers.rate_per_day': 15.0})
    """
    sc = as_scenario(scenario)
    known = {lv.key: lv for lv in levers(sc)}
    errors: dict[str, str] = {}
    overrides: dict[str, float] = {}
    model = sc.model
    for key, raw in values.items():
        lv = known.get(key)
        if lv is None:
            errors[key] = "no such lever in this scenario"
            continue
        if lv.kind == "choice":
            if raw not in lv.options:
                errors[key] = f"choose one of {', '.join(lv.options)}"
                continue
            model = _with_posture(model, key.split(".", 1)[1], str(raw))
            continue
        try:
            value = _number(raw)
        except (TypeError, ValueError):
            errors[key] = f"{raw!r} is not a number"
            continue
        assert lv.low is not None and lv.high is not None
        if not lv.low <= value <= lv.high:
            errors[key] = f"{value:g} is outside the range {lv.low:g} to {lv.high:g}"
            continue
        if lv.kind == "integer":
            if value != int(value):
                errors[key] = f"{value:g} is not a whole number"
                continue
            model = _with_threshold(model, key.split(".")[1], int(value))
            continue
        overrides[key] = value
    base = Scenario(model, sc.path, sc.overrides, sc.outside_range)
    if not overrides:
        return base, errors
    try:
        return base.with_overrides(overrides), errors
    except OverrideError as exc:  # a combination the scenario's validation rejects
        for key in overrides:
            errors[key] = str(exc)
        return base, errors

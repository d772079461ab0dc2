"""Cross-field checks of a scenario: the sectors tile the border, references resolve (ledger keys,
sources, units; calibrations and the observations they cite, :mod:`.calibration_refs`), and every
quantity lies in its physical domain. :class:`~bordersim.scenario.schema.Scenario`'s validator runs
them and raises :class:`ScenarioConsistencyError` with each problem's field path, which the loader
turns into located messages. Also the walkers over every quantity of a scenario.

The functions take the validated models duck-typed (this module sits below ``schema``, which
imports it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bordersim.scenario.calibration_refs import check_calibrations
from bordersim.scenario.evidence import Frozen, Quantity
from bordersim.scenario.validation import quantity_problem

if TYPE_CHECKING:
    from bordersim.scenario.schema import Scenario

_TOL_KM = 1e-6
Errors = list[tuple[tuple[str | int, ...], str]]


class ScenarioConsistencyError(ValueError):
    """Cross-field problems found after field validation, each with its field path."""

    def __init__(self, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in errors))


def walk_quantities(obj: object, prefix: str) -> Iterator[tuple[str, Quantity]]:
    if isinstance(obj, Quantity):
        yield prefix, obj
        return
    if isinstance(obj, Frozen):
        for name in type(obj).model_fields:
            if name == "evidence" and not prefix:  # the scenario's ledger holds no quantities
                continue
            yield from walk_quantities(getattr(obj, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_quantities(v, f"{prefix}.{k}")
    elif isinstance(obj, tuple):
        for i, v in enumerate(obj):
            key = getattr(v, "id", None)
            yield from walk_quantities(v, f"{prefix}.{key}" if key else f"{prefix}[{i}]")


def check_tiling(sc: Scenario, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    length = sc.border.official_length_km.value
    pos = 0.0
    ids: set[str] = set()
    for i, s in enumerate(sc.border.sectors):
        path: tuple[str | int, ...] = ("border", "sectors", i)
        if s.id in ids:
            errors.append(((*path, "id"), f"duplicate sector id {s.id!r}"))
        ids.add(s.id)
        if s.end_km <= s.start_km:
            errors.append(((*path, "end_km"), f"end_km {s.end_km} must exceed start_km"))
        if s.start_km > pos + _TOL_KM:
            errors.append(((*path, "start_km"), f"gap: previous sector ends at km {pos:g}"))
        elif s.start_km < pos - _TOL_KM:
            errors.append(((*path, "start_km"), f"overlap: previous sector ends at km {pos:g}"))
        pos = s.end_km
    if sc.border.sectors and abs(pos - length) > 1e-3:
        errors.append(
            (
                ("border", "sectors", len(sc.border.sectors) - 1, "end_km"),
                f"sectors end at km {pos:g} but the official length is {length:g} km",
            )
        )
    for i, c in enumerate(sc.border.crossings):
        if c.km > length + _TOL_KM:
            errors.append(
                (("border", "crossings", i, "km"), f"km {c.km:g} is beyond the border's end")
            )


def check_references(sc: Scenario, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    sectors = set(sc.sector_ids())
    bases = {b.id for b in sc.bases}
    units = {u.id for u in sc.units}
    actors = {a.id for a in sc.actors}
    crossings = {c.id for c in sc.border.crossings}

    def need(path: tuple[str | int, ...], value: str, known: set[str], what: str) -> None:
        if value not in known:
            hint = ", ".join(sorted(known)[:8])
            errors.append((path, f"unknown {what} {value!r} (known: {hint})"))

    calibrated = []  # the quantities with their own `calibrated` block, checked below
    for path, q in walk_quantities_with_path(sc, ()):
        if q.evidence is not None and q.evidence not in sc.evidence:
            errors.append(((*path, "evidence"), f"unknown ledger key {q.evidence!r}"))
        if q.calibrated is not None:
            calibrated.append((path, q))
        for j, c in enumerate(q.claims):
            need((*path, "claims", j, "source"), c.source, set(sc.sources), "source")
    for key, ev in sc.evidence.items():
        for j, c in enumerate(ev.claims):
            need(("evidence", key, "claims", j, "source"), c.source, set(sc.sources), "source")
    for i, u in enumerate(sc.units):
        need(("units", i, "base"), u.base, bases, "base")
        for s in u.allocation.sectors or ():
            need(("units", i, "allocation", "sectors"), s, sectors, "sector")
        for s in u.allocation.weights or {}:
            need(("units", i, "allocation", "weights"), s, sectors, "sector")
    for i, a in enumerate(sc.actors):
        for cid in a.crossings or {}:
            need(("actors", i, "crossings"), cid, crossings, "crossing")

    def check_actions(path: tuple[str | int, ...], actions: tuple[Any, ...]) -> None:
        for j, act in enumerate(actions):
            p = (*path, j)
            for s in getattr(act, "sectors", None) or ():
                need((*p, "sectors"), s, sectors, "sector")
            for field in ("unit", "from_unit", "to_unit"):
                if hasattr(act, field):
                    need((*p, field), getattr(act, field), units, "unit")
            if hasattr(act, "actor"):
                need((*p, "actor"), act.actor, actors, "actor")
            if act.kind == "move_base":
                need((*p, "base"), act.base, bases, "base")
            if act.kind == "fleeing_batch":
                for cid in act.arrivals:
                    need((*p, "arrivals"), cid, crossings, "crossing")

    for i, event in enumerate(sc.timeline):
        need(("timeline", i, "evidence"), event.evidence, set(sc.evidence), "ledger key")
        check_actions(("timeline", i, "actions"), event.actions)
    for name, pol in sc.policies.items():
        check_actions(("policies", name, "actions"), pol.actions)
    check_calibrations(sc, errors, calibrated)  # calibrations and the observations they cite


def check_ranges(sc: Scenario, errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    """Every quantity's whole range (value, low, high and its claims in the same unit) within its
    field's physical domain (:data:`bordersim.scenario.validation.QUANTITY_BOUNDS`)."""
    for path, q in walk_quantities_with_path(sc, ()):
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        if q.evidence is not None and q.evidence not in sc.evidence:
            lo = q.low if q.low is not None else q.value  # the unknown key is reported elsewhere
            hi = q.high if q.high is not None else q.value
        else:
            lo, hi = q.bounds(sc.evidence)
        problem = quantity_problem(field, q.value, min(lo, q.value), max(hi, q.value))
        if problem:
            errors.append(((*path, "value"), problem))
    for name in sc.policies:
        if "+" in name:
            errors.append(
                (("policies", name), "a policy name may not hold '+' (it joins policies)")
            )


def walk_quantities_with_path(
    obj: object, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Quantity]]:
    """Like :meth:`Scenario.quantities` but with the field path as in the YAML file."""
    if isinstance(obj, Quantity):
        yield path, obj
        return
    if isinstance(obj, Frozen):
        for name in type(obj).model_fields:
            if name == "evidence" and not path:  # the scenario's ledger holds no quantities
                continue
            yield from walk_quantities_with_path(getattr(obj, name), (*path, name))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_quantities_with_path(v, (*path, k))
    elif isinstance(obj, tuple):
        for i, v in enumerate(obj):
            yield from walk_quantities_with_path(v, (*path, i))

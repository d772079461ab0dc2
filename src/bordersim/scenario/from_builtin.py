"""``bordersim new --from SCENARIO``: a built-in's forces, threats, policies and ledger on a new border.

What is copied: ``period``, ``sources``, ``evidence``, ``terrain``, ``incursions``, ``escalation``,
``units``, ``actors`` and ``policies``. The built-in's timeline is not: its dated events name that
border's sectors and districts. References that the new border cannot satisfy are remapped, and each
remap is returned as a note (written into the new file's header and printed):

- a unit whose base is not one of the new border's bases is moved to the first new base;
- sector ids the new border lacks are dropped from allocations and actions (an allocation left with
  none covers every sector; a ``set_control`` or ``transfer_sectors`` left with none is dropped);
- a fleeing actor's reception crossings are shared equally over the new crossings (the actor is
  dropped when the new border has none), and actions on a dropped actor go with it;
- ``calibrated`` blocks are dropped: a calibration held the built-in's border against what was
  observed there, not the new one (the priors they sat beside are kept).
"""

from __future__ import annotations

import copy
from typing import Any

COPIED = ("period", "sources", "evidence", "terrain", "incursions", "escalation", "units", "actors",
          "policies")  # fmt: skip


def copy_from(
    src: dict[str, Any], name: str, sectors: set[str], bases: list[str], crossings: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """The copied parts of ``src`` (a built-in's merged data) and the notes of every remap."""
    out = {k: copy.deepcopy(src[k]) for k in COPIED if k in src}
    notes: list[str] = []
    dropped = _drop_calibrations(out)
    if dropped:
        notes.append(
            f"--from {name}: {dropped} `calibrated` block{'s' if dropped != 1 else ''} dropped "
            "(its calibration held that border against its observations, not this one)"
        )
    for u in out.get("units", []):
        if u.get("base") not in bases:
            notes.append(f"--from {name}: unit {u['id']} moved from base {u['base']} to {bases[0]}")
            u["base"] = bases[0]
        _fix_allocation(u, f"unit {u['id']}", sectors, notes, name)
    kept = []
    for a in out.get("actors", []):
        if a.get("kind") == "fleeing":
            if not crossings:
                notes.append(f"--from {name}: fleeing actor {a['id']} dropped (no crossings)")
                continue
            share = round(1.0 / len(crossings), 6)
            a["crossings"] = {c: share for c in crossings}
            notes.append(f"--from {name}: fleeing actor {a['id']} shared over every crossing")
        kept.append(a)
    if "actors" in out:
        out["actors"] = kept
    actors = {a["id"] for a in kept}
    for pname, pol in out.get("policies", {}).items():
        acts = []
        for act in pol.get("actions", []):
            if "actor" in act and act["actor"] not in actors:
                notes.append(f"--from {name}: policy {pname}: {act['kind']} on a dropped actor")
                continue
            if not _fix_sectors(act, f"policy {pname}: {act['kind']}", sectors, notes, name):
                continue
            _fix_allocation(act, f"policy {pname}: {act['kind']}", sectors, notes, name)
            acts.append(act)
        if "actions" in pol:
            pol["actions"] = acts
    return out, notes


def _drop_calibrations(node: Any) -> int:
    """Remove every ``calibrated`` block under ``node`` (plain data); how many there were."""
    if isinstance(node, list):
        return sum(_drop_calibrations(v) for v in node)
    if not isinstance(node, dict):
        return 0
    n = int(node.pop("calibrated", None) is not None)
    return n + sum(_drop_calibrations(v) for v in node.values())


def _fix_sectors(
    obj: dict[str, Any], what: str, sectors: set[str], notes: list[str], name: str
) -> bool:
    """Drop unknown sector ids from ``obj['sectors']``; False when the action must go."""
    if "sectors" not in obj or obj["sectors"] is None:
        return True
    known = [s for s in obj["sectors"] if s in sectors]
    if len(known) == len(obj["sectors"]):
        return True
    notes.append(f"--from {name}: {what}: sectors not on this border dropped")
    if known:
        obj["sectors"] = known
        return True
    if obj.get("kind") in ("set_control", "transfer_sectors"):
        return False
    del obj["sectors"]
    return True


def _fix_allocation(
    obj: dict[str, Any], what: str, sectors: set[str], notes: list[str], name: str
) -> None:
    alloc = obj.get("allocation")
    if not isinstance(alloc, dict):
        return
    _fix_sectors(alloc, f"{what} allocation", sectors, notes, name)
    weights = alloc.get("weights")
    if isinstance(weights, dict):
        alloc["weights"] = {s: w for s, w in weights.items() if s in sectors}
        if not alloc["weights"]:
            notes.append(f"--from {name}: {what}: no weighted sector left, spread by length")
            alloc.pop("weights")
            alloc["policy"] = "proportional_length"

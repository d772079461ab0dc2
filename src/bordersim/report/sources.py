"""The report's sources section as plain data: the scenario's quantities grouped by evidence-ledger
entry, each entry with its claims (source, quote, value, date) or its assumption's rationale, the
calibration that held it (or some of its quantities) against observations, the timeline events
resting on it, and a flag where the sources disagree."""

from __future__ import annotations

from typing import Any

from bordersim.report.formatting import fmt_quantity
from bordersim.report.run_data import RunData
from bordersim.scenario.calibration_refs import builtin_observation_labels
from bordersim.scenario.evidence import Calibrated, Evidence, Quantity
from bordersim.scenario.schema import Scenario

__all__ = ["sources_data"]


def _anchor(key: str) -> str:
    """An element id for a ledger key: letters, digits, ``-`` and ``_`` only."""
    return "ev-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)


def _source_ref(sc: Scenario, sid: str) -> dict[str, str]:
    """A claim's source; ``url`` only for http(s) links (never a ``javascript:`` one)."""
    s = sc.sources.get(sid)
    if s is None:
        return {"id": sid, "title": sid, "url": "", "publisher": "", "date": ""}
    url = s.url if s.url and s.url.startswith(("https://", "http://")) else ""
    return {"id": sid, "title": s.title, "url": url, "publisher": s.publisher, "date": str(s.date)}


_IDENTIFIED = {
    "alone": "pinned down on its own",
    "as a combination": "pinned down only as a combination with other quantities",
    "no": "not pinned down",
}


def _calibration(block: Calibrated | None) -> dict[str, Any] | None:
    """A ``calibrated`` block for the template: calibration, observations (id, and what was
    observed for a built-in one), what they pinned down (in words) and the note."""
    if block is None:
        return None
    labels = builtin_observation_labels()
    return {
        "calibration": block.calibration,
        "observations": [{"id": o, "label": labels.get(o, "")} for o in block.observations],
        "identified": _IDENTIFIED[block.identified],
        "note": block.note or "",
    }


def _quantity_row(
    name: str, q: Quantity, ledger: dict[str, Evidence], used: bool
) -> dict[str, Any]:
    lo, hi = q.bounds(ledger)
    return {
        "calibrated": _calibration(q.calibrated),  # its own block (the entry's is the block's)
        "name": name,
        "used": used,
        "value": fmt_quantity(q.value),
        "unit": q.unit or "",
        "range": f"{fmt_quantity(lo)} – {fmt_quantity(hi)}",
        "distribution": str(q.distribution(ledger)),
        "conflict": q.conflicting(ledger),
    }


def _block(
    sc: Scenario,
    key: str,
    items: list[tuple[str, Quantity]],
    events: list[str],
    policies: set[str],
) -> dict[str, Any]:
    """One ledger entry: its quantities, claims or rationale, and events."""
    ledger = sc.evidence
    own = key.startswith("@")
    ev = items[0][1].resolved_evidence(ledger) if own else ledger[key]
    claims = [
        {
            "source": _source_ref(sc, c.source),
            "quote": c.quote,
            "value": fmt_quantity(c.value),
            "unit": c.unit,
            "date": str(c.date),
        }
        for c in ev.claims
    ]
    used = [not n.startswith("policies.") or n.split(".")[1] in policies for n, _q in items]
    return {
        "key": key[1:] if own else key,
        "own": own,
        "anchor": _anchor(key),
        "sourced": bool(ev.claims),
        "calibrated": _calibration(ev.calibrated),
        "n_calibrated_own": sum(q.calibrated is not None for _n, q in items),
        "conflict": any(q.conflicting(ledger) for _n, q in items),
        "quantities": [
            _quantity_row(n, q, ledger, u) for (n, q), u in zip(items, used, strict=True)
        ],
        "claims": claims,
        "assumed": ev.assumed.rationale if ev.assumed is not None else None,
        "events": events,
    }


def sources_data(run: RunData) -> dict[str, Any]:
    """Counts (quantities, sourced, conflicting, assumed, calibrated) and one block per ledger
    entry."""
    sc = run.scenario
    ledger = sc.evidence
    policies = set((run.manifest.get("policy") or "").split("+"))
    groups: dict[str, list[tuple[str, Quantity]]] = {}
    for name, q in sc.quantities():
        groups.setdefault(q.evidence if q.evidence is not None else f"@{name}", []).append(
            (name, q)
        )
    events_by_key: dict[str, list[str]] = {}
    for event in sc.timeline:
        events_by_key.setdefault(event.evidence, []).append(f"{event.date}: {event.description}")
    keys = list(groups) + [k for k in events_by_key if k not in groups]
    blocks = [_block(sc, k, groups.get(k, []), events_by_key.get(k, []), policies) for k in keys]
    quantities = [q for v in groups.values() for _n, q in v]
    n_src = sum(1 for q in quantities if q.is_sourced(ledger))
    return {
        "n_quantities": len(quantities),
        "n_sourced": n_src,
        "n_conflicting": sum(1 for q in quantities if q.conflicting(ledger)),
        "n_assumed": len(quantities) - n_src,
        "n_calibrated": sum(q.calibration(ledger) is not None for q in quantities),
        "blocks": blocks,
        "conflicts": [{"anchor": b["anchor"], "label": b["key"]} for b in blocks if b["conflict"]],
    }

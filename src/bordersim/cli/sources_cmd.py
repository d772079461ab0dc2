"""`bordersim sources`: every number in a scenario with its evidence, its range and its sources.

Two views of the same ledger. By quantity (the names sensitivity analysis uses as factor names): value,
unit, uncertainty range and distribution, whether it is sourced, assumed or calibrated (held against
observations by a calibration, which are named), which sources with their dates, and a flag where the
sources disagree. By ledger entry: each entry once, with its claims (source,
date, quote) or its rationale, and how many quantities and timeline events rest on it -- many quantities
share one entry, so this is the list of what to go and check.

"Sources disagree" means two claims of an entry, in the same unit, give different values (for
instance the 201st base at 6,000 and at 7,000 troops). Claims in different units (roubles vs dollars)
are not compared.

A calibrated quantity's ``kind`` is ``calibrated`` and its ``prior`` says what the prior rests on
(sourced, assumed or both): the calibration started from that prior and the quantity's range. On a
terminal narrower than :data:`NARROW` columns the quantity table has four columns instead of nine.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from bordersim.cli.common import ScenarioArg, console, load_or_fail
from bordersim.report.formatting import MISSING

if TYPE_CHECKING:
    from bordersim.scenario.evidence import Calibrated, Evidence, Quantity
    from bordersim.scenario.schema import Scenario

__all__ = [
    "NARROW",
    "calibration_record",
    "disagrees",
    "evidence_kind",
    "ledger_records",
    "ledger_table",
    "quantity_record",
    "quantity_table",
    "sources",
    "sources_report",
]

Kind = Literal["sourced", "assumed", "sourced+assumed", "calibrated"]
Prior = Literal["sourced", "assumed", "sourced+assumed"]

#: Terminals narrower than this (columns) get the four-column quantity table.
NARROW = 120


# --------------------------------------------------------------------------------------------------
# the data (shared by the table and the JSON output)


def evidence_kind(ev: Evidence) -> Kind:
    """calibrated (a calibration block), else sourced (claims only), assumed (a rationale only) or
    both (e.g. a sourced total, split by assumption)."""
    return ev.kind


def _prior(ev: Evidence) -> Prior:
    """What the prior rests on, calibrated or not."""
    if ev.claims and ev.assumed is not None:
        return "sourced+assumed"
    return "sourced" if ev.claims else "assumed"


def calibration_record(block: Calibrated | None) -> dict[str, Any] | None:
    """A ``calibrated`` block as plain data (None when there is none)."""
    if block is None:
        return None
    return {
        "observations": list(block.observations),
        "calibration": block.calibration,
        "identified": block.identified,
        "note": block.note,
    }


def disagrees(ev: Evidence) -> bool:
    """True when two claims in the same unit give different values."""
    by_unit: dict[str, set[float]] = {}
    for c in ev.claims:
        by_unit.setdefault(c.unit, set()).add(c.value)
    return any(len(values) > 1 for values in by_unit.values())


def _claims(ev: Evidence, sc: Scenario) -> list[dict[str, Any]]:
    out = []
    for c in ev.claims:
        src = sc.sources.get(c.source)
        out.append(
            {
                "source": c.source,
                "publisher": src.publisher if src else None,
                "title": src.title if src else None,
                "date": c.date,
                "quote": c.quote,
                "value": c.value,
                "unit": c.unit,
            }
        )
    return out


def quantity_record(name: str, q: Quantity, sc: Scenario) -> dict[str, Any]:
    """One quantity as plain data: value, range, distribution, evidence and its sources."""
    ev = q.resolved_evidence(sc.evidence)
    low, high = q.bounds(sc.evidence)
    return {
        "name": name,
        "value": q.value,
        "unit": q.unit,
        "low": low,
        "high": high,
        "distribution": q.distribution(sc.evidence),
        "evidence": q.evidence,
        "kind": evidence_kind(ev),
        "prior": _prior(ev),
        "calibrated": calibration_record(ev.calibrated),
        "conflicting": q.conflicting(sc.evidence) or disagrees(ev),
        "claims": _claims(ev, sc),
        "rationale": ev.assumed.rationale if ev.assumed is not None else None,
    }


def ledger_records(sc: Scenario) -> list[dict[str, Any]]:
    """Each ledger entry once, with its claims or rationale and what uses it."""
    used = Counter(q.evidence for _, q in sc.quantities() if q.evidence is not None)
    own_calibration: dict[str, list[dict[str, Any]]] = {}  # entry -> quantities calibrated alone
    for name, q in sc.quantities():
        if q.evidence is not None and q.calibrated is not None:
            record = {"quantity": name, **(calibration_record(q.calibrated) or {})}
            own_calibration.setdefault(q.evidence, []).append(record)
    events: dict[str, list[str]] = {}
    for event in sc.timeline:
        events.setdefault(event.evidence, []).append(event.date.isoformat())
    out = []
    for key, ev in sc.evidence.items():
        out.append(
            {
                "key": key,
                "kind": evidence_kind(ev),
                "prior": _prior(ev),
                "calibrated": calibration_record(ev.calibrated),
                "calibrated_quantities": own_calibration.get(key, []),
                "disagree": disagrees(ev),
                "claims": _claims(ev, sc),
                "rationale": ev.assumed.rationale if ev.assumed is not None else None,
                "quantities": used.get(key, 0),
                "events": events.get(key, []),
            }
        )
    return out


def sources_report(
    sc: Scenario, *, conflicts: bool = False, assumed: bool = False
) -> dict[str, Any]:
    """The whole report as JSON-able data; ``conflicts`` / ``assumed`` filter both lists."""

    def keep(prior: str, conflict: bool) -> bool:
        return (not conflicts or conflict) and (not assumed or prior != "sourced")

    quantities = [quantity_record(n, q, sc) for n, q in sc.quantities()]
    ledger = ledger_records(sc)
    return {
        "scenario": sc.id,
        "sources": {
            k: {"title": s.title, "publisher": s.publisher, "date": s.date, "file": s.file}
            for k, s in sc.sources.items()
        },
        "quantities": [r for r in quantities if keep(r["prior"], r["conflicting"])],
        "evidence": [r for r in ledger if keep(r["prior"], r["disagree"])],
        "counts": {
            "quantities": len(quantities),
            "sourced": sum(r["prior"] != "assumed" for r in quantities),
            "assumed": sum(r["prior"] != "sourced" for r in quantities),
            "calibrated": sum(r["kind"] == "calibrated" for r in quantities),
            "conflicting": sum(r["conflicting"] for r in quantities),
            "ledger_entries": len(ledger),
        },
    }


# --------------------------------------------------------------------------------------------------
# rendering


def _num(x: float | None, unit: str | None = None) -> str:
    """An input's value for a table cell: thousands separators, six significant digits, years
    plain. Not :func:`~bordersim.report.formatting.fmt_number`, which rounds estimates to the
    digits that differ (0.0075 would show as 0.008, a year as 2,021): here the exact input counts."""
    if x is None:
        return MISSING
    if unit == "year":
        return f"{x:g}"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


def _sources_cell(claims: list[dict[str, Any]]) -> str:
    seen = dict.fromkeys(f"{c['source']} ({c['date']})" for c in claims)
    return ", ".join(seen) if seen else "-"


def _kind_cell(r: dict[str, Any]) -> str:
    """The kind; for a calibrated quantity, what its prior rests on and the observations."""
    cal = r["calibrated"]
    if cal is None:
        return str(r["kind"])
    return f"[green]calibrated[/] ({r['prior']} prior) against " + ", ".join(cal["observations"])


_IDENTIFIED = {
    "alone": "pinned down on its own",
    "as a combination": "pinned down only as a combination",
    "no": "not pinned down",
}


def _calibration_line(cal: dict[str, Any], of: str | None = None) -> str:
    """A ledger cell's line for a calibrated entry (or one of its quantities, ``of``): by which
    calibration, against what, and what the observations pinned down."""
    who = f" ({of} only)" if of else ""
    line = (
        f"[italic]calibrated{who}[/] by {cal['calibration']} against "
        f"{', '.join(cal['observations'])}: {_IDENTIFIED[cal['identified']]}."
    )
    return f"{line} {cal['note']}" if cal["note"] else line


def quantity_table(report: dict[str, Any], *, narrow: bool = False) -> Table:
    """The quantities, one row each: nine columns, or four on a ``narrow`` terminal (value, unit,
    range and distribution in one cell; ledger key, kind and sources in another)."""
    table = Table(title=f"Quantities of {report['scenario']}", title_justify="left")
    cols = (
        ("quantity", "value, range, dist", "evidence", "!")
        if narrow
        else ("quantity", "value", "unit", "range", "dist", "evidence", "kind", "sources", "!")
    )
    for col in cols:
        table.add_column(col, justify="right" if col == "value" else "left", overflow="fold")
    for r in report["quantities"]:
        flag = "[bold red]disagree[/]" if r["conflicting"] else ""
        rng = f"{_num(r['low'])} - {_num(r['high'])}"
        key = r["evidence"] or "(inline)"
        if narrow:
            value = f"{_num(r['value'])} {r['unit'] or ''}".rstrip()
            srcs = _sources_cell(r["claims"])
            ev = f"{key}: {_kind_cell(r)}" + (f"; {srcs}" if r["claims"] else "")
            table.add_row(r["name"], f"{value} ({rng}, {r['distribution']})", ev, flag)
            continue
        table.add_row(
            r["name"],
            _num(r["value"]),
            r["unit"] or "",
            rng,
            r["distribution"],
            key,
            _kind_cell(r),
            _sources_cell(r["claims"]),
            flag,
        )
    return table


def ledger_table(report: dict[str, Any], *, narrow: bool = False) -> Table:
    """Each ledger entry once: its claims or rationale, its calibration (the entry's, or that of
    its quantities calibrated on their own) and what uses it; on a ``narrow`` terminal the kind and
    the disagreement flag sit under the entry's key."""
    table = Table(
        title=f"Evidence ledger of {report['scenario']} (each entry once)",
        title_justify="left",
        show_lines=True,
    )
    text_col = "claims (source, date: quote = value) / rationale"
    cols = ("entry", text_col, "used by") if narrow else ("entry", "kind", text_col, "used by", "!")
    ratios = {"entry": 2, text_col: 5, "used by": 2} if narrow else {}
    for col in cols:
        table.add_column(col, overflow="fold", ratio=ratios.get(col))
    table.expand = narrow  # the ratios share the whole width
    for r in report["evidence"]:
        lines = [
            f'[bold]{c["source"]}[/] ({c["date"]}): "{c["quote"]}" = {_num(c["value"], c["unit"])} {c["unit"]}'
            for c in r["claims"]
        ]
        if r["rationale"]:
            lines.append(f"[italic]assumed:[/] {r['rationale']}")
        if r["calibrated"]:
            lines.append(_calibration_line(r["calibrated"]))
        for own in r["calibrated_quantities"]:
            lines.append(_calibration_line(own, of=own["quantity"]))
        n = r["quantities"]
        used = f"{n} {'quantity' if n == 1 else 'quantities'}"
        if r["events"]:
            used += f", events {', '.join(r['events'])}"
        kind = f"[green]calibrated[/] ({r['prior']} prior)" if r["calibrated"] else r["kind"]
        if r["calibrated_quantities"]:
            kind += f"; {len(r['calibrated_quantities'])} of its quantities calibrated"
        flag = "[bold red]disagree[/]" if r["disagree"] else ""
        if narrow:
            entry = f"[bold]{r['key']}[/]\n{kind}" + (f"\n{flag}" if flag else "")
            table.add_row(entry, "\n".join(lines), used)
        else:
            table.add_row(r["key"], kind, "\n".join(lines), used, flag)
    return table


# --------------------------------------------------------------------------------------------------
# the command


def sources(
    scenario: ScenarioArg = None,
    conflicts: Annotated[
        bool, typer.Option("--conflicts", help="only quantities whose sources disagree")
    ] = False,
    assumed: Annotated[
        bool, typer.Option("--assumed", help="only quantities resting on an assumption")
    ] = False,
    by_evidence: Annotated[
        bool, typer.Option("--by-evidence", help="only the ledger: each entry once")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="print as JSON, with quotes and rationales")
    ] = False,
) -> None:
    """List every quantity with its value, range, sources and whether it is assumed."""
    sc = load_or_fail(scenario).model
    report = sources_report(sc, conflicts=conflicts, assumed=assumed)
    if json_out:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return
    n = report["counts"]
    console.print(
        f"[bold]{sc.id}[/]: {n['quantities']} quantities, {n['sourced']} with sources, "
        f"{n['assumed']} resting on assumptions, {n['conflicting']} where sources disagree"
        + (f", {n['calibrated']} calibrated against observations" if n["calibrated"] else "")
        + f"; {n['ledger_entries']} ledger entries."
    )
    if not by_evidence:
        console.print(quantity_table(report, narrow=console.width < NARROW))
    console.print(ledger_table(report, narrow=console.width < NARROW))
    legend = ", ".join(f"{k}: {s['publisher']}, {s['date']}" for k, s in report["sources"].items())
    console.print(f"[dim]sources: {legend}[/]")
